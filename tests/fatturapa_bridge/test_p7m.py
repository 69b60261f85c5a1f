# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Signed .xml.p7m envelopes."""

import base64
import shutil
import subprocess

import pytest
from fpa_paths import SAMPLES

from fatturapa_bridge.p7m import open_p7m
from fatturapa_bridge.parse import load
from fatturapa_bridge.problems import ParseError

SIGNED = SAMPLES / "signed"


@pytest.mark.parametrize(
    "name, digest",
    [
        ("net_IT02182030391_31.xml.p7m", "ok"),
        ("net_IT02182030391_31.Base64.xml.p7m", "ok"),
        ("ocain_IT01234567890_FPR03.base64.xml.p7m", "ok"),
        ("odoo18_IT01234567890_FPR01.xml.p7m", "ok"),
    ],
)
def test_der_and_base64_envelopes_open_and_match_their_digest(name, digest, shared_dir):
    """Test DER and Base64 envelopes: content is the XML, digest verified."""
    envelope = open_p7m((SIGNED / name).read_bytes())
    assert envelope.content.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")
    assert envelope.digest == digest and not envelope.tolerant


def test_ber_indefinite_length_envelope_that_openssl_refuses(shared_dir):
    """Test the NpFwF file: BER indefinite lengths and a last chunk whose
    length runs past the content. The strict reader fails, the tolerant
    walker extracts exactly the XML document; its digest does not match
    (the test file was edited after signing) and that is reported."""
    data = (SIGNED / "odoo18_IT09633951000_NpFwF.xml.p7m").read_bytes()
    envelope = open_p7m(data)
    assert envelope.tolerant
    assert envelope.content.rstrip().endswith(b"</p:FatturaElettronica>")
    assert envelope.digest == "mismatch"
    inv = load(SIGNED / "odoo18_IT09633951000_NpFwF.xml.p7m")
    assert inv.header.transmission.transmitter.code == "09633951000"
    with pytest.raises(ParseError, match="signed digest"):
        open_p7m(data, require_digest=True)


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_openssl_cms_indeed_cannot_read_the_ber_file(shared_dir, tmp_path):
    """Test the premise of the previous test with the openssl CLI."""
    result = subprocess.run(
        ["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in",
         str(SIGNED / "odoo18_IT09633951000_NpFwF.xml.p7m"), "-out", str(tmp_path / "o.xml")],
        capture_output=True, check=False,
    )
    assert result.returncode != 0


@pytest.mark.parametrize(
    "name, message",
    [
        ("net_IT02182030391_31_tampered.xml.p7m", "not well-formed XML"),
        ("ocain_IT05979361218_fake.xml.p7m", "not an XML document nor a .p7m envelope"),
    ],
)
def test_broken_envelopes_are_refused(name, message, shared_dir):
    """Test the tampered and the 2-byte fake envelope."""
    with pytest.raises(ParseError, match=message):
        load(SIGNED / name)


def test_tampered_envelope_is_read_and_its_digest_mismatches(shared_dir):
    """Test the file with a byte inserted into the signed content (which
    openssl cannot read): the BER walker extracts the content and reports
    that it does not match the signed digest."""
    envelope = open_p7m((SIGNED / "net_IT02182030391_31_tampered.xml.p7m").read_bytes())
    assert envelope.tolerant and envelope.digest == "mismatch"
    assert envelope.content.rstrip().endswith(b"</p:FatturaElettronica>")


def test_altered_content_is_detected_by_the_strict_reader(shared_dir):
    """Test that changing one character of the signed XML (same length, so
    the ASN.1 stays valid) is reported as a digest mismatch."""
    data = bytearray((SIGNED / "odoo18_IT01234567890_FPR01.xml.p7m").read_bytes())
    at = data.find(b"<Numero>")
    data[at + 8] = ord("9") if data[at + 8] != ord("9") else ord("8")
    envelope = open_p7m(bytes(data))
    assert envelope.digest == "mismatch" and not envelope.tolerant
    with pytest.raises(ParseError, match="altered"):
        open_p7m(bytes(data), require_digest=True)


def test_base64_with_line_breaks_is_accepted(shared_dir):
    """Test Base64 wrapped at 64 columns, as mail clients write it."""
    der = (SIGNED / "net_IT02182030391_31.xml.p7m").read_bytes()
    wrapped = base64.encodebytes(der)
    assert b"\n" in wrapped[:100]
    assert open_p7m(wrapped).content == open_p7m(der).content


def test_garbage_is_not_an_envelope():
    """Test that random text is refused with a clear message."""
    with pytest.raises(ParseError, match="neither DER nor Base64"):
        open_p7m(b"MI this is not base64 !!!")


def test_validate_reports_a_digest_mismatch_as_00102(needs_schemas):
    """Test that validating an envelope whose content does not match its
    signed digest reports 00102 (file not intact), and a good one does not."""
    from fatturapa_bridge.validate import validate_bytes

    bad = validate_bytes((SIGNED / "odoo18_IT09633951000_NpFwF.xml.p7m").read_bytes())
    assert [p.code for p in bad if p.code == "00102"] == ["00102"]
    good = validate_bytes((SIGNED / "odoo18_IT01234567890_FPR01.xml.p7m").read_bytes())
    assert "00102" not in {p.code for p in good}
