# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import PrepaidCommon


@tagged("post_install", "-at_install")
class TestCustomerLanguage(PrepaidCommon):
    """A movement's description is read by the customer on the wallet page and
    the statement: it is written in the customer's language, whoever writes
    it (here an English-speaking accountant and the crons)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_lang("it_IT")
        cls.activate_lang("fr_FR")
        cls.customer.lang = "it_IT"
        cls.french = cls.env["res.partner"].create({"name": "Nuage SAS", "is_company": True, "lang": "fr_FR"})
        cls.french_wallet = cls.env["prepaid.wallet"].sudo().create({
            "partner_id": cls.french.id, "company_id": cls.company.id, "currency_id": cls.currency.id,
            "scope": "all",
        })
        cls.product = cls.company.prepaid_product_id.with_company(cls.company)

    def english(self, records):
        return records.with_context(lang="en_US")

    def adjust(self, wallet, lang="en_US"):
        """Return the adjustment of 5 that a manager reading ``lang`` makes on ``wallet``."""
        form = Form(self.env["prepaid.wallet.adjust"].with_context(lang=lang, default_wallet_id=wallet.id))
        form.direction = "increase"
        form.kind = "bonus"
        form.amount = 5
        form.reason = "Goodwill"
        form.save().action_apply()
        return self.Tx.search([("wallet_id", "=", wallet.id), ("movement_type", "=", "adjustment")])

    def test_recharge_adjustment_and_expiry_speak_the_customers_language(self):
        """Test that an Italian customer reads Italian descriptions of a recharge
        paid by an English-speaking accountant, of an adjustment and of the
        expiry cron's movement, and a French customer French ones."""
        invoice = self.english(self.env["account.move"]).create({
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": 50})],
        })
        invoice.action_post()
        self.english(self.env["account.payment.register"]).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        recharge = self.Tx.search([("wallet_id", "=", self.wallet.id), ("movement_type", "=", "credit")])
        self.assertEqual(recharge.name, f"Ricarica {invoice.name}")
        self.assertEqual(self.adjust(self.wallet).name, f"Rettifica di {self.env.user.name}")
        with freeze_time("2026-01-01"):
            lot = self.credit(20, "paid", wallet=self.french_wallet, expiry_date=date(2026, 6, 1)).allocation_ids.lot_id
        with freeze_time("2026-06-01"):
            self.assertEqual(self.english(self.env["prepaid.wallet"])._cron_expire_lots(), 1)
        expiry = self.Tx.search([("wallet_id", "=", self.french_wallet.id), ("movement_type", "=", "expiry")])
        self.assertEqual(expiry.name, f"Expiration de Lot Payé #{lot.id}")
        # The lot's own name follows the reader's language, not the first one computed.
        self.assertEqual(self.english(lot).display_name, f"Paid lot #{lot.id}")

    def test_customer_without_a_language_reads_the_writers(self):
        """Test that a customer with no language gets the language of whoever wrote the movement."""
        self.french.lang = False
        self.assertEqual(self.adjust(self.french_wallet, lang="fr_FR").name, f"Ajustement par {self.env.user.name}")

    def test_consumption_orders_are_named_in_the_readers_language(self):
        """Test that the settings name the consumption orders in the reader's
        language, without Odoo's warning of a translation with no language."""
        field = self.env["res.company"]._fields["prepaid_consumption_order"]
        with self.assertNoLogs("odoo.tools.translate", "WARNING"):
            italian = dict(field._description_selection(self.env(context={"lang": "it_IT"})))
            english = dict(field._description_selection(self.env(context={"lang": "en_US"})))
        self.assertEqual(italian["voucher_bonus_paid"], "Voucher → Bonus → Pagato")
        self.assertEqual(english["voucher_bonus_paid"], "Voucher → Bonus → Paid")
