# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestItalianCutOff(PrepaidItalianAccountingCommon):
    """A movement is booked on its economic date; a locked period moves it as Odoo does."""

    def test_usage_charged_after_midnight_is_booked_on_its_day(self):
        """Test that usage of 30 November, debited at 00:30 on 1 December with its economic date,
        belongs to November."""
        self.set_policy("recharge")
        self.recharge(100)
        with freeze_time("2026-12-01 00:30:00"):
            tx = self.debit(12.5, accounting_date=self.day("2026-11-30"))
        self.assertUsageOfNovember30(tx)

    def test_entry_of_a_locked_period_goes_to_the_first_open_date(self):
        """Test that usage of a period closed meanwhile is booked after the lock date, as Odoo dates it."""
        self.set_policy("recharge")
        self.recharge(100)
        with freeze_time("2026-11-20 10:00:00"):
            tx = self.debit(30)
        self.company.fiscalyear_lock_date = "2026-11-30"
        with freeze_time("2026-12-02 09:00:00"):
            self.book()
        entry = self.tx_of(tx)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.date, self.day("2026-12-02"))
        self.assertLiabilityExact()

    def test_consumption_invoices_keep_chronological_numbering(self):
        """Test that a consumption invoice of 30 November booked after an invoice of 1 December is dated and
        numbered after it, its accounting date staying in November."""
        self.set_policy("consumption")
        self.recharge(100)
        with freeze_time("2026-12-01 00:30:00"):
            tx = self.wallet._ledger_apply(
                "debit", 10, self.key(), accounting_date=self.day("2026-11-30"), description="Usage of 30 November"
            )
            other = self.init_invoice("out_invoice", partner=self.other_customer, amounts=[50],
                                      invoice_date="2026-12-01", post=True)
            self.book()
        invoice = tx.booking_move_id
        self.assertEqual(invoice.journal_id, other.journal_id)
        self.assertEqual(invoice.invoice_date, self.day("2026-12-01"))
        self.assertEqual(invoice.date, self.day("2026-11-30"))
        self.assertGreater(invoice.sequence_number, other.sequence_number)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertLiabilityExact()


