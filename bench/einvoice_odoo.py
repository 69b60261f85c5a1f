#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""FatturaPA files of posted Odoo invoices per second.

Target (DESIGN.md): render, validate and sign the e-invoices of 1,000 posted
Odoo invoices, read through the ORM: >= 100 invoices/s.

Needs Odoo 18 importable, the local PostgreSQL and the FatturaPA schemas
(``FATTURAPA_SCHEMA_DIR``, or ``shared/fatturapa/xsd`` above the repository).
Creates the database ``pcc_einv_bench`` with ``l10n_it_fatturapa_bridge`` and
an Italian company with posted invoices on first use (``--recreate`` starts
over; the invoices are made once and kept). Each run builds every file in
batches, as a cron or the SdI channels do, then rolls back, so runs are
repeatable: nothing measured is committed.

    python3 bench/einvoice_odoo.py [--invoices 1000] [--lines 10] [--batch 100]
"""

import argparse
import os
import time

from _common import ROOT, ensure_database, make_pkcs12, odoo_registry, use_shared_schemas

ADDONS = "l10n_it_fatturapa_bridge,l10n_it"
COMPANY = "Bench FatturaPA S.r.l."


def setup(registry, count, lines):
    """Create the company and ``count`` posted invoices once; return the ids."""
    import base64

    from odoo import Command, api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        company = env["res.company"].search([("name", "=", COMPANY)], limit=1)
        if not company:
            italy = env.ref("base.it")
            company = env["res.company"].create({
                "name": COMPANY, "country_id": italy.id, "vat": "IT01234560157",
                "street": "Via dei Server 42", "zip": "20121", "city": "Milano",
                "l10n_it_codice_fiscale": "01234560157", "l10n_it_tax_system": "RF01",
            })
        if company.chart_template != "it":
            env.user.company_ids |= company
            env["account.chart.template"].try_loading("it", company, install_demo=False)
            env.ref("product.decimal_price").digits = 6
            company.write({"l10n_it_fatturapa_pkcs12": base64.b64encode(make_pkcs12(days=365)),
                           "l10n_it_fatturapa_pkcs12_password": "bench"})
            cr.commit()
        env = env(context={"allowed_company_ids": [company.id]})
        moves = env["account.move"].search([("company_id", "=", company.id),
                                            ("move_type", "=", "out_invoice"),
                                            ("state", "=", "posted")])
        missing = count - len(moves)
        if missing > 0:
            print(f"posting {missing} invoices of {lines} lines (once)...", flush=True)
            tax = env["account.chart.template"].with_company(company).ref("22v")
            partners = env["res.partner"].create([{
                "name": f"Cliente {i} S.r.l.", "vat": "IT00465840031", "is_company": True,
                "country_id": env.ref("base.it").id, "street": f"Via Roma {i}", "zip": "10121",
                "city": "Torino", "l10n_it_pa_index": "ABC1234",
            } for i in range(20)])
            for start in range(0, missing, 100):
                batch = env["account.move"].with_company(company).create([{
                    "move_type": "out_invoice",
                    "partner_id": partners[(start + i) % 20].id,
                    "invoice_date": "2026-03-02",
                    "invoice_line_ids": [Command.create({
                        "name": f"Cloud server {n} hours", "quantity": 720 + n,
                        "price_unit": 0.004113 + n / 10000, "tax_ids": [Command.set(tax.ids)],
                    }) for n in range(lines)],
                } for i in range(min(100, missing - start))])
                batch.action_post()
                cr.commit()
                print(f"  {start + len(batch)}/{missing}", flush=True)
            moves = env["account.move"].search([("company_id", "=", company.id),
                                                ("move_type", "=", "out_invoice"),
                                                ("state", "=", "posted")])
        return company.id, moves.ids[:count]


def postgres_cpu(cr):
    """CPU seconds (user + system) of the PostgreSQL backend serving ``cr``,
    from /proc, or ``None`` where it cannot be read (another host, another
    user)."""
    cr.execute("SELECT pg_backend_pid()")
    pid = cr.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(registry, company_id, move_ids, batch, profile=False):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        Move = env["account.move"]
        # Warm up (schema compiled, certificate opened), outside the figures.
        Move.browse(move_ids[:2])._l10n_it_fatturapa_build()
        cr.rollback()
        env.invalidate_all()

        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        pg_cpu = postgres_cpu(cr)
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(move_ids), batch):
            Move.browse(move_ids[start:start + batch])._l10n_it_fatturapa_build()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        pg_cpu = postgres_cpu(cr) - pg_cpu if pg_cpu is not None else None
        if profiler:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        signed = Move.browse(move_ids).mapped("l10n_it_fatturapa_filename")
        assert all(name and name.endswith(".xml.p7m") for name in signed), "every file signed"
        assert len(set(signed)) == len(move_ids), "every name distinct"
        cr.rollback()
        env.invalidate_all()

        from odoo.addons.l10n_it_fatturapa_bridge.models.account_tax import MEMO

        started = time.perf_counter()
        for start in range(0, len(move_ids), batch):
            cr.cache[MEMO] = {}  # as _l10n_it_fatturapa_build does
            moves = Move.browse(move_ids[start:start + batch])
            moves._l10n_it_fatturapa_prefetch()
            for move in moves:
                move._l10n_it_fatturapa_prepare_invoice()
            cr.cache.pop(MEMO)
        mapping = time.perf_counter() - started
        cr.rollback()
    return elapsed, cpu, pg_cpu, mapping


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="pcc_einv_bench")
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--no-update", action="store_true",
                        help="use the existing database as it is (no module update)")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's top functions of the build (slows it down)")
    args = parser.parse_args()
    use_shared_schemas()
    _command, odoo_dir = ensure_database(args.db, args.recreate, ADDONS, update=not args.no_update,
                                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    registry = odoo_registry(args.db, odoo_dir)
    company_id, move_ids = setup(registry, args.invoices, args.lines)
    elapsed, cpu, pg_cpu, mapping = measure(registry, company_id, move_ids, args.batch,
                                            args.profile)
    count = len(move_ids)
    print(f"\ninvoices: {count} posted, {args.lines} lines each, batches of {args.batch}, one process")
    print(f"build (ORM read + map + clean + render + XSD/SdI checks + sign + attach): "
          f"{elapsed:.2f}s = {count / elapsed:.0f} invoices/s (target >= 100/s)")
    print(f"  Odoo process CPU time: {cpu:.2f}s = {count / cpu:.0f} invoices per CPU-second "
          f"(the process had {100 * cpu / elapsed:.0f} % of a core)")
    if pg_cpu is not None:
        print(f"  PostgreSQL backend CPU time: {pg_cpu:.2f}s; Odoo + PostgreSQL: "
              f"{count / (cpu + pg_cpu):.0f} invoices per CPU-second")
    else:
        print("  PostgreSQL backend CPU time: not readable from this process")
    print(f"ORM read and mapping to the model alone (separate pass): {mapping:.2f}s "
          f"= {count / mapping:.0f} invoices/s")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
