#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Benchmark: FatturaPA rendering plus XSD validation of a 10-line invoice.

Prints invoices per second for fatturapa_bridge (build the model, compute
totals, run the SdI checks, render with lxml, validate against the official
XSD, serialise) and, in the same run, for the ``a38`` package building the
same invoice, running its own validation and serialising it; a38 has no
XSD validation of its own, so a second a38 figure adds the same lxml XSD
validation to make the comparison like for like. Target (DESIGN.md):
>= 1,000/s on one core and faster than a38.

This is not a test: it prints figures and always exits 0 unless our own
rendering fails.

Usage: python3 bench/fatturapa_render.py [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import platform
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "tests" / "fatturapa_bridge"):
    sys.path.insert(0, str(_path))

from _common import rate, rate_arguments  # noqa: E402
from fpa_builders import BUYER_VAT, SELLER_VAT, hosting_invoice, hosting_lines  # noqa: E402
from lxml import etree  # noqa: E402

from fatturapa_bridge import render  # noqa: E402
from fatturapa_bridge.schema import load_schema  # noqa: E402

# The invoice of the tests' builders, for a38 to build the same.
LINES = [(line.description, line.quantity.quantize(D("0.01")), line.unit_price) for line in hosting_lines()]


def run_ours() -> bytes:
    return render(hosting_invoice())


def make_a38(schema):
    import a38.fattura as a
    from a38.validation import Validation

    def build():
        f = a.FatturaPrivati12()
        h = f.fattura_elettronica_header
        h.dati_trasmissione.id_trasmittente = a.IdTrasmittente("IT", SELLER_VAT)
        h.dati_trasmissione.progressivo_invio = "00001"
        h.dati_trasmissione.codice_destinatario = "ABC1234"
        ced = h.cedente_prestatore
        ced.dati_anagrafici.id_fiscale_iva = a.IdFiscaleIVA("IT", SELLER_VAT)
        ced.dati_anagrafici.anagrafica.denominazione = "Nuvola Hosting S.r.l."
        ced.dati_anagrafici.regime_fiscale = "RF01"
        ced.sede = a.Sede(indirizzo="Via dei Server 42", cap="20121", comune="Milano",
                          provincia="MI", nazione="IT")
        ces = h.cessionario_committente
        ces.dati_anagrafici.id_fiscale_iva = a.IdFiscaleIVA("IT", BUYER_VAT)
        ces.dati_anagrafici.anagrafica.denominazione = "Alfa Web"
        ces.sede = a.Sede(indirizzo="Corso Italia 1", cap="10121", comune="Torino",
                          provincia="TO", nazione="IT")
        body = f.fattura_elettronica_body[0]  # a38 starts with one empty body
        doc = body.dati_generali.dati_generali_documento
        doc.tipo_documento, doc.divisa = "TD01", "EUR"
        doc.data, doc.numero = date(2026, 3, 2), "FT/2026/0001"
        for d, q, p in LINES:
            body.dati_beni_servizi.add_dettaglio_linee(
                descrizione=d, quantita=q, unita_misura="pz", prezzo_unitario=p,
                aliquota_iva=D("22.00"))
        body.dati_beni_servizi.build_dati_riepilogo()
        body.build_importo_totale_documento()
        body.dati_pagamento.append(a.DatiPagamento(
            condizioni_pagamento="TP02",
            dettaglio_pagamento=[a.DettaglioPagamento(
                modalita_pagamento="MP05",
                importo_pagamento=doc.importo_totale_documento,
                iban="IT60X0542811101000000123456")]))
        return f

    def run(with_xsd: bool):
        f = build()
        validation = Validation()
        f.validate(validation)
        if validation.errors:
            raise RuntimeError(f"a38 validation: {validation.errors[0]}")
        tree = f.build_etree(lxml=True)
        if with_xsd and not schema.validate(tree):
            raise RuntimeError(f"a38 output fails the XSD: {schema.error_log[0].message}")
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")

    return run


def main() -> int:
    args = rate_arguments(__doc__.splitlines()[0])
    schema = load_schema()
    xml = run_ours()
    assert schema.validate(etree.fromstring(xml)), "our own output must be schema-valid"
    print(f"python {platform.python_version()}, lxml {'.'.join(map(str, etree.LXML_VERSION))}, "
          f"{platform.machine()}, 1 core, best of {args.rounds} x {args.seconds:.1f}s")
    print("invoice: FPR12, 10 lines, 22% VAT; render + SdI checks + XSD validation + bytes")
    ours = rate(run_ours, args.seconds, args.rounds)
    print(f"fatturapa_bridge : {ours:10,.0f} invoices/s  "
          f"({1e6 / ours:,.0f} us each; target >= 1,000/s: {'met' if ours >= 1000 else 'MISSED'})")

    try:
        import a38

        version = getattr(a38, "__version__", None)
        if version is None:
            from importlib.metadata import version as _v

            version = _v("a38")
        runner = make_a38(schema)
        runner(True)  # a38 output must itself be schema-valid for a fair figure
    except ImportError:
        print("a38              : not installed (pip install a38); no comparison")
        return 0
    except Exception as exc:  # a38 could not build or validate the invoice
        print(f"a38              : could not build/validate the invoice: {exc}")
        return 0
    own = rate(lambda: runner(False), args.seconds, args.rounds)
    xsd = rate(lambda: runner(True), args.seconds, args.rounds)
    print(f"a38 {version:<12} : {own:10,.0f} invoices/s  (build + a38 validate + serialise; "
          "no XSD)")
    print(f"a38 + lxml XSD   : {xsd:10,.0f} invoices/s  (same, plus the same XSD validation)")
    verdict = "faster" if ours > max(own, xsd) else "NOT faster"
    print(f"ratio            : {ours / xsd:10.2f}x a38 + XSD, {ours / own:.2f}x a38 alone "
          f"({verdict} than a38)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
