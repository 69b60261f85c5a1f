# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re
from urllib.parse import parse_qs

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .cloud_common import DAY, CloudCommon
from .common import PrepaidPortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(PrepaidPortalCommon, HttpCase):
    """Every portal route that writes acts for the logged-in user's own
    customer only: not for another customer, not for an employee who reads
    every wallet in the backend, and a replayed form changes nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tld = cls.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or cls.env["prepaid.domain.tld"].create(
            {"name": ".com"}
        )
        for operation in ("register", "renew"):
            cls.env["prepaid.domain.price"].create({
                "company_id": cls.company.id, "currency_id": cls.currency.id, "tld_id": tld.id,
                "operation": operation, "years": 1, "price": 10,
            })
        cls.other_domain = cls.env["prepaid.domain"].create(
            {"name": "rival-cloud.com", "wallet_id": cls.other_wallet.id}
        )
        with freeze_time("2026-11-21"):
            cls.other_domain.sudo()._execute_operation("register", 1)
        cls.batch = cls.env["prepaid.voucher.batch"].create({
            "name": "Access", "company_id": cls.company.id, "currency_id": cls.currency.id,
            "amount": 15, "code_count": 1,
        })
        cls.batch.action_generate_codes()
        cls.batch.action_activate()

    def other_state(self):
        """Everything a portal route could change for the other customer."""
        self.other_wallet.invalidate_recordset()
        self.other_domain.invalidate_recordset()
        return (
            self.ledger_snapshot(self.other_wallet),
            self.other_wallet.low_balance_alert,
            self.other_wallet.low_balance_threshold,
            self.other_domain.expiry_date,
            len(self.recharges(self.other_wallet)),
            self.batch.voucher_ids.use_count,
        )

    def assertRefusedToMy(self, response):
        self.assertIn(response.status_code, (301, 302, 303))
        self.assertEqual(self.location(response).path, "/my")

    def write_routes(self):
        """The routes that write, aimed at the other customer's wallet and domain."""
        wallet, domain = self.other_wallet.id, self.other_domain.id
        return [
            (f"/my/wallet/{wallet}/alerts", {"enabled": "on", "threshold": "999"}),
            (f"/my/wallet/{wallet}/voucher", {"code": self.batch.voucher_ids.code}),
            (f"/my/wallet/{wallet}/recharge", {"amount": "50", "payment_method": "bank_transfer"}),
            (f"/my/wallet/{wallet}/recharge", {"amount": "50", "payment_method": "bank_transfer", "confirm": "1"}),
            (f"/my/domains/{domain}/renew", {"years": "1", "expiry": "2027-11-21"}),
        ]

    def test_internal_prepaid_user_cannot_act_for_another_customer_on_the_portal(self):
        """Test that an employee with Prepaid Credit / User, who reads every wallet in the
        backend, neither sets alerts, activates vouchers, recharges nor renews for a customer
        on the portal."""
        self.assertTrue(self.other_wallet.with_user(self.staff_user).has_access("read"), "reads it in the backend")
        before = self.other_state()
        self.login(self.staff_user)
        for url, data in self.write_routes():
            with self.subTest(url=url, data=data):
                self.assertRefusedToMy(self.post(url, **data))
        response = self.post("/my/domains/renew", years="1", domain_ids=str(self.other_domain.id))
        self.assertRefusedToMy(response)
        response = self.url_open(f"/my/wallet/{self.other_wallet.id}/recharge", allow_redirects=False)
        self.assertRefusedToMy(response)
        self.assertEqual(self.other_state(), before)

    def test_another_customer_cannot_act_for_the_customer_on_the_portal(self):
        """Test that a portal user of another customer is refused by every writing route."""
        before = self.other_state()
        self.login(self.customer_user)
        for url, data in self.write_routes():
            with self.subTest(url=url, data=data):
                self.assertRefusedToMy(self.post(url, **data))
        self.assertEqual(self.other_state(), before)

    def test_internal_prepaid_user_cannot_pay_another_customers_recharge(self):
        """Test that the payment route refuses an employee paying another customer's recharge,
        even with the recharge's share token, and creates no payment."""
        Recharge = self.env["prepaid.recharge"].sudo()
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.other_wallet, 50, "online"))
        recharge.action_confirm()
        self.login(self.staff_user)
        answer = self.transaction_request(recharge)
        self.assertIn("your own account", answer["error"]["data"]["message"])
        self.assertFalse(recharge.payment_transaction_ids)
        page = self.url_open(f"{recharge.get_portal_url()}").text
        self.assertNotIn("o_payment_form", page, "a share link shows the recharge, not its payment form")

    def test_internal_prepaid_user_sees_only_its_own_customer_on_the_portal(self):
        """Test that the portal pages of an employee list no other customer's wallet, balance or domain."""
        self.credit(321.09)
        self.login(self.staff_user)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["prepaid_balance", "prepaid_domain_count"]})
        self.assertFalse(counters["prepaid_balance"])
        self.assertEqual(counters["prepaid_domain_count"], 0)
        home = self.url_open("/my").text
        self.assertNotIn("321.09", home)
        self.assertNotIn("rival-cloud.com", self.url_open("/my/domains").text)
        self.assertRefusedToMy(self.url_open(f"/my/wallet/{self.wallet.id}", allow_redirects=False))
        self.assertRefusedToMy(self.url_open(f"/my/domains/{self.other_domain.id}", allow_redirects=False))
        self.assertIn("no prepaid credit yet", self.url_open("/my/wallet").text)

    def test_share_link_shows_the_wallet_but_never_writes_to_it(self):
        """Test that a wallet's share token opens its page for someone else, but no form
        posted with it changes the wallet."""
        token = self.other_wallet._portal_ensure_token()
        before = self.other_state()
        self.login(self.customer_user)
        page = self.url_open(f"/my/wallet/{self.other_wallet.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Rival Cloud", page.text)
        for url, data in self.write_routes():
            with self.subTest(url=url):
                self.assertRefusedToMy(self.post(url, access_token=token, **data))
        self.assertEqual(self.other_state(), before)

    def test_non_ascii_access_token_is_no_token(self):
        """Test that a share token that cannot be compared (not ASCII) redirects instead of failing."""
        self.other_wallet._portal_ensure_token()
        self.login(self.customer_user)
        for token in ("é" * 36, "%00"):
            response = self.url_open(f"/my/wallet/{self.other_wallet.id}?access_token={token}", allow_redirects=False)
            self.assertRefusedToMy(response)

    # ------------------------------------------------------------------ replays

    def test_confirmed_recharge_form_sent_again_creates_one_recharge(self):
        """Test that the confirmation of the summary, sent twice (double click, back button,
        replay), creates one recharge and one bill, and leads both times to it."""
        self.login(self.customer_user)
        summary = self.post(f"/my/wallet/{self.wallet.id}/recharge", amount="50", payment_method="bank_transfer")
        key = re.search(r'name="request_key" value="([0-9a-f]{32})"', summary.text).group(1)
        locations = []
        for _attempt in range(2):
            response = self.post(
                f"/my/wallet/{self.wallet.id}/recharge", amount="50", payment_method="bank_transfer",
                confirm="1", request_key=key,
            )
            locations.append(self.location(response).path)
        recharge = self.recharges()
        self.assertEqual(len(recharge), 1)
        self.assertEqual(locations, [recharge.access_url] * 2)
        self.assertFalse(recharge.invoice_id, "a payment request: no invoice before the payment")
        # A new summary is a new request.
        self.confirm_recharge("60", method="bank_transfer")
        self.assertEqual(len(self.recharges()), 2)

    def test_plan_order_sent_again_leads_to_the_same_order(self):
        """Test that ordering the same plan twice while the first order awaits payment creates one recharge."""
        tier = self.env.ref("prepaid_cloud_credit.tier_member")
        if not tier.entry_ids.filtered(lambda entry: entry.currency_id == self.currency):
            tier.entry_ids = [Command.create({"currency_id": self.currency.id, "amount": 50})]
        self.login(self.customer_user)
        paths = [
            self.location(self.post("/my/plans/buy", tier_id=str(tier.id), currency_id=str(self.currency.id))).path
            for _attempt in range(2)
        ]
        recharge = self.recharges().filtered(lambda r: r.tier_id == tier)
        self.assertEqual(len(recharge), 1)
        self.assertEqual(paths, [recharge.access_url] * 2)

    def test_replayed_voucher_and_alert_forms_change_nothing_more(self):
        """Test that the voucher form sent twice activates the code once, and the alert form twice
        leaves the same settings."""
        code = self.batch.voucher_ids.code
        self.login(self.customer_user)
        self.post(f"/my/wallet/{self.wallet.id}/voucher", code=code)
        response = self.post(f"/my/wallet/{self.wallet.id}/voucher", code=code)
        self.assertIn("already been used", parse_qs(self.location(response).query)["error"][0])
        self.assertEqual(self.wallet.voucher_amount, 15)
        for _attempt in range(2):
            self.post(f"/my/wallet/{self.wallet.id}/alerts", enabled="on", threshold="25")
        self.wallet.invalidate_recordset()
        self.assertEqual((self.wallet.low_balance_alert, self.wallet.low_balance_threshold), (True, 25))


