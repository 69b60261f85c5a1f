# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    prepaid_renewal_expiring_days = fields.Integer(
        "Expiring within (days)", default=30, help="A service is shown as expiring this many days before its expiry."
    )
    prepaid_renewal_auto_days = fields.Integer(
        "Automatic renewal (days before expiry)", default=3,
    )
    prepaid_renewal_reminder_days = fields.Char(
        "Renewal reminders (days before expiry)", default="30,7,1,0",
        help="Comma-separated days before expiry at which the customer is reminded; 0 is the expiry day.",
    )
    prepaid_renewal_transfer_fee = fields.Monetary(
        "Bank transfer handling fee", currency_field="currency_id", default=2.0,
    )
    prepaid_renewal_fee_product_id = fields.Many2one(
        "product.product", "Handling fee product",
        default=lambda self: self.env.ref("prepaid_cloud_credit_renewal.product_renewal_transfer_fee",
                                          raise_if_not_found=False),
    )

    @api.constrains("prepaid_renewal_reminder_days", "prepaid_renewal_transfer_fee", "prepaid_renewal_auto_days",
                    "prepaid_renewal_expiring_days")
    def _check_prepaid_renewal_settings(self):
        for company in self:
            company._prepaid_renewal_reminder_offsets()
            if company.prepaid_renewal_transfer_fee < 0:
                raise ValidationError(_("The handling fee cannot be negative."))
            auto_days, expiring_days = company.prepaid_renewal_auto_days, company.prepaid_renewal_expiring_days
            if not 0 <= auto_days <= 60 or not 0 <= expiring_days <= 366:
                raise ValidationError(_("Choose between 0 and 60 days for the automatic renewal, "
                                        "0 to 366 for expiring services."))

    def _prepaid_renewal_reminder_offsets(self):
        """The reminder offsets in days, largest first.

        :raise ValidationError: on text that is not a list of days
        """
        self.ensure_one()
        text = (self.prepaid_renewal_reminder_days or "").strip()
        if not text:
            return []
        try:
            offsets = sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise ValidationError(_("Write the reminder days as numbers separated by commas, e.g. 30,7,1,0.")) from None
        if any(not 0 <= offset <= 366 for offset in offsets):
            raise ValidationError(_("Reminder days go from 0 to 366."))
        return offsets