@tagged("post_install", "-at_install")
class TestItalianAuditTrail(PrepaidItalianAccountingCommon):
    """Entries carry their customers, link to their movements, and are booked again when undone."""

    def usage_of_two_customers(self):
        self.set_policy("recharge")
        self.recharge(100)
        self.recharge(50, self.other_wallet)
        with freeze_time("2026-11-20 10:00:00"):
            first = self.debit(30)
            second = self.debit(20, wallet=self.other_wallet)
        self.book()
        return first | second

    def test_aggregated_entry_has_a_line_per_customer_and_links_its_movements(self):
        """Test that one entry per day books each customer's prepayments on its own line and lists its movements."""
        txs = self.usage_of_two_customers()
        entry = txs.booking_move_id
        self.assertEqual(len(entry), 1)
        self.assertEntries(entry, [
            self.item("253000", debit=30, partner=self.customer),
            self.item("253000", debit=20, partner=self.other_customer),
            self.item("310200", credit=50),
        ])
        self.assertEqual(entry.prepaid_movement_ids, txs)
        self.assertEqual(entry.prepaid_movement_count, 2)
        action = entry.action_view_prepaid_movements()
        self.assertEqual(action["domain"], [("id", "in", entry.prepaid_movement_ids.ids)])

    def test_cancelled_entry_is_booked_again_by_the_next_run(self):
        """Test that an entry the accountant cancels sends its movements back and the next run books them again."""
        txs = self.usage_of_two_customers()
        entry = txs.booking_move_id
        entry.button_cancel()
        self.assertTrue(all(txs.mapped("needs_booking")))
        self.assertFalse(txs.booking_move_id)
        self.assertLiabilityExact()
        self.book()
        again = txs.booking_move_id
        self.assertEqual(len(again), 1)
        self.assertNotEqual(again, entry)
        self.assertEqual(self.items_of(again), self.items_of(entry))
        self.assertAccountTotals({"253000": -100})
        self.assertLiabilityExact()

    def test_deleted_entry_is_booked_again_by_the_next_run(self):
        """Test that an entry reset to draft and deleted is booked again by the next run."""
        txs = self.usage_of_two_customers()
        entry = txs.booking_move_id
        entry.button_draft()
        self.assertLiabilityExact()
        entry.unlink()
        self.assertTrue(all(txs.mapped("needs_booking")))
        self.book()
        self.assertEqual(txs.booking_move_id.state, "posted")
        self.assertAccountTotals({"253000": -100, "310200": -50})
        self.assertLiabilityExact()

    def test_reversed_entry_is_booked_again_by_the_next_run(self):
        """Test that an entry reversed with Odoo's wizard is booked again, the reversal cancelling the first."""
        txs = self.usage_of_two_customers()
        entry = txs.booking_move_id
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=entry.ids
        ).create({"journal_id": entry.journal_id.id, "date": "2026-11-21", "reason": "Wrong day"})
        wizard.refund_moves()
        self.assertTrue(all(txs.mapped("needs_booking")))
        self.book()
        self.assertNotEqual(txs.booking_move_id, entry)
        self.assertAccountTotals({"253000": -100, "310200": -50})
        self.assertLiabilityExact()

    def test_cancelled_consumption_invoice_is_invoiced_again_with_its_payment_from_the_credit(self):
        """Test that cancelling a consumption invoice undoes its payment from the advance and the next run
        invoices the usage again."""
        self.set_policy("consumption")
        self.recharge(100)
        tx = self.debit(30)
        self.book()
        invoice = tx.booking_move_id
        transfer = invoice.prepaid_transfer_move_id
        invoice.button_cancel()
        self.assertFalse(transfer.exists() and transfer.state == "posted")
        self.assertTrue(tx.needs_booking)
        self.assertAccountTotals({"253000": -122})
        self.assertLiabilityExact()
        self.book()
        again = tx.booking_move_id
        self.assertNotEqual(again, invoice)
        self.assertEqual(again.payment_state, "paid")
        self.assertAccountTotals({"253000": -85.4, "150100": 0})
        self.assertLiabilityExact()

    def test_payment_of_a_consumption_invoice_from_the_credit_cannot_be_undone_alone(self):
        """Test that the entry paying a consumption invoice from the advance refuses reset and cancel."""
        self.set_policy("consumption")
        self.recharge(100)
        tx = self.debit(30)
        self.book()
        transfer = tx.booking_move_id.prepaid_transfer_move_id
        for action in (transfer.button_draft, transfer.button_cancel):
            with self.subTest(action=action.__name__), self.assertRefused(UserError, "cancel or reverse the invoice"):
                action()
        self.assertEqual(transfer.state, "posted")

    def test_fully_refunded_day_still_has_its_entry(self):
        """Test that a debit refunded the same day is booked with its refund, both linked to one entry."""
        self.set_policy("recharge")
        self.recharge(100)
        self.assertRefundedTheSameDay(20, booked=20)
        self.assertLiabilityExact()

    def test_a_day_that_cannot_be_booked_is_recorded_and_the_others_are_booked(self):
        """Test that a day whose entry cannot be posted is recorded on its movements and does not stop the next."""
        self.set_policy("recharge")
        self.recharge(100)
        income = self.account("310200").copy({"code": "310299"})
        product = self.env["product.product"].create({
            "name": "Retired service", "property_account_income_id": income.id,
        })
        income.deprecated = True
        with freeze_time("2026-11-20 10:00:00"):
            bad = self.debit(10, product=product)
        with freeze_time("2026-11-21 10:00:00"):
            good = self.debit(5)
        self.book()
        self.assertTrue(bad.needs_booking)
        self.assertIn("deprecated", bad.booking_error)
        self.assertFalse(good.needs_booking)
        self.assertEqual(self.tx_of(good).date, self.day("2026-11-21"))
        self.assertLiabilityExact()
        income.deprecated = False
        self.book()
        self.assertFalse(bad.needs_booking)
        self.assertFalse(bad.booking_error)
        self.assertEqual(self.tx_of(bad).date, self.day("2026-11-20"))
        self.assertLiabilityExact()
