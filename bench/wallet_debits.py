#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Wallet debits per second: in one process, and 4 parallel XML-RPC clients.

Targets (DESIGN.md, issue 12): >= 300 debits/s in one process with one
committed transaction per debit, with and without prepared statements (the
``prepaid_cloud_credit.ledger_prepare`` setting); 4 XML-RPC clients sending
``ledger_batch`` calls of 100 movements >= 2,000 movements/s; nothing lost or
doubled (the sum of the balances and the count of transactions are checked).

Needs Odoo 18 importable and the local PostgreSQL (see README). Creates the
database ``pcc_bench`` with the addon on first use (``--recreate`` starts
over), and starts its own Odoo server with 4 workers for the XML-RPC part (on
``BENCH_HTTP_PORT`` when set, else a free port).

    python3 bench/wallet_debits.py [--debits 2000] [--clients 4] [--per-client 500]
                                   [--batches 25] [--batch-size 100] [--xmlrpc-only]
"""

import argparse
import multiprocessing
import statistics
import sys
import time
import uuid

from _common import ensure_database, odoo_registry, odoo_server
from run_tests import odoo_available

PASSWORD = "bench-integration"


def setup_wallet(registry, label, amount):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": f"Bench {label} {uuid.uuid4().hex[:6]}", "is_company": True})
        wallet = env["prepaid.wallet"]._get_or_create(partner, env.company.currency_id, env.company)
        wallet.scope = "all"
        wallet._ledger_apply("credit", amount, f"bench:{uuid.uuid4()}", kind="paid")
        return wallet.id


def wallet_state(registry, wallet_id):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        wallet = env["prepaid.wallet"].browse(wallet_id)
        lots = sum(wallet.lot_ids.filtered(lambda lot: lot.state == "open").mapped("remaining_amount"))
        return wallet.balance, lots, len(wallet.transaction_ids)


def database_latency(registry, count=500):
    """Milliseconds of one round trip and of one commit on this machine: the
    floor under every debit, and what varies most between machines and runs."""
    with registry.cursor() as cr:
        started = time.perf_counter()
        for _i in range(count):
            cr.execute("SELECT 1")
        rtt = (time.perf_counter() - started) / count * 1000
        started = time.perf_counter()
        for _i in range(count // 5):
            # A transaction id makes the commit write and flush its record,
            # as the commit of a debit does.
            cr.execute("SELECT txid_current()")
            cr.commit()
        commit = (time.perf_counter() - started) / (count // 5) * 1000 - rtt
    return rtt, commit


def set_prepare(registry, prepare):
    """Turn the ledger's prepared statements on or off."""
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("prepaid_cloud_credit.ledger_prepare", "1" if prepare else "")


def bench_in_process(registry, debits, per_transaction=1):
    """``per_transaction`` debits share one committed database transaction:
    1 is what an XML-RPC caller gets, 100 what a cron working in batches gets.
    One cursor commits after each of them, as a cron does."""
    from odoo import api

    wallet_id = setup_wallet(registry, "in-process", debits)
    run = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        wallet = env["prepaid.wallet"].browse(wallet_id)
        started = time.perf_counter()
        for i in range(debits):
            wallet._ledger_apply("debit", "0.50", f"bench:{run}:{i}", purpose="usage")
            if (i + 1) % per_transaction == 0 or i + 1 == debits:
                cr.commit()
        elapsed = time.perf_counter() - started
    balance, lots, _count = wallet_state(registry, wallet_id)
    expected = debits - 0.5 * debits
    return debits / elapsed, elapsed, balance, expected, lots


def rpc_client(args):
    """One XML-RPC client: its debits, each retried with the same key on a fault."""
    import odoolib

    port, db, wallet_id, count, client = args
    connection = odoolib.get_connection(hostname="127.0.0.1", protocol="xmlrpc", port=port,
                                        database=db, login="bench_bot", password=PASSWORD)
    wallets = connection.get_model("prepaid.wallet")
    retries = 0
    for i in range(count):
        key = f"bench:rpc:{wallet_id}:{client}:{i}"
        for attempt in range(20):
            try:
                wallets.ledger_debit([wallet_id], "0.01", key, purpose="usage")
                break
            except Exception:  # serialization failures beyond Odoo's own retries
                retries += 1
                time.sleep(0.01 * (attempt + 1))
        else:
            raise RuntimeError(f"debit {key} failed 20 times")
    return retries


def warm_client(args):
    """One call that reads a wallet: a worker of the server answering its
    first call loads the registry first (seconds), which is not the ledger's
    time. Sent by every client at once, twice, before the clock starts."""
    import odoolib

    port, db, wallet_id = args
    connection = odoolib.get_connection(hostname="127.0.0.1", protocol="xmlrpc", port=port,
                                        database=db, login="bench_bot", password=PASSWORD)
    connection.get_model("prepaid.wallet").ledger_balance([wallet_id])


