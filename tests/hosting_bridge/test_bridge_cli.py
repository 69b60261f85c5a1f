# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The ``hosting-bridge`` command line, run as a process: configuration
errors, ``check`` and ``status`` with parts down, ``run`` and SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from bridge_helpers import REPO_ROOT, free_port

from hosting_bridge.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

WEBHOOK_SECRET = "a-webhook-secret-of-32-characters"


def environment(**extra):
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(REPO_ROOT),
        "HOSTING_BRIDGE_PLATFORM_IDENTIFIER": "bridge-identifier",
        "HOSTING_BRIDGE_PLATFORM_SECRET": "bridge-secret",
        "HOSTING_BRIDGE_ODOO_API_KEY": "an-odoo-api-key",
        "HOSTING_BRIDGE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    })
    env.pop("HOSTING_BRIDGE_CONFIG", None)
    env.update(extra)
    return env


def write_config(tmp_path, platform_url, *, webhook_port=None, extra=""):
    path = tmp_path / "bridge.toml"
    path.write_text(f"""
[platform]
url = "{platform_url}"
retries = 0
timeout = 2
connect_timeout = 1
rate_limit = 100
burst = 100

[odoo]
url = "http://127.0.0.1:{free_port()}"
database = "nowhere"
login = "bridge"
timeout = 2

[webhook]
port = {webhook_port or free_port()}

[daemon]
command_interval = 0.2
mirror_interval = 0.5

{extra}
""")
    return path


def bridge(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "hosting_bridge", *args], capture_output=True, text=True,
                          env=env or environment(), cwd=REPO_ROOT, timeout=timeout)


def test_check_with_a_bad_configuration_lists_every_problem(tmp_path):
    """Test that check refuses a file with a secret, a bad URL and an unknown key, naming each, exit 2."""
    path = tmp_path / "bad.toml"
    path.write_text('[platform]\nurl = "ftp://billing"\nsecret = "oops"\npage = 3\n[odoo]\nurl = "http://x"\n')
    result = bridge("-c", str(path), "check", env=environment(HOSTING_BRIDGE_ODOO_API_KEY=""))
    assert result.returncode == 2
    for expected in ("[platform] url: expected an http(s) URL", "[platform] secret: secrets are read from the "
                     "environment", "[platform] page: unknown setting", "[odoo] database: required",
                     "HOSTING_BRIDGE_ODOO_API_KEY: not set"):
        assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_check_without_a_configuration_file_says_where_it_looked(tmp_path):
    """Test that a missing file is one clear line, exit 2."""
    result = bridge("-c", str(tmp_path / "missing.toml"), "check")
    assert result.returncode == 2
    assert "missing.toml: no such file" in result.stderr


def test_check_with_invalid_toml_is_a_configuration_error(tmp_path):
    """Test that a file that is not TOML is reported with its parse error."""
    path = tmp_path / "broken.toml"
    path.write_text("[platform\nurl = 1\n")
    result = bridge("-c", str(path), "check")
    assert result.returncode == 2 and "not valid TOML" in result.stderr


def test_check_reports_the_platform_down_and_odoo_unreachable(tmp_path, fake):
    """Test that check with the platform down and Odoo unreachable says FAILED for both, exit 1."""
    path = write_config(tmp_path, fake.url)
    fake.down()
    result = bridge("-c", str(path), "check")
    assert result.returncode == 1
    assert "configuration: ok" in result.stdout
    assert "platform: FAILED GetClients: ConnectionError" in result.stdout
    assert "odoo: FAILED version: ConnectionRefusedError" in result.stdout


def test_check_reports_the_platform_reachable(tmp_path, fake):
    """Test that check with the platform up shows its client count, and Odoo still failing gives exit 1."""
    fake.populate(clients=3, services=0, domains=0)
    result = bridge("-c", str(write_config(tmp_path, fake.url)), "check")
    assert "platform: ok" in result.stdout and "clients=3" in result.stdout
    assert result.returncode == 1


def test_check_reports_refused_platform_credentials(tmp_path, fake):
    """Test that wrong API credentials are reported as the platform's authentication failure."""
    path = write_config(tmp_path, fake.url)
    result = bridge("-c", str(path), "check", env=environment(HOSTING_BRIDGE_PLATFORM_SECRET="wrong"))
    assert "platform: FAILED GetClients: Authentication Failed" in result.stdout
    assert result.returncode == 1


def test_status_shows_each_part_and_the_daemon_not_running(tmp_path, fake):
    """Test that status reports the platform reachable, Odoo unreachable and no daemon, as JSON too."""
    fake.populate(clients=2, services=1, domains=0)
    path = write_config(tmp_path, fake.url)
    result = bridge("-c", str(path), "status", "--json")
    assert result.returncode == 1
    status = json.loads(result.stdout)
    assert status["platform"]["reachable"] is True and status["platform"]["clients"] == 2
    assert status["odoo"]["reachable"] is False
    assert status["daemon"] == {"running": False}
    text = bridge("-c", str(path), "status").stdout
    assert "platform: reachable" in text and "odoo: UNREACHABLE" in text and "daemon: not running" in text


def wait_for_health(port, process, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail("the daemon never answered /healthz")


def test_run_takes_webhooks_and_stops_cleanly_on_sigterm(tmp_path, fake):
    """Test that run serves the webhook while Odoo is down, shows in status, and exits 0 on SIGTERM."""
    port = free_port()
    path = write_config(tmp_path, fake.url, webhook_port=port)
    process = subprocess.Popen([sys.executable, "-m", "hosting_bridge", "-c", str(path), "run"],
                               env=environment(), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_for_health(port, process)
        body = json.dumps({"id": "evt-run", "type": "client.added", "data": {"client_id": 1}}).encode()
        timestamp = str(int(time.time()))
        answer = requests.post(f"http://127.0.0.1:{port}/webhook", data=body, timeout=5, headers={
            TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(WEBHOOK_SECRET, timestamp, body)})
        assert answer.status_code == 202
        status = json.loads(bridge("-c", str(path), "status", "--json").stdout)
        assert status["daemon"]["running"] is True and status["daemon"]["accepted"] == 1
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert time.monotonic() - started < 15
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line["message"] == "signal received, stopping" and line["signal"] == "SIGTERM" for line in lines)
    assert any(line["message"] == "bridge stopped" and line["clean"] is True for line in lines)
    # Odoo was down all along: the loops logged it and kept going.
    assert any(line["message"] == "task failed" for line in lines)
