# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Round trip of every valid sample: parse -> render -> schema-valid and
equal in content to the original."""

import pytest
from fpa_paths import SAMPLES, canonical, first_difference, sample_files
from lxml import etree

from fatturapa_bridge.p7m import open_p7m
from fatturapa_bridge.parse import load, parse_invoice, read_xml
from fatturapa_bridge.problems import ParseError, UnsupportedVersion
from fatturapa_bridge.render import render, to_element
from fatturapa_bridge.validate import validate_tree

VALID = [p for p in sample_files("official", "realworld")
         if "FPR02" not in p.name or "realworld" in str(p)]
VALID = [p for p in VALID if "FSM10" not in p.name]
READABLE_SIGNED = [
    "net_IT02182030391_31.xml.p7m",
    "net_IT02182030391_31.Base64.xml.p7m",
    "ocain_IT01234567890_FPR03.base64.xml.p7m",
    "odoo18_IT01234567890_FPR01.xml.p7m",
    "odoo18_IT09633951000_NpFwF.xml.p7m",
]


def _round_trip(xml_bytes):
    original = read_xml(xml_bytes)
    assert validate_tree(original) == [], "premise: the sample is schema-valid"
    rendered = render(parse_invoice(xml_bytes), force=True, fill=False)
    again = etree.fromstring(rendered)
    assert validate_tree(again) == []
    a, b = canonical(original), canonical(again)
    assert a == b, first_difference(a, b)


def test_there_are_thirty_one_valid_xml_samples(shared_dir):
    """Test the premise: 5 official (FPR02 excluded) + 26 real-world."""
    assert len(VALID) == 31


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_sample_round_trips(path, needs_schemas):
    """Test parse -> render gives a schema-valid file equal in content."""
    _round_trip(path.read_bytes())


@pytest.mark.parametrize("name", READABLE_SIGNED)
def test_signed_sample_round_trips(name, needs_schemas):
    """Test that the XML inside each readable .p7m (DER, Base64, BER
    indefinite length) parses, renders and matches."""
    content = open_p7m((SAMPLES / "signed" / name).read_bytes()).content
    _round_trip(content)


def test_official_fpr02_renders_in_schema_order(needs_schemas):
    """Test that parsing the schema-invalid FPR02 and rendering it again
    fixes the element order (ContattiTrasmittente before PECDestinatario)."""
    inv = load(SAMPLES / "official" / "IT01234567890_FPR02.xml")
    root = to_element(inv)
    assert validate_tree(root) == []
    tags = [c.tag for c in root.find(".//DatiTrasmissione")]
    assert tags.index("ContattiTrasmittente") < tags.index("PECDestinatario")


def test_parsed_sample_has_typed_values(shared_dir):
    """Test that amounts are Decimal and dates are dates after parsing."""
    inv = load(SAMPLES / "official" / "IT01234567890_FPA01.xml")
    from datetime import date
    from decimal import Decimal

    doc = inv.body.general.document
    assert isinstance(doc.date, date)
    assert all(isinstance(s.taxable, Decimal) for s in inv.body.goods.summaries)
    assert inv.format == "FPA12" and inv.header.transmission.recipient_code == "AAAAAA"


def test_lot_with_two_bodies_keeps_both(shared_dir):
    """Test that a batch (lotto) file keeps every FatturaElettronicaBody."""
    inv = load(SAMPLES / "official" / "IT01234567890_FPA03.xml")
    assert len(inv.bodies) == 2
    assert inv.bodies[0].general.document.number != inv.bodies[1].general.document.number


def test_enveloped_xades_signature_is_kept(shared_dir):
    """Test that an enveloped ds:Signature survives the round trip."""
    inv = load(SAMPLES / "realworld" / "gobl_invoice-b2g.xml")
    assert inv.signature and b"SignatureValue" in inv.signature
    assert to_element(inv).find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None


def test_simplified_invoice_is_an_unsupported_version(shared_dir):
    """Test that FSM10 is refused with a clear UnsupportedVersion."""
    with pytest.raises(UnsupportedVersion, match="FSM10"):
        load(SAMPLES / "official" / "IT01234567890_FSM10.xml")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not an XML document"),
        (b"hello", "not an XML document"),
        (b"<a><b></a>", "not well-formed XML"),
        (b"<?xml version='1.0' encoding='UTF-8'?><x>\xe0</x>", "not well-formed XML"),
        (b"<Invoice xmlns='urn:oasis:names:specification:ubl'/>", "not a FatturaPA invoice"),
        (b"<p:FatturaElettronica xmlns:p='http://ivaservizi.agenziaentrate.gov.it/docs/xsd/"
         b"fatture/v1.2' versione='FPR11'/>", "unknown FatturaPA version 'FPR11'"),
        (b"<p:FatturaElettronica xmlns:p='http://ivaservizi.agenziaentrate.gov.it/docs/xsd/"
         b"fatture/v1.1' versione='FPA12'/>", "unknown FatturaPA namespace"),
    ],
)
def test_bad_input_raises_a_one_line_parse_error(data, message):
    """Test that bad input gets a ParseError with a readable one-line reason."""
    with pytest.raises(ParseError, match=message) as info:
        parse_invoice(data)
    assert "\n" not in str(info.value)


def test_unexpected_element_is_reported_with_its_path():
    """Test that an element unknown to the schema is named with its parent."""
    data = (b"<p:FatturaElettronica xmlns:p='http://ivaservizi.agenziaentrate.gov.it/docs/xsd/"
            b"fatture/v1.2' versione='FPR12'><FatturaElettronicaHeader><Foo/>"
            b"</FatturaElettronicaHeader></p:FatturaElettronica>")
    with pytest.raises(ParseError, match="unexpected element <Foo> in "
                                         "FatturaElettronica/FatturaElettronicaHeader"):
        parse_invoice(data)


def test_external_entities_are_not_expanded():
    """Test that an XXE attempt is refused, neither read nor dropped."""
    data = (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
            b"<p:FatturaElettronica xmlns:p='http://ivaservizi.agenziaentrate.gov.it/docs/xsd/"
            b"fatture/v1.2' versione='FPR12' SistemaEmittente='&e;'/>")
    with pytest.raises(ParseError, match="entities"):
        parse_invoice(data)
