# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re
from urllib.parse import parse_qs

from odoo.tests import HttpCase, tagged

from .common import PrepaidPortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(PrepaidPortalCommon, HttpCase):
    """Every portal route that writes acts for the logged-in user's own
    customer only: not for another customer, not for an employee who reads
    every wallet in the backend, and a replayed form changes nothing more."""

    def other_state(self):
        """Everything a portal route could change for the other customer."""
        self.other_wallet.invalidate_recordset()
        return (
            self.ledger_snapshot(self.other_wallet),
            self.other_wallet.low_balance_alert,
            self.other_wallet.low_balance_threshold,
            len(self.recharges(self.other_wallet)),
        )

    def assertRefusedToMy(self, response):
        self.assertIn(response.status_code, (301, 302, 303))
        self.assertEqual(self.location(response).path, "/my")

    def write_routes(self):
        """The routes that write, aimed at the other customer's wallet."""
        wallet = self.other_wallet.id
        return [
            (f"/my/wallet/{wallet}/alerts", {"enabled": "on", "threshold": "999"}),
            (f"/my/wallet/{wallet}/recharge", {"amount": "50", "payment_method": "bank_transfer"}),
            (f"/my/wallet/{wallet}/recharge", {"amount": "50", "payment_method": "bank_transfer", "confirm": "1"}),
        ]

    def test_internal_prepaid_user_cannot_act_for_another_customer_on_the_portal(self):
        """Test that an employee with Prepaid Credit / User, who reads every wallet in the
        backend, neither sets alerts nor recharges for a customer on the portal."""
        self.assertTrue(self.other_wallet.with_user(self.staff_user).has_access("read"), "reads it in the backend")
        before = self.other_state()
        self.login(self.staff_user)
        for url, data in self.write_routes():
            with self.subTest(url=url, data=data):
                self.assertRefusedToMy(self.post(url, **data))
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
        """Test that the portal pages of an employee list no other customer's wallet or balance."""
        self.credit(321.09)
        self.login(self.staff_user)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["prepaid_balance"]})
        self.assertFalse(counters["prepaid_balance"])
        home = self.url_open("/my").text
        self.assertNotIn("321.09", home)
        self.assertRefusedToMy(self.url_open(f"/my/wallet/{self.wallet.id}", allow_redirects=False))
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
        self.assertEqual(len(recharge.invoice_id), 1)
        # A new summary is a new request.
        self.confirm_recharge("60", method="bank_transfer")
        self.assertEqual(len(self.recharges()), 2)


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
        ]
        for data, fragment in cases:
            with self.subTest(data=data):
                response = self.post(f"/my/wallet/{self.wallet.id}/recharge", **data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(fragment, response.text)
        self.assertFalse(self.recharges())

    def test_wallet_forms_answer_a_nul_with_a_message(self):
        """Test that the alert form answers a NUL or another script's digits with a message and changes nothing."""
        snapshot = (self.ledger_snapshot(), self.wallet.low_balance_threshold)
        self.assertIn("digits 0-9", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/alerts",
                                                            enabled="on", threshold="5\x00")))
        self.assertIn("digits 0-9", self.error_of(self.post(f"/my/wallet/{self.wallet.id}/alerts",
                                                            enabled="on", threshold="١٥")))
        self.wallet.invalidate_recordset()
        self.assertEqual((self.ledger_snapshot(), self.wallet.low_balance_threshold), snapshot)
