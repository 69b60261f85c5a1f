# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The WHMCS addon module, run by Debian's php-cli under a stub of WHMCS's
hook functions, posting to the bridge's real webhook receiver."""

import json
import shutil
import subprocess
import threading
import time

import pytest
from bridge_helpers import HERE, REPO_ROOT

from hosting_bridge.webhook import WebhookReceiver, sign

PHP = shutil.which("php")
PLUGIN = REPO_ROOT / "hosting_bridge" / "whmcs" / "modules" / "addons" / "prepaid_bridge"
SECRET = "shared-secret-of-the-php-plugin"

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (Debian package php-cli)")


@pytest.fixture
def receiver():
    events = []
    arrived = threading.Condition()

    def handler(event):
        with arrived:
            events.append(event)
            arrived.notify_all()

    with WebhookReceiver(SECRET, handler) as receiver:
        receiver.events = events
        receiver.arrived = arrived
        yield receiver


def fire(hook, vars_, *, receiver=None, secret=SECRET, localapi=None, settings=None):
    if settings is None:
        settings = {"bridge_url": f"http://127.0.0.1:{receiver.port}/webhook", "shared_secret": secret,
                    "timeout": "5"}
    spec = {"settings": settings, "localapi": localapi or {}, "hook": hook, "vars": vars_}
    result = subprocess.run([PHP, str(HERE / "php" / "fire_hook.php"), str(PLUGIN / "hooks.php")],
                            input=json.dumps(spec), capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def wait_events(receiver, count):
    with receiver.arrived:
        assert receiver.arrived.wait_for(lambda: len(receiver.events) >= count, timeout=5)
    return receiver.events


def test_plugin_files_are_valid_php():
    """Test that php -l accepts both files of the module."""
    for name in ("prepaid_bridge.php", "hooks.php"):
        result = subprocess.run([PHP, "-l", str(PLUGIN / name)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_plugin_registers_the_documented_hook_points():
    """Test that hooks.php registers exactly the WHMCS hook points of the events the bridge takes."""
    result = fire(None, {}, settings={})
    assert sorted(result["hooks"]) == sorted([
        "ClientAdd", "ClientEdit", "AfterModuleCreate", "AfterModuleSuspend", "AfterModuleUnsuspend",
        "AfterModuleTerminate", "InvoicePaid", "AfterRegistrarRegistration", "AfterRegistrarRenewal",
        "DomainTransferCompleted",
    ])


def test_php_and_python_sign_the_same_way():
    """Test that the plugin's signature of a body equals the receiver's."""
    body = '{"id":"x","type":"client.added","data":{"client_id":7}}'
    code = (f"define('WHMCS', true); require '{PLUGIN / 'prepaid_bridge.php'}';"
            f"echo prepaid_bridge_sign('{SECRET}', '1764000000', '{body}');")
    result = subprocess.run([PHP, "-r", code], capture_output=True, text=True)
    assert result.stdout == sign(SECRET, 1764000000, body.encode())


@pytest.mark.parametrize(
    ("hook", "vars_", "event_type", "data"),
    [
        ("ClientAdd", {"client_id": 7, "userid": 7, "email": "ada@example.com"}, "client.added", {"client_id": 7}),
        ("ClientEdit", {"userid": 7, "olddata": {}}, "client.changed", {"client_id": 7}),
        ("AfterModuleCreate", {"params": {"serviceid": 42, "userid": 7}}, "service.created", {"service_id": 42}),
        ("AfterModuleSuspend", {"params": {"serviceid": 42}}, "service.suspended", {"service_id": 42}),
        ("AfterModuleUnsuspend", {"params": {"serviceid": 42}}, "service.unsuspended", {"service_id": 42}),
        ("AfterModuleTerminate", {"params": {"serviceid": 42}}, "service.terminated", {"service_id": 42}),
        ("AfterRegistrarRegistration", {"params": {"domainid": 5, "sld": "example", "tld": "it"}},
         "domain.registered", {"domain_id": 5}),
        ("AfterRegistrarRenewal", {"params": {"domainid": 5}}, "domain.renewed", {"domain_id": 5}),
        ("DomainTransferCompleted", {"domainId": 5, "domain": "example.it"}, "domain.transferred",
         {"domain_id": 5}),
    ],
)
def test_each_hook_reaches_the_receiver_signed(receiver, hook, vars_, event_type, data):
    """Test that a WHMCS hook point sends its event, which the real receiver accepts and hands on."""
    result = fire(hook, vars_, receiver=receiver)
    assert result["activity"] == []
    (event,) = wait_events(receiver, 1)
    assert (event.type, event.data) == (event_type, data)
    assert len(event.id) == 32 and event.occurred_at.endswith("Z")


def test_paid_add_funds_invoice_is_sent_and_another_invoice_is_not(receiver):
    """Test that InvoicePaid sends an event for an add-funds invoice only, read with GetInvoice."""
    funds = {"GetInvoice": {"result": "success", "invoiceid": "301", "userid": "7", "status": "Paid",
                            "items": {"item": [{"id": "1", "type": "AddFunds", "amount": "50.00"}]}}}
    result = fire("InvoicePaid", {"invoiceid": 301}, receiver=receiver, localapi=funds)
    assert result["calls"] == [["GetInvoice", {"invoiceid": 301}]]
    (event,) = wait_events(receiver, 1)
    assert (event.type, event.data) == ("invoice.paid", {"invoice_id": 301})
    hosting = {"GetInvoice": {"result": "success", "invoiceid": "302", "userid": "7", "status": "Paid",
                              "items": {"item": [{"id": "2", "type": "Hosting", "amount": "12.95"},
                                                 {"id": "3", "type": "AddFunds", "amount": "5.00"}]}}}
    fire("InvoicePaid", {"invoiceid": 302}, receiver=receiver, localapi=hosting)
    time.sleep(0.3)
    assert len(receiver.events) == 1


def test_a_wrong_secret_is_refused_by_the_receiver_and_logged_in_whmcs(receiver):
    """Test that an event signed with another secret gets 401, reaches no handler, and is in the activity log."""
    result = fire("ClientAdd", {"client_id": 7}, receiver=receiver, secret="another-secret-of-16-chars")
    assert len(result["activity"]) == 1
    assert "client.added not taken (HTTP 401)" in result["activity"][0]
    assert "invalid signature" in result["activity"][0]
    time.sleep(0.2)
    assert receiver.events == [] and receiver.stats["refused"] == 1


def test_an_unconfigured_module_sends_nothing_and_says_so(receiver):
    """Test that without a URL or with a short secret nothing is sent and the activity log says why."""
    result = fire("ClientAdd", {"client_id": 7}, settings={"bridge_url": "", "shared_secret": SECRET})
    assert "not configured" in result["activity"][0]
    result = fire("ClientAdd", {"client_id": 7}, settings={
        "bridge_url": f"http://127.0.0.1:{receiver.port}/webhook", "shared_secret": "short"})
    assert "not configured" in result["activity"][0]
    assert receiver.stats["accepted"] == 0 and receiver.stats["refused"] == 0


def test_a_bridge_out_of_reach_never_breaks_whmcs(receiver):
    """Test that a closed port is logged in the activity log and the hook returns normally."""
    port = receiver.port
    receiver.stop()
    result = fire("ClientAdd", {"client_id": 7}, settings={
        "bridge_url": f"http://127.0.0.1:{port}/webhook", "shared_secret": SECRET, "timeout": "2"})
    assert "HTTP no answer" in result["activity"][0]
