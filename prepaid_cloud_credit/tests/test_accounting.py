# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestAccounting(PrepaidCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A copy of the chart's sale tax keeps its tax accounts.
        cls.vat22 = cls.company_data["default_tax_sale"].copy({"name": "IVA 22%", "amount": 22})
        cls.product = cls.company.prepaid_product_id.with_company(cls.company)
        cls.product.taxes_id = [Command.set(cls.vat22.ids)]
        cls.liability = cls.company.prepaid_liability_account_id
        cls.revenue = cls.company.prepaid_revenue_account_id
        cls.discount = cls.company.prepaid_discount_account_id
        cls.unbilled = cls.company.prepaid_unbilled_account_id
        cls.breakage = cls.company.prepaid_breakage_account_id

    def recharge_invoice(self, amount, partner=None):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": (partner or self.customer).id,
            "invoice_date": "2026-11-20",
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": amount})],
        })
        invoice.action_post()
        return invoice

    def pay(self, invoice):
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": invoice.invoice_date})._create_payments()

    def balance_of(self, account):
        lines = self.env["account.move.line"].search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
        return sum(lines.mapped("balance"))

    def test_setup_creates_the_prepaid_accounts_and_product(self):
        """Test that a company on the generic chart gets its prepaid accounts, with their own tags, and the product."""
        self.assertEqual(self.liability.account_type, "liability_current")
        self.assertFalse(self.liability.tag_ids)
        self.assertEqual(self.breakage.account_type, "income_other")
        self.assertEqual(self.unbilled.account_type, "asset_current")
        self.assertTrue(self.unbilled.reconcile)
        self.assertEqual(self.discount.account_type, "income")
        operating = self.env.ref("account.account_tag_operating")
        for account in (self.discount, self.company.prepaid_promotion_account_id,
                        self.company.prepaid_adjustment_account_id):
            self.assertEqual(account.tag_ids, operating, account.code)
        self.assertEqual(self.revenue, self.env["account.chart.template"].with_company(self.company).ref("income"))
        self.assertTrue(self.company.prepaid_journal_id)
        self.assertEqual(self.product._get_product_accounts()["income"], self.liability)

    def test_vat_at_recharge_invoice_has_vat_on_the_liability(self):
        """Test that a recharge of 50 invoices 50 + 11 VAT, the 50 on the prepayments liability."""
        invoice = self.recharge_invoice(50)
        self.assertEqual(invoice.amount_untaxed, 50)
        self.assertEqual(invoice.amount_tax, 11)
        self.assertEqual(invoice.amount_total, 61)
        self.assertEqual(invoice.invoice_line_ids.account_id, self.liability)
        self.assertFalse(self.wallet.transaction_ids, "an unpaid recharge credits nothing")

    def test_paid_recharge_invoice_credits_a_paid_lot_once(self):
        """Test that paying the recharge invoice creates one paid lot of the net amount."""
        invoice = self.recharge_invoice(50)
        self.pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.wallet.paid_amount, 50)
        tx = invoice.prepaid_transaction_ids
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.move_id, invoice)
        self.assertFalse(tx.needs_booking)
        # The hook again (a second notification) returns the same transaction.
        invoice._invoice_paid_hook()
        self.assertEqual(invoice._prepaid_credit_recharge(), tx)
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertEqual(len(self.wallet.lot_ids), 1)

    def test_invoice_without_prepaid_product_credits_nothing(self):
        """Test that an ordinary invoice of the customer does not touch the wallet."""
        invoice = self.init_invoice("out_invoice", partner=self.customer, amounts=[100], post=True)
        self.pay(invoice)
        self.assertFalse(self.wallet.transaction_ids)

    def test_consumption_moves_liability_to_revenue_without_vat(self):
        """Test that usage is booked liability to revenue, in one entry per day, without tax."""
        self.pay(self.recharge_invoice(50))
        with freeze_time("2026-11-21 10:00:00"):
            first = self.debit(20)
            second = self.debit(5)
        self.assertTrue(first.needs_booking)
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        entry = first.booking_move_id
        self.assertTrue(entry)
        self.assertEqual(second.booking_move_id, entry, "aggregated: one entry per company and day")
        self.assertEqual(entry.date, date(2026, 11, 21))
        self.assertEqual(entry.state, "posted")
        self.assertFalse(entry.line_ids.tax_ids)
        self.assertRecordValues(entry.line_ids.sorted("debit"), [
            {"account_id": self.revenue.id, "debit": 0.0, "credit": 25.0},
            {"account_id": self.liability.id, "debit": 25.0, "credit": 0.0},
        ])
        self.assertFalse(first.needs_booking)
        check = self.company._prepaid_liability_check()
        self.assertEqual(check["gl"], 25)
        self.assertEqual(check["wallets"], 25)
        self.assertEqual(check["difference"], 0)

    def test_revenue_account_follows_the_product_category(self):
        """Test that consumption of a product is booked to its category's income account."""
        income = self.company_data["default_account_revenue"].copy({"code": "7099PC"})
        category = self.env["product.category"].create({"name": "Cloud"})
        category.with_company(self.company).property_account_income_categ_id = income
        product = self.env["product.product"].create({"name": "vCPU hour", "categ_id": category.id})
        self.pay(self.recharge_invoice(50))
        tx = self.debit(10, product=product)
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        self.assertIn(income, tx.booking_move_id.line_ids.account_id)

    def test_bonus_and_voucher_consumption_go_to_the_discount_account(self):
        """Test that credit without cash is booked as a discount on revenue."""
        self.credit(10, "bonus")
        self.credit(5, "voucher")
        tx = self.debit(12)
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        self.assertRecordValues(tx.booking_move_id.line_ids.sorted("debit"), [
            {"account_id": self.revenue.id, "debit": 0.0, "credit": 12.0},
            {"account_id": self.discount.id, "debit": 12.0, "credit": 0.0},
        ])
        self.assertEqual(self.company._prepaid_liability_check()["difference"], 0)

    def test_expired_paid_credit_goes_to_breakage(self):
        """Test that paid credit that expires is booked liability to breakage income, bonus not at all."""
        self.company.write({"prepaid_paid_expiry": "date", "prepaid_paid_expiry_date": "2026-12-31"})
        with freeze_time("2026-11-20"):
            self.pay(self.recharge_invoice(50))
            self.credit(10, "bonus", expiry_date=date(2026, 12, 31))
            self.debit(15)
        with freeze_time("2027-01-01"):
            self.env["prepaid.wallet"]._cron_expire_lots()
            self.env["prepaid.wallet.transaction"]._cron_book_movements()
        expiries = self.Tx.search([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "expiry")])
        self.assertEqual(expiries.mapped("amount"), [-45])
        paid_expiry = expiries.filtered(lambda tx: tx.allocation_ids.kind == "paid")
        breakage_lines = paid_expiry.booking_move_id.line_ids.filtered(lambda line: line.account_id == self.breakage)
        self.assertRecordValues(breakage_lines, [
            {"debit": 0.0, "credit": 45.0},
        ])
        self.assertEqual(self.balance_of(self.liability), 0)
        self.assertEqual(self.company._prepaid_liability_check()["difference"], 0)

    def test_debt_and_its_repayment_keep_the_ledger_and_the_gl_equal(self):
        """Test that usage in debt is usage to invoice of the customer, which the next recharge settles."""
        self.debit(30)
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        self.assertEqual(self.balance_of(self.unbilled), 30)
        self.assertEqual(self.balance_of(self.liability), 0)
        self.assertEqual(self.company._prepaid_liability_check()["difference"], 0)
        self.pay(self.recharge_invoice(50))
        self.assertEqual(self.wallet.paid_amount, 20)
        check = self.company._prepaid_liability_check()
        self.assertEqual((check["wallets"], check["unbooked"], check["difference"]), (20, -30, 0))
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        self.assertEqual(self.balance_of(self.liability), -20)
        self.assertEqual(self.balance_of(self.unbilled), 0)
        check = self.company._prepaid_liability_check()
        self.assertEqual((check["wallets"], check["difference"]), (20, 0))

    def test_refund_is_booked_back_to_the_liability(self):
        """Test that a refunded debit moves revenue back to the liability."""
        self.pay(self.recharge_invoice(50))
        debit = self.debit(20)
        self.wallet._ledger_apply("refund", 8, self.key(), refund_of=debit)
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        self.assertEqual(self.balance_of(self.liability), -38)
        self.assertEqual(self.balance_of(self.revenue), -12)
        self.assertEqual(self.company._prepaid_liability_check()["difference"], 0)

    def test_liability_check_counts_unpaid_recharges_and_unbooked_movements(self):
        """Test that the check agrees before booking and with a recharge not yet paid."""
        self.pay(self.recharge_invoice(100))
        self.recharge_invoice(40)  # posted, not paid: not yet credit
        self.debit(30)
        check = self.company._prepaid_liability_check()
        self.assertEqual(check["unpaid_recharges"], 40)
        self.assertEqual(check["unbooked"], -30)
        self.assertEqual(check["difference"], 0)

    def test_booking_twice_books_once(self):
        """Test that a second booking run books nothing more."""
        self.pay(self.recharge_invoice(50))
        tx = self.debit(20)
        Tx = self.env["prepaid.wallet.transaction"]
        Tx._cron_book_movements()
        entry = tx.booking_move_id
        self.assertTrue(entry)
        domain = [("company_id", "=", self.company.id)]
        moves = self.env["account.move"].search_count(domain)
        self.assertEqual(Tx._cron_book_movements(), 0)
        self.assertEqual(self.env["account.move"].search_count(domain), moves)
        self.assertEqual(tx.booking_move_id, entry)

    def test_vat_at_consumption_advance_then_invoice_paid_from_it(self):
        """Test the multi-purpose policy: advance without VAT, usage invoiced with VAT and paid from the advance."""
        self.company.prepaid_vat_policy = "consumption"
        payment = self.env["account.payment"].create({
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.customer.id,
            "amount": 61.0,
            "date": "2026-11-20",
            "prepaid_wallet_id": self.wallet.id,
        })
        self.assertEqual(payment.destination_account_id, self.liability)
        self.assertEqual(payment.prepaid_net_amount, 50)
        payment.action_post()
        self.assertEqual(self.wallet.paid_amount, 50)
        self.assertFalse(payment.move_id.line_ids.tax_ids, "no VAT on the advance")
        self.assertEqual(self.balance_of(self.liability), -61)
        with freeze_time("2026-11-21 09:00:00"):
            tx = self.debit(20)
        self.env["prepaid.wallet.transaction"]._cron_book_movements()
        invoice = tx.booking_move_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.amount_untaxed, 20)
        self.assertEqual(invoice.amount_tax, 4.4)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.balance_of(self.liability), -36.6)
        # Posting the payment again does not credit twice.
        first = self.Tx.search([("idempotency_key", "=", f"recharge:payment:{payment.id}")])
        self.assertEqual(payment._prepaid_credit_advance(), first)
        self.assertEqual(self.wallet.paid_amount, 30)

    def _recharge(self, amount, method="bank_transfer"):
        Recharge = self.env["prepaid.recharge"]
        recharge = Recharge.create(Recharge._prepare_recharge_vals(self.wallet, amount, method))
        recharge.action_confirm()
        return recharge

    def test_recharge_request_is_an_order_to_pay_first(self):
        """Test that a recharge under VAT at recharge waits with its 61.00 invoice, then is credited once paid."""
        recharge = self._recharge(50)
        self.assertEqual(recharge.state, "awaiting")
        self.assertRecordValues(recharge, [{"amount": 50, "tax_amount": 11, "total_amount": 61}])
        self.assertEqual(recharge.invoice_id.amount_total, 61)
        self.assertEqual(recharge.invoice_id.state, "posted")
        self.assertFalse(self.wallet.transaction_ids)
        self.pay(recharge.invoice_id)
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(recharge.lot_id.original_amount, 50)
        self.assertEqual(recharge.transaction_id.move_id, recharge.invoice_id)
        self.assertEqual(self.wallet.paid_amount, 50)

    def test_cancelled_recharge_credits_nothing(self):
        """Test that cancelling an unpaid recharge reverses its invoice by a credit note and writes no credit."""
        recharge = self._recharge(50)
        recharge.action_cancel()
        self.assertEqual(recharge.state, "cancelled")
        self.assertEqual(recharge.invoice_id.state, "posted")
        self.assertEqual(recharge.invoice_id.payment_state, "reversed")
        self.assertFalse(self.wallet.transaction_ids)
        self.assertEqual(self.company._prepaid_liability_check()["difference"], 0)

    def test_recharge_with_bad_amount_is_refused(self):
        """Test that a recharge of a bad amount is refused and nothing is created."""
        from odoo.exceptions import ValidationError

        before = self.env["prepaid.recharge"].search_count([])
        for amount in (0, -10, 10.001):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                self._recharge(amount)
        self.assertEqual(self.env["prepaid.recharge"].search_count([]), before)

    def test_recharge_under_vat_at_consumption_waits_for_the_advance(self):
        """Test that under VAT at consumption a recharge has no invoice and is credited by its advance."""
        self.company.prepaid_vat_policy = "consumption"
        recharge = self._recharge(50)
        self.assertFalse(recharge.invoice_id)
        self.assertEqual(recharge.total_amount, 61)
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": recharge.total_amount, "prepaid_wallet_id": self.wallet.id,
        })
        payment.prepaid_recharge_id = recharge
        payment.action_post()
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.wallet.paid_amount, 50)
