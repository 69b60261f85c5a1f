# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Rendering: golden files, number formats, computed amounts, refusal."""

import dataclasses
import os
from decimal import Decimal as D

import fpa_builders as b
import pytest
from fpa_paths import DATA, canonical, first_difference
from lxml import etree

from fatturapa_bridge.amounts import complete, line_total, vat_summary
from fatturapa_bridge.model import Discount, Line
from fatturapa_bridge.problems import InvoiceRejected
from fatturapa_bridge.render import format_decimal, render, to_element

GOLDEN_DIR = DATA / "golden"


@pytest.mark.parametrize("name", sorted(b.GOLDEN))
def test_render_matches_golden_file(name, needs_schemas):
    """Test that each reference document renders to its golden file, compared
    as canonical trees (prefixes and indentation do not matter)."""
    xml = render(b.GOLDEN[name]())
    path = GOLDEN_DIR / f"{name}.xml"
    if os.environ.get("FATTURAPA_REGEN_GOLDEN"):
        path.write_bytes(xml)
    expected = canonical(etree.parse(str(path)).getroot())
    actual = canonical(etree.fromstring(xml))
    assert actual == expected, first_difference(actual, expected)


def test_canonical_comparison_catches_a_changed_amount():
    """Test that the tree comparison used for golden files is not blind: a
    different amount in a leaf makes the trees differ."""
    a = to_element(complete(b.advance_invoice()))
    changed = b.advance_invoice()
    changed.body.goods.lines[0].unit_price = D("500.01")
    assert canonical(a) != canonical(to_element(complete(changed)))


@pytest.mark.parametrize(
    "value, fmt, text",
    [
        (D("12.5"), "a2", "12.50"),
        (D("0.005"), "a2", "0.01"),  # half-up, not banker's rounding
        (D("-3"), "a2", "-3.00"),
        (D("22"), "rate", "22.00"),
        (D("0.12345"), "a8", "0.12345"),
        (D("0.123456789"), "a8", "0.12345679"),
        (D("7"), "a8", "7.00"),
        (D("1440"), "qty", "1440.00"),
        (D("2.5"), "peso", "2.5"),
        (D("2.555"), "peso", "2.56"),
    ],
)
def test_numbers_use_the_schema_lexical_format(value, fmt, text):
    """Test that numbers get the decimals the schema patterns require."""
    assert format_decimal(value, fmt) == text


def test_element_order_follows_the_schema(needs_schemas):
    """Test that optional elements land in schema order even when set in a
    different order in Python (DatiBollo before ImportoTotaleDocumento)."""
    root = etree.fromstring(render(b.stamp_duty_invoice()))
    doc = root.find(".//DatiGeneraliDocumento")
    assert [c.tag for c in doc] == [
        "TipoDocumento", "Divisa", "Data", "Numero", "DatiBollo", "ImportoTotaleDocumento",
    ]


def test_computed_summary_rounds_half_up_per_rate():
    """Test that the VAT summary groups lines by rate and Natura and rounds
    the tax half-up to the cent."""
    inv = b.invoice([
        Line(description="a", quantity=D("1"), unit_price=D("0.05"), vat_rate=D("22")),
        Line(description="b", quantity=D("1"), unit_price=D("0.20"), vat_rate=D("22.00")),
        Line(description="c", quantity=D("1"), unit_price=D("10"), vat_rate=D("0"),
             nature="N2.2"),
    ])
    rows = vat_summary(complete(inv).body)
    assert [(r.vat_rate, r.nature, r.taxable, r.tax) for r in rows] == [
        (D("22"), None, D("0.25"), D("0.06")),  # 0.055 -> 0.06
        (D("0"), "N2.2", D("10.00"), D("0.00")),
    ]
    assert rows[0].exigibility == "I" and rows[1].exigibility is None


