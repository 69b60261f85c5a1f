# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestForeignCurrencyBooks(PrepaidItalianAccountingCommon):
    """Wallets in US dollars and pounds in a company keeping its books in euros.

    Credit bought on 1 November (1 EUR = 1.25 USD = 0.80 GBP) is used on
    20 November (1 EUR = 1.10 USD = 0.90 GBP): the prepayments account
    empties at the rate the credit was paid (IFRIC 22)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency("USD", rates=[("2026-11-01", 1.25), ("2026-11-20", 1.10)])
        cls.gbp = cls.setup_other_currency("GBP", rates=[("2026-11-01", 0.80), ("2026-11-20", 0.90)])
        Wallet = cls.env["prepaid.wallet"].sudo()
        cls.usd_wallet = Wallet.create({
            "partner_id": cls.customer.id, "company_id": cls.company.id, "currency_id": cls.usd.id, "scope": "all",
        })
        cls.gbp_wallet = Wallet.create({
            "partner_id": cls.customer.id, "company_id": cls.company.id, "currency_id": cls.gbp.id, "scope": "all",
        })

    def test_usage_in_two_currencies_is_booked_at_the_rate_of_the_credit_under_vat_at_recharge(self):
        """Test that usage of dollar and pound credit is booked in its currency, at the rate it was paid."""
        self.set_policy("recharge")
        self.recharge(125, self.usd_wallet, day="2026-11-01")
        self.recharge(80, self.gbp_wallet, day="2026-11-01")
        self.assertEqual(self.usd_wallet.lot_ids.mapped("booked_balance"), [100])
        self.assertEqual(self.gbp_wallet.lot_ids.mapped("booked_balance"), [100])
        with freeze_time("2026-11-20 10:00:00"):
            usd_tx = self.debit(50, wallet=self.usd_wallet)
            gbp_tx = self.debit(20, wallet=self.gbp_wallet)
        check = self.assertLiabilityExact()
        self.assertEqual(check["currencies"]["USD"]["unbooked"], -50)
        self.book()
        entry = self.tx_of(usd_tx)
        self.assertEqual(self.tx_of(gbp_tx), entry)
        self.assertEntries(entry, [
            self.item("253000", debit=40, partner=self.customer, amount_currency=50, currency=self.usd),
            self.item("310200", credit=40, amount_currency=-50, currency=self.usd),
            self.item("253000", debit=25, partner=self.customer, amount_currency=20, currency=self.gbp),
            self.item("310200", credit=25, amount_currency=-20, currency=self.gbp),
        ])
        check = self.assertLiabilityExact()
        self.assertEqual(check["currencies"]["USD"]["gl"], 75)
        self.assertEqual(check["currencies"]["GBP"]["gl"], 60)
        self.assertEqual(check["gl"], 135)
        self.assertEqual(check["wallets"], 135)

    def withdraw_dollars_at_a_later_rate(self):
        """75 of 125 dollars bought on 1 November credited back on 20 November."""
        self.set_policy("recharge")
        invoice = self.recharge(125, self.usd_wallet, day="2026-11-01")
        with freeze_time("2026-11-20 10:00:00"):
            self.debit(50, wallet=self.usd_wallet)
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"journal_id": invoice.journal_id.id, "date": "2026-11-20", "reason": "Refund"})
        credit_note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        credit_note.invoice_line_ids.price_unit = 75
        credit_note.action_post()
        self.assertEqual(self.usd_wallet.paid_amount, 0)
        self.assertLiabilityExact()
        self.book()
        self.assertAccountTotals({"253000": 0})
        self.assertLiabilityExact()
        return credit_note

    def test_credit_note_in_dollars_empties_the_account_with_odoos_exchange_difference(self):
        """Test that withdrawing dollar credit at a later rate empties the reconcilable customer-advances
        account: Odoo reconciles the credit note with its invoice and books the exchange difference."""
        credit_note = self.withdraw_dollars_at_a_later_rate()
        liability_line = credit_note.line_ids.filtered(lambda line: line.account_id.code == "253000")
        exchange = (liability_line.matched_debit_ids | liability_line.matched_credit_ids).exchange_move_id
        self.assertEntries(exchange, [
            self.item("253000", credit=8.18, partner=self.customer, amount_currency=0, currency=self.usd),
            self.item("492000", debit=8.18, partner=self.customer, amount_currency=0, currency=self.usd),
        ])
        self.assertFalse(credit_note.prepaid_transaction_ids.booking_move_id, "nothing left to book")

    def test_credit_note_in_dollars_books_the_exchange_difference_of_the_credit(self):
        """Test that on a prepayments account that is not reconcilable the booking books the exchange
        difference between the rate of the credit and that of its credit note."""
        self.company.prepaid_liability_account_id.reconcile = False
        credit_note = self.withdraw_dollars_at_a_later_rate()
        self.assertEntries(self.tx_of(credit_note.prepaid_transaction_ids), [
            self.item("253000", credit=8.18, partner=self.customer, amount_currency=0, currency=self.usd),
            self.item("492000", debit=8.18, amount_currency=0, currency=self.usd),
        ])

    def test_usage_in_two_currencies_is_paid_from_the_advances_at_their_rate_under_vat_at_consumption(self):
        """Test that consumption invoices in dollars and pounds take the advance at its rate; Odoo books the
        exchange difference of the receivable."""
        self.set_policy("consumption")
        self.advance(152.5, self.usd_wallet, day="2026-11-01")
        self.advance(97.6, self.gbp_wallet, day="2026-11-01")
        self.assertEqual((self.usd_wallet.paid_amount, self.gbp_wallet.paid_amount), (125, 80))
        with freeze_time("2026-11-20 10:00:00"):
            usd_tx = self.debit(50, wallet=self.usd_wallet)
            gbp_tx = self.debit(20, wallet=self.gbp_wallet)
        self.book()
        usd_invoice, gbp_invoice = usd_tx.booking_move_id, gbp_tx.booking_move_id
        self.assertEntries(usd_invoice.prepaid_transfer_move_id, [
            self.item("253000", debit=48.8, partner=self.customer, amount_currency=61, currency=self.usd),
            self.item("150100", credit=48.8, partner=self.customer, amount_currency=-61, currency=self.usd),
        ])
        self.assertEntries(gbp_invoice.prepaid_transfer_move_id, [
            self.item("253000", debit=30.5, partner=self.customer, amount_currency=24.4, currency=self.gbp),
            self.item("150100", credit=30.5, partner=self.customer, amount_currency=-24.4, currency=self.gbp),
        ])
        self.assertEqual((usd_invoice.amount_total, usd_invoice.amount_total_signed), (61, 55.45))
        self.assertEqual((usd_invoice.payment_state, gbp_invoice.payment_state), ("paid", "paid"))
        check = self.assertLiabilityExact()
        self.assertEqual(check["currencies"]["USD"]["gl"], 91.5)
        self.assertEqual(check["currencies"]["GBP"]["gl"], 73.2)
        self.assertEqual(check["gl"], 164.7)
        self.assertAccountTotals({"150100": 0})

    def test_liability_check_reports_a_difference_in_a_foreign_currency(self):
        """Test that the check compares each currency: ten dollars booked by hand on the account show up."""
        self.set_policy("recharge")
        self.recharge(125, self.usd_wallet, day="2026-11-01")
        self.assertLiabilityExact()
        entry = self.env["account.move"].create({
            "move_type": "entry",
            "date": "2026-11-20",
            "journal_id": self.company_data["default_journal_misc"].id,
            "line_ids": [
                Command.create({"account_id": self.company.prepaid_liability_account_id.id, "currency_id": self.usd.id,
                                "amount_currency": -10, "balance": -9.09, "partner_id": self.customer.id}),
                Command.create({"account_id": self.company_data["default_account_revenue"].id,
                                "currency_id": self.usd.id, "amount_currency": 10, "balance": 9.09}),
            ],
        })
        entry.action_post()
        check = self.company._prepaid_liability_check()
        self.assertFalse(check["exact"])
        self.assertEqual(check["currencies"]["USD"]["difference"], 10)
        self.assertEqual(check["difference"], 9.09)
