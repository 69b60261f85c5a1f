# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The hosting bridge end to end: the fake WHMCS platform, the bridge's sync
engine, and this Odoo over real XML-RPC on the test server's port, as the
integration user with an API key.

The domains of the platform go to the domain addon: with it installed (as
the test command installs every addon), the flows include them."""

import json
import time
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.hosting_common import HostingBridgeCommon, OdooError

from hosting_bridge.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookReceiver, sign

# Every product of the fake platform is a cloud server here, so that these
# flows need only this addon; hosting plans and licences as renewable services
# are tested in prepaid_cloud_credit_renewal/tests/test_hosting_bridge_renewal.py.
CLOUD_PRODUCTS = (1, 2, 3, 4)


@tagged("post_install", "-at_install")
class TestHostingBridge(HostingBridgeCommon):
    """The flows of issue 16, each run twice to prove it is applied once."""

    cloud_product_ids = CLOUD_PRODUCTS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.has_domains = "prepaid.domain" in cls.env
        if cls.has_domains:
            Tld = cls.env["prepaid.domain.tld"].sudo()
            for name in (".com", ".it", ".net", ".eu", ".org"):
                if not Tld.with_context(active_test=False).search([("name", "=", name)]):
                    Tld.create({"name": name})

    # -- helpers -------------------------------------------------------------------

    def flush(self):
        """Write what this test changed, for the server thread's cursor to see it."""
        self.env.flush_all()

    def server(self, service_id):
        self.env.invalidate_all()
        return self.env["prepaid.cloud.server"].sudo().search([
            ("company_id", "=", self.company.id), ("platform_code", "=", "whmcs"), ("platform_id", "=", service_id),
        ])

    def suspended_server(self):
        """A client's cloud server synced from the platform, whose wallet Odoo
        suspends: return the platform service id and the command queued."""
        client_id = self.fake.add_client()
        service_id = self.fake.add_service(client_id, pid=2)
        self.engine.full_sync()
        self.link(client_id).wallet_id._cloud_suspend("Prepaid credit exhausted")
        self.flush()
        return service_id, self.server(service_id).command_ids

    def platform_counts(self):
        Server = self.env["prepaid.cloud.server"].sudo()
        company = [("company_id", "=", self.company.id), ("platform_code", "=", "whmcs")]
        return (
            self.env["prepaid.platform.client"].sudo().search_count(company),
            self.env["prepaid.wallet"].sudo().search_count([("company_id", "=", self.company.id)]),
            Server.search_count(company),
            self.env["prepaid.domain"].sudo().search_count(company) if self.has_domains else 0,
            self.env["prepaid.wallet.transaction"].sudo().search_count([("company_id", "=", self.company.id)]),
        )

    # -- the flows -----------------------------------------------------------------------

    def test_full_sync_of_100_clients_creates_them_once(self):
        """Test that a full sync of 100 clients with services and domains creates partners, wallets,
        servers and domains, and that a second sync and a reconciliation change nothing."""
        self.fake.populate(clients=100, services=3, domains=2 if self.has_domains else 0)
        before = self.platform_counts()
        summary = self.engine.full_sync()
        self.assertEqual(summary.refused, 0, summary.counts)
        self.assertEqual(summary.kind("clients").created, 100)
        self.assertEqual(summary.kind("servers").created, 300)
        domains = 200 if self.has_domains else 0
        self.assertEqual(summary.kind("domains").created, domains)
        after = self.platform_counts()
        self.assertEqual([a - b for a, b in zip(after, before, strict=True)][:4], [100, 100, 300, domains])

        client = self.fake.clients[3]
        link = self.link(3)
        self.assertEqual(link.partner_id.email, client["email"])
        self.assertEqual(link.wallet_id.currency_id.name, client["currency_code"])
        self.assertEqual(self.server(7).ref, "whmcs:7")
        self.assertEqual(self.server(7).wallet_id, self.link(int(self.fake.services[7]["clientid"])).wallet_id)

        again = self.engine.full_sync()
        self.assertEqual(again.kind("clients").unchanged, 100)
        self.assertEqual(again.kind("servers").unchanged, 300)
        self.assertEqual(again.kind("domains").unchanged, domains)
        self.assertEqual(self.platform_counts(), after)
        report = self.engine.reconcile()
        self.assertEqual([d for d in report.drift if set(d.fields) != {"credit"}], [])

    def test_existing_partner_is_linked_by_email(self):
        """Test that a first sync links a client to the company's partner with the same e-mail (any case)
        instead of creating another one."""
        partner = self.env["res.partner"].create({"name": "Ada L.", "email": "Ada@Example.com"})
        self.flush()
        self.fake.add_client("ada@example.com")
        self.engine.full_sync(kinds=("clients",))
        self.assertEqual(self.link(1).partner_id, partner)

    def test_suspension_decided_by_odoo_runs_on_the_platform_and_is_acknowledged(self):
        """Test that a suspension queued by Odoo is executed on the platform once and acknowledged."""
        service_id, command = self.suspended_server()
        self.assertEqual(command.mapped("state"), ["pending"])
        self.assertSuspensionRunsOnce(command, service_id)
        # The platform's state, synced back, is the state Odoo decided: no command comes back.
        self.engine.full_sync()
        self.assertEqual(self.server(service_id).state, "suspended")
        self.assertEqual(len(self.server(service_id).command_ids), 1)

    def test_sync_before_the_command_runs_keeps_odoo_decision(self):
        """Test that a sync while a suspension is on its way does not put the server back to active."""
        service_id, _command = self.suspended_server()
        self.engine.full_sync()
        self.assertEqual(self.server(service_id).state, "suspended")

    def test_add_funds_payment_is_credited_once(self):
        """Test that an add-funds invoice paid on the platform becomes one credit, however often it is sent."""
        client_id = self.fake.add_client(currency="EUR")
        invoice_id = self.fake.add_invoice(client_id, [("AddFunds", "50.00")])
        self.fake.pay_invoice(invoice_id)
        self.engine.full_sync(kinds=("clients",))
        wallet = self.link(client_id).wallet_id
        summary = self.engine.credit_invoices([invoice_id])
        self.assertEqual(summary.kind("invoices").created, 1)
        again = self.engine.credit_invoices([invoice_id])
        self.assertEqual(again.kind("invoices").unchanged, 1)
        wallet.invalidate_recordset()
        self.assertEqual(wallet.balance, 50.0)
        self.assertEqual(len(wallet.transaction_ids), 1)
        # The credit came from the platform: the mirror does not add it there again.
        self.assertEqual(self.engine.mirror_credit()["applied"], 0)
        self.assertEqual(self.fake.actions().count("AddCredit"), 0)

    def test_same_invoice_with_another_amount_is_refused(self):
        """Test that an invoice id sent again with another amount is refused and credits nothing."""
        client_id = self.fake.add_client(currency="EUR")
        self.engine.full_sync(kinds=("clients",))
        first = self.odoo.credit_invoices("whmcs", [{"id": 9, "client_id": client_id, "amount": "20.00",
                                                     "currency": "EUR", "date_paid": "2026-11-21 10:00:00"}])
        self.assertEqual(first[0]["status"], "done")
        second = self.odoo.credit_invoices("whmcs", [{"id": 9, "client_id": client_id, "amount": "25.00",
                                                      "currency": "EUR", "date_paid": "2026-11-21 10:00:00"}])
        self.assertEqual(second[0]["status"], "refused")
        self.assertIn("9", second[0]["error"])
        wallet = self.link(client_id).wallet_id
        wallet.invalidate_recordset()
        self.assertEqual(wallet.balance, 20.0)

    def test_odoo_debit_is_mirrored_on_the_platform_once(self):
        """Test that a movement of the Odoo wallet changes the platform credit once, even when mirrored twice."""
        client_id = self.fake.add_client(currency="EUR")
        self.engine.full_sync(kinds=("clients",))
        wallet = self.link(client_id).wallet_id
        wallet._ledger_apply("credit", 30, "test:hosting:credit", kind="paid")
        wallet._ledger_apply("debit", 4.2, "test:hosting:debit", purpose="usage")
        self.flush()
        self.assertEqual(self.engine.mirror_credit()["applied"], 2)
        self.assertEqual(self.fake.clients[client_id]["credit"], "25.80")
        self.odoo.set_cursor("whmcs", "credit_mirror", 0)  # never rewinds
        self.assertEqual(self.engine.mirror_credit()["applied"], 0)
        self.assertEqual(self.fake.clients[client_id]["credit"], "25.80")

    def test_webhook_replayed_or_badly_signed_is_refused(self):
        """Test that a signed webhook event reaches Odoo once; a replay, a bad signature or an old timestamp
        is refused and changes nothing."""
        client_id = self.fake.add_client(email="new@example.com")
        receiver = WebhookReceiver("hook-secret", self.engine.handle_event)
        body = json.dumps({"id": "evt-1", "type": "client.added", "data": {"client_id": client_id}}).encode()
        now = str(int(time.time()))

        def post(payload, timestamp, secret="hook-secret"):
            headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, payload)}
            status, answer = receiver.receive(headers, payload)
            while not receiver.queue.empty():
                self.engine.handle_event(receiver.queue.get_nowait())
            return status, answer

        self.assertEqual(post(body, now, secret="wrong")[0], 401)
        self.assertFalse(self.link(client_id))
        self.assertEqual(post(body, str(int(time.time()) - 3600))[0], 401)
        self.assertFalse(self.link(client_id))
        self.assertEqual(post(body, now)[0], 202)
        self.assertEqual(self.link(client_id).partner_id.email, "new@example.com")
        self.fake.clients[client_id]["email"] = "changed@example.com"
        status, answer = post(body, now)
        self.assertEqual((status, answer["status"]), (200, "duplicate"))
        self.assertEqual(self.link(client_id).partner_id.email, "new@example.com")

    def test_platform_down_then_back_retries_the_command(self):
        """Test that a command whose platform is down is put back with a delay, then done once it is back."""
        service_id, command = self.suspended_server()
        logs = self.assertSuspensionWaitsForThePlatform(command, service_id)
        self.assertIn("commands postponed", logs[0])

    def test_command_failing_every_time_ends_failed(self):
        """Test that a command refused at every attempt is failed after the maximum, with the platform's
        message."""
        self.env["ir.config_parameter"].sudo().set_param("prepaid_cloud_credit.command_max_attempts", "2")
        self.flush()
        service_id, command = self.suspended_server()
        self.fake.module_errors[service_id] = "Server unreachable"
        for _attempt in range(2):
            command.invalidate_recordset()
            command.sudo().next_attempt_date = False
            self.flush()
            self.engine.run_commands()
        command.invalidate_recordset()
        self.assertEqual((command.state, command.attempts), ("failed", 2))
        self.assertIn("Server unreachable", command.message)

    def test_bridge_killed_in_the_middle_of_a_sync_converges(self):
        """Test that a sync that dies half way, run again, ends with every record once."""
        self.fake.populate(clients=30, services=2, domains=1 if self.has_domains else 0)
        before = self.platform_counts()
        real_upsert, calls = self.odoo.upsert, []

        def dying_upsert(kind, code, records):
            calls.append(kind)
            if kind == "servers" and calls.count("servers") == 1:
                real_upsert(kind, code, records)
                raise KeyboardInterrupt("killed")
            return real_upsert(kind, code, records)

        with patch.object(self.odoo, "upsert", dying_upsert), self.assertRaises(KeyboardInterrupt):
            self.engine.full_sync()
        summary = self.engine.full_sync()
        self.assertEqual(summary.refused, 0)
        after = self.platform_counts()
        self.assertEqual([a - b for a, b in zip(after, before, strict=True)][:4],
                         [30, 30, 60, 30 if self.has_domains else 0])
        self.assertEqual(self.engine.full_sync().kind("servers").unchanged, 60)

    # -- the integration methods' guards ------------------------------------------------------

    def test_malformed_batch_is_refused_whole(self):
        """Test that a batch with a malformed record raises a fault listing every problem and writes nothing."""
        before = self.platform_counts()
        good = {"id": 1, "email": "a@example.com", "firstname": "A", "lastname": "B", "companyname": "",
                "status": "Active", "currency": "EUR", "country": "IT", "created": "2026-01-15"}
        bad = [good, {**good, "id": 2, "created": "2026-13-40"}, {**good, "id": 1}, {**good, "id": -3},
               {k: v for k, v in good.items() if k != "email"} | {"id": 4}]
        with self.assertRaises(OdooError) as caught:
            self.odoo.upsert("clients", "whmcs", bad)
        for problem in ("record 1", "record 2", "record 3", "record 4", "email"):
            self.assertIn(problem, caught.exception.message)
        self.assertEqual(self.platform_counts(), before)
        with self.assertRaises(OdooError):
            self.odoo.upsert("clients", "WHMCS; drop", [good])

    def test_only_integration_users_call_the_platform_methods(self):
        """Test that a plain internal user with an API key is refused by every integration method."""
        odoo = self.plain_user_gateway("hosting_curious")
        calls = [
            lambda: odoo.upsert("clients", "whmcs", []),
            lambda: odoo.read("clients", "whmcs", [1]),
            lambda: odoo.credit_invoices("whmcs", []),
            lambda: odoo.movements("whmcs", 0),
            lambda: odoo.set_cursor("whmcs", "credit_mirror", 5),
            lambda: odoo.fetch_commands("whmcs"),
            lambda: odoo.upsert("servers", "whmcs", []),
        ] + ([lambda: odoo.upsert("domains", "whmcs", [])] if self.has_domains else [])
        for call in calls:
            with self.assertRaises(OdooError) as caught:
                call()
            self.assertTrue(caught.exception.fatal, caught.exception.message)

    def test_another_company_does_not_see_the_platform_clients(self):
        """Test that the same platform ids in another company are other records, invisible to the first."""
        self.fake.add_client("shared@example.com")
        self.engine.full_sync(kinds=("clients",))
        other = self.setup_other_company()["company"]
        self.bot.company_ids += other
        self.bot.company_id = other
        self.flush()
        self.engine.full_sync(kinds=("clients",))
        self.assertEqual(self.odoo.read("clients", "whmcs", [1])[0]["wallet_id"],
                         self.env["prepaid.platform.client"].sudo().search([
                             ("company_id", "=", other.id), ("platform_id", "=", 1)]).wallet_id.id)
        self.assertNotEqual(self.link(1).wallet_id.company_id, other)

    def test_cursor_only_moves_forward(self):
        """Test that a slower bridge never moves a cursor back."""
        self.assertEqual(self.odoo.get_cursor("whmcs", "credit_mirror"), 0)
        self.assertEqual(self.odoo.set_cursor("whmcs", "credit_mirror", 40), 40)
        self.assertEqual(self.odoo.set_cursor("whmcs", "credit_mirror", 12), 40)
        self.assertEqual(self.odoo.get_cursor("whmcs", "credit_mirror"), 40)

    def test_records_the_business_refuses_are_refused_one_by_one(self):
        """Test that a well-formed record Odoo cannot take is refused with its reason while the others
        of its batch are written."""
        if not self.has_domains:
            self.skipTest("the domain addon is not installed")
        client_id = self.fake.add_client(currency="EUR")
        self.engine.full_sync(kinds=("clients",))
        domain = {"id": 1, "client_id": client_id, "name": "good.com", "status": "active", "registrar": "enom",
                  "registration_period": 1, "registration_date": "2026-03-01", "expiry_date": "2027-03-01",
                  "next_due_date": "2027-03-01", "recurring_amount": "9.90", "auto_renew": True}
        results = self.odoo.upsert("domains", "whmcs", [
            domain,
            {**domain, "id": 2, "name": "bad.nosuchtld"},
            {**domain, "id": 3, "name": "orphan.com", "client_id": 999},
        ])
        self.assertEqual([r["status"] for r in results], ["created", "refused", "refused"])
        self.assertIn("nosuchtld", results[1]["error"])
        self.assertIn("999", results[2]["error"])
        clients = self.odoo.upsert("clients", "whmcs", [{
            "id": 77, "email": "x@example.com", "firstname": "X", "lastname": "Y", "companyname": "",
            "status": "Active", "currency": "XXX", "country": False, "created": False,
        }])
        self.assertEqual(clients[0]["status"], "refused")
        self.assertFalse(self.link(77))
        self.assertEqual(self.env["prepaid.domain"].sudo().search([("platform_id", "=", 1),
                                                                  ("platform_code", "=", "whmcs"),
                                                                  ("company_id", "=", self.company.id)]).name,
                         "good.com")
