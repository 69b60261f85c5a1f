# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""What the benchmarks share: their database, the Odoo registry and server
they measure, the FatturaPA schemas and the timing of the pure benchmarks.

Imported by the scripts of this folder as ``_common`` (a script's own folder
is on ``sys.path``); it puts ``scripts/`` and the repository on it too, for
``run_tests`` and the pure packages.
"""

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
from run_tests import ADDON, addons_path, db_args, drop_database, odoo_bin_command  # noqa: E402


def database_exists(db):
    """Whether the PostgreSQL database ``db`` exists (``PGHOST``, ``PGUSER``)."""
    return subprocess.run(
        ["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-U", os.environ.get("PGUSER", "odoo"),
         "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        stdout=subprocess.PIPE, text=True,
    ).stdout.strip() == "1"


def ensure_database(db, recreate, modules=ADDON, update_modules=None, update=True, env=None):
    """Create the bench database once, without demo data; later runs update
    its modules to the code measured.

    :param str db: the database
    :param bool recreate: drop it first
    :param str modules: the modules installed in a new database (comma-separated)
    :param str update_modules: the modules updated in an existing one; ``modules`` by default
    :param bool update: ``False`` leaves an existing database as it is
    :param dict env: the environment of the Odoo command; this process's by default
    :return: (the ``odoo-bin`` command, the Odoo directory)
    """
    command, odoo_dir = odoo_bin_command()
    if recreate:
        drop_database(db)
    exists = database_exists(db)
    if exists and not update:
        return command, odoo_dir
    print(f"{'updating' if exists else 'creating'} {db} with {modules}...", flush=True)
    subprocess.run(
        command + ["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db,
                   "-u" if exists else "-i", (update_modules or modules) if exists else modules,
                   "--without-demo", "all", "--stop-after-init", "--log-level", "warn"],
        check=True, env=env,
    )
    return command, odoo_dir


def odoo_registry(db, odoo_dir):
    """Configure Odoo in this process for ``db`` and return its registry."""
    import odoo
    from odoo.tools import config

    config.parse_config(["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db, "--log-level", "warn"])
    odoo.service.server.load_server_wide_modules()
    from odoo.modules.registry import Registry

    return Registry(db)


@contextlib.contextmanager
def odoo_server(command, odoo_dir, db, workers, *extra):
    """Run an Odoo server on a free port for the benchmark; yield its port.

    The port is ``BENCH_HTTP_PORT`` when set. The server is stopped on exit.

    :param int workers: its HTTP workers
    :param extra: more command-line options of ``odoo-bin``
    """
    port = int(os.environ.get("BENCH_HTTP_PORT") or 0) or free_port()
    server = subprocess.Popen(
        command + ["--addons-path", addons_path(odoo_dir), *db_args(), "-d", db, "--db-filter", f"^{db}$",
                   "--http-port", str(port), "--workers", str(workers), "--max-cron-threads", "0",
                   "--log-level", "warn", "--limit-time-real", "600", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        time.sleep(1.0)
        yield port
    finally:
        server.terminate()
        server.wait(30)


def free_port():
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_pkcs12(password=b"bench", days=1):
    """An RSA-2048 key with a self-signed certificate valid for ``days``,
    as a PKCS#12 encrypted with ``password``: the signer of the benchmarks."""
    import datetime

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
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"bench", key, cert, None, serialization.BestAvailableEncryption(password))


def use_shared_schemas():
    """Use the shared FatturaPA XSDs next to the repository (or above a
    worktree) unless ``FATTURAPA_SCHEMA_DIR`` says otherwise."""
    if os.environ.get("FATTURAPA_SCHEMA_DIR"):
        return
    for parent in ROOT.parents:
        shared = parent / "shared" / "fatturapa" / "xsd"
        if shared.is_dir():
            os.environ["FATTURAPA_SCHEMA_DIR"] = str(shared)
            return


def rate_arguments(description):
    """The command line of a pure benchmark timed by :func:`rate`
    (``--seconds``, ``--rounds``), parsed; then the shared schemas are used
    and this process is kept to one core, as the targets are stated.

    :return: the parsed arguments
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    use_shared_schemas()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    return args


def rate(func, seconds: float, rounds: int) -> float:
    """Best invoices/second over ``rounds`` runs of about ``seconds`` each."""
    func()  # warm-up: schema compilation, imports, caches
    best = 0.0
    for _ in range(rounds):
        count, start = 0, time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(50):
                func()
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - start))
    return best
