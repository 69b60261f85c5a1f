# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Plan purchases: a recharge that carries a plan.

Kept apart from ``prepaid_recharge.py`` while the recharge flow is being worked
on in parallel; it may be folded into it.
"""

import logging

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)


class PrepaidRecharge(models.Model):
    _inherit = "prepaid.recharge"

    plan_id = fields.Many2one(
        "prepaid.plan",
        readonly=True,
        ondelete="restrict",
        help="The plan this recharge buys: its amount is the plan price, credited in full.",
    )

    @api.model
    def _prepare_plan_recharge_vals(self, wallet, plan, payment_method="online"):
        """The values of a recharge that buys ``plan`` for ``wallet``.

        :raise UserError: when the plan is not for sale in the wallet currency
            or is not higher than the wallet's plan
        """
        amount = wallet._check_plan_purchase(plan)
        vals = self._prepare_recharge_vals(wallet, amount, payment_method)
        vals["plan_id"] = plan.id
        return vals

    def _prepare_invoice_vals(self):
        """Override to name the plan on the invoice line of a plan purchase."""
        vals = super()._prepare_invoice_vals()
        if self.plan_id:
            for command in vals.get("invoice_line_ids", []):
                command[2]["name"] = _(
                    "Prepaid plan %(plan)s (%(recharge)s)", plan=self.plan_id.name, recharge=self.name
                )
        return vals

    def _prepaid_lot_expiry_date(self, wallet, product=None):
        """Override: the credit of a plan expires as the plan says, unless
        the plan leaves it to the product and the company."""
        if self.plan_id:
            expiry = self.plan_id._prepaid_expiry_date(wallet._prepaid_today())
            if expiry is not None:
                return expiry
        return super()._prepaid_lot_expiry_date(wallet, product)

    def _on_paid(self):
        """Override to assign or upgrade the wallet's plan when a plan is paid.

        A plan paid after a higher one (two plan orders awaiting payment)
        still becomes credit, but keeps the higher plan. A plan is what
        extends credit beyond cloud usage: a wallet that paid cloud usage
        only pays every product from then on.
        """
        super()._on_paid()
        if not self.plan_id:
            return
        wallet = self.wallet_id
        if wallet.scope != "all":
            wallet.scope = "all"
            wallet.message_post(body=_(
                "%(recharge)s paid the plan %(plan)s: the credit now pays every product, not cloud usage only.",
                recharge=self.name,
                plan=self.plan_id.name,
            ))
        if self.plan_id._is_higher_than(wallet.plan_id):
            wallet._set_plan(
                self.plan_id,
                reason=_("Plan %(plan)s bought with %(recharge)s", plan=self.plan_id.name, recharge=self.name),
                recharge=self,
            )
        else:
            _logger.info(
                "Recharge %s paid the plan %s but wallet %s already has %s: plan kept.",
                self.name, self.plan_id.code, wallet.id, wallet.plan_id.code,
            )
            wallet.message_post(
                body=_(
                    "%(recharge)s paid the plan %(plan)s, not higher than the current plan %(current)s: "
                    "the plan is kept and the amount is credited.",
                    recharge=self.name,
                    plan=self.plan_id.name,
                    current=wallet.plan_id.name,
                )
            )
