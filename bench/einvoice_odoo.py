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
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
from run_tests import addons_path, db_args, drop_database, odoo_bin_command  # noqa: E402

ADDONS = "l10n_it_fatturapa_bridge,l10n_it"
COMPANY = "Bench FatturaPA S.r.l."


def schema_dir():
    if os.environ.get("FATTURAPA_SCHEMA_DIR"):
        return
    for parent in ROOT.parents:
        candidate = parent / "shared" / "fatturapa" / "xsd"
        if candidate.is_dir():
            os.environ["FATTURAPA_SCHEMA_DIR"] = str(candidate)
            return


def ensure_database(db, recreate):
    command, odoo_dir = odoo_bin_command()
    if recreate:
        drop_database(db)
    exists = subprocess.run(
        ["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-U", os.environ.get("PGUSER", "odoo"),
         "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        stdout=subprocess.PIPE, text=True,
    ).stdout.strip() == "1"
    print(f"{'updating' if exists else 'creating'} {db} with {ADDONS}...", flush=True)
    subprocess.run(
        command + ["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db,
                   "-u" if exists else "-i", ADDONS, "--without-demo", "all", "--stop-after-init",
                   "--log-level", "warn"],
        check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return odoo_dir


def odoo_registry(db, odoo_dir):
    import odoo
    from odoo.tools import config

    config.parse_config(["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db,
                         "--log-level", "warn"])
    odoo.service.server.load_server_wide_modules()
    from odoo.modules.registry import Registry

    return Registry(db)


def make_pkcs12():
    """A self-signed signing certificate, as a PKCS#12 with a password."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench Signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"bench", key, cert, None, serialization.BestAvailableEncryption(b"bench"))


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
            company.write({"l10n_it_fatturapa_pkcs12": base64.b64encode(make_pkcs12()),
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


def measure(registry, company_id, move_ids, batch):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        Move = env["account.move"]
        # Warm up (schema compiled, certificate opened), outside the figures.
        Move.browse(move_ids[:2])._l10n_it_fatturapa_build()
        cr.rollback()
        env.invalidate_all()

        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(move_ids), batch):
            Move.browse(move_ids[start:start + batch])._l10n_it_fatturapa_build()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
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
    return elapsed, cpu, mapping


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="pcc_einv_bench")
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--recreate", action="store_true")
    args = parser.parse_args()
    schema_dir()
    odoo_dir = ensure_database(args.db, args.recreate)
    registry = odoo_registry(args.db, odoo_dir)
    company_id, move_ids = setup(registry, args.invoices, args.lines)
    elapsed, cpu, mapping = measure(registry, company_id, move_ids, args.batch)
    count = len(move_ids)
    print(f"\ninvoices: {count} posted, {args.lines} lines each, batches of {args.batch}, one process")
    print(f"build (ORM read + map + clean + render + XSD/SdI checks + sign + attach): "
          f"{elapsed:.2f}s = {count / elapsed:.0f} invoices/s (target >= 100/s)")
    print(f"  Odoo process CPU time: {cpu:.2f}s = {count / cpu:.0f} invoices per CPU-second "
          f"(PostgreSQL's time not counted)")
    print(f"ORM read and mapping to the model alone (separate pass): {mapping:.2f}s "
          f"= {count / mapping:.0f} invoices/s")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
