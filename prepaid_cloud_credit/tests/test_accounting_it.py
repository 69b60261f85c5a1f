# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo.tests import tagged

from .accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestItalianBooks(PrepaidItalianAccountingCommon):
    """The books of recharges and usage under both VAT policies, on the Italian chart."""

    def test_usage_of_paid_credit_moves_the_advance_to_revenue_under_vat_at_recharge(self):
        """Test that under VAT at recharge a paid recharge of 100 and 30 of usage book as the accountant expects."""
        self.set_policy("recharge")
        invoice = self.recharge(100)
        self.assertEntries(invoice, [
            self.item("150100", debit=122, partner=self.customer),
            self.item("253000", credit=100, partner=self.customer),
            self.item("260100", credit=22, partner=self.customer),
        ])
        with freeze_time("2026-11-20 10:00:00"):
            tx = self.debit(30)
        self.book()
        entry = self.tx_of(tx)
        self.assertEqual(entry.date, self.day("2026-11-20"))
        self.assertEntries(entry, [
            self.item("253000", debit=30, partner=self.customer),
            self.item("310200", credit=30),
        ])
        self.assertLiabilityExact()

    def test_usage_of_paid_credit_is_invoiced_and_paid_from_the_advance_under_vat_at_consumption(self):
        """Test that under VAT at consumption an advance of 122 and 30 of usage book as the accountant expects."""
        self.set_policy("consumption")
        payment = self.recharge(100)
        self.assertEqual(self.wallet.paid_amount, 100)
        self.assertEntries(payment.move_id, [
            self.item("OSTR00", debit=122, partner=self.customer),
            self.item("253000", credit=122, partner=self.customer),
        ])
        with freeze_time("2026-11-20 10:00:00"):
            tx = self.debit(30)
        self.book()
        invoice = tx.booking_move_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.invoice_date, self.day("2026-11-20"))
        self.assertEntries(invoice, [
            self.item("150100", debit=36.6, partner=self.customer),
            self.item("310200", credit=30, partner=self.customer),
            self.item("260100", credit=6.6, partner=self.customer),
        ])
        self.assertEntries(invoice.prepaid_transfer_move_id, [
            self.item("253000", debit=36.6, partner=self.customer),
            self.item("150100", credit=36.6, partner=self.customer),
        ])
        self.assertEqual(invoice.payment_state, "paid")
        self.assertAccountTotals({"253000": -85.4})
        self.assertLiabilityExact()

    def test_bonus_and_voucher_use_reduces_revenue_as_a_discount(self):
        """Test that bonus and voucher credit used is booked on the discount account, among revenue (OIC 34)."""
        self.set_policy("recharge")
        self.credit(10, "bonus")
        self.credit(5, "voucher")
        tx = self.debit(12)
        self.book()
        self.assertEntries(self.tx_of(tx), [
            self.item("311300", debit=12),
            self.item("310200", credit=12),
        ])
        discount = self.company.prepaid_discount_account_id
        self.assertEqual(discount.account_type, "income")
        self.assertLiabilityExact()

    def test_bonus_use_can_be_a_promotion_expense(self):
        """Test that a company preferring the expense view books bonus use on the promotion expense account."""
        self.set_policy("recharge")
        self.company.prepaid_bonus_treatment = "expense"
        self.credit(10, "bonus")
        tx = self.debit(10)
        self.book()
        self.assertEntries(self.tx_of(tx), [
            self.item("421400", debit=10),
            self.item("310200", credit=10),
        ])

    def test_bonus_on_a_consumption_invoice_is_a_discount_line_without_vat_on_it(self):
        """Test that under VAT at consumption bonus credit used is a discount line: VAT only on what was paid."""
        self.set_policy("consumption")
        self.recharge(50)
        self.credit(10, "bonus")
        tx = self.debit(30)
        self.book()
        self.assertEntries(self.tx_of(tx), [
            self.item("150100", debit=24.4, partner=self.customer),
            self.item("310200", credit=30, partner=self.customer),
            self.item("311300", debit=10, partner=self.customer),
            self.item("260100", credit=4.4, partner=self.customer),
            self.item("253000", debit=24.4, partner=self.customer),
            self.item("150100", credit=24.4, partner=self.customer),
        ])
        self.assertLiabilityExact()


    def test_refunded_usage_is_credited_and_given_back_to_the_advance_under_vat_at_consumption(self):
        """Test that under VAT at consumption a refund of usage is a credit note whose amount returns to the advance."""
        self.set_policy("consumption")
        self.recharge(100)
        with freeze_time("2026-11-20 10:00:00"):
            debit = self.debit(30)
        with freeze_time("2026-11-21 10:00:00"):
            refund = self.wallet._ledger_apply("refund", 10, self.key(), refund_of=debit)
        self.book()
        credit_note = refund.booking_move_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEntries(credit_note | credit_note.prepaid_transfer_move_id, [
            self.item("310200", debit=10, partner=self.customer),
            self.item("260100", debit=2.2, partner=self.customer),
            self.item("150100", credit=12.2, partner=self.customer),
            self.item("150100", debit=12.2, partner=self.customer),
            self.item("253000", credit=12.2, partner=self.customer),
        ])
        # Settled by the entry giving it back to the advance (Odoo calls a credit note settled so "reversed").
        self.assertTrue(credit_note.currency_id.is_zero(credit_note.amount_residual))
        self.assertEqual(self.wallet.paid_amount, 80)
        self.assertAccountTotals({"253000": -97.6, "150100": 0})
        self.assertLiabilityExact()

    def test_usage_refunded_the_same_day_is_not_invoiced_but_booked_under_vat_at_consumption(self):
        """Test that under VAT at consumption usage refunded the same day invoices nothing and still has its entry."""
        self.set_policy("consumption")
        self.recharge(100)
        self.assertRefundedTheSameDay(20, booked=24.4)
        self.assertLiabilityExact()

