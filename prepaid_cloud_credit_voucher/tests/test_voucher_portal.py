# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from urllib.parse import parse_qs

from odoo import http
from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidPortalCommon


@tagged("post_install", "-at_install")
class TestVoucherPortal(PrepaidPortalCommon, HttpCase):
    """Voucher codes activated from the wallet page and promo codes typed in
    the recharge form, as the customer and as someone acting for another."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.batch = cls.env["prepaid.voucher.batch"].create({
            "name": "Access", "company_id": cls.company.id, "currency_id": cls.currency.id,
            "amount": 15, "code_count": 1,
        })
        cls.batch.action_generate_codes()
        cls.batch.action_activate()

    def setUp(self):
        super().setUp()
        self.login(self.customer_user)

    def csrf_token(self):
        return http.Request.csrf_token(self)

    def post_form(self, url, data):
        return self.url_open(url, data={"csrf_token": self.csrf_token(), **data})

    def error_of(self, response):
        self.assertIn(response.status_code, (301, 302, 303), response.text[:500])
        return parse_qs(self.location(response).query)["error"][0]

    def pay_online(self, recharge, state="done"):
        return self.notify(self.start_payment(recharge), state)

    def test_promo_code_adds_a_bonus_lot_when_the_recharge_is_paid(self):
        """Test that a +10 % promo shows its bonus in the summary and grants it once paid."""
        self.env["prepaid.promo.code"].create({
            "code": "CLOUD10", "company_id": self.company.id, "bonus_type": "percent", "bonus_percent": 10,
        })
        url = f"/my/wallet/{self.wallet.id}/recharge"
        summary = self.post_form(url, {"amount": "50", "promo_code": "cloud10"}).text
        self.assertIn("5.00", summary)
        recharge = self.confirm_recharge("50", promo_code="cloud10")
        self.assertEqual(recharge.promo_bonus_amount, 5)
        self.pay_online(recharge)
        self.assertEqual((self.wallet.paid_amount, self.wallet.bonus_amount), (50, 5))

    def test_unknown_promo_code_is_refused_and_writes_nothing(self):
        """Test that a wrong promo code gets a clear message and no recharge."""
        url = f"/my/wallet/{self.wallet.id}/recharge"
        page = self.post_form(url, {"amount": "50", "promo_code": "NOPE", "confirm": "1"}).text
        self.assertIn("does not exist", page)
        self.assertFalse(self.recharges())

    def _voucher_code(self, amount=15, currency=None):
        batch = self.env["prepaid.voucher.batch"].create({
            "name": "Welcome", "company_id": self.company.id, "currency_id": (currency or self.currency).id,
            "amount": amount, "code_count": 1,
        })
        batch.action_generate_codes()
        batch.action_activate()
        return batch.voucher_ids.code

    def _activate(self, code):
        token = self.csrf_token()
        return self.url_open(f"/my/wallet/{self.wallet.id}/voucher", data={"csrf_token": token, "code": code})

    def test_customer_activates_a_voucher_spent_before_paid_credit(self):
        """Test that a voucher code typed in the portal becomes a voucher lot consumed first."""
        self.credit(20, "paid")
        code = self._voucher_code(15)
        page = self._activate(code.lower()).text
        self.assertIn("Voucher activated", page)
        self.assertEqual(self.wallet.voucher_amount, 15)
        tx = self.debit(10)
        self.assertEqual(tx.allocation_ids.kind, "voucher")
        self.assertIn("already been used", self._activate(code).text)
        self.assertEqual(self.wallet.voucher_amount, 5)

    def test_wrong_currency_voucher_is_refused(self):
        """Test that a voucher in another currency gets a clear error and adds nothing."""
        other = self.env.ref("base.EUR") if self.currency.name != "EUR" else self.env.ref("base.USD")
        other.active = True
        code = self._voucher_code(15, other)
        self.assertIn(f"not in {self.currency.name}", self._activate(code).text)
        self.assertFalse(self.wallet.transaction_ids)

    def test_guessing_voucher_codes_is_rate_limited(self):
        """Test that after five wrong codes even a valid one is refused for a while."""
        code = self._voucher_code(15)
        for i in range(5):
            self.assertIn("does not exist", self._activate(f"PCC-AAAA-BBBB-CCC{i}").text)
        self.assertIn("Too many failed voucher attempts", self._activate(code).text)
        self.assertFalse(self.wallet.transaction_ids)

    def test_payment_of_a_cancelled_recharge_is_flagged_and_grants_no_bonus(self):
        """Test that a payment started before the recharge was cancelled, and completed after,
        credits neither the recharge nor its promo bonus, and is flagged for refund."""
        promo = self.env["prepaid.promo.code"].create({
            "code": "ONCE10", "company_id": self.company.id, "bonus_type": "percent", "bonus_percent": 10,
            "max_uses": 1,
        })
        recharge = self.confirm_recharge("50", promo_code="ONCE10")
        self.assertEqual(recharge.promo_state, "reserved")
        tx = self.start_payment(recharge)
        recharge.action_cancel()
        self.assertEqual((recharge.state, recharge.promo_state, promo.reserved_count), ("cancelled", "released", 0))
        self.notify(tx)
        self.assertEqual(recharge.state, "cancelled")
        self.assertFalse(self.wallet.transaction_ids, "neither credit nor bonus")
        self.assertEqual(promo.use_count, 0)
        self.assertTrue(tx.payment_id.prepaid_refund_due)
        self.assertTrue(recharge.refund_due)

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

    def test_another_customer_cannot_activate_a_voucher_in_the_customers_wallet(self):
        """Test that the voucher form aimed at another customer's wallet, by its customer or an
        employee, even with the wallet's share token, is refused and leaves the code unused."""
        token = self.other_wallet._portal_ensure_token()
        before = self.ledger_snapshot(self.other_wallet)
        for user in (self.customer_user, self.staff_user):
            self.login(user)
            for extra in ({}, {"access_token": token}):
                with self.subTest(user=user.login, extra=extra):
                    response = self.post(
                        f"/my/wallet/{self.other_wallet.id}/voucher", code=self.batch.voucher_ids.code, **extra
                    )
                    self.assertIn(response.status_code, (301, 302, 303))
                    self.assertEqual(self.location(response).path, "/my")
        self.assertEqual(self.ledger_snapshot(self.other_wallet), before)
        self.assertEqual(self.batch.voucher_ids.use_count, 0)

    def test_voucher_and_promo_forms_answer_a_nul_with_a_message(self):
        """Test that a NUL in a voucher code or a promo code gets a message and writes nothing."""
        snapshot = self.ledger_snapshot()
        self.assertIn("not allowed", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/voucher", code="PCC\x00")))
        for data in ({"amount": "50", "promo_code": "WELCOME\x00"},
                     {"amount": "50", "promo_code": "WELCOME\x00", "confirm": "1"}):
            with self.subTest(data=data):
                response = self.post(f"/my/wallet/{self.wallet.id}/recharge", **data)
                self.assertEqual(response.status_code, 200)
                self.assertIn("not allowed", response.text)
        self.assertEqual(self.ledger_snapshot(), snapshot)
        self.assertFalse(self.recharges())
        self.assertFalse(self.env["prepaid.voucher.attempt"].search_count([("user_id", "=", self.customer_user.id)]))