@tagged("post_install", "-at_install")
class TestPortalInput(PrepaidPortalCommon, HttpCase):
    """What a customer types: a NUL, digits of another script, a number with
    separators get a message on the page, never an error page, and write nothing."""

    def setUp(self):
        super().setUp()
        self.login(self.customer_user)

    def error_of(self, response):
        self.assertIn(response.status_code, (301, 302, 303), response.text[:500])
        return parse_qs(self.location(response).query)["error"][0]

    def test_recharge_form_shows_a_message_for_text_that_is_no_amount_or_code(self):
        """Test that the recharge form answers a NUL, a separator or another script's digits with a message."""
        cases = [
            ({"amount": "50\x00"}, "digits 0-9"),
            ({"amount": "9_50"}, "digits 0-9"),
            ({"amount": "٥٠"}, "digits 0-9"),
            ({"amount": "50", "promo_code": "WELCOME\x00"}, "not allowed"),
            ({"amount": "50", "promo_code": "WELCOME\x00", "confirm": "1"}, "not allowed"),
        ]
        for data, fragment in cases:
            with self.subTest(data=data):
                response = self.post(f"/my/wallet/{self.wallet.id}/recharge", **data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(fragment, response.text)
        self.assertFalse(self.recharges())

    def test_promo_codes_typed_on_the_portal_are_throttled(self):
        """Test that after five wrong promo codes in the recharge form even a valid one is refused for a while."""
        self.env["prepaid.promo.code"].create({
            "code": "REAL10", "company_id": self.company.id, "bonus_type": "percent", "bonus_percent": 10,
        })
        for i in range(5):
            page = self.post(f"/my/wallet/{self.wallet.id}/recharge", amount="50", promo_code=f"GUESS{i}").text
            self.assertIn("does not exist", page)
        page = self.post(f"/my/wallet/{self.wallet.id}/recharge", amount="50", promo_code="real10").text
        self.assertIn("Too many failed promo codes", page)
        self.assertNotIn('id="prepaid_recharge_summary"', page)
        attempts = self.env["prepaid.voucher.attempt"].search([("user_id", "=", self.customer_user.id)])
        self.assertEqual(sorted(attempts.mapped("reason")), ["blocked"] + ["unknown"] * 5)
        self.assertEqual(set(attempts.mapped("kind")), {"promo"})
        # Voucher codes keep their own count.
        self.assertNotIn("Too many", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/voucher", code="PCC-AAAA")))

    def test_wallet_forms_answer_a_nul_with_a_message(self):
        """Test that the voucher and alert forms answer a NUL with a message and change nothing."""
        snapshot = (self.ledger_snapshot(), self.wallet.low_balance_threshold)
        self.assertIn("not allowed", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/voucher", code="PCC\x00")))
        self.assertIn("digits 0-9", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/alerts",
                                                            enabled="on", threshold="5\x00")))
        self.assertIn("digits 0-9", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/alerts",
                                                            enabled="on", threshold="١٥")))
        self.wallet.invalidate_recordset()
        self.assertEqual((self.ledger_snapshot(), self.wallet.low_balance_threshold), snapshot)
        self.assertFalse(self.env["prepaid.voucher.attempt"].search_count([("user_id", "=", self.customer_user.id)]))

    def test_domain_and_plan_forms_answer_odd_numbers_with_a_message(self):
        """Test that renewal years, expiry dates and plan ids written oddly get a message, never a crash."""
        tld = self.env["prepaid.domain.tld"].search([("name", "=", ".com")]) or self.env["prepaid.domain.tld"].create(
            {"name": ".com"})
        self.env["prepaid.domain.price"].create({
            "company_id": self.company.id, "currency_id": self.currency.id, "tld_id": tld.id,
            "operation": "renew", "years": 1, "price": 10,
        })
        self.credit(100)
        domain = self.env["prepaid.domain"].create({"name": "acme-input.com", "wallet_id": self.wallet.id})
        domain.sudo().with_context(prepaid_domain_operation=True).write(
            {"state": "active", "expiry_date": "2099-01-01"})
        snapshot = self.ledger_snapshot()
        for years in ("١", "1\x00", "²"):
            with self.subTest(years=years):
                self.assertIn("1 to 10", self.error_of(self.post(f"/my/domains/{domain.id}/renew", years=years)))
        response = self.post("/my/domains/renew", years="١", domain_ids=str(domain.id))
        self.assertIn("Choose the domains", self.error_of(response))
        self.assertIn("Choose a plan", self.error_of(self.post("/my/plans/buy", tier_id="١", currency_id="١")))
        self.assertEqual(self.url_open("/my/domain-prices?currency=EU%00&years=%D9%A1").status_code, 200)
        self.assertEqual(self.ledger_snapshot(), snapshot)
        # The expiry date shown only guards against a second submission: unreadable, it is ignored.
        response = self.post(f"/my/domains/{domain.id}/renew", years="1", expiry="\x00")
        self.assertIn("success", parse_qs(self.location(response).query))


@tagged("post_install", "-at_install")
class TestCloudReportAccess(CloudCommon, HttpCase):
    """The cloud report shows the logged-in user's own customer only, an
    employee who reads every server in the backend included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.make_server(cls, ref="acme-web")
        cls.rate(cls)
        cls.staff_user = new_test_user(
            cls.env, "stan", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)], password="stan-pass-123",
        )

    def test_internal_prepaid_user_sees_no_other_customers_usage(self):
        """Test that an employee's cloud report, export and counter hold no customer's server."""
        self.assertTrue(self.server.with_user(self.staff_user).has_access("read"), "reads it in the backend")
        self.authenticate("stan", "stan-pass-123")
        page = self.url_open(f"/my/cloud-report?date_from={DAY}&date_to={DAY}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("acme-web", page.text)
        export = self.url_open(f"/my/cloud-report/csv?date_from={DAY}&date_to={DAY}")
        self.assertNotIn("acme-web", export.text)
        response = self.url_open(
            f"/my/cloud-report?date_from={DAY}&date_to={DAY}&server_id={self.server.id}", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["cloud_server_count"]})
        self.assertEqual(counters["cloud_server_count"], 0)
