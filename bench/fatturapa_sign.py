#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Benchmark: render, validate and sign (CAdES-BES) a 10-line invoice.

Prints, on one core, invoices per second for:

* render: build the model, compute totals, SdI checks, XSD, bytes;
* sign: CAdES-BES of those bytes with an RSA-2048 key opened once
  (``signing.sign_with``), and with the PKCS#12 opened for each file
  (``signing.sign``: the key derivation of the PKCS#12 dominates, which is
  why a caller signing many files opens it once);
* render + validate + sign: the whole path of an e-invoice to a PA;
* verify: ``signing.verify`` of the signed file.

The key and certificate are generated at start (cryptography), like the
tests do. This is not a test: it prints figures and exits 0.

Usage: python3 bench/fatturapa_sign.py [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import cryptography  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from fatturapa_render import build_ours, rate, use_shared_schemas  # noqa: E402

from fatturapa_bridge import render  # noqa: E402
from fatturapa_bridge.signing import load_pkcs12, sign, sign_with, verify  # noqa: E402

PASSWORD = b"bench"


def make_pkcs12() -> bytes:
    """An RSA-2048 key with a self-signed certificate valid for a day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench Signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"bench", key, cert, None, serialization.BestAvailableEncryption(PASSWORD))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    use_shared_schemas()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    p12 = make_pkcs12()
    signer = load_pkcs12(p12, PASSWORD)
    xml = render(build_ours())
    signed = sign_with(xml, signer)
    assert verify(signed).content == xml, "the bench must sign what it renders"

    print(f"python {platform.python_version()}, cryptography {cryptography.__version__}, "
          f"{platform.machine()}, 1 core, best of {args.rounds} x {args.seconds:.1f}s")
    print("invoice: FPR12, 10 lines, 22% VAT; signature: CAdES-BES, RSA-2048, SHA-256, DER")
    figures = [
        ("render + validate", lambda: render(build_ours()), ""),
        ("sign (key opened once)", lambda: sign_with(xml, signer), "signing.sign_with"),
        ("sign (PKCS#12 each time)", lambda: sign(xml, p12, PASSWORD), "signing.sign"),
        ("render + validate + sign", lambda: sign_with(render(build_ours()), signer),
         "the whole path to a PA"),
        ("verify", lambda: verify(signed), "signing.verify"),
    ]
    results = {}
    for label, function, note in figures:
        results[label] = per_second = rate(function, args.seconds, args.rounds)
        print(f"{label:26s}: {per_second:9,.0f} invoices/s  ({1e6 / per_second:8,.0f} us each)"
              + (f"  {note}" if note else ""))
    whole = results["render + validate + sign"]
    print(f"render + validate + sign: {'met' if whole >= 100 else 'MISSED'} the >= 100/s the "
          "Odoo path needs on top of its ORM reads (DESIGN.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
