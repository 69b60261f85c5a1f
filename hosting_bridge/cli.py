# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Command line: ``hosting-bridge check|sync|run|status``.

Exit codes: 0 success, 1 a connection or a flow failed (or records were
refused), 2 the configuration is unusable, 3 an unexpected internal error.
Settings come from the TOML file (``--config``), secrets from the
environment; logs are JSON lines on stderr, results on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

import requests

from . import logs
from .config import Config, load
from .errors import BridgeError, ConfigError, OdooError, PlatformError
from .odoo import OdooGateway
from .ratelimit import TokenBucket
from .sync import SyncEngine
from .whmcs import WhmcsPlatform

PROG = "hosting-bridge"
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3


def make_platform(config: Config, bucket: TokenBucket | None = None) -> WhmcsPlatform:
    p = config.platform
    return WhmcsPlatform(
        p.url, p.identifier, p.secret, code=p.code, accesskey=p.accesskey, connect_timeout=p.connect_timeout,
        timeout=p.timeout, retries=p.retries, backoff=p.backoff, max_backoff=p.max_backoff, rate=p.rate_limit,
        burst=p.burst, page_size=p.page_size, client_details=p.client_details, bucket=bucket,
    )


def make_odoo(config: Config) -> OdooGateway:
    o = config.odoo
    return OdooGateway(o.url, o.database, o.login, o.api_key, timeout=o.timeout)


def make_engine(config: Config, progress: bool = False, bucket: TokenBucket | None = None) -> SyncEngine:
    return SyncEngine(
        make_platform(config, bucket), make_odoo(config), cloud_product_ids=config.platform.cloud_product_ids,
        batch_size=config.odoo.batch_size, usage_batch=config.usage.batch_size, progress=progress,
        disk_meter=config.usage.disk_meter, bandwidth_meter=config.usage.bandwidth_meter,
    )


def _probe(label: str, call) -> tuple[bool, str]:
    try:
        facts = call()
    except (PlatformError, OdooError) as error:
        return False, f"{label}: FAILED {error}"
    return True, f"{label}: ok " + " ".join(f"{k}={v}" for k, v in facts.items())


# ------------------------------------------------------------------ commands


def cmd_check(args, config: Config) -> int:
    print(f"configuration: ok ({config.path})")
    results = [_probe("platform", make_platform(config).check), _probe("odoo", make_odoo(config).check)]
    for _ok, line in results:
        print(line)
    return EXIT_OK if all(ok for ok, _line in results) else EXIT_FAILED


def _print_summary(summary, out) -> None:
    print(f"{'KIND':<10} {'RECEIVED':>9} {'CREATED':>8} {'UPDATED':>8} {'UNCHANGED':>10} {'REFUSED':>8}", file=out)
    for kind, c in summary.counts.items():
        print(f"{kind:<10} {c.received:>9} {c.created:>8} {c.updated:>8} {c.unchanged:>10} {c.refused:>8}", file=out)
    rate = summary.received / summary.elapsed if summary.elapsed else 0.0
    print(f"{summary.received} records in {summary.elapsed:.1f} s ({rate:.0f}/s), {summary.refused} refused",
          file=out)
    for counts in summary.counts.values():
        for error in counts.errors[:20]:
            print(f"refused: {error}", file=out)


def cmd_sync(args, config: Config) -> int:
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    engine = make_engine(config, progress=progress)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = set(kinds) - {"clients", "services", "domains"}
    if unknown:
        print(f"{PROG}: unknown kinds: {', '.join(sorted(unknown))} (clients, services, domains)", file=sys.stderr)
        return EXIT_CONFIG
    summary = engine.full_sync(kinds)
    _print_summary(summary, sys.stdout)
    return EXIT_FAILED if summary.refused else EXIT_OK


def cmd_run(args, config: Config) -> int:
    from .daemon import Daemon

    # One request rate for the whole process: every loop has its own
    # connections but they share the platform's limit.
    bucket = TokenBucket(config.platform.rate_limit, config.platform.burst)
    daemon = Daemon(config, lambda: make_engine(config, bucket=bucket))
    stop = threading.Event()

    def on_signal(signum, _frame):
        logging.getLogger(__name__).info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    daemon.start()
    while not stop.wait(0.5):
        pass
    return EXIT_OK if daemon.stop() else EXIT_FAILED


def cmd_status(args, config: Config) -> int:
    status = {"config": str(config.path), "platform": {"code": config.platform.code, "url": config.platform.url}}
    healthy = True
    try:
        status["platform"].update(make_platform(config).check(), reachable=True)
    except PlatformError as error:
        status["platform"].update(reachable=False, error=str(error))
        healthy = False
    odoo = make_odoo(config)
    status["odoo"] = {"url": config.odoo.url, "database": config.odoo.database}
    try:
        status["odoo"].update(odoo.check(), reachable=True)
        status["odoo"]["commands"] = odoo.command_counts()
    except OdooError as error:
        status["odoo"].update(reachable=False, error=str(error))
        healthy = False
    hook = config.webhook
    host = "127.0.0.1" if hook.listen in ("0.0.0.0", "::", "") else hook.listen
    try:
        health = requests.get(f"http://{host}:{hook.port}/healthz", timeout=3).json()
        status["daemon"] = {"running": True, **health}
    except (requests.RequestException, ValueError):
        status["daemon"] = {"running": False}
    if args.json:
        print(json.dumps(status, indent=2, default=str))
    else:
        for part in ("platform", "odoo", "daemon"):
            facts = status[part]
            state = ("running" if facts.get("running") else "not running") if part == "daemon" else (
                "reachable" if facts.get("reachable") else "UNREACHABLE")
            details = " ".join(f"{k}={v}" for k, v in facts.items() if k not in ("reachable", "running"))
            print(f"{part}: {state} {details}".rstrip())
    return EXIT_OK if healthy else EXIT_FAILED


# ------------------------------------------------------------------ entry point

_NEEDS = {"check": ("platform", "odoo"), "sync": ("platform", "odoo"), "run": ("platform", "odoo", "webhook"),
          "status": ("platform", "odoo")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Join a WHMCS-style hosting platform to Odoo's "
                                                             "prepaid wallets.")
    parser.add_argument("-c", "--config", help="the TOML file (default: $HOSTING_BRIDGE_CONFIG or "
                                               "./hosting-bridge.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check the configuration and both connections")
    sync = commands.add_parser("sync", help="full sync of clients, services and domains into Odoo")
    sync.add_argument("--kinds", default="clients,services,domains", help="what to sync, comma-separated")
    bars = sync.add_mutually_exclusive_group()
    bars.add_argument("--progress", dest="progress", action="store_true", default=None, help="show progress bars")
    bars.add_argument("--no-progress", dest="progress", action="store_false", help="hide progress bars")
    commands.add_parser("run", help="run the daemon: webhook, commands, reconciliation (stops on SIGTERM)")
    status = commands.add_parser("status", help="show both connections, the command queue and the daemon")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load(args.config, need=_NEEDS[args.command])
    except ConfigError as error:
        print(f"{PROG}: the configuration has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    logs.setup(config.log.level, config.log.format)
    handlers = {"check": cmd_check, "sync": cmd_sync, "run": cmd_run, "status": cmd_status}
    try:
        return handlers[args.command](args, config)
    except BridgeError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    except Exception:
        logging.getLogger(__name__).exception("internal error")
        return EXIT_INTERNAL