def test_line_total_applies_discounts_in_order():
    """Test PrezzoTotale with a percentage discount, then an amount surcharge."""
    line = Line(description="x", quantity=D("2"), unit_price=D("100"), vat_rate=D("22"),
                discounts=[Discount(type="SC", percent=D("10")),
                           Discount(type="MG", amount=D("5"))])
    assert line_total(line) == D("190.00")


def test_render_does_not_modify_the_callers_invoice(needs_schemas):
    """Test that rendering fills computed fields on a copy only."""
    inv = b.hosting_invoice()
    before = dataclasses.asdict(inv)
    render(inv)
    assert dataclasses.asdict(inv) == before
    assert inv.body.goods.summaries == []


def test_payment_amount_is_total_less_withholding_and_split_vat(needs_schemas):
    """Test that the computed ImportoPagamento of a split payment invoice
    excludes the VAT the PA pays to the State."""
    root = etree.fromstring(render(b.split_payment_pa()))
    assert root.findtext(".//ImportoTotaleDocumento") == "767.38"
    assert root.findtext(".//ImportoPagamento") == "629.00"
    assert root.findtext(".//EsigibilitaIVA") == "S"


def test_render_refuses_an_invoice_the_sdi_would_reject(needs_schemas):
    """Test that rendering raises with every problem (not just the first)
    and that force=True still produces the file."""
    inv = b.invoice([
        Line(description="zero rate without Natura", quantity=D("1"), unit_price=D("5"),
             vat_rate=D("0")),
        Line(description="generic N3", quantity=D("1"), unit_price=D("5"), vat_rate=D("0"),
             nature="N3"),
    ], number="NO-DIGITS")
    with pytest.raises(InvoiceRejected) as info:
        render(inv)
    codes = {p.code for p in info.value.problems}
    assert {"00400", "00425", "00445"} <= codes
    xml = render(inv, force=True)
    assert etree.fromstring(xml).findtext(".//Numero") == "NO-DIGITS"


def test_render_reports_schema_violations_with_paths(needs_schemas):
    """Test that a value the XSD refuses (a 3-letter province) is reported
    with code 00200 and the element path."""
    inv = b.hosting_invoice()
    inv.header.seller.address.province = "MIL"
    with pytest.raises(InvoiceRejected) as info:
        render(inv)
    [problem] = info.value.problems
    assert problem.code == "00200"
    assert problem.path.endswith("CedentePrestatore/Sede/Provincia")


def test_withholding_tax_reduces_the_amount_due(needs_schemas):
    """Test a professional's invoice (TD06, RT01 ritenuta 20 %): the payment
    amount is the total less the withholding, and the checks pass."""
    from fatturapa_bridge.model import Withholding

    inv = b.invoice(
        [Line(description="Consulenza sistemistica", quantity=D("1"), unit_price=D("1000"),
              vat_rate=D("22"), withholding="SI")],
        doc_type="TD06",
        withholdings=[Withholding(type="RT01", amount=D("200.00"), rate=D("20"), reason="A")],
    )
    root = etree.fromstring(render(inv))
    assert root.findtext(".//ImportoTotaleDocumento") == "1220.00"
    assert root.findtext(".//ImportoPagamento") == "1020.00"
    assert root.findtext(".//DatiRitenuta/AliquotaRitenuta") == "20.00"


def test_schema_1_2_3_codes_td29_and_rf20_validate(needs_schemas):
    """Test that codes added in schema 1.2.3 (TD29, RF20) are accepted,
    which proves the 1.2.3 schema (not 1.2.2) is the one in use."""
    inv = b.hosting_invoice(1)
    inv.body.general.document.type = "TD29"
    inv.header.seller.data.tax_regime = "RF20"
    assert etree.fromstring(render(inv)).findtext(".//TipoDocumento") == "TD29"


def test_json_round_trip_of_every_reference_document():
    """Test that to_dict -> JSON -> from_dict is lossless."""
    import json

    from fatturapa_bridge.model import Invoice, from_dict, to_dict

    for build in b.GOLDEN.values():
        invoice = build()
        assert from_dict(Invoice, json.loads(json.dumps(to_dict(invoice)))) == invoice


