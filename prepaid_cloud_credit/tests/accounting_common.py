# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from contextlib import contextmanager

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tools import float_round

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import PrepaidCommon


class PrepaidItalianAccountingCommon(PrepaidCommon):
    """The books as an Italian accountant checks them: a company created by
    the test with the Italian chart (l10n_it, EUR, 22 % VAT), its customer's
    wallet, and helpers that write the expected journal items first and
    compare them account by account with what is posted."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("it")
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.vat22 = company.account_sale_tax_id
        cls.product = company.prepaid_product_id.with_company(company)
        cls.product.taxes_id = [Command.set(cls.vat22.ids)]
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.other_customer = cls.env["res.partner"].create({"name": "Nuvola Srl", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.other_customer.id, "company_id": company.id,
            "currency_id": cls.currency.id, "scope": "all",
        })

    # ------------------------------------------------------------------
    # Documents as the accountant and the customer produce them
    # ------------------------------------------------------------------

    def set_policy(self, policy):
        self.company.prepaid_vat_policy = policy

    def recharge_invoice(self, amount, partner=None, currency=None, day="2026-11-20", post=True):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": (partner or self.customer).id,
            "currency_id": (currency or self.currency).id,
            "invoice_date": day,
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": amount})],
        })
        if post:
            invoice.action_post()
        return invoice

    def pay(self, invoice, day=None):
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": day or invoice.invoice_date})._create_payments()

    def advance(self, gross, wallet=None, day="2026-11-20"):
        """An advance payment of ``gross`` (VAT at consumption), posted."""
        wallet = wallet or self.wallet
        payment = self.env["account.payment"].create({
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": wallet.partner_id.id,
            "amount": gross,
            "currency_id": wallet.currency_id.id,
            "journal_id": self.bank_journal.id,
            "date": day,
            "prepaid_wallet_id": wallet.id,
        })
        payment.action_post()
        return payment

    def recharge(self, amount, wallet=None, day="2026-11-20"):
        """Credit ``amount`` of paid credit as the policy of the company does it."""
        wallet = wallet or self.wallet
        if self.company.prepaid_vat_policy == "consumption":
            gross = float_round(amount * 1.22, 2)
            return self.advance(gross, wallet, day)
        invoice = self.recharge_invoice(amount, wallet.partner_id, wallet.currency_id, day)
        self.pay(invoice)
        return invoice

    def book(self):
        return self.env["prepaid.wallet.transaction"]._cron_book_movements()

    # ------------------------------------------------------------------
    # Expected entries, account by account
    # ------------------------------------------------------------------

    def account(self, code):
        return self.env["account.account"].search(
            [*self.env["account.account"]._check_company_domain(self.company), ("code", "=", code)], limit=1
        )

    def item(self, code, debit=0.0, credit=0.0, partner=None, amount_currency=None, currency=None):
        """An expected journal item: account code, debit, credit, partner,
        and amount in its currency (the company currency by default)."""
        currency = currency or self.currency
        if amount_currency is None:
            amount_currency = debit - credit
        return (code, round(debit, 2), round(credit, 2), partner.id if partner else False, currency.name,
                round(amount_currency, 2))

    def items_of(self, moves):
        return sorted(
            (line.account_id.code, round(line.debit, 2), round(line.credit, 2), line.partner_id.id,
             line.currency_id.name, round(line.amount_currency, 2))
            for line in moves.line_ids
        )

    def assertEntries(self, moves, expected):
        """Compare the journal items of ``moves`` with the expected ones, all of them."""
        self.assertTrue(moves, "no entry was posted")
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(self.items_of(moves), sorted(expected))

    def assertAccountTotals(self, expected):
        """Compare the posted balance of each account (by code) with ``expected``."""
        for code, balance in expected.items():
            lines = self.env["account.move.line"].search([
                ("company_id", "=", self.company.id), ("account_id.code", "=", code), ("parent_state", "=", "posted"),
            ])
            self.assertAlmostEqual(sum(lines.mapped("balance")), balance, places=2, msg=f"account {code}")

    def assertLiabilityExact(self):
        """The customer prepayments account equals the wallets, in every currency."""
        check = self.company._prepaid_liability_check()
        self.assertTrue(check["exact"], check)
        self.assertEqual(check["difference"], 0, check)
        for row in check["currencies"].values():
            self.assertEqual(row["difference"], 0, check)
        return check

    def assertUsageOfNovember30(self, tx):
        """The usage debit ``tx`` of 12.50, made after midnight, is booked on 30 November:
        prepayments to revenue, with the customer."""
        self.assertEqual(tx.accounting_date, self.day("2026-11-30"))
        with freeze_time("2026-12-01 00:30:00"):
            self.book()
        entry = self.tx_of(tx)
        self.assertEqual(entry.date, self.day("2026-11-30"))
        self.assertEntries(entry, [
            self.item("253000", debit=12.5, partner=self.customer),
            self.item("310200", credit=12.5),
        ])

    def assertRefundedTheSameDay(self, amount, booked):
        """Debit ``amount`` and refund it the same day, then book the day:
        both movements are linked to one entry (not an invoice), which takes
        ``booked`` (the usage as the policy books it) to revenue and back.

        :return: the entry
        """
        debit = self.debit(amount)
        refund = self.wallet._ledger_apply("refund", amount, self.key(), refund_of=debit)
        self.book()
        entry = self.tx_of(debit)
        self.assertEqual(self.tx_of(refund), entry)
        self.assertEqual(entry.move_type, "entry")
        self.assertEntries(entry, [
            self.item("253000", debit=booked, partner=self.customer),
            self.item("310200", credit=booked),
            self.item("253000", credit=booked, partner=self.customer),
            self.item("310200", debit=booked),
        ])
        return entry

    @contextmanager
    def assertRefused(self, exception, pattern):
        """The call raises ``exception`` with a message matching ``pattern``,
        and what it wrote is rolled back (``assertRaises`` keeps a savepoint)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def tx_of(self, tx):
        """The booking of a movement: its entry or consumption invoice, and
        the entry that pays that invoice from the prepaid credit."""
        tx.invalidate_recordset()
        return tx.booking_move_id | tx.booking_move_id.prepaid_transfer_move_id

    @staticmethod
    def day(value):
        return fields.Date.to_date(value)