@tagged("post_install", "-at_install")
class TestItalianDebt(PrepaidItalianAccountingCommon):
    """Debt is a receivable of the customer, never a hole in the liability."""

    def test_usage_on_debt_is_usage_to_invoice_of_the_customer_under_vat_at_recharge(self):
        """Test that usage no credit covers goes to the invoices-to-issue account of the customer, not the liability."""
        self.set_policy("recharge")
        tx = self.debit(30)
        self.book()
        self.assertEntries(self.tx_of(tx), [
            self.item("150900", debit=30, partner=self.customer),
            self.item("310200", credit=30),
        ])
        self.assertAccountTotals({"253000": 0})
        self.assertLiabilityExact()

    def test_next_recharge_shows_and_settles_the_usage_to_invoice(self):
        """Test that the next recharge invoice shows what part pays past services and its payment settles them."""
        self.set_policy("recharge")
        usage = self.debit(30)
        self.book()
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 100, "bank_transfer"))
        recharge.action_confirm()
        self.pay_recharge(recharge, day="2026-11-21")
        invoice = recharge.invoice_id
        self.assertEqual(invoice.invoice_line_ids.mapped("price_subtotal"), [30, 70])
        self.assertIn("already supplied", invoice.invoice_line_ids[0].name)
        self.assertEntries(invoice, [
            self.item("150100", debit=122, partner=self.customer),
            self.item("253000", credit=30, partner=self.customer),
            self.item("253000", credit=70, partner=self.customer),
            self.item("260100", credit=22, partner=self.customer),
        ])
        credit = recharge.transaction_id
        self.assertEqual(self.wallet.paid_amount, 70)
        self.assertEqual(self.wallet.debt_amount, 0)
        self.assertTrue(credit.needs_booking, "the repayment of the debt is left to book")
        self.assertLiabilityExact()
        self.book()
        self.assertEntries(self.tx_of(credit), [
            self.item("253000", debit=30, partner=self.customer),
            self.item("150900", credit=30, partner=self.customer),
        ])
        self.assertAccountTotals({"150900": 0, "253000": -70})
        unbilled = self.env["account.move.line"].search([
            ("account_id.code", "=", "150900"), ("company_id", "=", self.company.id),
            ("move_id", "in", (self.tx_of(usage) | self.tx_of(credit)).ids),
        ])
        self.assertTrue(all(unbilled.mapped("reconciled")))
        self.assertLiabilityExact()

    def test_debt_stays_receivable_when_the_advance_does_not_cover_the_usage(self):
        """Test that under VAT at consumption only what the advance covers is paid; the rest stays due."""
        self.set_policy("consumption")
        self.recharge(50)
        tx = self.debit(80)
        self.book()
        invoice = tx.booking_move_id
        self.assertEntries(invoice | invoice.prepaid_transfer_move_id, [
            self.item("150100", debit=97.6, partner=self.customer),
            self.item("310200", credit=80, partner=self.customer),
            self.item("260100", credit=17.6, partner=self.customer),
            self.item("253000", debit=61, partner=self.customer),
            self.item("150100", credit=61, partner=self.customer),
        ])
        self.assertEqual(invoice.payment_state, "partial")
        self.assertAlmostEqual(invoice.amount_residual, 36.6)
        self.assertAccountTotals({"253000": 0})
        self.assertLiabilityExact()
        # The next advance repays the debt first and pays the rest of the invoice.
        payment = self.recharge(100)
        credit = self.Tx.search([("idempotency_key", "=", f"recharge:payment:{payment.id}")])
        self.assertEqual(self.wallet.paid_amount, 70)
        self.assertLiabilityExact()
        self.book()
        self.assertEntries(self.tx_of(credit), [
            self.item("253000", debit=36.6, partner=self.customer),
            self.item("150100", credit=36.6, partner=self.customer),
        ])
        self.assertEqual(invoice.payment_state, "paid")
        self.assertAccountTotals({"253000": -85.4})
        self.assertLiabilityExact()


