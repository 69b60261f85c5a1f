# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit_usage.tests.cloud_common import CloudCommon


@tagged("post_install", "-at_install")
class TestPlanCloudPrices(CloudCommon):
    """A plan carries cloud rate cards: its customers' usage is priced with them."""

    def test_plan_customers_get_their_plans_cloud_prices(self):
        """Test that a wallet on a plan uses the plan's rate card, and its own card wins over it."""
        plan = self.env.ref("prepaid_cloud_credit_plan.plan_elite")
        plan_card = self.rate_card.copy({"name": "Elite prices", "is_default": False})
        plan.cloud_rate_card_ids = [(4, plan_card.id)]
        self.assertEqual(self.wallet._get_cloud_rate_card(), self.rate_card)
        self.wallet._set_plan(plan, "Elite plan bought")
        self.assertEqual(self.wallet._get_cloud_rate_card(), plan_card)
        own = self.rate_card.copy({"name": "Contract prices", "is_default": False})
        self.wallet.cloud_rate_card_id = own
        self.assertEqual(self.wallet._get_cloud_rate_card(), own)
