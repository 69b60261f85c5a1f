# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, fields, models
from odoo.exceptions import UserError


class PrepaidRenewalService(models.Model):
    _inherit = "prepaid.renewal.service"

    domain_id = fields.Many2one(
        "prepaid.domain", index="btree_not_null", ondelete="cascade", readonly=True,
        help="The domain this service renews: its price is the domain price of the customer's plan.",
    )

    _sql_constraints = [
        ("domain_uniq", "UNIQUE(domain_id)", "A domain has one renewal service."),
    ]

    def _get_renewal_price(self, period):
        """Override of the renewal engine: a domain renews at the domain
        price of its customer's plan for its extension (list price otherwise)."""
        self.ensure_one()
        if not self.domain_id:
            return super()._get_renewal_price(period)
        if period != "year":
            raise UserError(_("A domain renews by the year."))
        domain = self.domain_id.sudo()  # prices are configuration, read for whoever renews
        price, _line = self.env["prepaid.domain.price"].sudo()._get_domain_price(
            domain.wallet_id, domain.tld_id, "renew", 1
        )
        return self.currency_id.round(price)

    def _extend(self, period, quantity, from_date):
        """Override of the renewal engine: a paid renewal moves the domain's expiry too."""
        extended = super()._extend(period, quantity, from_date)
        if extended and self.domain_id:
            # The order paid the renewal; the domain's dates follow its service.
            self.domain_id.sudo().with_context(prepaid_domain_operation=True).write(
                {"expiry_date": self.expiry_date}
            )
            self.domain_id.sudo().message_post(body=_(
                "Renewed until %(date)s by %(service)s.", date=self.expiry_date, service=self.display_name
            ))
        return extended
