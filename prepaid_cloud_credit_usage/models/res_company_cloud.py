# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Longest window a company may accept late usage records for (ten years).
MAX_USAGE_AGE_DAYS = 3660


class ResCompany(models.Model):
    """The company's cloud balance policy (kept apart from ``res_company.py``,
    which holds the ledger's accounting settings)."""

    _inherit = "res.company"

    prepaid_suspension_floor = fields.Monetary(
        "Suspension floor",
        currency_field="currency_id",
        default=0.0,
        help="Cloud servers are suspended when the ongoing balance (the balance less the usage not "
        "charged yet) stays at or below this amount past the grace.",
    )
    # No grace by default: services stop when the credit runs out, within the
    # hour the hourly rating sees it.
    prepaid_suspension_grace_hours = fields.Integer(
        "Grace before suspension (hours)",
        default=0,
        help="Hours the ongoing balance may stay at or below the floor before the servers are suspended; "
        "0 suspends them within the hour.",
    )
    prepaid_usage_max_age_days = fields.Integer(
        "Usage records accepted for (days)",
        default=30,
        help="The platform may push usage records up to this many days after their hour; older records are "
        "refused.",
    )

    @api.constrains("prepaid_suspension_grace_hours")
    def _check_prepaid_suspension_grace_hours(self):
        for company in self:
            if company.prepaid_suspension_grace_hours < 0:
                raise ValidationError(_("The grace before suspension cannot be negative."))

    @api.constrains("prepaid_usage_max_age_days")
    def _check_prepaid_usage_max_age_days(self):
        for company in self:
            if not 1 <= company.prepaid_usage_max_age_days <= MAX_USAGE_AGE_DAYS:
                raise ValidationError(
                    _(
                        "Usage records are accepted for 1 to %(max)s days, not %(days)s.",
                        max=MAX_USAGE_AGE_DAYS,
                        days=company.prepaid_usage_max_age_days,
                    )
                )
