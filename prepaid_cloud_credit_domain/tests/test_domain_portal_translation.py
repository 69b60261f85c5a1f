# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.translation_common import PortalTranslationCommon

from .domain_common import PrepaidDomainPortalCommon


@tagged("post_install", "-at_install")
class TestDomainPortalTranslation(PortalTranslationCommon, PrepaidDomainPortalCommon):
    """The domains pages and the domain price list, read by an Italian customer."""

    ADDONS = ("prepaid_cloud_credit", "prepaid_cloud_credit_plan", "prepaid_cloud_credit_domain")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal.lang = cls.LANG
        cls.domain = cls.Domain.create({"name": "acme.com", "wallet_id": cls.wallet.id})
        cls.credit(cls, 100)
        cls.domain.sudo()._execute_operation("register", 1)

    def test_domain_pages_and_price_list_show_no_english_label(self):
        """Test that the domains list, a domain and the price list (its
        operation headers too) speak Italian to an Italian customer."""
        self.authenticate("pia", "pia-pass-123")
        self.assertPagesInItalian(
            "/my", "/my/domains", f"/my/domains/{self.domain.id}", "/my/domain-prices", "/my/plans"
        )
        prices = self.page("/my/domain-prices")
        self.assertIn("Registra", prices)
        self.assertIn("Rinnova", prices)

    def test_operation_wizard_title_is_translated(self):
        """Test that the backend's operation window is titled in the user's language."""
        action = self.domain.with_context(lang=self.LANG, prepaid_operation="transfer").action_open_operation()
        self.assertEqual(action["name"], "Trasferisci")
