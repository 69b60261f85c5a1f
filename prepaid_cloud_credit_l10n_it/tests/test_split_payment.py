# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestSplitPaymentCrediting(PrepaidItalianAccountingCommon):
    """A public administration under split payment (the l10n_it chart's
    fiscal position: 22 % VAT split) pays the net amount only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        chart = cls.env["account.chart.template"].with_company(company)
        cls.split_position = chart.ref("split_payment_fiscal_position")
        cls.pa = cls.env["res.partner"].create({
            "name": "Comune di Prova", "is_company": True, "country_id": cls.env.ref("base.it").id,
            "l10n_it_pa_index": "UFABCD",
        })
        cls.pa.with_company(company).property_account_position_id = cls.split_position
        cls.pa_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.pa.id, "company_id": company.id, "currency_id": cls.currency.id, "scope": "all",
        })
        cls.Recharge = cls.env["prepaid.recharge"]

    def pa_recharge(self, amount="100"):
        return self.Recharge._prepaid_portal_create(
            self.pa_wallet, amount, "bank_transfer",
            extra={"l10n_it_cig": "ZAB1234567", "l10n_it_office_code": "UFABCD"},
        )

    def test_split_payment_recharge_asks_for_the_net_amount(self):
        """Test that the payment request of an administration under split payment totals the net amount."""
        self.set_policy("recharge")
        recharge = self.pa_recharge()
        self.assertTrue(recharge.l10n_it_split_payment)
        self.assertRecordValues(recharge, [{
            "amount": 100, "total_amount": 100, "l10n_it_split_vat_amount": 22, "state": "awaiting",
        }])
        self.assertFalse(recharge.invoice_id)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "prepaid_cloud_credit.report_recharge_request", recharge.ids
        )
        html = html.decode()
        self.assertIn("paid by you to the State", html)
        self.assertIn("ZAB1234567", html)
        self.assertIn("This is not an invoice", html)

    def test_net_payment_pays_the_invoice_and_credits_the_net_amount_once(self):
        """Test that a transfer of the net 100 issues the split-payment invoice, pays it in full with the
        split VAT line, credits 100 once, and books every account as the accountant expects."""
        self.set_policy("recharge")
        recharge = self.pa_recharge()
        payment = self.pay_recharge(recharge, day="2026-11-20")
        invoice = recharge.invoice_id
        self.assertRecordValues(invoice, [{
            "state": "posted", "amount_untaxed": 100, "amount_total": 100, "amount_residual": 0,
            "fiscal_position_id": self.split_position.id, "l10n_it_cig": "ZAB1234567",
        }])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # 22 % VAT is due and shown (260800 credit 22) but the State collects it: the split line (260800
        # debit 22) leaves a receivable of the net amount only; the income is the prepayments liability.
        self.assertEntries(invoice, [
            self.item("150100", debit=100, partner=self.pa),
            self.item("253000", credit=100, partner=self.pa),
            self.item("260800", credit=22, partner=self.pa),
            self.item("260800", debit=22, partner=self.pa),
        ])
        self.assertEntries(payment.move_id, [
            self.item(payment.outstanding_account_id.code, debit=100, partner=self.pa),
            self.item("150100", credit=100, partner=self.pa),
        ])
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.pa_wallet.paid_amount, 100)
        self.assertEqual(len(self.pa_wallet.transaction_ids), 1)
        # A second notification of the same payment credits nothing more.
        invoice._invoice_paid_hook()
        self.assertEqual(self.pa_wallet.paid_amount, 100)
        self.assertEqual(len(self.pa_wallet.lot_ids), 1)
        self.assertLiabilityExact()

    def test_gross_payment_credits_the_net_amount_and_leaves_the_excess_to_refund(self):
        """Test that an administration paying net plus VAT by mistake still gets 100 of credit, the
        excess staying open on its account."""
        self.set_policy("recharge")
        recharge = self.pa_recharge()
        payment = self.pay_recharge(recharge, amount=122, day="2026-11-20")
        self.assertEqual(recharge.state, "paid")
        self.assertEqual(self.pa_wallet.paid_amount, 100)
        self.assertFalse(payment.is_reconciled, "22 stays open, to refund")
        self.assertLiabilityExact()
