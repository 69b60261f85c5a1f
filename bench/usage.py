#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Cloud usage: XML-RPC ingestion throughput and the daily rating of a fleet.

Targets (DESIGN.md): ingestion over XML-RPC in batches of 1,000 >= 20,000
records/s; daily rating of 10,000 servers x 24 h x 4 meters (960,000
records) <= 60 s with a peak memory of the Odoo process <= 1 GiB. The
hourly provisional rating (the ongoing balance) of the same fleet has no
target of its own: it runs every hour, so it is reported against the hour
and against the daily rating.

The fleet is written with SQL (generate_series), never over XML-RPC: 10,000
servers billed from yesterday 00:00 UTC with 2 vCPU, 4 GB RAM, 50 GB disk and
the backup add-on, spread over ``--wallets`` customers with credit. The
rating runs the real cron (``_cron_rate_usage``: derivation of the hours
from the history, statements, lines, one ledger debit per wallet-day) in a
child process whose wall time and peak RSS (``ru_maxrss``) are reported.
The hourly cron (``_cron_cloud_balance_policy``: the provisional rating of
every wallet's usage not charged yet, then the policy of the wallets it
concerns) runs the same way, before the daily rating (the worst case: a
whole day and the hours of today to price) and after it.
Ingestion then pushes metered samples for the same servers through a real
Odoo server with as many HTTP workers as Odoo's deployment guide advises
(cores x 2 + 1; ``--workers`` to change), as XML-RPC rows (``ingest``) and
as one JSON text per batch (``ingest_json``).

Needs Odoo 18 importable and the local PostgreSQL (see README). Uses the
database ``usage_bench`` (created with the addon on first use; the cloud and
wallet tables are emptied at each run).

    python3 bench/usage.py [--servers 10000] [--wallets 2000] [--batches 200] [--clients 4]
