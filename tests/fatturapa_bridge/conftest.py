# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Fixtures for the fatturapa_bridge tests.

The official schemas and samples are not vendored: they live in
``../shared/fatturapa`` next to the repository. Tests that need them skip
with a clear reason when that directory is absent.
"""

import os
from pathlib import Path

import pytest
from fpa_paths import SHARED, XSD_DIR


@pytest.fixture(scope="session")
def shared_dir():
    if not XSD_DIR.is_dir():
        pytest.skip(f"shared FatturaPA data not found at {SHARED}")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_schema_env(monkeypatch, tmp_path_factory):
    """Point the schema lookup at the shared XSDs and the user cache at a
    temporary directory, so no test reads or writes the real ~/.cache."""
    cache = tmp_path_factory.getbasetemp() / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    if XSD_DIR.is_dir():
        monkeypatch.setenv("FATTURAPA_SCHEMA_DIR", str(XSD_DIR))
    else:
        monkeypatch.delenv("FATTURAPA_SCHEMA_DIR", raising=False)


@pytest.fixture
def needs_schemas(shared_dir):
    return XSD_DIR



os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")


class TestPKI:
    """Certificates generated for the signing tests: a CA, an RSA and an EC
    signer it issued, and an RSA signer whose certificate has expired.
    ``p12(name)`` is the PKCS#12 of a signer, ``ca_pem`` the CA file for
    ``openssl -CAfile``."""

    PASSWORD = "correct horse"

    def __init__(self, directory: Path):
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.timezone.utc)
        day = datetime.timedelta(days=1)
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Qualified CA"),
                             x509.NameAttribute(NameOID.COUNTRY_NAME, "IT")])
        usage = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                     crl_sign=False, encipher_only=False, decipher_only=False)
        self.ca = (
            x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key()).serial_number(1)
            .not_valid_before(now - 400 * day).not_valid_after(now + 400 * day)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**{**usage, "key_cert_sign": True, "crl_sign": True}),
                           critical=True)
            .sign(ca_key, hashes.SHA256()))
        self.directory = directory
        self.ca_pem = directory / "ca.pem"
        self.ca_pem.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))
        self.keys = {}
        self.certificates = {}
        signers = {
            "rsa": (rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    now - day, now + 365 * day),
            "ec": (ec.generate_private_key(ec.SECP256R1()), now - day, now + 365 * day),
            "expired": (rsa.generate_private_key(public_exponent=65537, key_size=2048),
                        now - 300 * day, now - 30 * day),
        }
        for serial, (name, (key, start, end)) in enumerate(signers.items(), 2):
            subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Mario Rossi {name}"),
                                 x509.NameAttribute(NameOID.SERIAL_NUMBER,
                                                    "TINIT-RSSMRA85T10A562S")])
            cert = (
                x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                .public_key(key.public_key()).serial_number(serial)
                .not_valid_before(start).not_valid_after(end)
                .add_extension(x509.KeyUsage(**{**usage, "content_commitment": True}),
                               critical=True)
                .sign(ca_key, hashes.SHA256()))
            self.keys[name] = key
            self.certificates[name] = cert
            data = pkcs12.serialize_key_and_certificates(
                b"signer", key, cert, [self.ca],
                serialization.BestAvailableEncryption(self.PASSWORD.encode()))
            (directory / f"{name}.p12").write_bytes(data)

    def p12(self, name: str = "rsa") -> bytes:
        return (self.directory / f"{name}.p12").read_bytes()

    def p12_path(self, name: str = "rsa") -> Path:
        return self.directory / f"{name}.p12"


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return TestPKI(tmp_path_factory.mktemp("pki"))
