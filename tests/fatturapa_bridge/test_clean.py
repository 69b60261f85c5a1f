# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Text cleaning for the SdI: transliteration, control characters, lengths,
with a note for every change and never a silent '?'."""

import dataclasses
from decimal import Decimal as D

import fpa_builders as b
import pytest
from lxml import etree

from fatturapa_bridge.clean import PLACEHOLDER, Limit, clean, text_limits
from fatturapa_bridge.model import Line, Registry, Transport
from fatturapa_bridge.render import render

LINE1 = "FatturaElettronicaBody[1]/DatiBeniServizi/DettaglioLinee[1]/Descrizione"


def with_description(text, **more):
    inv = b.invoice([Line(description=text, quantity=D("1"), unit_price=D("10"),
                          vat_rate=D("22"), **more)])
    return inv


def cleaned_description(text):
    inv, notes = clean(with_description(text))
    return inv.body.goods.lines[0].description, notes


def test_limits_come_from_the_official_schema(needs_schemas):
    """Test a few limits read from the XSD: alphabet and length."""
    from fatturapa_bridge.model import DocumentData, Line

    limits = text_limits()
    assert limits[(Line, "Descrizione")] == Limit("latin1", 1000)
    assert limits[(DocumentData, "Causale")] == Limit("latin1", 200)
    assert limits[(Registry, "Denominazione")] == Limit("latin1", 80)
    assert limits[(DocumentData, "Numero")] == Limit("ascii", 20)
    assert limits[(Line, "UnitaMisura")] == Limit("ascii", 10)


@pytest.mark.parametrize("text, expected, replaced", [
    ("Canone 10€/mese", "Canone 10EUR/mese", [("€", "EUR")]),
    ("Server “Pro” ‘XL’", 'Server "Pro" \'XL\'', [("“", '"'), ("”", '"'), ("‘", "'"),
                                                    ("’", "'")]),
    ("2025–2026 — annuale", "2025-2026 - annuale", [("–", "-"), ("—", "-")]),
    ("Kraków, Łódź, Plzeň", "Kraków, Lódz, Plzen", [("Ł", "L"), ("ź", "z"), ("ň", "n")]),
    ("ООО Ромашка", "OOO Romashka", None),
    ("Attendere…", "Attendere...", [("…", "...")]),
])
def test_characters_outside_latin1_are_transliterated(text, expected, replaced, needs_schemas):
    """Test the euro sign, typographic quotes and dashes, letters outside
    Latin-1 (to their base letter), Cyrillic (romanised); Latin-1 accents
    such as ó and à stay; each replacement is in the note."""
    value, [note] = cleaned_description(text)
    assert value == expected
    assert note.path == LINE1 and note.original == text and note.value == expected
    if replaced is not None:
        assert list(note.replaced) == replaced
    assert "?" not in value


def test_emoji_are_removed_with_a_note(needs_schemas):
    """Test emoji, skin tones and joiners removed, the rest kept."""
    value, [note] = cleaned_description("Supporto 24/7 👍🏽 ❤️ 👨‍💻")
    assert value == "Supporto 24/7   "
    assert "U+1F44D THUMBS UP SIGN" in note.message
    assert note.replaced == ()


def test_control_characters_are_removed_from_every_text(needs_schemas):
    """Test a bell in a description, an escape in the buyer's name and a NUL
    in the invoice number (an identifier: only control characters go)."""
    inv = with_description("Server\x07 A")
    inv.header.buyer.data.registry.name = "\x1b[1mAlfa Web"
    inv.body.general.document.number = "FT/2026/0001\x00"
    cleaned, notes = clean(inv)
    assert cleaned.body.goods.lines[0].description == "Server A"
    assert cleaned.header.buyer.data.registry.name == "[1mAlfa Web"
    assert cleaned.body.general.document.number == "FT/2026/0001"
    assert {n.path.rsplit("/", 1)[-1] for n in notes} == {"Descrizione", "Denominazione",
                                                          "Numero"}
    assert all("removed U+00" in n.message for n in notes)
    render(cleaned)  # now writable and accepted


def test_description_is_cut_at_1000_characters(needs_schemas):
    """Test the cut with the original length in the note."""
    value, [note] = cleaned_description("x" * 1204)
    assert len(value) == 1000 and note.cut == 1204
    assert "cut from 1204 characters" in note.message


def test_long_causale_is_split_not_cut(needs_schemas):
    """Test that a 450-character Causale becomes three elements (the
    specification lets Causale repeat), the next one kept after them."""
    inv = with_description("x")
    text = "".join(str(i % 10) for i in range(450))
    inv.body.general.document.causale = [text, "Rif. ordine 55"]
    cleaned, [note] = clean(inv)
    causale = cleaned.body.general.document.causale
    assert [len(c) for c in causale] == [200, 200, 50, 14]
    assert "".join(causale[:3]) == text and causale[3] == "Rif. ordine 55"
    assert note.parts == 3 and note.path.endswith("Causale[1]")
    root = etree.fromstring(render(cleaned))
    assert len(root.findall(".//Causale")) == 4


def test_identifiers_are_never_transliterated_nor_cut(needs_schemas):
    """Test that an invoice number with a character the SdI refuses is left
    for the checks to report: changing it would change the invoice."""
    inv = with_description("x")
    inv.body.general.document.number = "FT/2026/№1"
    cleaned, notes = clean(inv)
    assert notes == [] and cleaned.body.general.document.number == "FT/2026/№1"


def test_a_required_text_left_empty_gets_a_placeholder(needs_schemas):
    """Test an emoji-only description (mandatory): '-' with a note, so the
    invoice is never blocked; an optional text is omitted instead."""
    inv = with_description("🚀🚀")
    inv.body.general.transport = Transport(description="📦")
    cleaned, notes = clean(inv)
    assert cleaned.body.goods.lines[0].description == PLACEHOLDER
    assert cleaned.body.general.transport.description is None
    by_field = {n.path.rsplit("/", 1)[-1]: n for n in notes}
    assert by_field["Descrizione"].placeholder and "'-' written" in by_field["Descrizione"].message
    assert by_field["Descrizione"].value == PLACEHOLDER
    assert by_field["Descrizione"].value is not None
    assert "omitted" in [n for n in notes if n.path.endswith("DatiTrasporto/Descrizione")][0].message


def test_ascii_fields_lose_latin1_letters_too(needs_schemas):
    """Test a unit of measure (ASCII only, 10 characters): m² is m2."""
    inv = with_description("x", unit="m² mensili")
    cleaned, [note] = clean(inv)
    assert cleaned.body.goods.lines[0].unit == "m2 mensili"
    assert note.replaced == (("²", "2"),)


def test_decomposed_accents_are_composed_silently(needs_schemas):
    """Test e + combining acute: the Latin-1 é, no note (nothing visible
    changed)."""
    value, notes = cleaned_description("Caffe\u0301")
    assert value == "Caffé" and notes == []


def test_clean_leaves_the_callers_invoice_alone_and_clean_text_untouched(needs_schemas):
    """Test that the input is not modified and that a clean invoice comes
    back equal with no notes."""
    inv = with_description("Canone 10€")
    before = dataclasses.asdict(inv)
    cleaned, notes = clean(inv)
    assert dataclasses.asdict(inv) == before and notes
    again, none = clean(b.hosting_invoice())
    assert none == [] and again == b.hosting_invoice()


def test_no_character_ever_becomes_a_question_mark(needs_schemas):
    """Test a sweep of code points from every plane in use: what is kept
    fits Latin-1, and a '?' appears only where the text had one."""
    points = [c for c in range(0x20, 0x2FFFF, 37) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(chr(c) for c in points)
    for start in range(0, len(text), 900):
        chunk = text[start:start + 900]
        value, notes = cleaned_description(chunk)
        assert value.count("?") == chunk.count("?")
        assert all(ord(c) <= 0xFF for c in value)
        if value != chunk:
            assert notes and (notes[0].replaced or notes[0].removed)


def test_cleaned_real_world_text_renders(needs_schemas):
    """Test the Odoo sample's line name 'ʢ◉ᴥ◉ʡ' (Odoo writes '?????'): the
    cleaned invoice is accepted by the schema and the checks."""
    value, [note] = cleaned_description("ʢ◉ᴥ◉ʡ")
    assert "?" not in value and value.strip()
    inv, _notes = clean(with_description("ʢ◉ᴥ◉ʡ"))
    render(inv)


def test_clean_in_place_changes_and_returns_the_callers_invoice(needs_schemas):
    """Test that ``in_place=True`` cleans the given invoice itself, with the
    same result and notes as a copy."""
    copied, copy_notes = clean(with_description("Canone 10€"))
    inv = with_description("Canone 10€")
    cleaned, notes = clean(inv, in_place=True)
    assert cleaned is inv
    assert cleaned == copied and notes == copy_notes and notes
