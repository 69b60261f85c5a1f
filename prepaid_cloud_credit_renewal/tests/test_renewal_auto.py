# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestAutomaticRenewal(RenewalCommon):

    def cron(self):
        return self.env["prepaid.renewal.service"]._cron_auto_renew()

    def test_automatic_renewal_from_credit_once(self):
        """Test that a service due in two days is renewed from the credit, and
        that running the cron again charges nothing more."""
        self.credit(500)
        service = self.service(2, auto_renew=True)
        expiry = service.expiry_date
        self.cron()
        self.cron()
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))
        self.assertEqual(len(self.orders()), 1)
        self.assertEqual(self.wallet.balance, 400)

    def test_service_not_due_yet_is_not_renewed(self):
        """Test that a service expiring after the automatic renewal window is left alone."""
        self.credit(500)
        service = self.service(20, auto_renew=True)
        self.cron()
        self.assertFalse(self.orders())
        self.assertEqual(service.auto_renew_attempts, 0)

    def test_automatic_renewal_charges_the_saved_card(self):
        """Test that without enough credit the saved card pays, off-session,
        and the invoice is paid and queued for sending."""
        token = self.token()
        service = self.service(2, auto_renew=True, payment_token_id=token.id)
        expiry = service.expiry_date
        self.cron()
        order = self.orders()
        self.assertEqual(order.state, "paid", service.auto_renew_error)
        self.assertEqual(order.payment_method, "online")
        self.assertEqual(order.payment_transaction_ids.state, "done")
        self.assertIn(order.invoice_id.payment_state, ("paid", "in_payment"))
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))
        self.cron()
        self.assertEqual(len(self.orders()), 1, "nothing charged twice")

    def test_one_batch_renews_each_customer_by_its_own_means(self):
        """Test that one cron batch renews every customer as it would alone:
        credit where it is enough, the card where the credit is short (leaving
        no credit order behind), a refused card failing only its own order,
        one order and one card payment per customer; and nothing twice."""
        self.credit(50)
        self.credit(500, wallet=self.other_wallet)
        short = self.service(2, auto_renew=True, payment_token_id=self.token().id)
        by_credit = self.service(2, partner=self.other_customer, auto_renew=True)
        refused_customer, card_customer = self.env["res.partner"].create([
            {"name": "Refused Cloud", "is_company": True, "email": "refused@example.com"},
            {"name": "Card Cloud", "is_company": True},
        ])
        refused = self.service(2, partner=refused_customer, auto_renew=True,
                               payment_token_id=self.token(refused_customer, state="error").id)
        card_token = self.token(card_customer)
        by_card = self.service(2, partner=card_customer, auto_renew=True, payment_token_id=card_token.id)
        by_card |= self.service(2, partner=card_customer, auto_renew=True, payment_token_id=card_token.id)
        expiry = short.expiry_date
        self.cron()

        self.assertEqual(self.orders().mapped("payment_method"), ["online"], "no credit order left behind")
        self.assertEqual(self.orders().state, "paid")
        self.assertEqual(self.wallet.balance, 50)
        self.assertEqual(short.expiry_date, expiry + relativedelta(years=1))
        credit_order = self.orders(self.other_customer)
        self.assertEqual((credit_order.payment_method, credit_order.state), ("credit", "paid"))
        self.assertEqual(by_credit.expiry_date, expiry + relativedelta(years=1))
        card_order = self.orders(card_customer)
        self.assertEqual(card_order.state, "paid")
        self.assertEqual(len(card_order.payment_transaction_ids), 1)
        self.assertIn(card_order.invoice_id.payment_state, ("paid", "in_payment"))
        self.assertEqual(card_order.invoice_id.amount_residual, 0)
        self.assertEqual(card_order.payment_transaction_ids.payment_id.amount, card_order.invoice_id.amount_total)
        self.assertEqual(set(by_card.mapped("expiry_date")), {expiry + relativedelta(years=1)})
        failed = self.orders(refused_customer)
        self.assertEqual(failed.state, "failed")
        self.assertEqual(failed.invoice_id.state, "cancel")
        self.assertEqual(refused.expiry_date, expiry)
        self.assertEqual(refused.auto_renew_attempts, 1)

        self.cron()
        every = self.env["prepaid.renewal.order"].sudo().search([("partner_id", "in", (
            self.customer | self.other_customer | refused_customer | card_customer).ids)])
        self.assertEqual(len(every), 4, "nothing charged twice")
        self.assertEqual(len(card_order.payment_transaction_ids), 1)

    def test_refused_card_is_retried_on_schedule_then_the_service_expires(self):
        """Test that a refused card e-mails the customer, is retried after 24 h
        and 48 h, and after the last failure the service is left to expire."""
        token = self.token(state="error")
        service = self.service(3, auto_renew=True, payment_token_id=token.id)
        expiry = service.expiry_date
        self.cron()
        self.assertEqual(service.auto_renew_attempts, 1)
        self.assertTrue(service.auto_renew_error)
        failed = self.orders()
        self.assertEqual(failed.state, "failed")
        self.assertEqual(failed.invoice_id.state, "cancel", "a refused card leaves no unpaid invoice")
        mails = self.env["mail.mail"].sudo().search([
            ("model", "=", "prepaid.renewal.service"), ("res_id", "=", service.id)])
        self.assertEqual(len(mails), 1)
        self.cron()
        self.assertEqual(service.auto_renew_attempts, 1, "not retried before its time")
        with freeze_time(fields.Datetime.now() + timedelta(hours=25)):
            self.cron()
        self.assertEqual(service.auto_renew_attempts, 2)
        # The customer replaces the card: the next attempt pays.
        service.payment_token_id = self.token()
        with freeze_time(fields.Datetime.now() + timedelta(hours=25 + 49)):
            self.cron()
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))
        self.assertEqual(service.auto_renew_attempts, 0)
        self.assertEqual(self.orders().mapped("state").count("paid"), 1)

    def test_all_attempts_failing_leave_the_service_to_expire(self):
        """Test that after the last failed attempt no more attempt is made before expiry."""
        token = self.token(state="error")
        service = self.service(2, auto_renew=True, payment_token_id=token.id)
        service._auto_renew_failed("refused")
        service._auto_renew_failed("refused")
        service._auto_renew_failed("refused")
        self.assertGreater(service.auto_renew_next_try.date(), service.expiry_date)
        self.cron()
        self.assertFalse(self.orders())

    def test_reminders_are_sent_once_each(self):
        """Test that the 30, 7, 1 day and expiry-day reminders each go once,
        and one e-mail lists the customer's services together."""
        first = self.service(30)
        second = self.service(25)
        Service = self.env["prepaid.renewal.service"]
        Mail = self.env["mail.mail"].sudo()

        def reminder_mails():
            return Mail.search([("model", "=", "prepaid.renewal.service"), ("res_id", "in", (first | second).ids)])

        Service._cron_send_reminders()
        self.assertEqual(len(reminder_mails()), 1)
        self.assertIn(first.name, reminder_mails().body_html)
        self.assertIn(second.name, reminder_mails().body_html)
        Service._cron_send_reminders()
        self.assertEqual(len(reminder_mails()), 1, "the same reminder is never sent twice")
        with freeze_time(first.expiry_date - timedelta(days=7)):
            Service._cron_send_reminders()
            Service._cron_send_reminders()
        self.assertEqual(len(reminder_mails()), 2)
        with freeze_time(first.expiry_date):
            Service._cron_send_reminders()
        self.assertEqual(
            sorted(first.reminder_ids.mapped("offset_days")), [0, 7, 30]
        )

    def test_card_replaced_on_the_payment_methods_page_pays(self):
        """Test that a card the customer removed is replaced by its newest saved card."""
        old = self.token()
        service = self.service(2, auto_renew=True, payment_token_id=old.id)
        old.active = False
        new = self.token()
        self.cron()
        order = self.orders()
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.payment_transaction_ids.token_id, new)
        self.assertGreater(service.expiry_date, self.today + timedelta(days=300))
