# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestRenewal(RenewalCommon):

    def test_state_follows_expiry_grace_suspension_and_termination(self):
        """Test that a service moves from active to expiring, grace, suspended
        and terminated with its dates, and that the platform is told to
        suspend and then terminate it."""
        service = self.service(expires_in=60)
        self.assertEqual(service.state, "active")
        expiry = service.expiry_date
        steps = [
            (expiry - timedelta(days=29), "expiring"),
            (expiry + timedelta(days=1), "grace"),
            (expiry + timedelta(days=16), "suspended"),
            (expiry + timedelta(days=46), "terminated"),
        ]
        for day, state in steps:
            service._refresh_state(day)
            self.assertEqual(service.state, state, day)
        self.assertEqual(service.command_ids.sorted("id").mapped("action"), ["suspend", "terminate"])
        # A terminated service stays terminated whatever the dates say.
        service._refresh_state(expiry)
        self.assertEqual(service.state, "terminated")

    def test_expired_service_renewed_from_its_old_expiry_and_reactivated(self):
        """Test that a suspended service renewed by credit starts its new period
        from the old expiry date and is reactivated on the platform."""
        self.credit(500)
        service = self.service(expires_in=-20)
        self.assertEqual(service.state, "suspended")
        old_expiry = service.expiry_date
        order = self.env["prepaid.renewal.order"]._create_order(service, payment_method="credit")
        order._confirm()
        self.assertEqual(order.state, "paid")
        self.assertEqual(service.expiry_date, old_expiry + relativedelta(years=1))
        self.assertEqual(service.state, "active")
        self.assertEqual(service.command_ids.sorted("id").mapped("action"), ["suspend", "unsuspend"])

    def test_terminated_service_cannot_be_renewed(self):
        """Test that a terminated service is refused and nothing is written."""
        self.credit(500)
        service = self.service(expires_in=-60)
        self.assertEqual(service.state, "terminated")
        before = self.ledger_snapshot()
        with self.assertRaises(UserError):
            self.env["prepaid.renewal.order"]._create_order(service, payment_method="credit")
        self.assertEqual(self.ledger_snapshot(), before)
        self.assertFalse(self.orders())

    def test_credit_pays_the_whole_basket_with_one_debit(self):
        """Test that several services paid by credit take one ledger debit of
        the net total, under an internal key no caller can type."""
        self.credit(500)
        services = self.service(10) | self.service(20) | self.service(5, product=self.licence)
        order = self.env["prepaid.renewal.order"]._create_order(services, payment_method="credit")
        order._confirm()
        self.assertEqual(order.state, "paid")
        tx = order.wallet_transaction_id
        self.assertEqual(tx.amount, -300)
        self.assertEqual(tx.idempotency_key, f"renewal:order:{order.id}")
        self.assertEqual(self.Tx.search_count([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "debit")]), 1)
        self.assertEqual(self.wallet.balance, 200)
        self.assertLedgerConsistent()
        caller_key = self.wallet._prepaid_caller_key(f"renewal:order:{order.id}")
        self.assertNotEqual(caller_key, tx.idempotency_key)

    def test_credit_short_renews_nothing(self):
        """Test that a basket the credit cannot pay whole debits nothing and
        extends no service: all or nothing."""
        self.credit(150)
        services = self.service(10) | self.service(20)
        expiries = services.mapped("expiry_date")
        before = self.ledger_snapshot()
        with self.assertRaisesRegex(UserError, "Insufficient credit"):
            with self.env.cr.savepoint():
                order = self.env["prepaid.renewal.order"]._create_order(services, payment_method="credit")
                order._confirm()
        self.assertEqual(self.ledger_snapshot(), before)
        self.assertEqual(services.mapped("expiry_date"), expiries)

    def test_order_paid_twice_renews_once(self):
        """Test that a second payment notice of one order extends nothing more."""
        self.credit(500)
        service = self.service(10)
        order = self.env["prepaid.renewal.order"]._create_order(service, payment_method="credit")
        order._confirm()
        expiry = service.expiry_date
        order._mark_paid()
        order._pay_with_credit()
        self.assertEqual(service.expiry_date, expiry)
        self.assertEqual(self.Tx.search_count([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "debit")]), 1)

    def test_bank_transfer_renews_one_year_with_the_fee_when_reconciled(self):
        """Test that a bank transfer order bills one year plus the handling fee,
        waits for its payment, e-mails the instructions, and renews the
        services when the accountant registers the payment."""
        service = self.service(10, product=self.licence, period="month")
        order = self.env["prepaid.renewal.order"]._create_order(service, payment_method="bank_transfer")
        order._confirm()
        self.assertEqual(order.state, "awaiting")
        invoice = order.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(sorted(invoice.invoice_line_ids.mapped("price_subtotal")), [2.0, 100.0])
        self.assertAlmostEqual(invoice.amount_total, 124.44)
        self.assertTrue(self.env["mail.mail"].sudo().search([
            ("model", "=", "prepaid.renewal.order"), ("res_id", "=", order.id)]))
        self.assertTrue(invoice.sending_data, "the bill goes to the invoice sending queue")
        expiry = service.expiry_date
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.state, "paid")
        self.assertEqual(service.expiry_date, expiry + relativedelta(years=1))

    def test_bank_transfer_refuses_other_lengths(self):
        """Test that a bank transfer cannot renew for other than one year."""
        service = self.service(10, product=self.licence, period="month")
        with self.assertRaisesRegex(ValidationError, "one year"):
            self.env["prepaid.renewal.order"]._check_choices(service, {service: ("month", 3)}, "bank_transfer")

    def test_service_in_an_awaited_transfer_cannot_be_ordered_again(self):
        """Test that a service awaiting a bank transfer is not renewed by a second order."""
        service = self.service(10)
        self.env["prepaid.renewal.order"]._create_order(service, payment_method="bank_transfer")._confirm()
        self.assertTrue(service.awaiting_payment)
        self.assertIn(service, self.env["prepaid.renewal.service"].search([("awaiting_payment", "=", True)]))
        with self.assertRaisesRegex(ValidationError, "already being renewed"):
            self.env["prepaid.renewal.order"]._create_order(service, payment_method="credit")

    def test_absurd_lengths_are_refused(self):
        """Test that zero, negative and huge numbers of periods are refused."""
        service = self.service(10)
        for quantity in (0, -1, 11, 10**9, 1.5, True):
            with self.assertRaises(ValidationError):
                self.env["prepaid.renewal.order"]._check_choices(service, {service: ("year", quantity)}, "credit")
        with self.assertRaises(ValidationError):
            self.env["prepaid.renewal.order"]._check_choices(service, {service: ("month", 1)}, "credit")

    def test_cron_updates_states_and_queues_commands(self):
        """Test that the daily cron moves services and that the bridge fetches their commands once."""
        service = self.service(expires_in=5)
        service.write({"start_date": self.today - timedelta(days=400), "expiry_date": self.today - timedelta(days=20)})
        self.assertEqual(service.state, "expiring", "the cron moves it, not the write")
        self.env["prepaid.renewal.service"]._cron_update_states()
        self.assertEqual(service.state, "suspended")
        fetched = self.env["prepaid.renewal.command"].fetch_pending(limit=100)
        mine = [c for c in fetched if c["service_ref"] == f"prepaid.renewal.service,{service.id}"]
        self.assertEqual([c["action"] for c in mine], ["suspend"])
        again = self.env["prepaid.renewal.command"].fetch_pending(limit=100)
        self.assertFalse([c for c in again if c["id"] == mine[0]["id"]])
        with self.assertRaises(ValidationError):
            self.env["prepaid.renewal.command"].fetch_pending(limit=0)
