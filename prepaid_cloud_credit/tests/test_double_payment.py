# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import HttpCase, tagged

from .common import PrepaidPortalCommon


@tagged("post_install", "-at_install")
class TestDoublePayment(PrepaidPortalCommon, HttpCase):
    """One recharge is paid once: a second payment is refused while the first
    is under way, and one that arrives anyway is flagged for a refund."""

    def setUp(self):
        super().setUp()
        self.login(self.customer_user)

    def assertError(self, answer, fragment):
        self.assertIn("error", answer)
        self.assertIn(fragment, answer["error"]["data"]["message"])

    def test_second_payment_is_refused_while_the_first_is_pending(self):
        """Test that a new transaction is refused while the first payment is pending, and credits once done."""
        recharge = self.confirm_recharge("50")
        tx = self.notify(self.start_payment(recharge), "pending")
        self.assertError(self.transaction_request(recharge), "already being processed")
        self.assertEqual(recharge.payment_transaction_ids, tx)
        page = self.url_open(recharge.get_portal_url()).text
        self.assertIn('id="prepaid_payment_started"', page)
        self.assertNotIn("o_payment_form", page)
        self.notify(tx, "done")
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)

    def test_paid_recharge_refuses_a_new_payment(self):
        """Test that once paid, the recharge refuses a new transaction (a replay of the payment form)."""
        recharge = self.confirm_recharge("50")
        self.notify(self.start_payment(recharge))
        self.assertEqual(recharge.state, "paid")
        self.assertError(self.transaction_request(recharge), "not waiting for a payment")
        self.assertEqual(len(recharge.payment_transaction_ids), 1)

    def test_failed_payment_can_be_tried_again(self):
        """Test that an error or a cancellation of the first payment lets the customer pay again."""
        recharge = self.confirm_recharge("50")
        self.notify(self.start_payment(recharge), "error")
        self.notify(self.start_payment(recharge), "cancel")
        self.notify(self.start_payment(recharge), "done")
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)

    def _pay_twice(self):
        """Two payments started before either is confirmed (two tabs), both paid."""
        recharge = self.confirm_recharge("50")
        first = self.start_payment(recharge)
        second = self.start_payment(recharge)
        self.notify(first)
        self.notify(second)
        return recharge, first, second

    def assertSecondPaymentFlagged(self, recharge, first, second):
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(len(self.wallet.lot_ids), 1, "credited once")
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertLedgerConsistent()
        extra = second.payment_id
        self.assertTrue(extra, "the money was received: the payment exists")
        self.assertEqual(extra.state, "in_process", "posted, and not paid by anything")
        self.assertRecordValues(extra, [{
            "prepaid_extra_payment": True, "prepaid_refund_due": True, "prepaid_wallet_id": False,
            "prepaid_recharge_id": recharge.id, "is_reconciled": False, "amount": 61.0,
        }])
        self.assertFalse(first.payment_id.prepaid_refund_due)
        self.assertTrue(recharge.refund_due)
        activity = extra.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Refund", activity.summary)
        self.assertFalse(activity.user_id.share, "an accountant, not the customer who paid")
        self.assertIn("refund it", recharge.message_ids[:1].body)
        self.assertEqual(
            self.env["prepaid.recharge"].search([("refund_due", "=", True), ("id", "=", recharge.id)]), recharge
        )

    def test_payment_of_an_already_paid_recharge_is_flagged_for_refund(self):
        """Test that under VAT at recharge a second payment is not credited nor reconciled with the
        paid invoice, and is flagged to the accountant."""
        recharge, first, second = self._pay_twice()
        self.assertEqual(recharge.invoice_id.payment_state, "paid")
        self.assertEqual(recharge.invoice_id.amount_residual, 0)
        self.assertSecondPaymentFlagged(recharge, first, second)
        self.assertFalse(second.payment_id.reconciled_invoice_ids)

    def test_second_advance_payment_is_flagged_for_refund(self):
        """Test that under VAT at consumption a second advance of the same recharge credits nothing."""
        self.company.prepaid_vat_policy = "consumption"
        recharge, first, second = self._pay_twice()
        self.assertEqual(first.payment_id.prepaid_wallet_id, self.wallet)
        self.assertSecondPaymentFlagged(recharge, first, second)

    def test_refund_flag_clears_when_the_accountant_refunds(self):
        """Test that reconciling the extra payment with a refund to the customer clears the flag."""
        recharge, _first, second = self._pay_twice()
        extra = second.payment_id
        refund = self.env["account.payment"].create({
            "payment_type": "outbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": extra.amount, "currency_id": extra.currency_id.id, "journal_id": extra.journal_id.id,
        })
        refund.action_post()
        lines = (extra.move_id.line_ids + refund.move_id.line_ids).filtered(
            lambda line: line.account_id == extra.destination_account_id
        )
        lines.reconcile()
        self.assertFalse(extra.prepaid_refund_due)
        self.assertFalse(recharge.refund_due)
