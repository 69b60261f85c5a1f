# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    prepaid_renewable = fields.Boolean(
        "Renewable service", help="Sold as a service with a recurring fee, renewed from the portal."
    )
    prepaid_renewal_period = fields.Selection(
        [("month", "Monthly"), ("year", "Yearly"), ("both", "Monthly or yearly")],
        "Renewal periods", default="year",
    )
    prepaid_platform_product = fields.Char(
        "Platform product", copy=False, index="btree_not_null",
        help="The hosting platform's product this product stands for, as <platform code>:<product id> "
        "(e.g. whmcs:4): the services of that product synced from the platform are renewed with it.",
    )
    prepaid_renewal_price_month = fields.Float("Price per month", digits="Product Price")
    prepaid_renewal_price_year = fields.Float("Price per year", digits="Product Price")
    prepaid_renewal_grace_days = fields.Integer(
        "Grace period (days)", default=15, help="Days after expiry during which the service still runs."
    )
    prepaid_renewal_termination_days = fields.Integer(
        "Suspension before termination (days)", default=30,
        help="Days a service stays suspended after its grace period before it is terminated.",
    )

    def _prepaid_renewal_periods(self):
        """The periods a service of this product renews by."""
        self.ensure_one()
        if self.prepaid_renewal_period == "both":
            return ("month", "year")
        return (self.prepaid_renewal_period or "year",)
