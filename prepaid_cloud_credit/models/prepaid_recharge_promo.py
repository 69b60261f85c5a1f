# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models


class PrepaidRecharge(models.Model):
    """Promo codes on recharges.

    The code is checked when the recharge is prepared (the checkout summary)
    and again when it is confirmed; from the confirmation on, the bonus is a
    promise: it is granted when the recharge is paid even if the code has
    since been used up, deactivated or has expired.
    """

    _inherit = "prepaid.recharge"

    promo_code_id = fields.Many2one(
        "prepaid.promo.code", string="Promo code", readonly=True, index="btree_not_null", check_company=True
    )
    promo_bonus_amount = fields.Monetary(
        "Bonus credit",
        compute="_compute_promo_bonus_amount",
        store=True,
        precompute=True,
        help="Bonus credit granted when the recharge is paid, as shown when it was requested.",
    )
    bonus_transaction_id = fields.Many2one(
        "prepaid.wallet.transaction", string="Bonus movement", readonly=True, copy=False
    )

    # Computed once, at creation (the checkout summary), and deliberately not
    # depending on the promo's terms: the recharge keeps the bonus it showed,
    # whatever the manager changes later; promo and amount never change.
    @api.depends("promo_code_id", "amount")
    def _compute_promo_bonus_amount(self):
        for recharge in self:
            promo = recharge.promo_code_id
            recharge.promo_bonus_amount = (
                promo._get_bonus_amount(recharge.amount, recharge.wallet_id) if promo and recharge.wallet_id else 0.0
            )

    @api.model
    def _prepare_recharge_vals(self, wallet, amount, payment_method="online", promo_code=None, **kwargs):
        """Override of the recharge hook to attach a promo code.

        :param promo_code: the code as typed by the customer, or a
            ``prepaid.promo.code`` record; checked with
            :meth:`prepaid.promo.code._check_for_recharge`
        :raise UserError: when the promo code does not apply
        """
        vals = super()._prepare_recharge_vals(wallet, amount, payment_method, **kwargs)
        if promo_code:
            code = promo_code.code if isinstance(promo_code, models.BaseModel) else promo_code
            vals["promo_code_id"] = self.env["prepaid.promo.code"]._check_for_recharge(code, wallet, amount).id
        return vals

    @api.model
    def _prepaid_promo_bonus(self, wallet, amount, promo_code):
        """Override of the portal preview: the bonus the promo code gives."""
        if not promo_code:
            return 0.0
        promo = self.env["prepaid.promo.code"]._check_for_recharge(promo_code, wallet, amount)
        return promo._get_bonus_amount(amount, wallet)

    def action_confirm(self):
        """Override to check the promo code again, under its lock, before the order to pay."""
        to_check = self.filtered(lambda r: r.state == "draft" and r.promo_code_id)
        promos = to_check.promo_code_id.sudo()
        if promos:
            # Two customers confirming the last use at once: the second waits, then is replayed.
            promos._lock_for_update()
        for recharge in to_check:
            recharge.promo_code_id.sudo()._check_applies(recharge.wallet_id, recharge.amount, exclude_recharge=recharge)
        res = super().action_confirm()
        promos._update_use_count()
        return res

    def action_cancel(self):
        """Override to give the use of a cancelled recharge's promo code back."""
        promos = self.promo_code_id.sudo()
        if promos:
            promos._lock_for_update()
        res = super().action_cancel()
        promos._update_use_count()
        return res

    def _prepaid_payment_failed(self):
        """Override to give the use of a failed recharge's promo code back."""
        promos = self.promo_code_id.sudo()
        if promos:
            promos._lock_for_update()
        res = super()._prepaid_payment_failed()
        promos._update_use_count()
        return res

    def _on_paid(self):
        """Override to grant the promised bonus as a bonus lot, exactly once."""
        res = super()._on_paid()
        self._grant_promo_bonus()
        return res

    def _grant_promo_bonus(self):
        """Credit the bonus of the promo code; the same call again returns the first movement.

        :return: the bonus ``prepaid.wallet.transaction`` (empty without bonus)
        """
        self.ensure_one()
        Tx = self.env["prepaid.wallet.transaction"]
        if not self.promo_code_id or self.currency_id.is_zero(self.promo_bonus_amount):
            return Tx
        # The payer (customer, accountant) has no right on wallets; the recharge is paid.
        wallet = self.wallet_id.sudo()
        tx = wallet._ledger_apply(
            "credit",
            self.promo_bonus_amount,
            f"promo:{self.id}",
            kind="bonus",
            expiry_date=self.promo_code_id.sudo()._bonus_expiry_date(wallet, wallet._prepaid_today()),
            description=_(
                "Bonus of promo code %(code)s on %(recharge)s", code=self.promo_code_id.code, recharge=self.name
            ),
            source=self,
        )
        # The recharge follows its ledger; the payer has no write right on it.
        self.sudo().bonus_transaction_id = tx
        return tx