def warm_workers(pool, port, db, wallet_id, clients):
    """Have each HTTP worker of the server answer calls before the clock starts."""
    for _round in range(2):
        pool.map(warm_client, [(port, db, wallet_id)] * clients)


def batch_client(args):
    """One XML-RPC client sending ``ledger_batch`` calls; a call that faults
    (a serialization failure beyond Odoo's own retries) is sent again whole:
    its keys make that harmless."""
    import odoolib

    port, db, wallet_ids, batches, batch_size, client, run = args
    connection = odoolib.get_connection(hostname="127.0.0.1", protocol="xmlrpc", port=port,
                                        database=db, login="bench_bot", password=PASSWORD)
    wallets = connection.get_model("prepaid.wallet")
    # Logging in checks the password's hash (600,000 rounds of PBKDF2, a
    # third of a second of the server's time): not the ledger's time.
    connection.check_login()
    window_start = time.perf_counter()
    retries = replayed = 0
    slowest = 0.0
    for b in range(batches):
        movements = [
            {"key": f"bench:batch:{run}:{client}:{b}:{i}", "wallet_id": wallet_ids[i % len(wallet_ids)],
             "type": "debit", "amount": "0.01", "purpose": "usage"}
            for i in range(batch_size)
        ]
        for attempt in range(20):
            try:
                started = time.perf_counter()
                results = wallets.ledger_batch(movements)
                slowest = max(slowest, time.perf_counter() - started)
                break
            except Exception:  # noqa: BLE001 - sent again with the same keys
                retries += 1
                time.sleep(0.01 * (attempt + 1))
        else:
            raise RuntimeError(f"batch {b} of client {client} failed 20 times")
        statuses = {result["status"] for result in results}
        if statuses - {"done", "replayed"}:
            raise RuntimeError(f"refused movements: {[r for r in results if r['status'] == 'refused'][:3]}")
        replayed += sum(result["status"] == "replayed" for result in results)
    return retries, replayed, slowest, window_start, time.perf_counter()


def ensure_bench_user(registry):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        user = env["res.users"].search([("login", "=", "bench_bot")])
        if not user:
            user = env["res.users"].create({
                "name": "Bench integration", "login": "bench_bot",
                "groups_id": [(6, 0, [env.ref("base.group_user").id,
                                      env.ref("prepaid_cloud_credit.group_prepaid_integration").id])],
            })
        user.password = PASSWORD


def bench_xmlrpc_batches(registry, command, odoo_dir, db, clients, batches, batch_size, wallets_per_client=2):
    """``clients`` XML-RPC clients, each sending ``batches`` calls of
    ``batch_size`` debits spread over wallets of its own."""
    wallet_ids = [[setup_wallet(registry, "batch", 1000) for _w in range(wallets_per_client)] for _c in range(clients)]
    ensure_bench_user(registry)
    run = uuid.uuid4().hex[:8]
    with odoo_server(command, odoo_dir, db, clients) as port:
        with multiprocessing.Pool(clients) as pool:
            warm_workers(pool, port, db, wallet_ids[0][0], clients)
            outcomes = pool.map(batch_client, [
                (port, db, wallet_ids[c], batches, batch_size, c, run) for c in range(clients)
            ])
        # From the first client's first call to the last client's last
        # answer (the clock is the system's monotonic one, the same in
        # every process), after each client logged in.
        elapsed = max(outcome[4] for outcome in outcomes) - min(outcome[3] for outcome in outcomes)
    total = clients * batches * batch_size
    balance = lots = count = 0.0
    for wallet_id in (w for ids in wallet_ids for w in ids):
        wallet_balance, wallet_lots, wallet_count = wallet_state(registry, wallet_id)
        balance += wallet_balance
        lots += wallet_lots
        count += wallet_count - 1
    expected = round(1000 * clients * wallets_per_client - 0.01 * total, 2)
    retries = sum(outcome[0] for outcome in outcomes)
    slowest = max(outcome[2] for outcome in outcomes)
    return total / elapsed, elapsed, balance, expected, lots, int(count), total, retries, slowest


