# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidPlan(models.Model):
    _inherit = "prepaid.plan"

    renewal_price_ids = fields.One2many(
        "prepaid.plan.renewal.price", "plan_id", string="Renewal prices", copy=True,
        help="What customers of this plan pay to renew a service; the product's price otherwise.",
    )
