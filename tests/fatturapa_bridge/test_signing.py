# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""CAdES-BES signing and verification, checked by the real openssl."""

import hashlib
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fpa_builders as b
import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from fpa_paths import SAMPLES

from fatturapa_bridge import signing
from fatturapa_bridge.p7m import open_p7m
from fatturapa_bridge.parse import parse_invoice, unwrap
from fatturapa_bridge.problems import ParseError
from fatturapa_bridge.render import render
from fatturapa_bridge.signing import SignatureError, SigningError, sign, verify
from fatturapa_bridge.validate import validate_bytes

SIGNED = SAMPLES / "signed"
needs_openssl = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")


@pytest.fixture(scope="module")
def xml(tmp_path_factory):
    # A rendered reference invoice (no schema needed: the rules pass).
    return render(b.hosting_invoice(), validate_schema=False)


def openssl_verify(tmp_path, p7m, *extra):
    path = tmp_path / "in.xml.p7m"
    path.write_bytes(p7m)
    out = tmp_path / "out.xml"
    result = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", str(path),
                             "-out", str(out), *extra], capture_output=True, check=False)
    return result, out


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_signed_file_verifies_and_gives_back_the_xml(key, pki, xml):
    """Test that verify() accepts what sign() made (RSA and EC keys) and
    returns the exact bytes, the signer and the signing time."""
    before = datetime.now(timezone.utc).replace(microsecond=0)
    p7m = sign(xml, pki.p12(key), pki.PASSWORD)
    verified = verify(p7m)
    assert verified.content == xml
    assert verified.signer.startswith("2.5.4.5=TINIT-RSSMRA85T10A562S,CN=Mario Rossi")
    assert before <= verified.signing_time <= datetime.now(timezone.utc)
    assert verified.digest_algorithm == "sha256"


@needs_openssl
@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_openssl_cms_verify_accepts_the_signature_and_chain(key, pki, xml, tmp_path):
    """Test with the real openssl: the signature and the chain up to the
    test CA verify, and the output is the original XML."""
    p7m = sign(xml, pki.p12(key), pki.PASSWORD)
    result, out = openssl_verify(tmp_path, p7m, "-CAfile", str(pki.ca_pem), "-purpose", "any")
    assert result.returncode == 0, result.stderr
    assert b"Verification successful" in result.stderr
    assert out.read_bytes() == xml


@needs_openssl
def test_openssl_refuses_a_chain_it_does_not_trust(pki, xml, tmp_path):
    """Test the premise of the previous test: without the CA, openssl fails
    on the chain, and succeeds with -noverify (signature only)."""
    p7m = sign(xml, pki.p12(), pki.PASSWORD)
    assert openssl_verify(tmp_path, p7m)[0].returncode != 0
    assert openssl_verify(tmp_path, p7m, "-noverify")[0].returncode == 0


@needs_openssl
def test_openssl_detects_an_altered_signed_file(pki, xml, tmp_path):
    """Test that the same openssl rejects our file with one content byte
    changed (so its acceptance above means something)."""
    p7m = bytearray(sign(xml, pki.p12(), pki.PASSWORD))
    at = p7m.find(b"<Numero>") + 8
    p7m[at] = ord("9") if p7m[at] != ord("9") else ord("8")
    result, _out = openssl_verify(tmp_path, bytes(p7m), "-noverify")
    assert result.returncode != 0


def test_signed_attributes_are_those_cades_bes_requires(pki, xml):
    """Test the envelope: DER SignedData with the content attached, SHA-256,
    content-type, message-digest, signing-time and a signing-certificate-v2
    holding the SHA-256 of the signer's certificate."""
    p7m = sign(xml, pki.p12(), pki.PASSWORD)
    info = cms.ContentInfo.load(p7m, strict=True)
    assert info.dump(force=True) == p7m  # DER: re-encoding changes nothing
    signed = info["content"]
    assert signed["encap_content_info"]["content"].native == xml
    [signer] = signed["signer_infos"]
    attrs = {a["type"].native: a["values"][0] for a in signer["signed_attrs"]}
    assert set(attrs) == {"content_type", "message_digest", "signing_time",
                          "signing_certificate_v2"}
    assert attrs["message_digest"].native == hashlib.sha256(xml).digest()
    cert_der = pki.certificates["rsa"].public_bytes(Encoding.DER)
    ess = attrs["signing_certificate_v2"]["certs"][0]
    assert ess["cert_hash"].native == hashlib.sha256(cert_der).digest()
    assert ess["issuer_serial"]["serial_number"].native == pki.certificates["rsa"].serial_number
    assert len(signed["certificates"]) == 2  # the signer's and the CA's