"""

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from _common import ensure_database, odoo_registry, odoo_server  # noqa: E402
from run_tests import odoo_available  # noqa: E402

PASSWORD = "bench-integration"
LOGIN = "bench_usage_bot"
TABLES = (
    "prepaid_cloud_usage", "prepaid_cloud_statement_line", "prepaid_cloud_statement", "prepaid_cloud_command",
    "prepaid_cloud_server_event_meter_rel", "prepaid_cloud_server_event", "prepaid_cloud_server_meter_rel",
    "prepaid_cloud_server", "prepaid_wallet_allocation", "prepaid_wallet_transaction", "prepaid_credit_lot",
    "prepaid_recharge", "prepaid_wallet",
)


def yesterday_utc():
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return today - timedelta(days=1)


def setup_fleet(registry, servers, wallets):
    """Empty the bench tables and write the fleet with SQL; credit each wallet."""
    from odoo import Command, api

    day = yesterday_utc()
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        # Plain DELETEs in dependency order: a TRUNCATE ... CASCADE would
        # follow foreign keys far beyond the bench's own rows.
        cr.execute("TRUNCATE prepaid_cloud_usage, prepaid_cloud_statement_line")
        cr.execute("UPDATE prepaid_credit_lot SET source_transaction_id = NULL, replaced_lot_id = NULL")
        for table in TABLES[2:]:
            cr.execute(f"DELETE FROM {table}")
        cr.execute("DELETE FROM res_partner WHERE name LIKE 'Bench cloud %'")
        company = env.company
        company.partner_id.tz = "UTC"
        # No alert e-mails to render in the bench: they are not what it measures.
        env.ref("prepaid_cloud_credit_usage.mail_template_prepaid_low_balance").active = False
        env.ref("prepaid_cloud_credit_usage.mail_template_prepaid_runway").active = False
        ref = env.ref
        card = env["prepaid.cloud.rate.card"].search([("company_id", "=", company.id), ("is_default", "=", True)])
        if not card:
            env["prepaid.cloud.rate.card"].create({
                "name": "Bench prices", "company_id": company.id, "currency_id": company.currency_id.id,
                "is_default": True,
                "line_ids": [
                    Command.create({"meter_id": ref(f"prepaid_cloud_credit_usage.{xmlid}").id, "price": price})
                    for xmlid, price in (("meter_cpu", 0.0042), ("meter_ram", 0.0021), ("meter_disk", 0.00006),
                                         ("meter_addon_backup", 0.003), ("meter_traffic", 0.01))
                ],
            })
        user = env["res.users"].search([("login", "=", LOGIN)])
        if not user:
            user = env["res.users"].create({
                "name": "Bench usage integration", "login": LOGIN,
                "groups_id": [Command.set([ref("base.group_user").id,
                                           ref("prepaid_cloud_credit.group_prepaid_integration").id])],
            })
        user.password = PASSWORD
        env.flush_all()
        cr.execute(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, type, company_id, autopost_bills,
                                     create_date, write_date)
            SELECT 'Bench cloud ' || n, 'Bench cloud ' || n, true, true, 'contact', NULL, 'ask',
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM generate_series(1, %s) n
            """,
            (wallets,),
        )
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench cloud %%'")
        cr.execute(
            """
            INSERT INTO prepaid_wallet (name, partner_id, company_id, currency_id, scope, active,
                                        paid_amount, bonus_amount, voucher_amount, debt_amount, balance,
                                        low_balance_alert, low_balance_threshold, cloud_grace_hours,
                                        create_date, write_date)
            SELECT p.name, p.id, %(company)s, %(currency)s, 'cloud', true, 0, 0, 0, 0, 0, false, 10, 24,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM res_partner p WHERE p.name LIKE 'Bench cloud %%' ORDER BY p.id
            """,
            {"company": company.id, "currency": company.currency_id.id},
        )
        cr.execute("SELECT id FROM prepaid_wallet ORDER BY id")
        wallet_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            """
            INSERT INTO prepaid_cloud_server (name, ref, wallet_id, partner_id, company_id, vcpu, ram_gb, disk_gb,
                                              state, usage_derived_until, create_date, write_date)
            SELECT 'bench-' || n, 'bench-' || n, w.id, w.partner_id, w.company_id, 2, 4, 50, 'active', %(day)s,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM generate_series(0, %(servers)s - 1) n
              JOIN prepaid_wallet w ON w.id = (%(wallets)s::int[])[n %% %(count)s + 1]
            """,
            {"day": day, "servers": servers, "wallets": wallet_ids, "count": len(wallet_ids)},
        )
        cr.execute(
            """
            INSERT INTO prepaid_cloud_server_event (server_id, partner_id, company_id, date, event_type, state,
                                                    vcpu, ram_gb, disk_gb, create_date, write_date)
            SELECT id, partner_id, company_id, %s, 'created', 'active', vcpu, ram_gb, disk_gb,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM prepaid_cloud_server
            """,
            # Created days before the rated day (billed from it on): the
            # ingestion pushes samples for the days before, which must not
            # predate the servers.
            (day - timedelta(days=7),),
        )
        backup = ref("prepaid_cloud_credit_usage.meter_addon_backup").id
        cr.execute("INSERT INTO prepaid_cloud_server_event_meter_rel SELECT id, %s FROM prepaid_cloud_server_event",
                   (backup,))
        cr.execute("INSERT INTO prepaid_cloud_server_meter_rel SELECT id, %s FROM prepaid_cloud_server", (backup,))
        env.invalidate_all()
        for wallet in env["prepaid.wallet"].browse(wallet_ids):
            wallet._ledger_apply("credit", 100, f"bench-usage:credit:{wallet.id}:{time.time()}", kind="paid")
    return day, len(wallet_ids)


