# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_sdi import SdiCommon


@tagged("post_install", "-at_install")
class TestSdiSecurity(SdiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company(name="Other Italian Hosting")["company"]
        cls.accountant = cls._user("sdi_accountant_a", "account.group_account_invoice", cls.company,
                                   name="Accountant A", email="accountant.a@hosting.example")
        cls.other_accountant = cls._user("sdi_accountant_b", "account.group_account_invoice", cls.other_company,
                                         name="Accountant B", email="accountant.b@hosting.example")
        cls.sales_user = cls._user("sdi_sales_only", "base.group_user", cls.company, name="Sales only")

    @classmethod
    def _user(cls, login, groups, company, **values):
        """A user of ``company`` alone, with ``groups`` (comma-separated xml ids)."""
        return new_test_user(cls.env, login, groups=groups, company_id=company.id,
                             company_ids=[Command.set(company.ids)], **values)

    def test_accountants_read_receipts_of_their_companies_only(self):
        """Test that an accountant reads the receipts of their company, that
        one of another company sees none, and that neither creates receipts
        or changes the company settings by hand."""
        data, _sdi = self._receipt("RC", file_name=self._unique_file_name())
        receipt = self.env["l10n_it.fatturapa.receipt"]._import_receipt(data, "rc.xml", company=self.company)
        Receipt = self.env["l10n_it.fatturapa.receipt"]
        self.assertEqual(Receipt.with_user(self.accountant).search([("id", "=", receipt.id)]), receipt)
        self.assertFalse(Receipt.with_user(self.other_accountant).search([("id", "=", receipt.id)]))
        with self.assertRaises(AccessError):
            receipt.with_user(self.other_accountant).read(["name"])
        with self.assertRaises(AccessError):
            receipt.with_user(self.sales_user).read(["name"])
        with self.assertRaises(AccessError):
            Receipt.with_user(self.accountant).create({"name": "forged", "state": "applied"})
        with self.assertRaises(AccessError):
            self.company.with_user(self.accountant).write({"l10n_it_fatturapa_channel": "manual"})

    def test_accountant_applies_unmatched_receipt_to_own_company_only(self):
        """Test that an accountant applies an unmatched receipt to an invoice
        of their own company and cannot reach another company's invoice."""
        self.company.l10n_it_fatturapa_channel = "manual"
        move = self._sent_invoice()
        data, _sdi = self._receipt("RC", file_name=self._unique_file_name())
        receipt = self.env["l10n_it.fatturapa.receipt"]._import_receipt(data, "rc.xml", company=self.company)
        receipt.with_user(self.accountant).move_id = move
        receipt.with_user(self.accountant).action_apply()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")

        other_data, _sdi = self._receipt("RC", file_name=self._unique_file_name())
        other = self.env["l10n_it.fatturapa.receipt"]._import_receipt(
            other_data, "rc.xml", company=self.other_company)
        with self.assertRaises(AccessError):
            other.with_user(self.accountant).action_apply()
        self.assertEqual(other.state, "unmatched")

    def test_only_accountants_feed_receipts_through_the_mail_gateway(self):
        """Test that a user without accounting rights cannot forge a receipt
        through the public mail gateway methods over RPC."""
        move = self._sent_invoice(channel="manual")
        data, _sdi = self._receipt("NE", file_name=move.l10n_it_fatturapa_sdi_filename)
        msg_dict = {"subject": "forged", "attachments": [("NE.xml", data, {})]}
        count = self._receipts_count()
        Receipt = self.env["l10n_it.fatturapa.receipt"].with_user(self.sales_user)
        with self.assertRaises(AccessError):
            Receipt.message_new(msg_dict)
        self.assertEqual(self._receipts_count(), count)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")

    def test_sales_user_cannot_send_to_the_sdi(self):
        """Test that a user without accounting rights cannot send an invoice to the SdI over RPC."""
        self.company.l10n_it_fatturapa_channel = "manual"
        move = self._invoice()
        with self.assertRaises(AccessError):
            move.with_user(self.sales_user).action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")
