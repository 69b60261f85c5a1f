#!/usr/bin/env python3
# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Start Odoo 18 with Prepaid Cloud Credit and its demo data on http://localhost:8069.

The database (``prepaid_demo`` unless ``ODOO_DEMO_DB`` says otherwise) is
created on the first run with the addon and its demo customers, and reused
afterwards. Log in as ``admin`` / ``admin``. Stop with Ctrl-C.
"""

import os
import subprocess
import sys
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


def main():
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
    db = os.environ.get("ODOO_DEMO_DB", "prepaid_demo")
    port = os.environ.get("ODOO_HTTP_PORT", "8069")
    args = command + ["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db,
                      "--db-filter", f"^{db}$", "--http-port", port]
    if not database_exists(db):
        addons = ",".join(["payment_demo", *repository_addons()])
        print(f"Creating database {db} with {addons} and their demo data (a few minutes)...", flush=True)
        init = subprocess.run(args + ["-i", addons, "--stop-after-init", "--log-level", "warn"])
        if init.returncode:
            print(f"Installing {addons} failed (exit {init.returncode}).", file=sys.stderr)
            return init.returncode
    print(f"Prepaid Cloud Credit demo: http://localhost:{port} (admin / admin). Ctrl-C stops it.", flush=True)
    try:
        return subprocess.call(args)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
