#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Hosting bridge: the first sync of a platform into Odoo, and the command round trip.

Targets (DESIGN.md): the first sync of 10,000 clients, 30,000 services and
20,000 domains from the platform into Odoo >= 500 records/s; the round trip
of a command (Odoo decides a suspension -> the bridge runs it on the platform
-> Odoo has the acknowledgement) p95 <= 2 s with the daemon's default
polling (``command_interval`` 1 s).

The platform is the fake WHMCS of the tests (tests/hosting_bridge/fake_platform.py),
an HTTP server in this process; Odoo is a real server with HTTP workers, fed by
the bridge's own sync engine over XML-RPC as an integration user with an API
key. Every service is sent as a cloud server (the renewable services of the
renewal module are not measured here).

Needs Odoo 18 importable and the local PostgreSQL (see README). Uses the
database ``hosting_bench`` (created with the usage and domain addons on first use; the records
of the bench's platform are deleted at each run).

    python3 bench/hosting_sync.py [--clients 10000] [--services 3] [--domains 2] [--commands 40]
"""

import argparse
import logging
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (BENCH, ROOT / "scripts", ROOT, ROOT / "tests" / "hosting_bridge"):
    sys.path.insert(0, str(_path))
from _common import ensure_database, odoo_registry, odoo_server  # noqa: E402
from run_tests import odoo_available  # noqa: E402

LOGIN = "bench_hosting_bot"
# The platform's servers and commands are in the usage addon, its domains in the domain addon.
ADDONS = "prepaid_cloud_credit_usage,prepaid_cloud_credit_domain"
CODE = "benchwhmcs"
TLDS = (".com", ".it", ".net", ".eu", ".org")


def setup(registry):
    """Delete the bench platform's records, make sure of the TLDs and the
    currencies, and give the integration user a fresh API key."""
    from odoo import Command, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        cr.execute("SELECT wallet_id, partner_id FROM prepaid_platform_client WHERE platform_code = %s", [CODE])
        rows = cr.fetchall()
        wallets, partners = [r[0] for r in rows] or [0], [r[1] for r in rows] or [0]
        cr.execute("DELETE FROM prepaid_cloud_command WHERE server_id IN "
                   "(SELECT id FROM prepaid_cloud_server WHERE platform_code = %s)", [CODE])
        cr.execute("DELETE FROM prepaid_cloud_server WHERE platform_code = %s", [CODE])
        cr.execute("DELETE FROM prepaid_domain WHERE platform_code = %s", [CODE])
        cr.execute("DELETE FROM prepaid_platform_client WHERE platform_code = %s", [CODE])
        cr.execute("DELETE FROM prepaid_platform_cursor WHERE platform_code = %s", [CODE])
        cr.execute("DELETE FROM prepaid_wallet WHERE id = ANY(%s)", [wallets])
        cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partners])
        for currency in ("base.EUR", "base.USD"):
            env.ref(currency).active = True
        Tld = env["prepaid.domain.tld"].with_context(active_test=False)
        for name in TLDS:
            if not Tld.search([("name", "=", name)]):
                Tld.create({"name": name})
        user = env["res.users"].with_context(active_test=False).search([("login", "=", LOGIN)])
        if not user:
            user = env["res.users"].create({
                "name": "Hosting bench bridge", "login": LOGIN,
                "groups_id": [Command.set([env.ref("base.group_user").id,
                                           env.ref("prepaid_cloud_credit.group_prepaid_integration").id])],
            })
        env["res.users.apikeys"].search([("user_id", "=", user.id)]).unlink()
        key = env["res.users.apikeys"].with_user(user)._generate(None, "bench", fields.Datetime.now() + timedelta(1))
        cr.commit()
        return key


def queue_command(registry, server_id):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        server = env["prepaid.cloud.server"].browse(server_id)
        command = env["prepaid.cloud.command"]._queue(server, "suspend", "bench")
        cr.commit()
        return command.id


def bench_round_trip(registry, engine, server_ids, interval, spacing):
    """Queue one suspension every ``spacing`` seconds while a loop like the
    daemon's runs the commands every ``interval`` seconds; measure each
    command from its commit in Odoo to the end of its acknowledgement."""
    acked, queued = {}, {}
    real_ack = engine.odoo.acknowledge

    def acknowledge(ids, success, message=None, retry=False, **kwargs):
        answer = real_ack(ids, success, message, retry=retry, **kwargs)
        now = time.monotonic()
        for command_id in ids:
            acked.setdefault(command_id, now)
        return answer

    engine.odoo.acknowledge = acknowledge
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            engine.run_commands()
            stop.wait(interval)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    for server_id in server_ids:
        command_id = queue_command(registry, server_id)
        queued[command_id] = time.monotonic()
        time.sleep(spacing)
    deadline = time.monotonic() + 30
    while len(acked) < len(queued) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    return sorted(acked[c] - queued[c] for c in queued if c in acked), len(queued)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="hosting_bench")
    parser.add_argument("--recreate", action="store_true", help="drop and create the database")
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--services", type=int, default=3, help="services per client")
    parser.add_argument("--domains", type=int, default=2, help="domains per client")
    parser.add_argument("--batch", type=int, default=500, help="records per Odoo call (the bridge's default)")
    parser.add_argument("--workers", type=int, default=2, help="Odoo HTTP workers")
    parser.add_argument("--commands", type=int, default=40, help="commands of the round-trip measure")
    parser.add_argument("--interval", type=float, default=1.0, help="command polling (the daemon's default)")
    args = parser.parse_args()
    if not odoo_available():
        print("Odoo 18 is not importable: nothing measured.")
        return 1

    from fake_platform import FakeWhmcs

    from hosting_bridge.odoo import OdooGateway
    from hosting_bridge.sync import SyncEngine
    from hosting_bridge.whmcs import WhmcsPlatform

    logging.getLogger("hosting_bridge").setLevel(logging.WARNING)
    command, odoo_dir = ensure_database(args.db, args.recreate, ADDONS)
    registry = odoo_registry(args.db, odoo_dir)
    key = setup(registry)
    fake = FakeWhmcs().start()
    started = time.perf_counter()
    fake.populate(clients=args.clients, services=args.services, domains=args.domains)
    print(f"platform filled in {time.perf_counter() - started:.1f} s: {len(fake.clients)} clients, "
          f"{len(fake.services)} services, {len(fake.domains)} domains")
    # The platform client's rate limit is set for the fake (a real WHMCS gets the configured 10/s).
    platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, code=CODE, rate=5000, burst=5000)
    try:
        with odoo_server(command, odoo_dir, args.db, args.workers) as port:
            odoo = OdooGateway(f"http://127.0.0.1:{port}", args.db, LOGIN, key, timeout=600)
            engine = SyncEngine(platform, odoo, cloud_product_ids=(1, 2, 3, 4), batch_size=args.batch)
            deadline = time.monotonic() + 300
            while True:  # a loaded machine may take minutes to start the workers
                try:
                    odoo.check()
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(2)
            started = time.perf_counter()
            summary = engine.full_sync()
            elapsed = time.perf_counter() - started
            total = summary.received
            print(f"\nfirst sync: {total} records in {elapsed:.1f} s = {total / elapsed:.0f} records/s "
                  f"(target >= 500/s) with {args.workers} Odoo workers, batches of {args.batch}")
            for kind, counts in summary.counts.items():
                print(f"  {kind:8} received {counts.received:6} created {counts.created:6} "
                      f"unchanged {counts.unchanged:6} refused {counts.refused:4}")
            print(f"  platform requests: {platform.requests_sent} (client details read one by one)")
            started = time.perf_counter()
            again = engine.full_sync()
            elapsed = time.perf_counter() - started
            print(f"second sync (nothing changed): {again.received} records in {elapsed:.1f} s = "
                  f"{again.received / elapsed:.0f} records/s, "
                  f"{sum(c.unchanged for c in again.counts.values())} unchanged")

            server_ids = [r["server_id"] for r in odoo.read("servers", CODE, list(range(1, args.commands + 1)))]
            times, count = bench_round_trip(registry, engine, server_ids, args.interval, spacing=0.37)
            if times:
                p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
                print(f"\ncommand round trip (polling every {args.interval:g} s): {len(times)}/{count} acknowledged, "
                      f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s "
                      f"(target p95 <= 2 s)")
            else:
                print("\ncommand round trip: no command acknowledged")
    finally:
        platform.close()
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
