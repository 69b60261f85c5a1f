# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The plan of a wallet (prepaid plans).

Kept apart from ``prepaid_wallet.py`` while the ledger is being worked on in
parallel; it may be folded into it.
"""

from odoo import _, fields, models
from odoo.exceptions import UserError


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    plan_id = fields.Many2one(
        "prepaid.plan",
        readonly=True,
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Assigned by the entry recharge of a plan, raised by buying a higher plan, "
        "lowered only by a manager.",
    )
    plan_history_ids = fields.One2many(
        "prepaid.wallet.plan.history", "wallet_id", string="Plan history", readonly=True
    )

    def write(self, vals):
        # The plan changes only through _set_plan, which writes its history.
        if "plan_id" in vals and not self.env.context.get("prepaid_plan_change"):
            raise UserError(_("The plan of a wallet changes by buying a plan or through the downgrade wizard."))
        return super().write(vals)

    def _get_pricing_plan(self):
        """Hook: the plan whose prices apply to this wallet.

        Domain prices use it; the cloud rate card of the plan may be read from
        it too. Override to price a wallet under another plan (a promotion, a
        contract).

        :return: a ``prepaid.plan`` record, empty for list prices
        """
        self.ensure_one()
        return self.plan_id

    def _set_plan(self, plan, reason=None, recharge=None):
        """Change the plan and record the change in the history.

        :param plan: the new ``prepaid.plan`` (empty to remove the plan)
        :param reason: why (mandatory for a downgrade)
        :param recharge: the plan recharge that paid for it, if any
        :return: the history line, or an empty recordset when nothing changed
        """
        self.ensure_one()
        old = self.plan_id
        # Nobody has create rights on the append-only history: only a plan
        # change writes it, whoever is allowed to make that change.
        History = self.env["prepaid.wallet.plan.history"].sudo()
        if plan == old:
            return History
        if not old:
            change_type = "assign"
        elif plan and plan._is_higher_than(old):
            change_type = "upgrade"
        else:
            change_type = "downgrade"
            if not (reason or "").strip():
                raise UserError(_("Say why the plan of %(wallet)s is lowered.", wallet=self.display_name))
        self.with_context(prepaid_plan_change=True).write({"plan_id": plan.id})
        return History.create({
            "wallet_id": self.id,
            "old_plan_id": old.id,
            "new_plan_id": plan.id,
            "change_type": change_type,
            "reason": (reason or "").strip() or False,
            "recharge_id": recharge.id if recharge else False,
        })

    def _check_plan_purchase(self, plan):
        """Raise unless the customer may buy ``plan`` for this wallet now.

        :param plan: the ``prepaid.plan`` to buy
        :return: the plan price in the wallet currency
        """
        self.ensure_one()
        if not plan.exists() or not plan.active:
            raise UserError(_("This plan is not on sale."))
        if not plan._is_higher_than(self.plan_id):
            raise UserError(
                _(
                    "%(wallet)s already has the plan %(current)s; only a higher plan can be bought. "
                    "Ask us to lower a plan.",
                    wallet=self.display_name,
                    current=self.plan_id.name,
                )
            )
        return plan._get_entry_amount(self.currency_id)

    def action_open_plan_downgrade(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Lower the plan"),
            "res_model": "prepaid.wallet.plan.downgrade",
            "view_mode": "form",
            "target": "new",
            "context": {"default_wallet_id": self.id},
        }
