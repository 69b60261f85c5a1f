#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Start Odoo 18 with Prepaid Cloud Credit and its demo data on http://localhost:8069.

The database (``prepaid_demo`` unless ``ODOO_DEMO_DB`` says otherwise) is
created on the first run with the addons and their demo data, and reused
afterwards: first Odoo's Italian chart of accounts (``l10n_it``) and the
card-like payment provider, then every addon of the repository, whose demo
makes the main company the Italian hosting company *Appennino Cloud*. Log in
as ``admin`` / ``admin``.

    python3 scripts/run_demo.py [--db prepaid_demo] [--port 8069]

Ctrl-C or SIGTERM stops the Odoo server it started: Odoo runs in a process
group of its own, which receives the signal and is killed if it has not
stopped within 20 seconds.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_tests import addons_path, db_args, odoo_available, odoo_bin_command, repository_addons  # noqa: E402


def database_exists(name):
    proc = subprocess.run(
        ["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-p", os.environ.get("PGPORT", "5432"),
         "-U", os.environ.get("PGUSER", "odoo"), "-d", "postgres", "-Atc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    return proc.stdout.strip() == "1"


def run_in_own_group(args):
    """Run Odoo in a process group of its own and return its exit code.

    SIGINT (Ctrl-C), SIGTERM and SIGHUP sent to this script are passed to
    the whole group, so that no Odoo process (workers, cron threads, a
    server still installing) outlives it; a group that does not stop within
    20 seconds is killed.

    :return: Odoo's exit code, or 128 + the signal number when stopped by one
    """
    proc = subprocess.Popen(args, start_new_session=True)
    deadline = []

    def stop(signum, _frame):
        if not deadline:
            deadline.append(time.monotonic() + 20)
            deadline.append(signum)
        try:
            os.killpg(proc.pid, signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)
        except ProcessLookupError:
            pass

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if deadline and time.monotonic() > deadline[0]:
                    os.killpg(proc.pid, signal.SIGKILL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # Odoo's own children may still be there (workers): leave none behind.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    # Stopped on request: the shell's convention, 128 + the signal number.
    return 128 + deadline[1] if deadline else code


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("--db", default=os.environ.get("ODOO_DEMO_DB", "prepaid_demo"),
                        help="the demo database, created on first use (default: ODOO_DEMO_DB or prepaid_demo)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ODOO_HTTP_PORT", "8069")),
                        help="Odoo's HTTP port (default: ODOO_HTTP_PORT or 8069)")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    available, why = odoo_available()
    if not available:
        print(
            f"Cannot start the demo: {why}.\n"
            "Prepaid Cloud Credit is an Odoo 18.0 addon: install Odoo 18.0 from source "
            "(https://www.odoo.com/documentation/18.0/administration/on_premise/source.html) "
            "so that `python3 -c 'import odoo'` works, then run this command again.",
            file=sys.stderr,
        )
        return 2
    command, odoo_dir = odoo_bin_command()
    db, port = options.db, options.port
    args = command + ["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db,
                      "--db-filter", f"^{db}$", "--http-port", str(port)]
    if not database_exists(db):
        # The Italian chart is installed first, so that the demo company can take it.
        for addons in ("payment_demo,l10n_it", ",".join(repository_addons())):
            print(f"Installing {addons} with demo data in {db} (a few minutes)...", flush=True)
            code = run_in_own_group(args + ["-i", addons, "--stop-after-init", "--log-level", "warn"])
            if code:
                print(f"Installing {addons} failed (exit {code}).", file=sys.stderr)
                return code
    print(f"Prepaid Cloud Credit demo: http://localhost:{port} (admin / admin). Ctrl-C stops it.", flush=True)
    return run_in_own_group(args)


if __name__ == "__main__":
    sys.exit(main())
