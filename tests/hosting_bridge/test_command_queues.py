# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The command loop against both Odoo queues (cloud servers and renewable
services), with a fake Odoo side that answers the contract's calls and the
fake platform. The same flows with a real Odoo are tested in the addons."""

from hosting_bridge.odoo import OdooGateway
from hosting_bridge.sync import Summary, SyncEngine

CLOUD = "prepaid.cloud.command"
RENEWAL = "prepaid.renewal.command"


class FakeOdooSide(OdooGateway):
    """The calls of :class:`OdooGateway` answered from memory.

    :param models: the models installed in this fake database
    """

    def __init__(self, models):
        self._models = None
        self.installed = set(models)
        self.queues = {CLOUD: {}, RENEWAL: {}}
        self.calls = []

    def queue(self, model, command_id, action, platform_id):
        self.queues[model][command_id] = {"id": command_id, "action": action, "reason": "", "platform_code": "whmcs",
                                          "platform_id": platform_id, "attempts": 0, "state": "pending"}

    def execute(self, model, method, *args, **kwargs):
        self.calls.append((model, method))
        if model == "prepaid.wallet" and method == "platform_models":
            return [name for name in args[0] if name in self.installed]
        assert model in self.installed, f"{model} called but not installed"
        commands = self.queues[model]
        if method == "fetch_pending":
            taken = [c for c in commands.values() if c["state"] == "pending"][: kwargs["limit"]]
            for command in taken:
                command["state"] = "sent"
            return [{k: v for k, v in c.items() if k != "state"} for c in taken]
        if method == "acknowledge":
            ids, success, retry = args[0], kwargs["success"], kwargs["retry"]
            for command_id in ids:
                command = commands[command_id]
                assert command["state"] == "sent", "acknowledged on the wrong queue or twice"
                command["state"] = "acknowledged" if success else ("pending" if retry else "failed")
                command["message"] = kwargs["message"]
            return len(ids)
        if method == "search_count":
            return sum(1 for c in commands.values() if c["state"] == args[0][0][2])
        raise AssertionError(f"unexpected call {model}.{method}")


def test_commands_of_both_queues_run_on_the_platform_and_are_acknowledged_on_their_queue(fake, make_platform):
    """Test that a cloud and a renewal command (same id in both queues) are executed and each
    acknowledged on the queue it came from, once."""
    client = fake.add_client()
    server, hosting = fake.add_service(client, pid=2), fake.add_service(client, pid=1)
    odoo = FakeOdooSide({CLOUD, RENEWAL, "prepaid.renewal.service"})
    odoo.queue(CLOUD, 1, "suspend", server)
    odoo.queue(RENEWAL, 1, "terminate", hosting)
    engine = SyncEngine(make_platform(), odoo, cloud_product_ids=(2,), sleep=lambda _s: None)

    assert engine.run_commands() == {"fetched": 2, "done": 2, "failed": 0}
    assert fake.services[server]["status"] == "Suspended"
    assert fake.services[hosting]["status"] == "Terminated"
    assert odoo.queues[CLOUD][1]["state"] == odoo.queues[RENEWAL][1]["state"] == "acknowledged"
    assert fake.actions().count("ModuleTerminate") == 1
    assert engine.run_commands() == {"fetched": 0, "done": 0, "failed": 0}
    assert odoo.calls.count(("prepaid.wallet", "platform_models")) == 1
    assert odoo.command_counts() == {"pending": 0, "sent": 0, "failed": 0}


def test_without_the_renewal_addon_only_the_cloud_queue_is_asked(fake, make_platform):
    """Test that the renewal queue is never called when Odoo lacks the renewal addon."""
    client = fake.add_client()
    server = fake.add_service(client, pid=2)
    odoo = FakeOdooSide({CLOUD})
    odoo.queue(CLOUD, 5, "suspend", server)
    engine = SyncEngine(make_platform(), odoo, cloud_product_ids=(2,), sleep=lambda _s: None)

    assert engine.run_commands() == {"fetched": 1, "done": 1, "failed": 0}
    assert RENEWAL not in {model for model, _method in odoo.calls}


def test_renewal_command_refused_by_the_platform_goes_back_to_its_queue(fake, make_platform):
    """Test that a renewal command the platform refuses (unknown service) is acknowledged for a retry
    on the renewal queue, and the cloud command after it still runs."""
    client = fake.add_client()
    server = fake.add_service(client, pid=2)
    odoo = FakeOdooSide({CLOUD, RENEWAL})
    odoo.queue(RENEWAL, 3, "suspend", 999)
    odoo.queue(CLOUD, 4, "suspend", server)
    engine = SyncEngine(make_platform(), odoo, cloud_product_ids=(2,), sleep=lambda _s: None)

    assert engine.run_commands() == {"fetched": 2, "done": 1, "failed": 1}
    assert odoo.queues[RENEWAL][3]["state"] == "pending"
    assert odoo.queues[CLOUD][4]["state"] == "acknowledged"


def test_services_are_not_sent_when_odoo_has_no_renewal_addon(fake, make_platform):
    """Test that a hosting plan of the platform is counted refused, with the reason, and never sent
    to a model Odoo does not have."""
    client = fake.add_client()
    fake.add_service(client, pid=1)
    odoo = FakeOdooSide({CLOUD})
    engine = SyncEngine(make_platform(), odoo, cloud_product_ids=(2,), sleep=lambda _s: None)
    summary = Summary()
    engine._sync_pages("services", engine.platform.service_pages(), engine.service_kind, summary)
    assert (summary.kind("services").received, summary.kind("services").refused) == (1, 1)
    assert "prepaid.renewal.service is not installed" in summary.kind("services").errors[0]
    assert set(odoo.calls) == {("prepaid.wallet", "platform_models")}