@tagged("post_install", "-at_install")
class TestItalianConsumptionBalance(PrepaidItalianAccountingCommon):
    """Under VAT at consumption every movement is booked on the basis the prepayments account holds: with VAT."""

    def test_expired_advance_goes_to_breakage_with_its_vat(self):
        """Test that an expired, never supplied advance goes to breakage gross, without VAT (directive 2016/1065)."""
        self.set_policy("consumption")
        with freeze_time("2026-11-20"):
            self.recharge(100)
            lot = self.wallet.lot_ids
            self.debit(30)
        self.env["prepaid.credit.lot"].sudo().browse(lot.id).write({"expiry_date": "2026-12-31"})
        with freeze_time("2027-01-01 02:00:00"):
            self.env["prepaid.wallet"]._cron_expire_lots()
            self.book()
        expiry = self.Tx.search([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "expiry")])
        entry = self.tx_of(expiry)
        self.assertEqual(entry.date, self.day("2026-12-31"), "the credit expired in 2026")
        self.assertEntries(entry, [
            self.item("253000", debit=85.4, partner=self.customer),
            self.item("320300", credit=85.4),
        ])
        self.assertAccountTotals({"253000": 0, "260100": -6.6})
        self.assertLiabilityExact()

    def test_adjustments_are_booked_with_the_vat_the_credit_will_carry(self):
        """Test that a manager's increase and decrease of paid credit move the liability with VAT."""
        self.set_policy("consumption")
        increase = self.wallet._ledger_apply("adjustment", 10, self.key(), kind="paid", reason="Goodwill")
        decrease = self.wallet._ledger_apply("adjustment", 5, self.key(), decrease=True, reason="Correction")
        self.book()
        self.assertEqual(self.tx_of(increase), self.tx_of(decrease), "one entry for the day")
        self.assertEntries(self.tx_of(increase), [
            self.item("490400", debit=12.2),
            self.item("253000", credit=12.2, partner=self.customer),
            self.item("253000", debit=6.1, partner=self.customer),
            self.item("490400", credit=6.1),
        ])
        self.assertAccountTotals({"253000": -6.1})
        self.assertLiabilityExact()

    def test_voucher_repaying_debt_clears_the_receivable_with_its_vat(self):
        """Test that a voucher repaying invoiced debt clears the whole receivable, VAT included, as a discount."""
        self.set_policy("consumption")
        usage = self.debit(10)
        self.book()
        invoice = usage.booking_move_id
        self.assertAlmostEqual(invoice.amount_residual, 12.2)
        voucher = self.credit(20, "voucher")
        self.book()
        self.assertEntries(self.tx_of(voucher), [
            self.item("311300", debit=12.2),
            self.item("150100", credit=12.2, partner=self.customer),
        ])
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.wallet.voucher_amount, 10)
        self.assertLiabilityExact()

    def test_an_advance_consumed_in_odd_amounts_empties_the_account_exactly(self):
        """Test that the liability reaches exactly zero when an advance with VAT is used up in small pieces."""
        self.set_policy("consumption")
        self.recharge(10)
        for _n in range(30):
            self.debit(0.33)
        self.debit(0.1)
        self.assertEqual(self.wallet.paid_amount, 0)
        self.assertLiabilityExact()
        self.book()
        self.assertAccountTotals({"253000": 0})
        invoices = self.Tx.search([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "debit")]).booking_move_id
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertLiabilityExact()
