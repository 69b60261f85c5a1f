# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Bad files: every one gets a clear error (exit 2 on the command line),
never an internal error; large files keep memory bounded."""

import os
import subprocess
import sys
import tracemalloc

import pytest
from fpa_paths import REPO_ROOT, SAMPLES, XSD_DIR
from lxml import etree

from fatturapa_bridge.p7m import open_p7m
from fatturapa_bridge.parse import MAX_PARSE_SIZE, SDI_MAX_FILE_SIZE, parse_invoice, unwrap
from fatturapa_bridge.problems import ParseError
from fatturapa_bridge.validate import validate_bytes

NS = b"xmlns:p='http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2'"
FPR01 = SAMPLES / "official" / "IT01234567890_FPR01.xml"


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), FATTURAPA_SCHEMA_DIR=str(XSD_DIR))
    return subprocess.run([sys.executable, "-m", "fatturapa_bridge", *args],
                          capture_output=True, text=True, env=env, check=False)


def assert_clear_error(result, text):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fatturapa-bridge: error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert text in result.stderr, result.stderr


def _fpr01_with(prolog=b"", text=None):
    data = FPR01.read_bytes()
    if text is not None:
        data = data.replace(b"<Descrizione>", b"<Descrizione>" + text, 1)
    return data.replace(b"?>", b"?>" + prolog, 1)


EXTERNAL = b"<!DOCTYPE p:FatturaElettronica [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
BAD_DOCUMENTS = {
    "external entity in a text": (_fpr01_with(EXTERNAL, b"&e;"),
                                  "external entity 'e' (file:///etc/passwd)"),
    "external entity in an attribute": (
        b"<?xml version='1.0'?>" + EXTERNAL + b"<p:FatturaElettronica " + NS +
        b" versione='FPR12' SistemaEmittente='&e;'/>", "DTD or entities"),
    "internal entity (billion laughs)": (
        _fpr01_with(b"<!DOCTYPE p:FatturaElettronica [<!ENTITY a 'aaaaaaaaaa'>"
                    b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>", b"&b;"),
        "declares the entity"),
    "external DTD": (_fpr01_with(b"<!DOCTYPE p:FatturaElettronica SYSTEM "
                                 b"'http://example.com/x.dtd'>"), "has a DTD"),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_document_with_a_dtd_is_refused_as_such(name, shared_dir):
    """Test that entities are refused with a message saying so, instead of a
    value silently left empty (the entity is never expanded nor dropped)."""
    data, message = BAD_DOCUMENTS[name]
    with pytest.raises(ParseError, match="entit|DTD") as info:
        parse_invoice(data)
    assert message in str(info.value)
    with pytest.raises(ParseError):
        validate_bytes(data)


@pytest.mark.parametrize("command", ["parse", "validate"])
def test_cli_refuses_an_external_entity_with_exit_2(command, tmp_path, shared_dir):
    """Test the XXE file on both commands: one line, exit 2."""
    path = tmp_path / "xxe.xml"
    path.write_bytes(BAD_DOCUMENTS["external entity in a text"][0])
    assert_clear_error(run_cli(command, str(path)), "external entity")


def test_utf16_without_bom_gets_a_clear_message(shared_dir, needs_schemas):
    """Test UTF-16 text without a byte order mark (whose encoding cannot be
    told), and that the same text with a BOM is read."""
    text = FPR01.read_text("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(ParseError, match="UTF-16 text without a byte order mark"):
        parse_invoice(text.encode("utf-16-le"))
    with pytest.raises(ParseError, match="UTF-16 text without a byte order mark"):
        validate_bytes(text.encode("utf-16-be"))
    assert parse_invoice(text.encode("utf-16")).header.transmission.format == "FPR12"


def test_str_instead_of_bytes_gets_a_clear_message(shared_dir):
    """Test that a str passed to validate_bytes or parse_invoice says what
    to pass instead, rather than failing inside."""
    text = FPR01.read_text("utf-8")
    with pytest.raises(TypeError, match="bytes, not str: read the file in binary mode"):
        validate_bytes(text)
    with pytest.raises(TypeError, match="bytes, not str"):
        parse_invoice(text)


def _nested_octets(content: bytes, depth: int) -> bytes:
    # A constructed OCTET STRING of indefinite length, ``depth`` levels deep.
    chunk = b"\x04\x82" + len(content).to_bytes(2, "big") + content
    return b"\x24\x80" * depth + chunk + b"\x00\x00" * depth


def _ber_envelope(content: bytes, depth: int) -> bytes:
    signed_data_oid = bytes.fromhex("06092a864886f70d010702")
    data_oid = bytes.fromhex("06092a864886f70d010701")
    sha256 = bytes.fromhex("300d06096086480165030402010500")
    encap = b"\x30\x80" + data_oid + b"\xa0\x80" + _nested_octets(content, depth) + b"\0\0\0\0"
    signed = b"\x30\x80" + b"\x02\x01\x01" + b"\x31" + bytes([len(sha256)]) + sha256 + encap
    return b"\x30\x80" + signed_data_oid + b"\xa0\x80" + signed + b"\0\0" + b"\0\0\0\0"


@pytest.mark.parametrize("depth", [1, 50, 100_000])
def test_nested_ber_envelope_of_any_depth_is_read_without_recursion(depth, shared_dir):
    """Test constructed OCTET STRINGs nested 100,000 levels deep (far beyond
    Python's recursion limit): the content comes out whole."""
    xml = FPR01.read_bytes()
    envelope = open_p7m(_ber_envelope(xml, depth))
    assert envelope.content == xml and envelope.tolerant
    assert parse_invoice(_ber_envelope(xml, depth)).header.transmission.format == "FPR12"


def test_cli_reads_a_deeply_nested_envelope(tmp_path, shared_dir):
    """Test that the command line parses it too (no "internal error")."""
    path = tmp_path / "deep.xml.p7m"
    path.write_bytes(_ber_envelope(FPR01.read_bytes(), 100_000))
    result = run_cli("parse", str(path))
    assert result.returncode == 0, result.stderr
    assert '"format": "FPR12"' in result.stdout


GARBAGE = {
    "empty": b"",
    "spaces": b"   \n",
    "binary": bytes(range(256)) * 4,
    "truncated DER": b"\x30\x82\xff\xff\x06\x09\x2a\x86",
    "DER of another type": b"\x30\x03\x02\x01\x01" + b"\0" * 20,
    "Base64 garbage": b"MIIB" + b"!" * 40,
    "half an envelope": (SAMPLES / "signed" / "net_IT02182030391_31.xml.p7m").read_bytes()[:900]
    if SAMPLES.is_dir() else b"0",
    "unclosed XML": b"<?xml version='1.0'?><p:FatturaElettronica " + NS + b" versione='FPR12'>",
    "too deep XML": b"<a>" * 5000 + b"</a>" * 5000,
    "exponent amount": FPR01.read_bytes().replace(b"<PrezzoUnitario>", b"<PrezzoUnitario>1E+9", 1)
    if SAMPLES.is_dir() else b"0",
    "a number of 5000 digits": FPR01.read_bytes().replace(
        b"<NumeroLinea>1</NumeroLinea>", b"<NumeroLinea>" + b"9" * 5000 + b"</NumeroLinea>", 1)
    if SAMPLES.is_dir() else b"0",
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
@pytest.mark.parametrize("command", ["parse", "validate"])
def test_every_bad_file_is_exit_2_never_an_internal_error(name, command, tmp_path, shared_dir):
    """Test a collection of broken inputs on both commands."""
    path = tmp_path / "bad.xml"
    path.write_bytes(GARBAGE[name])
    assert_clear_error(run_cli(command, str(path)), str(path))


def _mutations(root):
    """Each element removed, then each leaf given odd values, one at a time."""
    elements = [e for e in root.iter() if e is not root]
    for index in range(len(elements)):
        copy = etree.fromstring(etree.tostring(root))
        victim = [e for e in copy.iter() if e is not copy][index]
        victim.getparent().remove(victim)
        yield etree.tostring(copy)
    leaves = [i for i, e in enumerate(elements) if len(e) == 0]
    for value in ("", "x", "-1", "0", "99999999999.99"):
        for index in leaves:
            copy = etree.fromstring(etree.tostring(root))
            [e for e in copy.iter() if e is not copy][index].text = value
            yield etree.tostring(copy)


@pytest.mark.parametrize("sample", ["official/IT01234567890_FPA03.xml",
                                    "realworld/gobl_invoice-fund-contribution-mixed-retention.xml"])
def test_any_broken_variant_of_a_sample_gets_problems_or_a_parse_error(sample, needs_schemas):
    """Test every element of a rich sample removed, and every leaf set to
    empty, text, negative, zero and huge values: validation answers each
    with problems or a ParseError, never another exception."""
    root = etree.parse(str(SAMPLES / sample)).getroot()
    count = 0
    for data in _mutations(root):
        count += 1
        try:
            validate_bytes(data)
        except ParseError:
            pass
    assert count > 300


def _big_invoice(size: int) -> bytes:
    """A valid-looking invoice grown to ``size`` bytes with an attachment."""
    data = FPR01.read_bytes()
    padding = size - len(data) - 200
    attachment = (b"<Allegati><NomeAttachment>big.bin</NomeAttachment><Attachment>"
                  + b"A" * (padding - padding % 4) + b"</Attachment></Allegati>")
    return data.replace(b"</FatturaElettronicaBody>", attachment + b"</FatturaElettronicaBody>", 1)


def _peak(function, *args):
    tracemalloc.start()
    try:
        function(*args)
    except ParseError:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_file_over_the_sdi_limit_is_00003_and_not_read(shared_dir):
    """Test that a 60 MB file gets 00003 alone, and that neither validation
    nor parsing builds anything from it (Python memory stays under 1 MB)."""
    data = _big_invoice(60 * 1024 * 1024)
    problems = validate_bytes(data)
    assert [p.code for p in problems] == ["00003"]
    assert "60" in problems[0].message or f"{len(data):,}" in problems[0].message
    assert _peak(validate_bytes, data) < 1024 * 1024
    assert _peak(parse_invoice, data) < 1024 * 1024
    with pytest.raises(ParseError, match="not read"):
        parse_invoice(data)


def test_parsing_a_large_file_has_bounded_memory(shared_dir):
    """Test parsing a 4.8 MB invoice (just under the SdI limit): the Python
    memory it takes at its peak stays within twice the file's size."""
    data = _big_invoice(int(4.8 * 1024 * 1024))
    assert len(data) < SDI_MAX_FILE_SIZE < MAX_PARSE_SIZE
    peak = _peak(parse_invoice, data)
    assert peak < 2 * len(data), f"peak {peak:,} for a file of {len(data):,} bytes"
    assert len(parse_invoice(data).body.attachments[0].data) > 4_000_000


def test_cli_validate_reports_00003_without_reading_the_file(tmp_path, shared_dir):
    """Test the command line on a 12 MB file: 00003 in the table, exit 1."""
    path = tmp_path / "IT01234567890_FPR01.xml"
    path.write_bytes(_big_invoice(12 * 1024 * 1024))
    result = run_cli("validate", str(path))
    assert result.returncode == 1, result.stderr
    assert "00003" in result.stdout


def test_nested_signed_envelopes_are_opened_in_a_loop(shared_dir):
    """Test a signed file wrapped again in an envelope (signed twice):
    both layers are opened and the XML comes out."""
    inner = (SAMPLES / "signed" / "net_IT02182030391_31.xml.p7m").read_bytes()
    xml, envelopes = unwrap(_ber_envelope(inner, 3))
    assert len(envelopes) == 2 and xml.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")


def test_loading_a_huge_file_does_not_read_it(tmp_path):
    """Test load() on a 64 MB sparse file: refused from its size, with
    almost no memory taken."""
    from fatturapa_bridge.parse import load

    path = tmp_path / "huge.xml"
    with open(path, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    assert _peak(load, path) < 1024 * 1024
    with pytest.raises(ParseError, match="not read"):
        load(path)
