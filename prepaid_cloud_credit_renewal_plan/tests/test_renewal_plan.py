# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command
from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit_renewal.tests.common import RenewalCommon


@tagged("post_install", "-at_install")
class TestRenewalPlan(RenewalCommon):

    def test_plan_price_applies_to_its_customers_only(self):
        """Test that the customer of a plan renews at the plan's price, and a
        customer without the plan at the product's price."""
        plan = self.env.ref("prepaid_cloud_credit_plan.plan_prestige")
        plan.renewal_price_ids = [Command.create({
            "product_tmpl_id": self.hosting.product_tmpl_id.id, "period": "year",
            "currency_id": self.currency.id, "price": 80.0,
        })]
        self.wallet.with_context(prepaid_plan_change=True).plan_id = plan
        mine = self.service(10)
        rival = self.service(10, partner=self.other_customer)
        self.assertEqual(mine.price, 80.0)
        self.assertEqual(rival.price, 100.0)
        self.credit(500)
        order = self.env["prepaid.renewal.order"]._create_order(mine, payment_method="credit")
        order._confirm()
        self.assertEqual(order.amount_untaxed, 80.0)
        self.assertEqual(self.wallet.balance, 420.0)
