# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.translation_common import PortalTranslationCommon

from .plan_common import PrepaidPlanPortalCommon


@tagged("post_install", "-at_install")
class TestPlanPortalTranslation(PortalTranslationCommon, PrepaidPlanPortalCommon):
    """The plans page, read by an Italian customer."""

    ADDONS = ("prepaid_cloud_credit", "prepaid_cloud_credit_plan")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal.lang = cls.LANG

    def test_plans_page_shows_no_english_label(self):
        """Test that /my/plans and the portal home speak Italian to an Italian customer."""
        self.authenticate("pia", "pia-pass-123")
        plans = self.assertPagesInItalian("/my", "/my/plans")
        self.assertIn(self.elite.with_context(lang=self.LANG).name, plans)
