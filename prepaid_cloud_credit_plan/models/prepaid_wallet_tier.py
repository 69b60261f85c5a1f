# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The tier of a wallet (prepaid plans).

Kept apart from ``prepaid_wallet.py`` while the ledger is being worked on in
parallel; it may be folded into it.
"""

from odoo import _, fields, models
from odoo.exceptions import UserError


class PrepaidWallet(models.Model):
    _inherit = "prepaid.wallet"

    tier_id = fields.Many2one(
        "prepaid.tier",
        string="Plan",
        readonly=True,
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Assigned by the entry recharge of a plan, raised by buying a higher plan, "
        "lowered only by a manager.",
    )
    tier_history_ids = fields.One2many(
        "prepaid.wallet.tier.history", "wallet_id", string="Plan history", readonly=True
    )

    def write(self, vals):
        # The tier changes only through _set_tier, which writes its history.
        if "tier_id" in vals and not self.env.context.get("prepaid_tier_change"):
            raise UserError(_("The plan of a wallet changes by buying a plan or through the downgrade wizard."))
        return super().write(vals)

    def _get_pricing_tier(self):
        """Hook: the tier whose prices apply to this wallet.

        Domain prices use it; the cloud rate card of the tier may be read from
        it too. Override to price a wallet under another tier (a promotion, a
        contract).

        :return: a ``prepaid.tier`` record, empty for list prices
        """
        self.ensure_one()
        return self.tier_id

    def _set_tier(self, tier, reason=None, recharge=None):
        """Change the tier and record the change in the history.

        :param tier: the new ``prepaid.tier`` (empty to remove the plan)
        :param reason: why (mandatory for a downgrade)
        :param recharge: the plan recharge that paid for it, if any
        :return: the history line, or an empty recordset when nothing changed
        """
        self.ensure_one()
        old = self.tier_id
        # Nobody has create rights on the append-only history: only a tier
        # change writes it, whoever is allowed to make that change.
        History = self.env["prepaid.wallet.tier.history"].sudo()
        if tier == old:
            return History
        if not old:
            change_type = "assign"
        elif tier and tier._is_higher_than(old):
            change_type = "upgrade"
        else:
            change_type = "downgrade"
            if not (reason or "").strip():
                raise UserError(_("Say why the plan of %(wallet)s is lowered.", wallet=self.display_name))
        self.with_context(prepaid_tier_change=True).write({"tier_id": tier.id})
        return History.create({
            "wallet_id": self.id,
            "old_tier_id": old.id,
            "new_tier_id": tier.id,
            "change_type": change_type,
            "reason": (reason or "").strip() or False,
            "recharge_id": recharge.id if recharge else False,
        })

    def _check_plan_purchase(self, tier):
        """Raise unless the customer may buy ``tier`` for this wallet now.

        :param tier: the ``prepaid.tier`` to buy
        :return: the plan price in the wallet currency
        """
        self.ensure_one()
        if not tier.exists() or not tier.active:
            raise UserError(_("This plan is not on sale."))
        if not tier._is_higher_than(self.tier_id):
            raise UserError(
                _(
                    "%(wallet)s already has the plan %(current)s; only a higher plan can be bought. "
                    "Ask us to lower a plan.",
                    wallet=self.display_name,
                    current=self.tier_id.name,
                )
            )
        return tier._get_entry_amount(self.currency_id)

    def action_open_tier_downgrade(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Lower the plan"),
            "res_model": "prepaid.wallet.tier.downgrade",
            "view_mode": "form",
            "target": "new",
            "context": {"default_wallet_id": self.id},
        }