@pytest.mark.parametrize(
    "patch, message",
    [
        ({"bodies": "x"}, "bodies: expected a list"),
        ({"system": 5}, "system: expected text"),
    ],
)
def test_from_dict_errors_name_the_field(patch, message):
    """Test that bad JSON data gives ModelError with the field path."""
    from fatturapa_bridge.model import Invoice, ModelError, from_dict, to_dict

    data = to_dict(b.hosting_invoice())
    data.update(patch)
    with pytest.raises(ModelError, match=message):
        from_dict(Invoice, data)


def test_from_dict_reports_a_missing_mandatory_field():
    """Test that a line without its description is refused by name."""
    from fatturapa_bridge.model import Invoice, ModelError, from_dict, to_dict

    data = to_dict(b.hosting_invoice())
    del data["bodies"][0]["goods"]["lines"][0]["description"]
    with pytest.raises(ModelError, match="description"):
        from_dict(Invoice, data)


def _with_text(field, text):
    inv = b.hosting_invoice()
    if field == "Descrizione":
        inv.body.goods.lines[2].description = text
    elif field == "Denominazione":
        inv.header.buyer.data.registry.name = text
    elif field == "Causale":
        inv.body.general.document.causale = ["ok", text]
    elif field == "Indirizzo":
        inv.header.seller.address.street = text
    return inv


@pytest.mark.parametrize("field, path", [
    ("Descrizione", "FatturaElettronicaBody[1]/DatiBeniServizi/DettaglioLinee[3]/Descrizione"),
    ("Denominazione",
     "FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/Anagrafica/Denominazione"),
    ("Causale", "FatturaElettronicaBody[1]/DatiGenerali/DatiGeneraliDocumento/Causale[2]"),
    ("Indirizzo", "FatturaElettronicaHeader/CedentePrestatore/Sede/Indirizzo"),
])
@pytest.mark.parametrize("force", [False, True])
def test_control_character_in_any_text_is_rejected_naming_the_field(field, path, force):
    """Test that a control character (here ESC, as pasted from a terminal)
    gives InvoiceRejected with code 00200 on that field, never lxml's raw
    ValueError, even with force=True since XML cannot carry it."""
    with pytest.raises(InvoiceRejected) as info:
        render(_with_text(field, "Server \x1b[1mbold"), force=force, validate_schema=False)
    problems = [p for p in info.value.problems if p.code == "00200"]
    assert [p.path for p in problems] == [path]
    assert "U+001B" in problems[0].message


def test_value_of_the_wrong_type_is_rejected_not_crashed():
    """Test that a float amount and a number as text are named, with no
    TypeError from the arithmetic or from lxml."""
    inv = b.hosting_invoice()
    inv.body.goods.lines[0].unit_price = 0.1
    inv.header.seller.address.zip = 20121
    with pytest.raises(InvoiceRejected) as info:
        render(inv, force=True)
    assert {(p.code, p.path.rsplit("/", 1)[-1]) for p in info.value.problems} == {
        ("00200", "PrezzoUnitario"), ("00200", "CAP")}


def test_file_over_the_sdi_size_limit_is_00003(needs_schemas):
    """Test that an invoice whose file would exceed 5 MB (a large
    attachment) is refused with 00003, and still written with force."""
    import base64

    from fatturapa_bridge.model import Attachment

    inv = b.hosting_invoice()
    inv.body.attachments = [Attachment(name="logs.zip", data=base64.b64encode(
        b"\0" * (4 * 1024 * 1024)).decode())]
    with pytest.raises(InvoiceRejected) as info:
        render(inv)
    assert [p.code for p in info.value.problems] == ["00003"]
    assert len(render(inv, force=True)) > 5 * 1024 * 1024
