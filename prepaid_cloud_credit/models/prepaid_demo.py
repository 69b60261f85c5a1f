# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import base64
import logging

from odoo import api, models
from odoo.tools.misc import file_open
from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# The languages of the demo customers: Italian, French and Russian.
DEMO_LANGS = ("it_IT", "fr_FR", "ru_RU")


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    @api.model
    def _prepaid_load_demo_company(self):
        """Make the main company the demo's Italian hosting company.

        Its name, logo, address, VAT number and IBAN, the Italian chart of
        accounts and taxes when ``l10n_it`` is installed (demo databases
        only: loading a chart removes the company's demo entries), EUR, and
        the customers' languages activated with their translations.

        :return: the company
        """
        company = self.env.ref("base.main_company")
        italy = self.env.ref("base.it")
        company.write({
            "name": "Appennino Cloud S.r.l.",
            "street": "Via dell'Indipendenza 8",
            "city": "Bologna",
            "zip": "40121",
            "state_id": self.env["res.country.state"].search(
                [("country_id", "=", italy.id), ("code", "=", "BO")], limit=1).id,
            "country_id": italy.id,
            "vat": "IT03124570379",
            "company_registry": "BO-0531245",
            "phone": "+39 051 000 1234",
            "email": "amministrazione@appenninocloud.example.it",
            "website": "https://www.appenninocloud.example.it",
            "logo": base64.b64encode(
                file_open("prepaid_cloud_credit/static/src/img/demo_company_logo.png", "rb").read()),
        })
        l10n_it = self.env["ir.module.module"].search([("name", "=", "l10n_it"), ("state", "=", "installed")])
        if l10n_it and company.chart_template != "it":
            try:
                with self.env.cr.savepoint():
                    self.env["account.chart.template"].try_loading("it", company, install_demo=False)
            except Exception:
                # The demo goes on with the generic chart rather than not at all.
                _logger.exception("The demo company could not take the Italian chart of accounts")
        bank = self.env["res.bank"].search([("bic", "=", "BPMOIT22XXX")], limit=1) or self.env["res.bank"].create({
            "name": "BPER Banca", "bic": "BPMOIT22XXX", "country": italy.id, "city": "Modena",
        })
        account = self.env["res.partner.bank"].search(
            [("acc_number", "=", "IT15S0538702400000001234567"), ("partner_id", "=", company.partner_id.id)])
        if not account:
            account = self.env["res.partner.bank"].create({
                "acc_number": "IT15S0538702400000001234567",
                "partner_id": company.partner_id.id,
                "bank_id": bank.id,
                "allow_out_payment": True,
            })
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
        if journal and not journal.bank_account_id:
            journal.bank_account_id = account
        Lang = self.env["res.lang"].with_context(active_test=False)
        new_langs = [code for code in DEMO_LANGS if not Lang.search([("code", "=", code), ("active", "=", True)])]
        for code in new_langs:
            Lang._activate_lang(code)
        if new_langs:
            # This addon's own terms load with it; the installed modules' now.
            installed = self.env["ir.module.module"].search([("state", "=", "installed")])
            installed._update_translations(filter_lang=new_langs)
        return company

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
            # The Italian chart's default sale tax is already 22 %; another chart's is not.
            vat22 = sale_tax if sale_tax.amount == 22 else sale_tax.copy({"name": "IVA 22% (demo)", "amount": 22})
            product.taxes_id = [(6, 0, vat22.ids)]
        eur = self.env.ref("base.EUR")
        rub = self.env.ref("base.RUB")
        (eur | rub).sudo().active = True
        ref = self.env.ref
        histories = [
            (ref("prepaid_cloud_credit.partner_it_demo"), eur, "all", [
                ("credit", 100.0, "paid", None),
                ("credit", 10.0, "bonus", _lt("Promo +10 % (demo)")),
                ("debit", 23.45, "usage", _lt("Cloud usage 1-7 (demo)")),
                ("debit", 12.0, "purchase", _lt("Domain nuvola.it renewal (demo)")),
            ]),
            (ref("prepaid_cloud_credit.partner_fr_demo"), eur, "cloud", [
                ("credit", 50.0, "paid", None),
                ("credit", 20.0, "voucher", _lt("Voucher WELCOME20 (demo)")),
                ("debit", 31.2, "usage", _lt("Cloud usage (demo)")),
            ]),
            (ref("prepaid_cloud_credit.partner_ru_demo"), rub, "cloud", [
                ("credit", 2000.0, "paid", None),
                ("debit", 2150.0, "usage", _lt("Cloud usage (demo)")),
            ]),
            (ref("prepaid_cloud_credit.partner_pa_demo"), eur, "all", [
                ("credit", 500.0, "paid", None),
                ("debit", 120.0, "purchase", _lt("Managed backup, 1 year (demo)")),
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
                    continue
                # in the customer's language, as the ledger's callers write them
                description = wallet._customer_env()._(label)
                if movement_type == "credit":
                    wallet._ledger_apply("credit", amount, key, kind=kind, description=description)
                else:
                    wallet._ledger_apply("debit", amount, key, purpose=kind, description=description)
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
