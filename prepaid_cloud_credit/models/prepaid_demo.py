# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, models


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    @api.model
    def _prepaid_load_demo(self):
        """Give the demo customers wallets with a short history, through the
        ledger like any other caller."""
        company = self.env.company
        company._prepaid_setup_accounting()
        # A card-like provider to try the portal recharge, when payment_demo is there.
        provider = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if provider and provider.code == "demo" and provider.state == "disabled":
            provider.state = "test"
        # The demo sells credit like an Italian company: VAT 22 % on recharges.
        sale_tax = company.account_sale_tax_id
        product = company.prepaid_product_id.with_company(company)
        if sale_tax and product:
            vat22 = sale_tax.copy({"name": "IVA 22% (demo)", "amount": 22})
            product.taxes_id = [(6, 0, vat22.ids)]
        eur = self.env.ref("base.EUR")
        rub = self.env.ref("base.RUB")
        (eur | rub).sudo().active = True
        ref = self.env.ref
        histories = [
            (ref("prepaid_cloud_credit.partner_it_demo"), eur, "all", [
                ("credit", 100.0, "paid", "Recharge (demo)"),
                ("credit", 10.0, "bonus", "Promo +10 % (demo)"),
                ("debit", 23.45, "usage", "Cloud usage 1-7 (demo)"),
                ("debit", 12.0, "purchase", "Domain nuvola.it renewal (demo)"),
            ]),
            (ref("prepaid_cloud_credit.partner_fr_demo"), eur, "cloud", [
                ("credit", 50.0, "paid", "Recharge (demo)"),
                ("credit", 20.0, "voucher", "Voucher WELCOME20 (demo)"),
                ("debit", 31.2, "usage", "Cloud usage (demo)"),
            ]),
            (ref("prepaid_cloud_credit.partner_ru_demo"), rub, "cloud", [
                ("credit", 2000.0, "paid", "Recharge (demo)"),
                ("debit", 2150.0, "usage", "Cloud usage (demo)"),
            ]),
            (ref("prepaid_cloud_credit.partner_pa_demo"), eur, "all", [
                ("credit", 500.0, "paid", "Recharge CIG Z1A2B3C4D5 (demo)"),
                ("debit", 120.0, "purchase", "Managed backup, 1 year (demo)"),
            ]),
        ]
        wallets = self.browse()
        for partner, currency, scope, movements in histories:
            wallet = self.sudo()._get_or_create(partner, currency, company)
            wallet.scope = scope
            for index, (movement_type, amount, kind, label) in enumerate(movements):
                key = f"demo:{partner.id}:{index}"
                if movement_type == "credit" and kind == "paid":
                    wallet._prepaid_demo_paid_recharge(amount)
                elif movement_type == "credit":
                    wallet._ledger_apply("credit", amount, key, kind=kind, description=label)
                else:
                    wallet._ledger_apply("debit", amount, key, purpose=kind, description=label)
            wallets |= wallet
        # Demo data loads inside the module's install transaction: no commit.
        self.env["prepaid.wallet.transaction"]._cron_book_movements(commit=False)
        return wallets

    def _prepaid_demo_paid_recharge(self, amount):
        """A recharge as it happens: an invoice of the prepaid credit product,
        posted and paid; the payment credits the wallet."""
        self.ensure_one()
        company = self.company_id
        invoice = self.env["account.move"].with_company(company).create({
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "invoice_line_ids": [(0, 0, {
                "product_id": company.prepaid_product_id.id,
                "quantity": 1,
                "price_unit": amount,
            })],
        })
        invoice.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        return invoice
