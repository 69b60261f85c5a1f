# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class PrepaidPlan(models.Model):
    """A prepaid plan: the entry recharge that buys it decides the customer's
    discount plan, and the plan decides the domain prices (and, later, the
    cloud rate card)."""

    _name = "prepaid.plan"
    _inherit = ["prepaid.expiry.mixin"]
    _description = "Prepaid Plan"
    _order = "level, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used in CSV price lists and by the JSON price endpoint.",
    )
    level = fields.Integer(
        required=True,
        default=10,
        help="Rank of the plan: a plan of a higher level is an upgrade, of a lower or "
        "equal level a downgrade.",
    )
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    entry_ids = fields.One2many("prepaid.plan.entry", "plan_id", string="Plan prices", copy=True)
    wallet_count = fields.Integer(compute="_compute_wallet_count")

    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "The code of a plan must be unique."),
        ("level_uniq", "UNIQUE(level)", "Two plans cannot share a level: upgrades need a strict order."),
    ]

    def _compute_wallet_count(self):
        # Counting wallets of every company: the plan is shared configuration.
        counts = dict(self.env["prepaid.wallet"].sudo()._read_group(
            [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]
        ))
        for plan in self:
            plan.wallet_count = counts.get(plan, 0)

    @api.constrains("code")
    def _check_code(self):
        for plan in self:
            code = plan.code or ""
            if code != code.strip().lower() or not code.replace("_", "").isalnum():
                raise ValidationError(
                    _("The plan code %(code)s must be lowercase letters, digits and underscores.", code=code)
                )

    def _get_entry_amount(self, currency):
        """Return the price of this plan in ``currency``.

        :param currency: a ``res.currency`` record
        :return: the entry amount, net of VAT
        :raise UserError: when the plan is not sold in that currency
        """
        self.ensure_one()
        entry = self.entry_ids.filtered(lambda e: e.currency_id == currency)[:1]
        if not entry:
            raise UserError(
                _(
                    "The plan %(plan)s cannot be bought in %(currency)s.",
                    plan=self.name,
                    currency=currency.name,
                )
            )
        return entry.amount

    def _is_higher_than(self, other):
        """Whether this plan is an upgrade over ``other`` (no plan: any plan is)."""
        self.ensure_one()
        return not other or self.level > other.level
