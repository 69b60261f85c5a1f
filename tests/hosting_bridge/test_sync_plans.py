# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The decisions of the sync engine that need neither side (pure functions),
and its platform half against the fake platform. The flows end to end with
Odoo are tested with the Odoo side of the bridge, against a real Odoo."""

import doctest
from datetime import date
from decimal import Decimal

import pytest
from bridge_helpers import free_port

from hosting_bridge import models, ratelimit, webhook
from hosting_bridge.errors import OdooError
from hosting_bridge.models import Client, Counts, CreditEntry, Domain
from hosting_bridge.odoo import OdooGateway
from hosting_bridge.sync import SyncEngine, chunks, diff_record, mirror_tag, plan_credit_mirror, read_usage_feed


def movement(mid, amount, balance, client=7, origin=False):
    return {"id": mid, "client_id": client, "wallet_id": 12, "currency": "EUR", "amount": amount,
            "balance": balance, "reference": f"TX/{mid}", "origin": origin}


def test_credit_mirror_adds_credits_and_removes_debits_with_the_movement_tag():
    """Test that a credit becomes an add and a debit a remove, each description tagged with the movement."""
    ops = plan_credit_mirror("whmcs", [movement(1, "50.00", "50.00"), movement(2, "-4.20", "45.80")], {7: []})
    assert [(op.amount, op.remove) for op in ops] == [(Decimal("50.00"), False), (Decimal("4.20"), True)]
    assert ops[0].description == f"Prepaid credit TX/1 {mirror_tag(1)}"


def test_credit_mirror_skips_what_the_credit_log_already_holds():
    """Test that a movement whose tag is in the client's credit log is not added again (a rerun)."""
    log = [CreditEntry(1, date(2026, 11, 21), f"Prepaid credit TX/1 {mirror_tag(1)}", Decimal("50.00"))]
    ops = plan_credit_mirror("whmcs", [movement(1, "50.00", "50.00"), movement(2, "10.00", "60.00")], {7: log})
    assert [op.movement_id for op in ops] == [2]


def test_credit_mirror_does_not_echo_the_platforms_own_add_funds():
    """Test that a credit that came from this platform's invoice is not added on the platform again."""
    own = movement(3, "25.00", "25.00", origin="platform:whmcs:invoice:301")
    other = movement(4, "5.00", "30.00", origin="platform:other:invoice:9")
    assert [op.movement_id for op in plan_credit_mirror("whmcs", [own, other], {7: []})] == [4]


def test_credit_mirror_keeps_the_platform_credit_at_zero_through_debt():
    """Test that usage into debt removes only the positive balance, and repaying the debt adds nothing."""
    moves = [movement(1, "-30.00", "-10.00"), movement(2, "5.00", "-5.00"), movement(3, "15.00", "10.00")]
    ops = plan_credit_mirror("whmcs", moves, {7: []})
    # 20 -> -10 removes 20; -10 -> -5 changes nothing; -5 -> 10 adds 10.
    assert [(op.movement_id, op.amount, op.remove) for op in ops] == [(1, Decimal("20.00"), True),
                                                                      (3, Decimal("10.00"), False)]


def test_diff_record_reports_changed_fields_and_missing_records():
    """Test that the reconciliation diff sees changed values, equal amounts as equal, and missing records."""
    sent = Client(7, "ada@example.com", "Ada", "Lovelace", currency="EUR").as_odoo()
    stored = dict(sent, email="old@example.com", created=False)
    assert diff_record(sent, stored) == {"email": ("old@example.com", "ada@example.com")}
    assert diff_record(sent, None) == {"*": (None, "missing")}
    domain = Domain(5, 7, "example.it", "active", recurring_amount=Decimal("9.9")).as_odoo()
    assert diff_record(domain, dict(domain, recurring_amount="9.90")) == {}


def test_usage_feed_csv_and_json_lines_give_compact_rows(tmp_path):
    """Test that a CSV feed and a JSON-lines feed both give [server, meter, hour, quantity] rows."""
    csv_feed = tmp_path / "usage.csv"
    csv_feed.write_text("server,meter,hour,quantity\nwhmcs:42,vcpu,2026-11-20T13:00:00Z,2\n")
    assert list(read_usage_feed(csv_feed)) == [["whmcs:42", "vcpu", "2026-11-20 13:00:00", 2.0]]
    json_feed = tmp_path / "usage.jsonl"
    json_feed.write_text('["whmcs:42", "ram_gb", "2026-11-20 13:00:00", 4]\n'
                         '{"server": "whmcs:43", "meter": "disk_gb", "hour": "2026-11-20 14:00:00", "quantity": 20}\n')
    assert [row[0] for row in read_usage_feed(json_feed)] == ["whmcs:42", "whmcs:43"]