def bench_xmlrpc(registry, command, odoo_dir, db, clients, per_client, same_wallet=True):
    """Parallel clients on one wallet (they queue on its lock) or one wallet each."""

    wallet_ids = [setup_wallet(registry, "xmlrpc", 1000) for _ in range(1 if same_wallet else clients)]
    ensure_bench_user(registry)
    with odoo_server(command, odoo_dir, db, clients) as port:
        with multiprocessing.Pool(clients) as pool:
            warm_workers(pool, port, db, wallet_ids[0], clients)
            started = time.perf_counter()
            retries = pool.map(rpc_client, [
                (port, db, wallet_ids[c % len(wallet_ids)], per_client, c) for c in range(clients)
            ])
        elapsed = time.perf_counter() - started
    total = clients * per_client
    balance = lots = count = 0.0
    for wallet_id in wallet_ids:
        wallet_balance, wallet_lots, wallet_count = wallet_state(registry, wallet_id)
        balance += wallet_balance
        lots += wallet_lots
        count += wallet_count - 1
    expected = round(1000 * len(wallet_ids) - 0.01 * total, 2)
    return total / elapsed, elapsed, balance, expected, lots, int(count), total, sum(retries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="pcc_bench")
    parser.add_argument("--debits", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--per-client", type=int, default=500)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the in-process part (median)")
    parser.add_argument("--skip-xmlrpc", action="store_true", help="only the debits in one process")
    parser.add_argument("--xmlrpc-only", action="store_true", help="only the ledger_batch calls over XML-RPC")
    parser.add_argument("--batches", type=int, default=25, help="ledger_batch calls per XML-RPC client")
    parser.add_argument("--batch-size", type=int, default=100, help="movements per ledger_batch call")
    parser.add_argument("--single-debits", action="store_true",
                        help="also measure one ledger_debit call per debit over XML-RPC")
    args = parser.parse_args()
    available, why = odoo_available()
    if not available:
        print(f"wallet_debits: {why}; this benchmark needs Odoo 18 (see README).", file=sys.stderr)
        return 2
    command, odoo_dir = ensure_database(args.db, args.recreate)
    registry = odoo_registry(args.db, odoo_dir)

    all_ok = True
    rtt, commit = database_latency(registry)
    print(f"database       : {rtt:.3f} ms per round trip (SELECT 1), {commit:.3f} ms per commit (flushed to disk); "
          f"a debit is two statements and, alone in its transaction, a commit", flush=True)
    for prepare in (False, True) if not args.xmlrpc_only else ():
        set_prepare(registry, prepare)
        for per_transaction, label in ((1, "one committed transaction per debit"),
                                       (100, "100 debits per committed transaction")):
            rates = []
            for _round in range(args.rounds):
                rate, elapsed, balance, expected, lots = bench_in_process(registry, args.debits, per_transaction)
                ok = abs(balance - expected) < 0.005 and abs(lots - expected) < 0.005
                all_ok &= ok
                rates.append(rate)
            rate = statistics.median(rates)
            target = f"; target >= 300/s: {'met' if rate >= 300 else 'NOT met'}" if per_transaction == 1 else ""
            print(f"in one process, {'WITH' if prepare else 'without'} PREPARE: {rate:8.1f} debits/s  "
                  f"(median of {args.rounds} rounds of {args.debits} debits, {min(rates):.0f}-{max(rates):.0f}; "
                  f"{label}{target}); final balances {'exact' if all_ok else 'WRONG'}", flush=True)
    set_prepare(registry, False)

    if not args.skip_xmlrpc:
        rate, elapsed, balance, expected, lots, count, total, retries, slowest = bench_xmlrpc_batches(
            registry, command, odoo_dir, args.db, args.clients, args.batches, args.batch_size)
        ok = abs(balance - expected) < 0.005 and abs(lots - expected) < 0.005 and count == total
        all_ok &= ok
        print(f"{args.clients} XML-RPC clients, ledger_batch of {args.batch_size}: {rate:8.1f} movements/s  "
              f"({total} debits on {2 * args.clients} wallets, {elapsed:.2f} s, slowest call {slowest:.2f} s, "
              f"{retries} calls sent again; "
              f"target >= 2000/s: {'met' if rate >= 2000 else 'NOT met'}); sum of balances {balance:.2f}, "
              f"expected {expected:.2f}, {count} debit transactions for {total} sent: "
              f"{'nothing lost or doubled' if ok else 'LOST OR DOUBLED'}", flush=True)

    for same_wallet in (True, False) if args.single_debits and not args.skip_xmlrpc else ():
        rate, elapsed, balance, expected, lots, count, total, retries = bench_xmlrpc(
            registry, command, odoo_dir, args.db, args.clients, args.per_client, same_wallet)
        ok = abs(balance - expected) < 0.005 and abs(lots - expected) < 0.005 and count == total
        all_ok &= ok
        where = "one wallet" if same_wallet else f"{args.clients} wallets"
        print(f"{args.clients} XML-RPC clients, one ledger_debit per call: {rate:8.1f} debits/s  ({total} debits on "
              f"{where}, {elapsed:.2f} s, {retries} client retries); final balance {balance:.2f}, expected "
              f"{expected:.2f}, {count} debit transactions: {'nothing lost' if ok else 'LOST OR DOUBLED'}", flush=True)
    ok = all_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
