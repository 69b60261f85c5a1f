# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestItalianCreditNotes(PrepaidItalianAccountingCommon):
    """Credit follows the documents that carry it."""

    def reverse(self, invoice, day="2026-11-21"):
        """A credit note through Odoo's reversal wizard, left in draft."""
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"journal_id": invoice.journal_id.id, "date": day, "reason": "Customer leaves"})
        return self.env["account.move"].browse(wizard.refund_moves()["res_id"])

    def test_credit_note_of_a_paid_recharge_withdraws_its_unused_credit(self):
        """Test that a credit note of the unused part of a paid recharge withdraws exactly that credit."""
        self.set_policy("recharge")
        invoice = self.recharge(100)
        self.debit(30)
        self.book()
        credit_note = self.reverse(invoice)
        credit_note.invoice_line_ids.price_unit = 70
        credit_note.action_post()
        self.assertEntries(credit_note, [
            self.item("253000", debit=70, partner=self.customer),
            self.item("260100", debit=15.4, partner=self.customer),
            self.item("150100", credit=85.4, partner=self.customer),
        ])
        withdrawal = credit_note.prepaid_transaction_ids
        self.assertEqual(withdrawal.movement_type, "withdrawal")
        self.assertEqual(withdrawal.amount, -70)
        self.assertEqual(self.wallet.paid_amount, 0)
        self.assertEqual(self.wallet.balance, 0)
        self.assertLedgerConsistent()
        self.book()
        self.assertAccountTotals({"253000": 0})
        self.assertLiabilityExact()

    def test_credit_note_larger_than_the_unused_credit_is_refused_with_the_amount_left(self):
        """Test that a full credit note of a recharge partly spent is refused, proposing the unused amount."""
        self.set_policy("recharge")
        invoice = self.recharge(100)
        self.debit(30)
        credit_note = self.reverse(invoice)
        before = self.ledger_snapshot()
        with self.assertRefused(UserError, r"Only .*70\.00.* is still unused"):
            credit_note.action_post()
        credit_note.invalidate_recordset()
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(self.ledger_snapshot(), before)

    def test_credit_note_before_the_payment_reduces_the_credit(self):
        """Test that a recharge paid after a partial credit note credits the invoice less the credit note."""
        self.set_policy("recharge")
        invoice = self.recharge_invoice(100)
        credit_note = self.reverse(invoice)
        credit_note.invoice_line_ids.price_unit = 40
        credit_note.action_post()
        self.assertFalse(self.wallet.transaction_ids)
        self.assertLiabilityExact()
        self.pay(invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.wallet.paid_amount, 60)
        self.assertAccountTotals({"253000": -60})
        self.assertLiabilityExact()

    def test_credit_note_not_reversing_a_recharge_is_refused(self):
        """Test that a credit note selling back prepaid credit without reversing its recharge invoice is refused."""
        self.set_policy("recharge")
        self.recharge(100)
        credit_note = self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": self.customer.id,
            "invoice_date": "2026-11-21",
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": 50})],
        })
        with self.assertRefused(UserError, "without reversing the recharge invoice"):
            credit_note.action_post()
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_paid_recharge_invoice_cannot_be_reset_to_draft_or_cancelled(self):
        """Test that the invoice whose credit was granted refuses reset to draft and cancel, with a clear message."""
        self.set_policy("recharge")
        invoice = self.recharge(100)
        for action in (invoice.button_draft, invoice.button_cancel):
            with self.subTest(action=action.__name__), self.assertRefused(UserError, "Issue a credit note"):
                action()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_posted_advance_payment_cannot_be_cancelled_or_reset_to_draft(self):
        """Test that under VAT at consumption an advance whose credit was granted cannot be cancelled or reset."""
        self.set_policy("consumption")
        payment = self.recharge(100)
        for action in (payment.action_cancel, payment.action_draft):
            with self.subTest(action=action.__name__), self.assertRefused(UserError, "Issue a credit note"):
                action()
        self.assertEqual(payment.move_id.state, "posted")
        self.assertEqual(self.wallet.paid_amount, 100)
        self.assertLiabilityExact()


