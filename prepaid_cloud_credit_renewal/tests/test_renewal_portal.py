# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from dateutil.relativedelta import relativedelta

from odoo.tests import HttpCase, tagged

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestRenewalPortal(RenewalCommon, HttpCase):

    def setUp(self):
        super().setUp()
        self.mine = self.service(10, name="mine-expiring") | self.service(200, name="mine-active")
        self.expired = self.service(-5, name="mine-expired")
        self.rival = self.service(10, name="rival-service", partner=self.other_customer)

    def summary(self, services, method="credit", **extra):
        return self.url_open("/my/services/renew", data=[
            ("csrf_token", self.csrf()), ("payment_method", method),
            *[("service_ids", str(s.id)) for s in services], *extra.items(),
        ], allow_redirects=False)

    def csrf(self):
        from odoo import http
        return http.Request.csrf_token(self)

    def confirm(self, services, method="credit", key=None, **extra):
        page = self.summary(services, method)
        if key is None:
            match = re.search(r'name="request_key" value="([0-9a-f]+)"', page.text)
            key = match.group(1) if match else ""
        return self.summary(services, method, confirm="1", accept_terms="1", request_key=key, **extra), key

    def test_list_filters_and_shows_only_own_services(self):
        """Test that the list shows the customer's own services with their
        cost and the VAT note, filtered by expiring and expired."""
        self.login(self.customer_user)
        page = self.url_open("/my/services")
        self.assertEqual(page.status_code, 200)
        for name in ("mine-expiring", "mine-active", "mine-expired"):
            self.assertIn(name, page.text)
        self.assertNotIn("rival-service", page.text)
        self.assertIn("Prices exclude VAT", page.text)
        expiring = self.url_open("/my/services?filterby=expiring").text
        self.assertIn("mine-expiring", expiring)
        self.assertNotIn("mine-active", expiring)
        expired = self.url_open("/my/services?filterby=expired").text
        self.assertIn("mine-expired", expired)
        self.assertNotIn("mine-expiring", expired)
        selected = self.url_open("/my/services?select=all").text
        self.assertEqual(len(re.findall(r'name="service_ids" value="\d+" checked=', selected)), 3)

    def test_summary_shows_net_vat_total_and_billing_details(self):
        """Test that the summary prices the ticked services net, VAT and total,
        with the billing details and their link, before anything is written."""
        self.login(self.customer_user)
        page = self.summary(self.mine)
        self.assertEqual(page.status_code, 200)
        amount = r'"><span[^>]*>[^<]*<span class="oe_currency_value">'
        self.assertRegex(page.text, r'id="renewal_net' + amount + r"200\.00")
        self.assertRegex(page.text, r'id="renewal_tax' + amount + r"44\.00")
        self.assertRegex(page.text, r'id="renewal_total' + amount + r"244\.00")
        self.assertIn("/my/account?redirect=/my/services", page.text)
        self.assertFalse(self.orders())

    def test_credit_renewal_double_submit_renews_once(self):
        """Test that the confirmation sent twice (double click, replay) renews once."""
        self.credit(500)
        self.login(self.customer_user)
        expiries = self.mine.mapped("expiry_date")
        first, key = self.confirm(self.mine)
        self.assertEqual(first.status_code, 303)
        second, _key = self.confirm(self.mine, key=key)
        self.assertEqual(second.status_code, 303)
        order = self.orders()
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "paid")
        self.assertTrue(order.terms_accepted_date)
        self.assertEqual(self.mine.mapped("expiry_date"), [d + relativedelta(years=1) for d in expiries])
        self.assertEqual(self.wallet.balance, 300)

    def test_terms_must_be_accepted(self):
        """Test that a confirmation without the terms accepted writes nothing."""
        self.credit(500)
        self.login(self.customer_user)
        page = self.summary(self.mine, confirm="1", request_key="a" * 32)
        self.assertIn("Accept the terms", page.text)
        self.assertFalse(self.orders())

    def test_credit_short_shows_the_error_and_writes_nothing(self):
        """Test that a basket the credit cannot pay leaves no order and no movement."""
        self.credit(50)
        self.login(self.customer_user)
        before = self.ledger_snapshot()
        page, _key = self.confirm(self.mine)
        self.assertIn("Insufficient credit", page.text)
        self.assertFalse(self.orders())
        self.assertEqual(self.ledger_snapshot(), before)

    def test_expired_service_renewed_by_card_with_payment_demo(self):
        """Test that an expired service renewed by card is extended from its old
        expiry once the demo provider confirms, and its invoice is paid."""
        self.require_payment_demo()
        self.login(self.customer_user)
        old_expiry = self.expired.expiry_date
        page, _key = self.confirm(self.expired, method="online")
        order = self.orders()
        self.assertEqual(self.location(page).path, f"/my/renewals/{order.id}")
        self.assertEqual(order.state, "awaiting")
        answer = self.jsonrpc(f"/my/renewals/{order.id}/transaction", {
            "access_token": order._portal_ensure_token(),
            "provider_id": self.provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
            "token_id": None, "amount": 1, "flow": "direct", "tokenization_requested": False,
            "landing_route": order.get_portal_url(), "is_validation": False,
        })
        self.assertIn("result", answer, answer.get("error"))
        tx = order.payment_transaction_ids
        self.assertEqual(tx.amount, order.amount_total, "the amount comes from the order, not the browser")
        self.notify(tx)
        self.assertEqual(order.state, "paid")
        self.assertEqual(self.expired.expiry_date, old_expiry + relativedelta(years=1))
        self.assertIn(order.invoice_id.payment_state, ("paid", "in_payment"))
        again = self.jsonrpc(f"/my/renewals/{order.id}/transaction", {
            "access_token": order._portal_ensure_token(), "provider_id": self.provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id, "token_id": None,
            "amount": 1, "flow": "direct", "tokenization_requested": False,
            "landing_route": order.get_portal_url(), "is_validation": False,
        })
        self.assertIn("error", again, "a paid order is never paid again")

    def test_bank_transfer_from_the_portal_adds_the_fee(self):
        """Test that the bank transfer summary shows the fee line and the order awaits its payment."""
        self.login(self.customer_user)
        page = self.summary(self.mine[:1], method="bank_transfer")
        self.assertIn("renewal_fee_line", page.text)
        self.confirm(self.mine[:1], method="bank_transfer")
        order = self.orders()
        self.assertEqual(order.state, "awaiting")
        self.assertEqual(order.line_ids.filtered("is_fee").price_unit, 2.0)
        listing = self.url_open("/my/services?filterby=awaiting").text
        self.assertIn("mine-expiring", listing)
        self.assertNotIn("mine-active", listing)

    def test_attacker_cannot_renew_or_pay_for_another_customer(self):
        """Test that another customer's service ids are dropped from the form,
        and its order page and payment route are refused."""
        self.credit(500)
        self.other_wallet._ledger_apply("credit", 500, self.key("o"), kind="paid")
        self.login(self.other_user)
        page, _key = self.confirm(self.mine)
        self.assertEqual(self.location(page).path, "/my/services")
        self.assertFalse(self.orders())
        # The victim's order, then the attacker's attempts on it.
        order = self.env["prepaid.renewal.order"]._create_order(self.mine[:1], payment_method="online")
        order._confirm()
        self.assertEqual(self.location(self.url_open(f"/my/renewals/{order.id}", allow_redirects=False)).path, "/my")
        answer = self.jsonrpc(f"/my/renewals/{order.id}/transaction", {
            "provider_id": self.provider.id, "payment_method_id": 1, "token_id": None, "amount": 1,
            "flow": "direct", "tokenization_requested": False, "landing_route": "/", "is_validation": False,
        })
        self.assertIn("error", answer)
        self.assertFalse(order.payment_transaction_ids)

    def test_internal_user_on_the_portal_sees_only_its_own_services(self):
        """Test that an employee who reads every service in the backend is a
        customer like any other on the portal."""
        self.staff_user.groups_id += self.env.ref("prepaid_cloud_credit.group_prepaid_user")
        self.login(self.staff_user)
        page = self.url_open("/my/services").text
        self.assertNotIn("mine-expiring", page)
        self.assertNotIn("rival-service", page)
        answer = self.summary(self.mine)
        self.assertEqual(self.location(answer).path, "/my/services")

    def test_automatic_renewal_set_from_the_portal_with_own_card_only(self):
        """Test that the customer turns automatic renewal on with its own card,
        and that another customer's card or service is refused."""
        token = self.token()
        rival_token = self.token(partner=self.other_customer)
        service = self.mine[:1]
        self.login(self.customer_user)
        self.post(f"/my/services/{service.id}/auto_renew", enabled="1", token_id=str(rival_token.id))
        self.assertFalse(service.auto_renew)
        self.post(f"/my/services/{service.id}/auto_renew", enabled="1", token_id=str(token.id))
        self.assertTrue(service.auto_renew)
        self.assertEqual(service.payment_token_id, token)
        answer = self.post(f"/my/services/{self.rival.id}/auto_renew", enabled="1", token_id=str(token.id))
        self.assertEqual(self.location(answer).path, "/my")
        self.assertFalse(self.rival.auto_renew)