def run_child(db, odoo_dir, cron, counts):
    """Run in the child process: ``cron(env)`` timed, then ``counts(cr, its
    result)``; print them as JSON with the wall time and the peak RSS."""
    from odoo import api

    registry = odoo_registry(db, odoo_dir)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        started = time.perf_counter()
        result = cron(env)
        elapsed = time.perf_counter() - started
        figures = counts(cr, result)
    print(json.dumps({
        "elapsed": elapsed, **figures,
        "baseline_kib": baseline, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


def rate_child(db, odoo_dir):
    """Run in the child process: the daily cron, its wall time and peak RSS."""

    def counts(cr, wallets):
        cr.execute("SELECT count(*) FROM prepaid_cloud_usage")
        records = cr.fetchone()[0]
        cr.execute("SELECT count(*), coalesce(sum(amount_total), 0) FROM prepaid_cloud_statement")
        statements, total = cr.fetchone()
        cr.execute("SELECT count(*) FROM prepaid_wallet_transaction WHERE idempotency_key LIKE 'usage:%%'")
        debits = cr.fetchone()[0]
        return {"wallets": wallets, "records": records, "statements": statements, "debits": debits,
                "total": float(total)}

    run_child(db, odoo_dir, lambda env: env["prepaid.cloud.statement"]._cron_rate_usage(), counts)


def hourly_child(db, odoo_dir):
    """Run in the child process: the hourly cron, its wall time and peak RSS."""

    def counts(cr, checked):
        cr.execute("SELECT count(*), coalesce(sum(cloud_unbilled_amount), 0) FROM prepaid_wallet "
                   "WHERE cloud_unbilled_amount != 0")
        priced, total = cr.fetchone()
        cr.execute("SELECT count(*) FROM prepaid_cloud_usage")
        records = cr.fetchone()[0]
        return {"priced": priced, "total": float(total), "checked": checked, "records": records}

    run_child(db, odoo_dir, lambda env: env["prepaid.wallet"]._cron_cloud_balance_policy(), counts)


def bench_rating(db, child="--rate-child"):
    proc = subprocess.run(
        [sys.executable, __file__, "--db", db, child], stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_hourly(label, result):
    print(f"hourly cron {label:13s}: {result['elapsed']:6.1f} s, {result['priced']} wallets priced "
          f"(total not charged yet {result['total']:.2f}), {result['checked']} wallets' policy checked, "
          f"no usage record written ({result['records']} stored); peak RSS {result['peak_kib'] / 1024:.0f} MiB",
          flush=True)


def ingest_client(args):
    import odoolib

    port, db, uid, client, clients, batches, servers, day, as_json = args
    # The platform logs in once and keeps its user id: a login hashes the
    # password (PBKDF2, 600,000 rounds), which is no part of ingesting.
    connection = odoolib.get_connection(hostname="127.0.0.1", protocol="xmlrpc", port=port,
                                        database=db, login=LOGIN, password=PASSWORD, user_id=uid)
    usage = connection.get_model("prepaid.cloud.usage")
    inserted = 0
    for batch in range(client, batches, clients):
        # 1,000 distinct (server, hour) samples per batch: 24 hours of ~42
        # servers, as compact [server, meter, hour, quantity] rows.
        records = []
        for i in range(1000):
            n = batch * 1000 + i
            hour = day + timedelta(hours=n % 24)
            records.append([f"bench-{(n // 24) % servers}", "traffic_gb",
                            hour.strftime("%Y-%m-%d %H:00:00"), float(n % 97) / 10])
        result = usage.ingest_json(json.dumps(records)) if as_json else usage.ingest(records)
        inserted += result["inserted"]
    return inserted


def bench_ingestion(command, odoo_dir, db, clients, batches, servers, day, as_json=False, workers=2):
    import odoolib

    with odoo_server(command, odoo_dir, db, workers, "--limit-time-cpu", "600") as port:
        uid = odoolib.get_connection(hostname="127.0.0.1", protocol="xmlrpc", port=port, database=db,
                                     login=LOGIN, password=PASSWORD).get_service("common").login(
                                         db, LOGIN, PASSWORD)
        # Warm-up, not timed: every worker loads the registry and checks the
        # credentials once (it then keeps them in its cache).
        warmup = clients * (workers + 1)
        with multiprocessing.Pool(clients) as pool:
            pool.map(ingest_client, [(port, db, uid, c, clients, warmup, servers, day - timedelta(days=3), as_json)
                                     for c in range(clients)])
        started = time.perf_counter()
        with multiprocessing.Pool(clients) as pool:
            inserted = sum(pool.map(ingest_client, [(port, db, uid, c, clients, batches, servers, day, as_json)
                                                    for c in range(clients)]))
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        with multiprocessing.Pool(clients) as pool:
            again = sum(pool.map(ingest_client, [(port, db, uid, c, clients, batches, servers, day, as_json)
                                                 for c in range(clients)]))
        elapsed_again = time.perf_counter() - started
    return batches * 1000, inserted, elapsed, again, elapsed_again


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="usage_bench")
    parser.add_argument("--servers", type=int, default=10000)
    parser.add_argument("--wallets", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=200, help="ingestion batches of 1,000 records")
    parser.add_argument("--clients", type=int, default=4, help="parallel XML-RPC clients")
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--skip-ingestion", action="store_true")
    parser.add_argument("--skip-rating", action="store_true")
    # Odoo's deployment guide sizes HTTP workers at (CPU cores x 2) + 1.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="Odoo HTTP workers for the ingestion (default: cores x 2 + 1, as Odoo advises)")
    parser.add_argument("--rate-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hourly-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    available, why = odoo_available()
    if not available:
        print(f"usage: {why}; this benchmark needs Odoo 18 (see README).", file=sys.stderr)
        return 2
    if args.rate_child or args.hourly_child:
        from run_tests import odoo_bin_command

        (rate_child if args.rate_child else hourly_child)(args.db, odoo_bin_command()[1])
        return 0
    command, odoo_dir = ensure_database(args.db, args.recreate, "prepaid_cloud_credit_usage")
    registry = odoo_registry(args.db, odoo_dir)
    started = time.perf_counter()
    day, wallets = setup_fleet(registry, args.servers, args.wallets)
    print(f"fleet: {args.servers} servers, {wallets} wallets, written with SQL in "
          f"{time.perf_counter() - started:.1f} s (day rated: {day:%Y-%m-%d})", flush=True)

    ok = True
    if not args.skip_rating:
        before = bench_rating(args.db, "--hourly-child")
        print_hourly("(before)", before)
        result = bench_rating(args.db)
        peak_mib = result["peak_kib"] / 1024
        expected = args.servers * 24 * 4
        print(f"daily rating   : {result['elapsed']:6.1f} s for {result['records']} usage records "
              f"(expected {expected}), {result['statements']} statements, {result['debits']} ledger debits, "
              f"total {result['total']:.2f}; target <= 60 s: {'met' if result['elapsed'] <= 60 else 'NOT met'}")
        print(f"                 peak RSS of the rating process {peak_mib:.0f} MiB "
              f"(after loading the registry: {result['baseline_kib'] / 1024:.0f} MiB); "
              f"target <= 1024 MiB: {'met' if peak_mib <= 1024 else 'NOT met'}", flush=True)
        ok = result["records"] == expected and result["debits"] == wallets
        after = bench_rating(args.db, "--hourly-child")
        print_hourly("(after)", after)
        ok = ok and before["records"] == 0 and before["priced"] == wallets and after["priced"] == wallets

    if not args.skip_ingestion:
        for label, as_json, offset in (("ingest()", False, 1), ("ingest_json()", True, 2)):
            total, inserted, elapsed, again, elapsed_again = bench_ingestion(
                command, odoo_dir, args.db, args.clients, args.batches, args.servers,
                day - timedelta(days=offset), as_json, args.workers)
            rate = total / elapsed
            print(f"ingestion {label:15s}: {rate:8.0f} records/s  ({total} records in batches of 1,000, "
                  f"{args.clients} XML-RPC clients, Odoo --workers {args.workers}, {elapsed:.1f} s, "
                  f"{inserted} inserted); "
                  f"target >= 20,000/s: {'met' if rate >= 20000 else 'NOT met'}")
            print(f"  resubmission {'':12s}: {total / elapsed_again:8.0f} records/s  (same batches again, "
                  f"{again} inserted)", flush=True)
            ok = ok and inserted == total and again == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