@tagged("post_install", "-at_install")
class TestItalianRefundsAndCancellation(PrepaidItalianAccountingCommon):
    """One action refunds unused credit; an unpaid recharge is cancelled by a credit note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="prepaid_manager_only", name="Prepaid manager without invoicing",
            groups="base.group_user,prepaid_cloud_credit.group_prepaid_manager",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )

    def paid_recharge(self, amount):
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, amount, "bank_transfer"))
        recharge.action_confirm()
        if recharge.invoice_id:
            self.pay(recharge.invoice_id, "2026-11-20")
        else:
            payment = self.env["account.payment"].create({
                "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
                "amount": recharge.total_amount, "journal_id": self.bank_journal.id, "date": "2026-11-20",
                "prepaid_wallet_id": self.wallet.id,
            })
            payment.prepaid_recharge_id = recharge
            payment.action_post()
        self.assertEqual(recharge.state, "paid")
        return recharge

    def refund_wizard(self, recharge, user=None, **vals):
        action = recharge.with_user(user or self.env.user).action_refund()
        return self.env[action["res_model"]].with_user(user or self.env.user).with_context(
            **action["context"]
        ).create({"reason": "The customer leaves", **vals})

    def test_refund_of_unused_credit_issues_the_credit_note_and_proposes_the_payment(self):
        """Test that under VAT at recharge one action credits the unused part, withdraws it and proposes the payment."""
        self.set_policy("recharge")
        recharge = self.paid_recharge(100)
        self.debit(30)
        self.book()
        wizard = self.refund_wizard(recharge)
        self.assertEqual((wizard.amount, wizard.refund_total, wizard.document_type), (70, 85.4, "credit_note"))
        action = wizard.action_apply()
        self.assertEqual(action["res_model"], "account.payment.register")
        credit_note = recharge.invoice_id.reversal_move_ids
        self.assertEntries(credit_note, [
            self.item("253000", debit=70, partner=self.customer),
            self.item("260100", debit=15.4, partner=self.customer),
            self.item("150100", credit=85.4, partner=self.customer),
        ])
        self.assertEqual(self.wallet.paid_amount, 0)
        register = self.env["account.payment.register"].with_context(**action["context"]).create({})
        payment = register._create_payments()
        self.assertEqual((payment.payment_type, payment.amount), ("outbound", 85.4))
        self.assertEqual(credit_note.payment_state, "paid")
        self.book()
        self.assertAccountTotals({"253000": 0, "150100": 0})
        self.assertLiabilityExact()

    def test_refund_of_part_of_the_credit(self):
        """Test that refunding 20 of the 70 unused credits 20 plus VAT and leaves 50."""
        self.set_policy("recharge")
        recharge = self.paid_recharge(100)
        self.debit(30)
        self.refund_wizard(recharge, amount=20).action_apply()
        self.assertEntries(recharge.invoice_id.reversal_move_ids, [
            self.item("253000", debit=20, partner=self.customer),
            self.item("260100", debit=4.4, partner=self.customer),
            self.item("150100", credit=24.4, partner=self.customer),
        ])
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertLiabilityExact()

    def test_refund_of_more_than_the_unused_credit_or_of_nothing_is_refused(self):
        """Test that the refund wizard refuses more than the unused credit, zero and negative amounts, and writes
        nothing."""
        self.set_policy("recharge")
        recharge = self.paid_recharge(100)
        self.debit(30)
        before = self.ledger_snapshot()
        with self.assertRefused(UserError, r"Only .*70\.00.* of this credit is unused"):
            self.refund_wizard(recharge, amount=80).action_apply()
        for amount in (0, -5):
            with self.subTest(amount=amount), self.assertRefused(UserError, "greater than zero"):
                self.refund_wizard(recharge, amount=amount).action_apply()
        self.assertEqual(self.ledger_snapshot(), before)
        self.assertFalse(recharge.invoice_id.reversal_move_ids)

    def test_refund_of_an_advance_proposes_the_outgoing_payment_and_withdraws_on_posting(self):
        """Test that under VAT at consumption the refund is an outgoing payment of the credit with its VAT."""
        self.set_policy("consumption")
        recharge = self.paid_recharge(100)
        self.debit(30)
        self.book()
        wizard = self.refund_wizard(recharge)
        self.assertEqual((wizard.amount, wizard.refund_total, wizard.document_type), (70, 85.4, "advance_refund"))
        action = wizard.action_apply()
        payment = self.env["account.payment"].browse(action["res_id"])
        self.assertRecordValues(payment, [{
            "payment_type": "outbound", "amount": 85.4, "prepaid_net_amount": 70, "state": "draft",
        }])
        self.assertEqual(self.wallet.paid_amount, 70, "withdrawn when the accountant posts the payment")
        payment.action_post()
        self.assertEqual(self.wallet.paid_amount, 0)
        self.assertEntries(payment.move_id, [
            self.item("253000", debit=85.4, partner=self.customer),
            self.item("OSTP00", credit=85.4, partner=self.customer),
        ])
        self.book()
        self.assertAccountTotals({"253000": 0})
        self.assertLiabilityExact()
        with self.assertRefused(UserError, "Issue a credit note"):
            payment.action_cancel()

    def test_manager_without_invoicing_rights_refunds_and_the_accountant_gets_the_payment_to_do(self):
        """Test that a prepaid manager without invoicing rights refunds credit; the accountant gets an activity."""
        self.set_policy("recharge")
        recharge = self.paid_recharge(100)
        action = self.refund_wizard(recharge, user=self.manager).action_apply()
        self.assertEqual(action["tag"], "display_notification")
        credit_note = recharge.invoice_id.reversal_move_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertTrue(credit_note.activity_ids)
        self.assertEqual(self.wallet.paid_amount, 0)
        self.assertLiabilityExact()

    def test_prepaid_user_cannot_refund(self):
        """Test that a prepaid user (read only) cannot refund credit, even by calling the wizard directly."""
        self.set_policy("recharge")
        recharge = self.paid_recharge(100)
        reader = new_test_user(
            self.env, login="prepaid_reader", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            recharge.with_user(reader).action_refund()
        with self.assertRaises(AccessError):
            self.env["prepaid.credit.lot.refund"].with_user(reader).create({
                "lot_id": recharge.lot_id.id, "amount": 10, "reason": "x",
            }).action_apply()
        self.assertEqual(self.wallet.paid_amount, 100)

    def test_unpaid_recharge_is_cancelled_by_a_credit_note_by_a_manager_without_invoicing_rights(self):
        """Test that a prepaid manager without invoicing rights cancels an unpaid recharge: a credit note, no draft."""
        self.set_policy("recharge")
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 100, "bank_transfer"))
        recharge.action_confirm()
        invoice = recharge.invoice_id
        recharge.with_user(self.manager).action_cancel()
        self.assertEqual(recharge.state, "cancelled")
        self.assertEqual(invoice.state, "posted", "never reset to draft")
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEntries(invoice.reversal_move_ids, [
            self.item("253000", debit=100, partner=self.customer),
            self.item("260100", debit=22, partner=self.customer),
            self.item("150100", credit=122, partner=self.customer),
        ])
        self.assertFalse(self.wallet.transaction_ids)
        self.assertAccountTotals({"253000": 0, "150100": 0})
        self.assertLiabilityExact()

    def test_unpaid_recharge_is_cancelled_after_a_tax_lock_date(self):
        """Test that a recharge invoiced in a period closed for VAT is still cancelled, by a credit note after it."""
        self.set_policy("recharge")
        Recharge = self.env["prepaid.recharge"]
        with freeze_time("2026-11-20 10:00:00"):
            recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 100, "bank_transfer"))
            recharge.action_confirm()
        invoice = recharge.invoice_id
        self.assertEqual(invoice.date, self.day("2026-11-20"))
        self.company.tax_lock_date = "2026-11-30"
        with freeze_time("2026-12-02 09:00:00"):
            recharge.with_user(self.manager).action_cancel()
        credit_note = invoice.reversal_move_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.date, self.day("2026-12-02"))
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(recharge.state, "cancelled")
        self.assertLiabilityExact()

    def test_prepaid_user_cannot_cancel_a_recharge(self):
        """Test that a read-only prepaid user cannot cancel a recharge over RPC: nothing changes."""
        self.set_policy("recharge")
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, 100, "bank_transfer"))
        recharge.action_confirm()
        reader = new_test_user(
            self.env, login="prepaid_reader2", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            recharge.with_user(reader).action_cancel()
        self.assertEqual(recharge.state, "awaiting")
        self.assertFalse(recharge.invoice_id.reversal_move_ids)
