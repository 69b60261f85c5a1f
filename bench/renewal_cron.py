#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Automatic renewal of 10,000 services due the same night.

Target (DESIGN.md): <= 60 s for 10,000 services, with ``payment_demo``; run
twice, nothing charged twice.

Creates (once) the database ``pcc_ren_bench`` with the renewal addon,
``payment_demo`` and the Italian chart, then a company of its own per run
with its customers: each has a saved demo card and ``--per-customer``
services due in two days; the customers of every other pair also have
prepaid credit, so half the orders are paid from the credit (one ledger
debit each) and half charged to the card off-session (one demo transaction
each; the order is paid and its services renewed when the charge is done).
The card orders are then invoiced by the cron the renewal cron triggers
(invoice, payment, reconciliation, sending queue), timed on its own. Both run
twice; the second run must renew, charge and invoice nothing.

    python3 bench/renewal_cron.py [--services 10000] [--per-customer 10] [--db pcc_ren_bench]
"""

import argparse
import resource
import sys
import time
import uuid
from datetime import timedelta

from _common import ensure_database, odoo_registry
from run_tests import odoo_available

MODULES = "prepaid_cloud_credit_renewal,payment_demo,l10n_it"


def setup(registry, services_count, per_customer):
    """A company with the Italian chart, a tokenizing demo provider, customers, cards, services."""
    from odoo import Command, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
        suffix = uuid.uuid4().hex[:6]
        company = env["res.company"].create({
            "name": f"Renewal bench {suffix}", "country_id": env.ref("base.it").id,
            "currency_id": env.ref("base.EUR").id,
        })
        env.user.company_ids += company
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        env["account.chart.template"].try_loading("it", company, install_demo=False)
        company._prepaid_setup_accounting()
        vat = env["account.tax"].search([("company_id", "=", company.id), ("type_tax_use", "=", "sale"),
                                         ("amount", "=", 22)], limit=1)
        demo = env.ref("payment.payment_provider_demo")
        provider = demo.copy({"company_id": company.id, "state": "test", "allow_tokenization": True,
                              "journal_id": env["account.journal"].search(
                                  [("company_id", "=", company.id), ("type", "=", "bank")], limit=1).id})
        provider.state = "test"
        method = env.ref("payment_demo.payment_method_demo")
        product = env["product.product"].create({
            "name": f"Hosting bench {suffix}", "type": "service", "prepaid_renewable": True,
            "prepaid_renewal_period": "year", "prepaid_renewal_price_year": 10.0,
            "taxes_id": [Command.set(vat.ids)], "company_id": company.id,
        })
        customers = services_count // per_customer
        partners = env["res.partner"].create([
            {"name": f"Bench customer {suffix} {i}", "is_company": True, "email": f"c{i}@example.com"}
            for i in range(customers)
        ])
        tokens = env["payment.token"].create([{
            "provider_id": provider.id, "payment_method_id": method.id, "partner_id": p.id,
            "payment_details": "4242", "provider_ref": f"bench-{suffix}-{p.id}", "demo_simulated_state": "done",
        } for p in partners])
        for i, partner in enumerate(partners):
            if i % 2 == 0:
                wallet = env["prepaid.wallet"]._get_or_create(partner, company.currency_id, company)
                wallet.scope = "all"
                wallet._ledger_apply("credit", per_customer * 20, f"bench:renewal:{suffix}:{i}", kind="paid")
        expiry = fields.Date.today() + timedelta(days=2)
        env["prepaid.renewal.service"].create([{
            "name": f"srv-{suffix}-{i}-{j}", "partner_id": p.id, "company_id": company.id,
            "currency_id": company.currency_id.id, "product_id": product.id, "period": "year",
            "start_date": expiry - timedelta(days=365), "expiry_date": expiry,
            "auto_renew": True, "payment_token_id": t.id,
        } for i, (p, t) in enumerate(zip(partners, tokens, strict=True)) for j in range(per_customer)])
        return company.id, expiry


def run_cron(registry, company_id):
    from odoo import api

    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        result = env["prepaid.renewal.service"]._cron_auto_renew()
    elapsed = time.perf_counter() - start
    return result, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_invoicing(registry, company_id):
    """The renewal invoicing cron the renewal cron triggers; its duration."""
    from odoo import api

    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        env["payment.transaction"]._cron_invoice_renewals()
    return time.perf_counter() - start


def counts(registry, company_id, expiry):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        Order = env["prepaid.renewal.order"]
        return {
            "orders paid": Order.search_count([("company_id", "=", company_id), ("state", "=", "paid")]),
            "orders by credit": Order.search_count(
                [("company_id", "=", company_id), ("payment_method", "=", "credit")]),
            "card transactions": env["payment.transaction"].search_count(
                [("prepaid_renewal_order_id.company_id", "=", company_id)]),
            "invoices paid": env["account.move"].search_count(
                [("prepaid_renewal_order_id.company_id", "=", company_id), ("state", "=", "posted"),
                 ("payment_state", "in", ("paid", "in_payment"))]),
            "card payments": env["account.payment"].search_count(
                [("payment_transaction_id.prepaid_renewal_order_id.company_id", "=", company_id)]),
            "ledger debits": env["prepaid.wallet.transaction"].search_count(
                [("company_id", "=", company_id), ("movement_type", "=", "debit")]),
            "services still due": env["prepaid.renewal.service"].search_count(
                [("company_id", "=", company_id), ("expiry_date", "=", expiry)]),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="pcc_ren_bench")
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--per-customer", type=int, default=10)
    parser.add_argument("--recreate", action="store_true")
    args = parser.parse_args()
    if not odoo_available():
        print("Odoo 18 is not importable: benchmark skipped.")
        return 0
    _command, odoo_dir = ensure_database(args.db, args.recreate, MODULES, update_modules="prepaid_cloud_credit_renewal")
    registry = odoo_registry(args.db, odoo_dir)
    t0 = time.perf_counter()
    company_id, expiry = setup(registry, args.services, args.per_customer)
    print(f"setup: {args.services} services of {args.services // args.per_customer} customers "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    first, elapsed, peak = run_cron(registry, company_id)
    print(f"first run: {first['renewed']} renewed, {first['failed']} failed in {elapsed:.1f} s "
          f"({first['renewed'] / elapsed:.0f} services/s; target 10,000 in <= 60 s), "
          f"process peak RSS {peak / 2**20:.0f} MiB", flush=True)
    invoicing = run_invoicing(registry, company_id)
    after_first = counts(registry, company_id, expiry)
    print(f"then the invoicing cron: {after_first['invoices paid']} card orders invoiced, paid and reconciled "
          f"in {invoicing:.1f} s (renewal and invoicing together {elapsed + invoicing:.1f} s)", flush=True)
    second, elapsed2, _peak = run_cron(registry, company_id)
    invoicing2 = run_invoicing(registry, company_id)
    after_second = counts(registry, company_id, expiry)
    print(f"second run: {second['renewed']} renewed, {second['failed']} failed in {elapsed2:.1f} s; "
          f"invoicing cron {invoicing2:.1f} s")
    for key, value in after_first.items():
        print(f"  {key}: {value} after the first run, {after_second[key]} after the second")
    doubled = after_first != after_second or second["renewed"]
    print("nothing charged twice" if not doubled else "SOMETHING WAS CHARGED TWICE")
    return 1 if doubled else 0


if __name__ == "__main__":
    sys.exit(main())
