# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import contextlib
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestAutomaticRenewal(RenewalCommon):

    def cron(self):
        return self.env["prepaid.renewal.service"]._cron_auto_renew()

    def invoicing(self):
        """The cron the renewal cron triggers: invoices, payments, reconciliation."""
        return self.env["payment.transaction"]._cron_invoice_renewals()

    def test_automatic_renewal_from_credit_once(self):
        """Test that a service due in two days is renewed from the credit, and
        that running the cron again charges nothing more; the debit is
        described in the customer's language, not the cron's."""
        self.activate_lang("it_IT")
        self.customer.lang = "it_IT"
        self.credit(500)
        service = self.service(2, auto_renew=True)
        expiry = service.expiry_date
        self.cron()
        self.cron()
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))
        self.assertEqual(len(self.orders()), 1)
        self.assertEqual(self.wallet.balance, 400)
        self.assertEqual(self.orders().wallet_transaction_id.name, f"Rinnovo {self.orders().name}")

    def test_service_not_due_yet_is_not_renewed(self):
        """Test that a service expiring after the automatic renewal window is left alone."""
        self.credit(500)
        service = self.service(20, auto_renew=True)
        self.cron()
        self.assertFalse(self.orders())
        self.assertEqual(service.auto_renew_attempts, 0)

    def test_automatic_renewal_charges_the_saved_card(self):
        """Test that without enough credit the saved card pays, off-session:
        the service is renewed when the charge is done, then the invoicing
        cron posts the invoice, pays it with the charge and queues it for
        sending, once."""
        token = self.token()
        service = self.service(2, auto_renew=True, payment_token_id=token.id)
        expiry = service.expiry_date
        self.cron()
        order = self.orders()
        self.assertEqual(order.state, "paid", service.auto_renew_error)
        self.assertEqual(order.payment_method, "online")
        tx = order.payment_transaction_ids
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.amount, 122.0)
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))
        self.assertFalse(order.invoice_id, "charged first, invoiced by the invoicing cron")
        self.invoicing()
        invoice = order.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_total, tx.amount)
        self.assertEqual(tx.payment_id.amount, 122.0)
        self.assertTrue(tx.is_post_processed)
        self.assertTrue(invoice.sending_data, "the invoice is queued for sending")
        self.assertEqual(invoice.invoice_line_ids.mapped("price_subtotal"), [100.0])
        self.cron()
        self.invoicing()
        self.assertEqual(len(self.orders()), 1, "nothing charged twice")
        self.assertEqual(order.invoice_id, invoice, "nothing invoiced twice")
        self.assertEqual(len(tx.payment_id), 1)
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))

    def test_charge_equals_the_invoice_rounded_globally(self):
        """Test that the amount charged before invoicing is the invoice's own
        total when the company rounds VAT globally (three lines of 10.01 at
        22 %: 36.64 globally, 36.63 line by line), so the invoice is fully
        paid."""
        self.company.tax_calculation_rounding_method = "round_globally"
        token = self.token()
        cheap = self.env["product.product"].create({
            "name": "Mail box", "type": "service", "prepaid_renewable": True, "prepaid_renewal_period": "year",
            "prepaid_renewal_price_year": 10.01, "taxes_id": [Command.set(self.vat22.ids)],
        })
        for _index in range(3):
            self.service(2, product=cheap, auto_renew=True, payment_token_id=token.id)
        self.cron()
        order = self.orders()
        self.assertEqual(order.amount_total, 36.64)
        self.assertEqual(order.payment_transaction_ids.amount, 36.64)
        self.invoicing()
        self.assertEqual(order.invoice_id.amount_total, 36.64)
        self.assertEqual(order.invoice_id.amount_residual, 0)

    def test_generic_post_processing_invoices_the_renewal_too(self):
        """Test that `payment`'s own post-processing of the charge (its cron,
        one transaction at a time) invoices the order before making the
        payment, as the renewal invoicing cron does, and that the renewal
        cron then finds nothing left to do."""
        service = self.service(2, auto_renew=True, payment_token_id=self.token().id)
        expiry = service.expiry_date
        self.cron()
        order = self.orders()
        tx = order.payment_transaction_ids
        tx._post_process()
        self.assertIn(order.invoice_id.payment_state, ("paid", "in_payment"))
        self.assertEqual(tx.payment_id.amount, order.invoice_id.amount_total)
        self.invoicing()
        self.assertEqual(len(order.invoice_id), 1)
        self.assertEqual(self.env["account.move"].sudo().search_count(
            [("prepaid_renewal_order_id", "=", order.id)]), 1)
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1), "renewed once")

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
        self.invoicing()
        self.assertIn(card_order.invoice_id.payment_state, ("paid", "in_payment"))
        self.assertEqual(card_order.invoice_id.amount_residual, 0)
        self.assertEqual(card_order.payment_transaction_ids.payment_id.amount, card_order.invoice_id.amount_total)
        self.assertEqual(set(by_card.mapped("expiry_date")), {expiry + relativedelta(years=1)})
        failed = self.orders(refused_customer)
        self.assertEqual(failed.state, "failed")
        self.assertFalse(failed.invoice_id, "a refused card leaves no invoice")
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
        # At noon of the day the service is due, so that the retries 25 h and
        # 74 h later fall before its expiry whatever the hour the test runs.
        noon = datetime.combine(self.today, time(12))
        with freeze_time(noon):
            token = self.token(state="error")
            service = self.service(3, auto_renew=True, payment_token_id=token.id)
            expiry = service.expiry_date
            self.cron()
            self.assertEqual(service.auto_renew_attempts, 1)
            self.assertTrue(service.auto_renew_error)
            failed = self.orders()
            self.assertEqual(failed.state, "failed")
            self.assertFalse(failed.invoice_id, "a refused card leaves no invoice")
            mails = self.env["mail.mail"].sudo().search([
                ("model", "=", "prepaid.renewal.service"), ("res_id", "=", service.id)])
            self.assertEqual(len(mails), 1)
            self.cron()
            self.assertEqual(service.auto_renew_attempts, 1, "not retried before its time")
            with freeze_time(noon + timedelta(hours=25)):
                self.cron()
            self.assertEqual(service.auto_renew_attempts, 2)
            first, second = self.orders().sorted("id").payment_transaction_ids.sorted("id")
            self.assertTrue(first.reference.startswith("AUTO-"))
            self.assertEqual(second.reference, f"{first.reference}-1", "a retry is a new charge, with a key of its own")
            # The customer replaces the card: the next attempt pays.
            service.payment_token_id = self.token()
            with freeze_time(noon + timedelta(hours=25 + 49)):
                self.cron()
            self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))
            self.assertEqual(service.auto_renew_attempts, 0)
            self.assertEqual(self.orders().mapped("state").count("paid"), 1)

    def test_a_renewal_charged_again_after_a_crash_has_the_same_reference(self):
        """Test that the charge of an automatic renewal rolled back after the
        provider took it (the cron stopped before its commit) is sent again
        under the same reference, the provider's idempotency key, and that
        another service or another period gets another one."""
        token = self.token()
        service = self.service(2, auto_renew=True, payment_token_id=token.id)
        other = self.service(2, auto_renew=True, payment_token_id=token.id)
        Order = self.env["prepaid.renewal.order"]
        with contextlib.suppress(RuntimeError), self.env.cr.savepoint():
            lost = Order._auto_renew(service)
            reference = lost.payment_transaction_ids.reference
            raise RuntimeError("the cron stops before its commit")
        self.assertFalse(self.env["payment.transaction"].search([("reference", "=", reference)]))
        again = Order._auto_renew(service)
        self.assertEqual(again.state, "paid")
        self.assertEqual(again.payment_transaction_ids.reference, reference)
        self.assertNotEqual(Order._auto_renew(other).payment_transaction_ids.reference, reference)
        next_year = Order._create_order(service, payment_method="online")
        next_year.is_automatic = True
        self.assertNotEqual(next_year._auto_renew_reference(), reference, "the next period is another renewal")

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
