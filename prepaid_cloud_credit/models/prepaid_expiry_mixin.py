# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SOURCE_EXPIRY_POLICIES = [
    ("company", "Company default"),
    ("never", "Never"),
    ("months", "Months after purchase"),
    ("date", "Fixed date"),
]


def expiry_from_policy(policy, months, date, start):
    """The expiry date of a lot opened on ``start`` under a source's policy.

    :return: a date, False (never expires) or None (the company default of
        the lot's kind applies)
    """
    if policy == "never":
        return False
    if policy == "months":
        return start + relativedelta(months=months)
    if policy == "date":
        return date
    return None


class PrepaidExpiryMixin(models.AbstractModel):
    """What sells credit decides when that credit expires: plan credit that
    never expires and cloud credit that expires 13 months after purchase
    live side by side in one company; the company default of the lot's kind
    applies when the source says nothing."""

    _name = "prepaid.expiry.mixin"
    _description = "Expiry of the credit a source gives"

    prepaid_expiry_policy = fields.Selection(
        SOURCE_EXPIRY_POLICIES,
        string="Credit expiry",
        required=True,
        default="company",
        help="When the credit bought with this expires; the company default of the kind of credit when "
        "set to Company default.",
    )
    prepaid_expiry_months = fields.Integer("Credit expires after (months)", default=13)
    prepaid_expiry_date = fields.Date("Credit expires on")

    @api.constrains("prepaid_expiry_policy", "prepaid_expiry_months", "prepaid_expiry_date")
    def _check_prepaid_expiry(self):
        for record in self:
            if record.prepaid_expiry_policy == "months" and record.prepaid_expiry_months <= 0:
                raise ValidationError(_("An expiry in months needs a positive number of months."))
            if record.prepaid_expiry_policy == "date" and not record.prepaid_expiry_date:
                raise ValidationError(_("Set the date on which the credit expires."))

    def _prepaid_expiry_date(self, start):
        """The expiry of credit bought on ``start`` from this source.

        :return: a date, False (never) or None (the company default)
        """
        self.ensure_one()
        return expiry_from_policy(
            self.prepaid_expiry_policy, self.prepaid_expiry_months, self.prepaid_expiry_date, start
        )
