# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from urllib.parse import parse_qs

from odoo.tests import HttpCase, tagged

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestTopupPortal(RenewalCommon, HttpCase):
    """The customer's automatic top-ups, set up, changed, paused, resumed
    and removed from the portal, and what another customer cannot do."""

    def setUp(self):
        super().setUp()
        self.card = self.token()
        self.rival_card = self.token(partner=self.other_customer)

    def rules(self, wallet=None):
        return self.env["prepaid.topup.rule"].with_context(active_test=False).search(
            [("wallet_id", "=", (wallet or self.wallet).id)])

    def save(self, **form):
        values = {
            "wallet_id": str(self.wallet.id), "trigger": "threshold", "threshold": "20", "mode": "fixed",
            "amount": "100", "token_id": str(self.card.id), **form,
        }
        return self.post("/my/wallet/topup/save", **values)

    def error(self, response):
        return parse_qs(self.location(response).query).get("error", [""])[0]

    def test_customer_adds_a_top_up_and_sees_it(self):
        """Test that a customer adds a threshold top-up with a decimal comma,
        finds it on the page, and that the wallet page links to it."""
        self.login(self.customer_user)
        response = self.save(threshold="25,50", daily_limit="300", monthly_limit="")
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.error(response))
        rule = self.rules()
        self.assertRecordValues(rule, [{
            "trigger": "threshold", "threshold": 25.5, "mode": "fixed", "amount": 100.0, "target_amount": 0.0,
            "payment_token_id": self.card.id, "daily_limit": 300.0, "monthly_limit": 0.0, "state": "active",
        }])
        page = self.url_open("/my/wallet/topup").text
        self.assertIn(f'data-rule-id="{rule.id}"', page)
        self.assertRegex(page, rf'<option value="{self.card.id}"')
        self.assertNotRegex(page, rf'<option value="{self.rival_card.id}"')
        self.assertIn('href="/my/wallet/topup"', self.url_open(f"/my/wallet/{self.wallet.id}").text)

    def test_top_up_added_from_the_portal_tops_up(self):
        """Test that the top-up a customer set up requests a recharge when a
        debit crosses its threshold, and the cron charges the card."""
        self.login(self.customer_user)
        self.save(threshold="50", mode="target", amount="", target_amount="200")
        self.credit(80)
        self.debit(40)
        rule = self.rules()
        self.assertEqual(len(rule.request_ids), 1)
        self.env["prepaid.topup.request"]._cron_process()
        self.assertEqual(rule.request_ids.state, "done")
        self.assertEqual(self.wallet.balance, 200)

    def test_bad_values_are_refused_and_nothing_is_written(self):
        """Test that absurd, negative and malformed amounts, choices the form
        never offers, a target under the threshold, an amount outside the
        recharge limits and another customer's card are refused with a
        message, and write nothing."""
        self.login(self.customer_user)
        cases = [
            {"amount": "-5"},
            {"amount": "0"},
            {"amount": "1e400"},
            {"amount": "NaN"},
            {"amount": "12.345"},
            {"amount": "abc"},
            {"threshold": "-1"},
            {"daily_limit": "99999999999999"},
            {"trigger": "hourly"},
            {"mode": "all"},
            {"mode": "target", "target_amount": "10", "threshold": "20"},
            {"amount": "10"},       # under the recharge minimum of 20
            {"amount": "6000"},     # over the recharge maximum of 5,000
            {"token_id": str(self.rival_card.id)},
            {"token_id": "0"},
            {"token_id": "9" * 30},
        ]
        for form in cases:
            with self.subTest(**form):
                response = self.save(**form)
                self.assertEqual(response.status_code, 303)
                self.assertTrue(self.error(response))
                self.assertFalse(self.rules())
        self.assertIn("20", self.error(self.save(amount="10")))

    def test_customer_changes_pauses_resumes_and_removes_a_top_up(self):
        """Test that a customer changes their top-up, pauses it, resumes it
        after a failure with a new card, and removes it: archived with its
        history, no longer topping up."""
        self.login(self.customer_user)
        self.save()
        rule = self.rules()
        response = self.save(rule_id=str(rule.id), trigger="monthly", amount="50")
        self.assertFalse(self.error(response))
        self.assertRecordValues(rule, [{"trigger": "monthly", "amount": 50.0, "threshold": 0.0}])
        self.assertEqual(len(self.rules()), 1)
        self.assertIn(f'name="rule_id" value="{rule.id}"', self.url_open(f"/my/wallet/topup?edit={rule.id}").text)
        self.post(f"/my/wallet/topup/{rule.id}/pause")
        self.assertEqual(rule.state, "paused")
        # A refused card pauses the rule; the customer saves another card and resumes.
        rule.write({"last_error": "Card expired", "payment_token_id": self.card.id})
        self.card.action_archive()
        response = self.post(f"/my/wallet/topup/{rule.id}/resume")
        self.assertIn("card", self.error(response))
        self.assertEqual(rule.state, "paused")
        new_card = self.token()
        self.save(rule_id=str(rule.id), trigger="monthly", amount="50", token_id=str(new_card.id))
        response = self.post(f"/my/wallet/topup/{rule.id}/resume")
        self.assertFalse(self.error(response))
        self.assertRecordValues(rule, [{"state": "active", "last_error": False, "payment_token_id": new_card.id}])
        self.post(f"/my/wallet/topup/{rule.id}/delete")
        self.assertFalse(rule.active)
        self.env["prepaid.topup.request"]._cron_process()
        self.assertFalse(rule.request_ids)
        self.assertNotIn(f'data-rule-id="{rule.id}"', self.url_open("/my/wallet/topup").text)

    def test_another_customer_cannot_touch_a_top_up(self):
        """Test that another customer, and an employee on the portal, can
        neither see, change, pause nor remove a customer's top-up, nor add
        one to their wallet, whatever ids they send."""
        self.login(self.customer_user)
        self.save()
        rule = self.rules()
        before = rule.read(["trigger", "amount", "state", "active", "payment_token_id"])
        for user in (self.other_user, self.staff_user):
            with self.subTest(user=user.login):
                self.login(user)
                self.assertNotIn(f'data-rule-id="{rule.id}"', self.url_open("/my/wallet/topup").text)
                self.assertNotIn(f'name="rule_id" value="{rule.id}"',
                                 self.url_open(f"/my/wallet/topup?edit={rule.id}").text)
                self.assertTrue(self.error(self.save(rule_id=str(rule.id), amount="999")))
                self.assertTrue(self.error(self.save(token_id=str(self.rival_card.id))))
                for action in ("pause", "delete", "resume"):
                    self.assertTrue(self.error(self.post(f"/my/wallet/topup/{rule.id}/{action}")))
                self.assertEqual(rule.read(["trigger", "amount", "state", "active", "payment_token_id"]), before)
                self.assertEqual(len(self.rules()), 1)
        # The other customer's own wallet, with the first customer's rule id: refused too.
        self.login(self.other_user)
        response = self.save(wallet_id=str(self.other_wallet.id), rule_id=str(rule.id),
                             token_id=str(self.rival_card.id))
        self.assertTrue(self.error(response))
        self.assertFalse(self.rules(self.other_wallet))

    def test_unknown_action_and_no_csrf_are_refused(self):
        """Test that an action the page never offers is refused, and that a
        form posted without the session's CSRF token writes nothing."""
        self.login(self.customer_user)
        self.save()
        rule = self.rules()
        self.assertTrue(self.error(self.post(f"/my/wallet/topup/{rule.id}/unlink")))
        self.assertTrue(rule.active)
        response = self.url_open(f"/my/wallet/topup/{rule.id}/pause", data={"x": "1"}, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(rule.state, "active")