def test_a_usage_feed_with_bad_lines_is_refused_whole_with_every_line_named(tmp_path):
    """Test that negative, non-finite, mid-hour and malformed lines are all listed and nothing is returned."""
    feed = tmp_path / "bad.csv"
    feed.write_text("server,meter,hour,quantity\n"
                    "whmcs:1,vcpu,2026-11-20 13:00:00,1\n"
                    "whmcs:1,vcpu,2026-11-20 13:30:00,1\n"
                    "whmcs:1,vcpu,2026-11-20 14:00:00,-1\n"
                    "whmcs:1,vcpu,yesterday,nan\n"
                    ",vcpu,2026-11-20 15:00:00,1\n")
    with pytest.raises(ValueError) as error:
        read_usage_feed(feed)
    message = str(error.value)
    for line in ("line 3: hour", "line 4: quantity -1.0", "line 5: hour 'yesterday'", "line 6: no server"):
        assert line in message
    header = tmp_path / "header.csv"
    header.write_text("srv,meter,hour,qty\n")
    with pytest.raises(ValueError, match="header"):
        read_usage_feed(header)


def test_chunks_cut_batches_of_at_most_the_size():
    """Test that 2,500 rows go in batches of 1,000, 1,000 and 500."""
    assert [len(batch) for batch in chunks(range(2500), 1000)] == [1000, 1000, 500]


def test_counts_from_results_separate_refusals():
    """Test that per-record results are counted, refusals with their reason."""
    counts = Counts.from_results([{"platform_id": 1, "status": "created"}, {"platform_id": 2, "status": "unchanged"},
                                  {"platform_id": 3, "status": "refused", "error": "unknown client"}])
    assert (counts.created, counts.unchanged, counts.refused) == (1, 1, 1)
    assert counts.errors == ["3: unknown client"]


def test_commands_act_on_the_platform_only_when_needed(fake, make_platform):
    """Test that a suspend command suspends an active service and is a no-op on a suspended one."""
    client_id = fake.add_client()
    service_id = fake.add_service(client_id)
    engine = SyncEngine(make_platform(), odoo=None)
    command = {"id": 1, "action": "suspend", "platform_id": service_id, "reason": "Balance below the floor"}
    assert engine._apply_command(command) == "suspend done on the platform"
    assert fake.services[service_id]["suspensionreason"] == "Balance below the floor"
    sent = fake.actions().count("ModuleSuspend")
    assert engine._apply_command(command) == "already suspended on the platform"
    assert fake.actions().count("ModuleSuspend") == sent
    with pytest.raises(ValueError):
        engine._apply_command(dict(command, action="delete"))


def test_platform_usage_gives_disk_and_bandwidth_of_cloud_servers(fake, make_platform):
    """Test that the platform's disk and bandwidth figures become GB rows at their hour, for cloud servers only."""
    client_id = fake.add_client()
    cloud = fake.add_service(client_id, pid=2, diskusage=2048, bwusage=512, lastupdate="2026-11-20 13:42:00")
    fake.add_service(client_id, pid=1, diskusage=100, lastupdate="2026-11-20 13:42:00")
    engine = SyncEngine(make_platform(), odoo=None, cloud_product_ids=[2, 3], disk_meter="disk_gb",
                        bandwidth_meter="bandwidth_gb")
    assert list(engine.platform_usage()) == [
        [f"whmcs:{cloud}", "disk_gb", "2026-11-20 13:00:00", 2.0],
        [f"whmcs:{cloud}", "bandwidth_gb", "2026-11-20 13:00:00", 0.5],
    ]


def test_odoo_out_of_reach_is_a_retryable_error():
    """Test that the gateway reports an Odoo that refuses connections as a retryable OdooError."""
    gateway = OdooGateway(f"http://127.0.0.1:{free_port()}", "db", "bridge", "key", timeout=2)
    with pytest.raises(OdooError) as error:
        gateway.check()
    assert error.value.retryable and not error.value.fatal
    with pytest.raises(ValueError):
        OdooGateway("ftp://odoo", "db", "bridge", "key")
    with pytest.raises(ValueError, match="at most 1000"):
        gateway.upsert("clients", "whmcs", [{}] * 1001)


@pytest.mark.parametrize("module", [ratelimit, webhook, models])
def test_docstring_examples_hold(module):
    """Test that the examples in the docstrings are true."""
    assert doctest.testmod(module).failed == 0
