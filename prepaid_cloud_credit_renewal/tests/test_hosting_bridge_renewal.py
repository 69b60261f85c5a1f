# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The hosting bridge and renewable services end to end: the fake WHMCS
platform, the bridge's sync engine, and this Odoo over real XML-RPC on the
test server's port, as the integration user with an API key.

The platform's hosting plans and licences become renewable services; its
cloud products stay cloud servers (of the usage addon, when installed)."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.hosting_common import HostingBridgeCommon, OdooError

# The fake platform's products: 1 shared hosting, 2 and 3 cloud servers, 4 a licence.
CLOUD_PRODUCTS = (2, 3)
HOSTING, LICENCE = 1, 4


@tagged("post_install", "-at_install")
class TestHostingBridgeRenewal(HostingBridgeCommon):
    """Renewable services synced from the platform, and the commands Odoo's
    renewal engine queues for them executed there and acknowledged once."""

    cloud_product_ids = CLOUD_PRODUCTS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)

    # -- helpers -------------------------------------------------------------------

    def service(self, service_id):
        self.env.invalidate_all()
        return self.env["prepaid.renewal.service"].sudo().search([
            ("company_id", "=", self.company.id), ("platform_code", "=", "whmcs"),
            ("platform_ref", "=", str(service_id)),
        ])

    def due(self, days):
        return fields.Date.to_string(self.today + timedelta(days=days))

    def platform_service(self, pid=HOSTING, due_in=200, **kwargs):
        client_id = self.fake.add_client()
        return client_id, self.fake.add_service(client_id, pid=pid, billingcycle="Annually",
                                                nextduedate=self.due(due_in), **kwargs)

    # -- the flows -----------------------------------------------------------------------

    def test_hosting_plans_and_licences_become_renewal_services_once(self):
        """Test that a full sync makes renewable services of the non-cloud products, with the client's
        customer, a product per platform product and the due date as expiry, and that a second sync and a
        reconciliation change nothing."""
        self.assertTrue(self.odoo.has_model("prepaid.renewal.service"))
        self.assertEqual(self.odoo.command_models(),
                         [m for m in ("prepaid.cloud.command", "prepaid.renewal.command") if m in self.env])
        with self.assertRaises(OdooError):
            self.odoo.execute("prepaid.wallet", "platform_models", ["res.users"])
        client_id, hosting_id = self.platform_service(HOSTING)
        licence_id = self.fake.add_service(client_id, pid=LICENCE, billingcycle="Monthly", amount="9.90",
                                           nextduedate=self.due(20))
        self.fake.add_service(client_id, pid=2)
        summary = self.engine.full_sync()
        self.assertEqual(summary.kind("services").created, 2, summary.counts)
        self.assertEqual(summary.kind("services").refused, 0)

        hosting, licence = self.service(hosting_id), self.service(licence_id)
        link = self.link(client_id)
        self.assertEqual(hosting.partner_id, link.partner_id.commercial_partner_id)
        self.assertEqual(hosting.currency_id, link.wallet_id.currency_id)
        self.assertEqual((hosting.expiry_date, hosting.period, hosting.state),
                         (self.today + timedelta(days=200), "year", "active"))
        self.assertEqual(hosting.product_id.prepaid_platform_product, "whmcs:1")
        self.assertTrue(hosting.product_id.prepaid_renewable)
        self.assertEqual((licence.period, licence.state), ("month", "expiring"))
        self.assertEqual(licence.product_id.prepaid_renewal_price_month, 9.90)
        self.assertFalse((hosting | licence).command_ids, "a sync queues no command back")
        self.assertFalse(self.env["prepaid.renewal.service"].sudo().search([
            ("platform_code", "=", "whmcs"), ("platform_ref", "not in", [str(hosting_id), str(licence_id)]),
            ("partner_id", "=", hosting.partner_id.id),
        ]), "the cloud server is no renewal service")

        again = self.engine.full_sync()
        self.assertEqual(again.kind("services").unchanged, 2)
        self.assertEqual(self.env["product.product"].sudo().search_count(
            [("prepaid_platform_product", "in", ("whmcs:1", "whmcs:4"))]), 2)
        report = self.engine.reconcile()
        self.assertEqual([d for d in report.drift if d.kind == "services"], [])

    def test_renewal_service_suspended_by_the_cron_is_suspended_on_the_platform_once(self):
        """Test that a synced service past its grace period is suspended by Odoo's daily cron, the
        suspension runs on the platform once and is acknowledged, and a sync afterwards keeps it."""
        _client_id, service_id = self.platform_service(due_in=-20)
        self.engine.full_sync()
        service = self.service(service_id)
        self.assertEqual(service.state, "grace", "a sync never suspends: the cron does, and tells the platform")
        self.assertFalse(service.command_ids)

        self.env["prepaid.renewal.service"]._cron_update_states()
        self.assertEqual(service.state, "suspended")
        command = service.command_ids
        self.assertEqual((command.action, command.state), ("suspend", "pending"))
        self.env.flush_all()
        self.assertSuspensionRunsOnce(command, service_id)
        self.assertEqual(self.fake.actions().count("ModuleSuspend"), 1)

        self.engine.full_sync()
        service = self.service(service_id)
        self.assertEqual(service.state, "suspended")
        self.assertEqual(len(service.command_ids), 1)

    def test_cloud_and_renewal_commands_run_together_each_acknowledged_on_its_queue(self):
        """Test that with the usage addon installed one run takes a server's suspension and a renewable
        service's, runs both on the platform and acknowledges each on its own queue."""
        if "prepaid.cloud.command" not in self.env:
            self.skipTest("prepaid_cloud_credit_usage is not installed")
        client_id, service_id = self.platform_service(due_in=-20)
        server_id = self.fake.add_service(client_id, pid=2)
        self.engine.full_sync()
        self.env["prepaid.renewal.service"]._cron_update_states()
        link = self.link(client_id)
        link.wallet_id._cloud_suspend("Prepaid credit exhausted")
        self.env.flush_all()
        server_command = self.env["prepaid.cloud.command"].sudo().search([
            ("server_id.platform_code", "=", "whmcs"), ("server_id.platform_id", "=", server_id),
        ])
        service_command = self.service(service_id).command_ids
        self.assertEqual((server_command.state, service_command.state), ("pending", "pending"))

        self.assertEqual(self.engine.run_commands(), {"fetched": 2, "done": 2, "failed": 0})
        self.assertEqual(self.fake.services[server_id]["status"], "Suspended")
        self.assertEqual(self.fake.services[service_id]["status"], "Suspended")
        self.env.invalidate_all()
        self.assertEqual((server_command.state, service_command.state), ("acknowledged", "acknowledged"))
        self.assertEqual(self.fake.actions().count("ModuleSuspend"), 2)

    def test_platform_down_puts_the_renewal_command_back_then_runs_it(self):
        """Test that a renewal command whose platform is down is put back with a delay and an attempt
        counted, then done once the platform is back."""
        _client_id, service_id = self.platform_service(due_in=-20)
        self.engine.full_sync()
        self.env["prepaid.renewal.service"]._cron_update_states()
        command = self.service(service_id).command_ids
        self.env.flush_all()
        self.assertSuspensionWaitsForThePlatform(command, service_id)

    def test_platform_suspension_is_written_without_a_command_back(self):
        """Test that a service suspended on the platform is suspended in Odoo and queues nothing."""
        _client_id, service_id = self.platform_service(status="Suspended")
        self.engine.full_sync()
        service = self.service(service_id)
        self.assertEqual(service.state, "suspended")
        self.assertFalse(service.command_ids)

    def test_records_the_business_refuses_are_refused_one_by_one(self):
        """Test that an unknown client, a service without due date and a terminated service coming back
        are refused each with its reason, while the good record is written."""
        client_id, terminated_id = self.platform_service(status="Terminated")
        self.engine.full_sync()
        self.assertEqual(self.service(terminated_id).state, "terminated")
        Service = self.env["prepaid.renewal.service"].with_user(self.bot)
        good = {"id": 9001, "client_id": client_id, "product_id": HOSTING, "product_name": "Starter",
                "group_name": "Shared Hosting", "status": "active", "domain": "example.org",
                "billing_cycle": "Annually", "recurring_amount": "50.00", "registration_date": "2026-01-20",
                "next_due_date": self.due(100), "suspension_reason": ""}
        back = {**good, "id": terminated_id}
        results = Service.platform_upsert_services("whmcs", [
            {**good, "id": 9002, "client_id": 424242}, {**good, "id": 9003, "next_due_date": False}, back, good,
        ])
        self.assertEqual([r["status"] for r in results], ["refused", "refused", "refused", "created"])
        self.assertIn("424242", results[0]["error"])
        self.assertIn("due date", results[1]["error"])
        self.assertIn("terminated", results[2]["error"])
        self.assertEqual(self.service(terminated_id).state, "terminated")
        self.assertFalse(self.service(9002) | self.service(9003))
        self.assertEqual(Service.platform_read_services("whmcs", [9001, 9002])[0]["service_id"], results[3]["id"])

    def test_malformed_batch_is_refused_whole(self):
        """Test that a batch with a malformed record raises a fault listing every problem and writes nothing."""
        client_id, _service_id = self.platform_service()
        self.engine.full_sync(kinds=("clients",))
        good = {"id": 7001, "client_id": client_id, "product_id": HOSTING, "product_name": "Starter",
                "group_name": "Shared Hosting", "status": "active", "domain": "", "billing_cycle": "Annually",
                "recurring_amount": "50.00", "registration_date": False, "next_due_date": self.due(30),
                "suspension_reason": ""}
        bad = [good, {**good, "id": 7002, "next_due_date": "2026-02-30"}, {**good, "recurring_amount": "-1"},
               {**good, "id": 7003, "status": "sleeping"}]
        with self.assertRaises(OdooError) as caught:
            self.odoo.upsert("services", "whmcs", bad)
        for problem in ("record 1", "record 2", "record 3"):
            self.assertIn(problem, caught.exception.message)
        self.assertFalse(self.service(7001))
        with self.assertRaises(OdooError):
            self.odoo.upsert("services", "WHMCS; drop", [good])

    def test_only_integration_users_call_the_service_methods(self):
        """Test that a plain internal user with an API key is refused by the service and command methods."""
        odoo = self.plain_user_gateway("hosting_renewal_curious")
        for call in (
            lambda: odoo.upsert("services", "whmcs", []),
            lambda: odoo.installed_models(),
            lambda: odoo.read("services", "whmcs", [1]),
            lambda: odoo.execute("prepaid.renewal.command", "fetch_pending", limit=10, platform_code="whmcs"),
            lambda: odoo.acknowledge([1], True, model="prepaid.renewal.command"),
        ):
            with self.assertRaises(OdooError) as caught:
                call()
            self.assertTrue(caught.exception.fatal, caught.exception.message)
