# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import HttpCase, tagged

from .common import PrepaidPortalCommon
from .translation_common import CustomerPortalTranslationCommon


@tagged("post_install", "-at_install")
class TestPortalTranslation(CustomerPortalTranslationCommon, PrepaidPortalCommon, HttpCase):
    """The customer's pages of the core, read by an Italian customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wallet._ledger_apply("credit", 80, cls.key("it"), kind="paid")
        cls.wallet._ledger_apply("debit", 5, cls.key("it"), purpose="usage")

    def test_home_and_wallet_pages_show_no_english_label(self):
        """Test that the portal home, the wallet page with its statement form
        and the recharge history speak Italian to an Italian customer."""
        home = self.page("/my")
        self.assertIn("Credito prepagato", home)
        self.assertNoEnglishLabels(home, self.ADDONS)
        wallet = self.page(f"/my/wallet/{self.wallet.id}")
        self.assertIn('id="prepaid_statement_form"', wallet)
        self.assertNoEnglishLabels(wallet, self.ADDONS)
        self.assertPagesInItalian("/my/recharges")

    def test_recharge_form_and_summary_show_no_english_label(self):
        """Test that the recharge form, its error and its summary speak Italian."""
        form = self.page(f"/my/wallet/{self.wallet.id}/recharge")
        self.assertIn("Bonifico bancario", form)
        self.assertNoEnglishLabels(form, self.ADDONS)
        refused = self.page(f"/my/wallet/{self.wallet.id}/recharge", amount="5", payment_method="online")
        self.assertIn("alert-danger", refused)
        self.assertNoEnglishLabels(refused, self.ADDONS)
        summary = self.page(f"/my/wallet/{self.wallet.id}/recharge", amount="50", payment_method="bank_transfer")
        self.assertIn('name="request_key"', summary)
        self.assertNoEnglishLabels(summary, self.ADDONS)

    def test_recharge_page_shows_no_english_label(self):
        """Test that the page of an awaiting recharge, with its bank details, speaks Italian."""
        recharge = self.confirm_recharge(amount="50", method="bank_transfer")
        self.assertTrue(recharge)
        self.assertPagesInItalian(recharge.get_portal_url())