def test_the_p7m_reader_and_the_parser_open_what_we_sign(pki, xml):
    """Test that the existing .p7m reader takes our envelope with the
    strict reader, digest ok, and that parsing gives the same invoice."""
    p7m = sign(xml, pki.p12(), pki.PASSWORD)
    envelope = open_p7m(p7m)
    assert (envelope.content, envelope.digest, envelope.tolerant) == (xml, "ok", False)
    assert parse_invoice(p7m) == parse_invoice(xml)


def test_validation_of_our_signed_file_finds_no_problem(pki, needs_schemas):
    """Test validate_bytes on a signed rendered invoice: nothing to report."""
    p7m = sign(render(b.hosting_invoice()), pki.p12(), pki.PASSWORD)
    assert validate_bytes(p7m) == []


def test_a_file_signed_twice_verifies_at_both_levels(pki, xml, needs_schemas):
    """Test a signed file signed again: both envelopes open and verify."""
    twice = sign(sign(xml, pki.p12(), pki.PASSWORD), pki.p12("ec"), pki.PASSWORD)
    inner_xml, envelopes = unwrap(twice)
    assert inner_xml == xml and len(envelopes) == 2
    assert not [p for p in validate_bytes(twice) if p.code.startswith("001")]


@pytest.mark.parametrize("password, message", [
    ("wrong", "wrong password, or not a PKCS#12"),
    (None, "wrong password, or not a PKCS#12"),
])
def test_wrong_password_is_a_clear_signing_error(password, message, pki, xml):
    """Test a wrong or missing password."""
    with pytest.raises(SigningError, match=message):
        sign(xml, pki.p12(), password)


def test_not_a_pkcs12_is_a_clear_signing_error(xml, pki):
    """Test garbage and a PEM certificate given as the PKCS#12 file."""
    for data in (b"not a p12", pki.ca_pem.read_bytes()):
        with pytest.raises(SigningError, match="cannot be opened"):
            sign(xml, data, "x")


def test_expired_certificate_refuses_to_sign(pki, xml):
    """Test that signing with an expired certificate fails before writing a
    file the SdI would reject (00100)."""
    with pytest.raises(SigningError, match="not at"):
        sign(xml, pki.p12("expired"), pki.PASSWORD)


def test_text_instead_of_bytes_is_refused(pki, xml):
    """Test that signing a str asks for the bytes that will be sent."""
    with pytest.raises(TypeError, match="not a str"):
        sign(xml.decode(), pki.p12(), pki.PASSWORD)


def _resign(p7m, key, *, drop=(), change=None):
    """Rebuild the signed attributes of ``p7m`` (dropping some, changing one)
    and sign them again with ``key``: a well-formed envelope that breaks one
    CAdES rule."""
    info = cms.ContentInfo.load(p7m)
    signer = info["content"]["signer_infos"][0]
    attrs = [a for a in signer["signed_attrs"] if a["type"].native not in drop]
    if change:
        attrs = [change(a) or a for a in attrs]
    new_attrs = cms.CMSAttributes(attrs)
    signature = key.sign(new_attrs.dump(force=True), padding.PKCS1v15(), hashes.SHA256())
    signer["signed_attrs"] = new_attrs
    signer["signature"] = signature
    return info.dump(force=True)


def test_altered_content_is_00102(pki, xml, needs_schemas):
    """Test one content byte changed after signing: verify fails with
    00102 and validation reports it."""
    p7m = bytearray(sign(xml, pki.p12(), pki.PASSWORD))
    at = p7m.find(b"<Numero>") + 8
    p7m[at] = ord("9") if p7m[at] != ord("9") else ord("8")
    with pytest.raises(SignatureError, match="altered") as info:
        verify(bytes(p7m))
    assert info.value.code == "00102"
    assert "00102" in {p.code for p in validate_bytes(bytes(p7m))}


def test_a_forged_signature_value_is_00102(pki, xml):
    """Test a signature that does not verify with the certificate."""
    p7m = sign(xml, pki.p12(), pki.PASSWORD)
    info = cms.ContentInfo.load(p7m)
    signature = bytearray(info["content"]["signer_infos"][0]["signature"].native)
    signature[10] ^= 0xFF
    info["content"]["signer_infos"][0]["signature"] = bytes(signature)
    with pytest.raises(SignatureError, match="does not verify"):
        verify(info.dump(force=True))


