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

import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "tests" / "fatturapa_bridge"):
    sys.path.insert(0, str(_path))

import cryptography  # noqa: E402
from _common import make_pkcs12, rate, rate_arguments  # noqa: E402
from fpa_builders import hosting_invoice as build_ours  # noqa: E402

from fatturapa_bridge import render  # noqa: E402
from fatturapa_bridge.signing import load_pkcs12, sign, sign_with, verify  # noqa: E402

PASSWORD = b"bench"


def main() -> int:
    args = rate_arguments(__doc__.splitlines()[0])
    p12 = make_pkcs12(PASSWORD)
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
