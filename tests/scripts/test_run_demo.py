# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""``scripts/run_demo.py`` leaves no Odoo server behind when it is stopped."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def group_alive(pgid):
    """Tell whether a process of the group still runs (a zombie waiting to be reaped does not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


# A server with a child of its own, as Odoo has workers: both listen until told to stop.
SERVER = textwrap.dedent("""
    import os, signal, socket, subprocess, sys, time
    port = int(sys.argv[1])
    if len(sys.argv) > 2:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a server that will not stop
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(sys.argv[0] + ".pids", "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    while True:
        time.sleep(0.1)
""")


def run_wrapper(tmp_path, port, *extra):
    """Run run_demo.run_in_own_group on the fake server in a child Python."""
    server = tmp_path / "server.py"
    server.write_text(SERVER)
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r}); import run_demo; "
        f"sys.exit(run_demo.run_in_own_group([sys.executable, {str(server)!r}, '{port}', *{list(extra)!r}]))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    assert wait_until(lambda: listening(port), 30), "the server never listened"
    pids = [int(pid) for pid in (tmp_path / "server.py.pids").read_text().split()]
    return proc, pids


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_script_stops_the_server_and_its_children(tmp_path, signum):
    """Test that SIGTERM or Ctrl-C (SIGINT) to the script stops the server and its children, freeing the port."""
    port = free_port()
    proc, (server_pid, _child_pid) = run_wrapper(tmp_path, port)
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == 128 + signum
    assert not listening(port)
    # The server's child (a worker) is in its group: none of them runs on.
    assert wait_until(lambda: not group_alive(server_pid), 10), "a process of the server's group is left"


def test_a_server_that_ignores_sigterm_is_killed(tmp_path):
    """Test that a server that ignores SIGTERM is killed once the grace period is over."""
    port = free_port()
    proc, (server_pid, _child) = run_wrapper(tmp_path, port, "stubborn")
    started = time.monotonic()
    proc.terminate()
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert time.monotonic() - started >= 15, "killed before its grace period"
    assert not listening(port)
    assert wait_until(lambda: not group_alive(server_pid), 10), "a process of the server's group is left"


def odoo_and_postgres():
    # Asked of another Python: importing Odoo here would change logging for the other tests.
    odoo = subprocess.run([sys.executable, "-c", "import odoo.release as r; print(r.version_info[0])"],
                          capture_output=True, text=True)
    if odoo.stdout.strip() != "18":
        return False
    probe = subprocess.run(
        ["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-p", os.environ.get("PGPORT", "5432"),
         "-U", os.environ.get("PGUSER", "odoo"), "-d", "postgres", "-Atc", "select 1"],
        capture_output=True, text=True,
    )
    return probe.stdout.strip() == "1"


@pytest.mark.skipif(not odoo_and_postgres(), reason="needs Odoo 18 and the machine's PostgreSQL")
def test_sigterm_to_run_demo_frees_the_odoo_port(tmp_path):
    """Test that the real demo command, sent SIGTERM, stops the Odoo server it started and frees its port."""
    db = f"pcc_rundemo_{os.getpid()}"
    pg = ["-h", os.environ.get("PGHOST", "127.0.0.1"), "-p", os.environ.get("PGPORT", "5432"),
          "-U", os.environ.get("PGUSER", "odoo")]
    # An existing database: the command serves it at once instead of installing the demo.
    subprocess.run(["createdb", *pg, db], check=True)
    try:
        port = free_port()
        env = dict(os.environ, ODOO_DEMO_DB=db, ODOO_HTTP_PORT=str(port))
        proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run_demo.py")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(lambda: listening(port), 120), "Odoo never listened"
        proc.terminate()
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        assert wait_until(lambda: not listening(port), 10), "Odoo still listens after the script stopped"
    finally:
        subprocess.run(["dropdb", "--if-exists", *pg, db], capture_output=True)



@pytest.mark.parametrize("argv, code, output", [
    (["--help"], 0, "usage: run_demo.py"),
    (["--bogus"], 2, "unrecognized arguments: --bogus"),
    (["--port", "eighty"], 2, "invalid int value"),
])
def test_options_are_parsed_before_anything_starts(argv, code, output):
    """Test that --help prints the usage and a bad option is refused, both
    before any database is created or server started (no PostgreSQL needed)."""
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": "1"}  # nothing listens: a connection would fail
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_demo.py"), *argv],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == code
    assert output in proc.stdout + proc.stderr
    assert "Installing" not in proc.stdout
