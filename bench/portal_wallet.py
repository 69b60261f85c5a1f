#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Portal wallet page with 10,000 transactions: latency percentiles.

Target (DESIGN.md): p95 <= 150 ms, paginated. Uses the ``pcc_bench``
database of ``bench/wallet_debits.py`` (created on first use), gives a
portal customer a wallet with 10,000 transactions (inserted in one SQL
statement: this measures the page, not the ledger), starts Odoo and requests
the first page, a middle page, the last page and a filtered page as that
customer over HTTP.

    python3 bench/portal_wallet.py [--transactions 10000] [--requests 200]
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
from _common import ensure_database, odoo_registry, odoo_server  # noqa: E402
from run_tests import odoo_available  # noqa: E402

PASSWORD = "bench-portal"


def setup(registry, transactions):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        suffix = uuid.uuid4().hex[:6]
        partner = env["res.partner"].create({"name": f"Portal bench {suffix}", "is_company": True})
        contact = env["res.partner"].create({"name": f"Portal user {suffix}", "parent_id": partner.id})
        login = f"portal_bench_{suffix}"
        env["res.users"].create({
            "login": login, "password": PASSWORD, "partner_id": contact.id,
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
        })
        wallet = env["prepaid.wallet"]._get_or_create(partner, env.company.currency_id, env.company)
        wallet._ledger_apply("credit", transactions, f"bench:portal:{suffix}", kind="paid")
        env.flush_all()
        # The history: one debit of 1.00 a minute, newest last, with its running balance.
        cr.execute(
            """
            INSERT INTO prepaid_wallet_transaction
                   (wallet_id, partner_id, company_id, currency_id, date, movement_type, purpose, name,
                    amount, balance_after, debt_after, idempotency_key, needs_booking,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(wallet)s, %(partner)s, %(company)s, %(currency)s,
                   now() - make_interval(mins => %(n)s - i), 'debit', 'usage', 'Cloud usage ' || i,
                   -1, %(n)s - i, 0, 'bench:portal:' || %(suffix)s || ':' || i, false,
                   1, now(), 1, now()
              FROM generate_series(1, %(n)s - 1) AS i
            """,
            {"wallet": wallet.id, "partner": partner.id, "company": wallet.company_id.id,
             "currency": wallet.currency_id.id, "n": transactions, "suffix": suffix},
        )
        return login, wallet.id


def measure(base, login, args):
    """Log in as the customer and time the wallet pages."""
    session = requests.Session()
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            session.get(f"{base}/web/login", timeout=5)
            break
        except requests.ConnectionError:
            time.sleep(0.3)
    page = session.get(f"{base}/web/login").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    session.post(f"{base}/web/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf})
    pages = args.transactions // 20
    urls = ["/my/wallet", f"/my/wallet/page/{pages // 2}", f"/my/wallet/page/{pages}",
            "/my/wallet?filterby=debit&sortby=amount"]
    for url in urls:  # warm the caches (templates, assets)
        response = session.get(base + url)
        assert response.status_code == 200 and "o_prepaid_transaction" in response.text, url
    timings = []
    per_url = {url: [] for url in urls + ["/my/account"]}
    for i in range(args.requests):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = session.get(base + url)
        timings.append((time.perf_counter() - started) * 1000)
        per_url[url].append(timings[-1])
        assert response.status_code == 200
    # A portal page of Odoo's own, for scale on this machine.
    for _i in range(20):
        started = time.perf_counter()
        session.get(base + "/my/account")
        per_url["/my/account"].append((time.perf_counter() - started) * 1000)
    return timings, per_url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="pcc_bench")
    parser.add_argument("--transactions", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    available, why = odoo_available()
    if not available:
        print(f"portal_wallet: {why}; this benchmark needs Odoo 18 (see README).", file=sys.stderr)
        return 2
    command, odoo_dir = ensure_database(args.db, False)
    registry = odoo_registry(args.db, odoo_dir)
    login, wallet_id = setup(registry, args.transactions)
    with odoo_server(command, odoo_dir, args.db, 2) as port:
        timings, per_url = measure(f"http://127.0.0.1:{port}", login, args)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"/my/wallet with {args.transactions} transactions, {args.requests} requests "
          f"(first, middle, last and filtered pages):")
    print(f"  p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms "
          f"(target p95 <= 150 ms: {'met' if p95 <= 150 else 'NOT met'})")
    for url, values in per_url.items():
        print(f"  {url}: p50 {statistics.median(values):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