def test_signature_without_signing_certificate_is_not_cades_bes(pki, xml):
    """Test that a plain CMS signature (no signing-certificate-v2) is
    refused: CAdES-BES requires it."""
    p7m = _resign(sign(xml, pki.p12(), pki.PASSWORD), pki.keys["rsa"],
                  drop={"signing_certificate_v2"})
    with pytest.raises(SignatureError, match="not a CAdES-BES"):
        verify(p7m)


def test_signing_certificate_of_another_certificate_is_refused(pki, xml):
    """Test a signing-certificate-v2 hash that is not the signer's."""
    def other(attr):
        if attr["type"].native == "signing_certificate_v2":
            attr["values"][0]["certs"][0]["cert_hash"] = b"\0" * 32
            return attr
        return None

    p7m = _resign(sign(xml, pki.p12(), pki.PASSWORD), pki.keys["rsa"], change=other)
    with pytest.raises(SignatureError, match="another certificate"):
        verify(p7m)


def test_signature_without_signing_time_is_00103(pki, xml, needs_schemas):
    """Test the time reference the SdI requires."""
    p7m = _resign(sign(xml, pki.p12(), pki.PASSWORD), pki.keys["rsa"], drop={"signing_time"})
    with pytest.raises(SignatureError) as info:
        verify(p7m)
    assert info.value.code == "00103"
    assert "00103" in {p.code for p in validate_bytes(p7m)}


def test_signing_time_after_the_receipt_is_00105(pki, xml, needs_schemas):
    """Test a file signed at a time later than its receipt."""
    later = datetime.now(timezone.utc) + timedelta(days=2)
    p7m = sign(xml, pki.p12(), pki.PASSWORD, signing_time=later)
    codes = [p.code for p in validate_bytes(p7m, now=later - timedelta(days=1))]
    assert "00105" in codes
    assert "00105" not in [p.code for p in validate_bytes(p7m, now=later + timedelta(hours=1))]


def test_certificate_expired_at_signing_time_is_00100(pki, xml, monkeypatch, needs_schemas):
    """Test an envelope signed with a certificate already expired (made by
    lifting the signer's own refusal): verification says 00100."""
    with monkeypatch.context() as patch:
        patch.setattr(signing, "_valid_at", lambda cert, when: True)
        p7m = sign(xml, pki.p12("expired"), pki.PASSWORD)
    with pytest.raises(SignatureError) as info:
        verify(p7m)
    assert info.value.code == "00100"
    assert "00100" in {p.code for p in validate_bytes(p7m)}


@pytest.mark.parametrize("name, outcome", [
    ("net_IT02182030391_31.xml.p7m", "ok"),
    ("net_IT02182030391_31.Base64.xml.p7m", "ok"),
    ("ocain_IT01234567890_FPR03.base64.xml.p7m", "ok"),
    ("odoo18_IT01234567890_FPR01.xml.p7m", "ok"),
    ("net_IT02182030391_31_tampered.xml.p7m", "00102"),
    ("odoo18_IT09633951000_NpFwF.xml.p7m", "00102"),
    ("ocain_IT05979361218_fake.xml.p7m", "parse"),
])
def test_real_signed_samples_still_behave(name, outcome, shared_dir):
    """Test verify() on every signed sample: the four real signatures
    verify (RSA, CAdES-BES from Italian qualified CAs); the altered ones
    and the BER file openssl cannot read do not; the fake is no envelope."""
    data = (SIGNED / name).read_bytes()
    if outcome == "ok":
        verified = verify(data)
        assert verified.content.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")
        assert verified.signing_time.year in (2018, 2021)
    elif outcome == "parse":
        with pytest.raises(ParseError):
            verify(data)
    else:
        with pytest.raises(SignatureError) as info:
            verify(data)
        assert info.value.code == outcome


def test_signing_works_after_envelopes_were_read_in_the_same_process(pki, shared_dir):
    """Test a fresh process that reads a .p7m before signing (asn1crypto
    caches its attribute names on first use, before the signing module
    registers signing-certificate-v2)."""
    import os
    import sys

    # The repository, for the child's imports (not a conftest's constant:
    # which conftest module is importable as `conftest` depends on the run).
    repo_root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; from fatturapa_bridge.p7m import open_p7m\n"
        f"open_p7m(open({str(SIGNED / 'net_IT02182030391_31.xml.p7m')!r}, 'rb').read())\n"
        "from fatturapa_bridge.signing import sign, verify\n"
        f"p7m = sign(b'<x/>', open({str(pki.p12_path())!r}, 'rb').read(), {pki.PASSWORD!r})\n"
        "assert verify(p7m).content == b'<x/>'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(repo_root)), check=False)
    assert result.returncode == 0, result.stderr
