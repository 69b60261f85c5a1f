# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class PrepaidCloudRateCard(models.Model):
    """Prices per unit-hour of each meter, in one currency.

    A wallet uses its own rate card when it has one, else the default card of
    its company and currency (see ``prepaid.wallet._get_cloud_rate_card``,
    the hook other modules override, e.g. to attach cards to plans).
    """

    _name = "prepaid.cloud.rate.card"
    _description = "Cloud Rate Card"
    _order = "company_id, currency_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    is_default = fields.Boolean(
        "Default of its currency",
        help="Used by every wallet of the company in this currency that has no rate card of its own.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    line_ids = fields.One2many("prepaid.cloud.rate.card.line", "rate_card_id", string="Prices", copy=True)

    @api.constrains("is_default", "company_id", "currency_id", "active")
    def _check_one_default(self):
        for card in self.filtered(lambda c: c.is_default and c.active):
            others = self.search_count([
                ("id", "!=", card.id),
                ("is_default", "=", True),
                ("company_id", "=", card.company_id.id),
                ("currency_id", "=", card.currency_id.id),
            ])
            if others:
                raise ValidationError(
                    _(
                        "%(company)s already has a default rate card in %(currency)s.",
                        company=card.company_id.name,
                        currency=card.currency_id.name,
                    )
                )

    def _get_prices(self):
        """:return: dict meter id -> price per unit-hour"""
        self.ensure_one()
        return {line.meter_id.id: line.price for line in self.line_ids}
