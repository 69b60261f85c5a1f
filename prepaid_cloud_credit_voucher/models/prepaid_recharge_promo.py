# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows


class PrepaidRecharge(models.Model):
    """Promo codes on recharges.

    The code is checked when the recharge is prepared (the checkout summary)
    and again when it is confirmed, which reserves a use of the code: while
    the recharge awaits its payment, the bonus is a promise, granted when the
    recharge is paid even if the code has since expired or been deactivated.
    A failed payment or a cancellation gives the use back; a recharge paid
    after that gets the bonus only if the code still allows it then. Uses are
    counted under the lock of the code at each step, so the bonuses granted
    never exceed its uses, and ``use_count`` is the number of bonuses granted.
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
    promo_state = fields.Selection(
        [
            ("reserved", "Use reserved"),
            ("released", "Use given back"),
            ("granted", "Bonus granted"),
            ("refused", "Bonus not granted"),
        ],
        string="Promo code use",
        readonly=True,
        copy=False,
        help="Reserved: the recharge holds a use of the code until it is paid. Given back: its payment "
        "failed or it was cancelled. Granted: the bonus was credited. Not granted: paid when the code "
        "no longer allowed it.",
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
    def _prepaid_preview_bonus(self, wallet, amount, throttle=None, promo_code=None, **options):
        """Override of `prepaid_cloud_credit` to add the bonus the promo code gives.

        :param throttle: dict with the ``user`` and ``ip`` whose failed promo
            codes are counted and limited (the portal's)
        """
        bonus = super()._prepaid_preview_bonus(wallet, amount, throttle=throttle, **options)
        if not promo_code:
            return bonus
        promo = self.env["prepaid.promo.code"]._check_for_recharge(promo_code, wallet, amount, throttle=throttle)
        return bonus + promo._get_bonus_amount(amount, wallet)

    def action_confirm(self):
        """Override to check the promo code again, under its lock, and reserve a use of it."""
        to_check = self.filtered(lambda r: r.state == "draft" and r.promo_code_id)
        promos = to_check.promo_code_id.sudo()
        if promos:
            # Two customers confirming the last use at once: the second waits, then is replayed.
            lock_rows(promos)
        for recharge in to_check:
            recharge.promo_code_id.sudo()._check_applies(recharge.wallet_id, recharge.amount, exclude_recharge=recharge)
        res = super().action_confirm()
        # The recharge follows the use of its code; the customer has no write right on it.
        to_check.filtered(lambda r: r.state == "awaiting").sudo().promo_state = "reserved"
        promos._update_use_count()
        return res

    def action_cancel(self):
        """Override to give the use of a cancelled recharge's promo code back."""
        return self._prepaid_then_release_promo(super().action_cancel)

    def _prepaid_payment_failed(self):
        """Override to give the use of a failed recharge's promo code back."""
        return self._prepaid_then_release_promo(super()._prepaid_payment_failed)

    def _prepaid_then_release_promo(self, step):
        """Run ``step`` (the cancellation or the failure of these recharges)
        under the lock of their promo codes, then give the uses of the codes back.

        :return: what ``step`` returns
        """
        promos = self.promo_code_id.sudo()
        if promos:
            lock_rows(promos)
        res = step()
        self._prepaid_release_promo()
        promos._update_use_count()
        return res

    def _prepaid_release_promo(self):
        # The recharge follows the use of its code, whoever cancels or fails it.
        self.filtered(
            lambda r: r.promo_state == "reserved" and r.state in ("cancelled", "failed")
        ).sudo().promo_state = "released"

    def _prepaid_payment_started(self):
        """Override to reserve the use again for a recharge paid after a
        failed attempt, if the code still allows it; otherwise the payment
        goes on and the bonus is decided when it is paid."""
        res = super()._prepaid_payment_started()
        for recharge in self.filtered(lambda r: r.promo_state == "released"):
            promo = recharge.promo_code_id.sudo()
            lock_rows(promo)
            try:
                promo._check_applies(recharge.wallet_id, recharge.amount, exclude_recharge=recharge)
            except UserError:
                continue
            recharge.sudo().promo_state = "reserved"
            promo._update_use_count()
        return res

    def _on_paid(self):
        """Override to grant the bonus as a bonus lot, exactly once, when the code allows it."""
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
        if self.promo_state == "granted":
            return self.bonus_transaction_id
        promo = self.promo_code_id.sudo()
        # Two payments using the code at once: the second waits here, then is replayed.
        lock_rows(promo)
        try:
            promo._check_applies(
                self.wallet_id, self.amount, exclude_recharge=self, reserved=self.promo_state == "reserved"
            )
        except UserError as refusal:
            # The recharge follows the use of its code; the payer has no write right on it.
            self.sudo().promo_state = "refused"
            self.sudo().message_post(body=_(
                "The bonus of the promo code %(code)s was not granted: %(reason)s",
                code=promo.code,
                reason=refusal.args[0],
            ))
            promo._update_use_count()
            return Tx
        # The payer (customer, accountant) has no right on wallets; the recharge is paid.
        wallet = self.wallet_id.sudo()
        tx = wallet._ledger_apply(
            "credit",
            self.promo_bonus_amount,
            f"promo:{self.id}",
            kind="bonus",
            expiry_date=self.promo_code_id.sudo()._bonus_expiry_date(wallet, wallet._prepaid_today()),
            description=wallet._customer_env()._(
                "Bonus of promo code %(code)s on %(recharge)s", code=self.promo_code_id.code, recharge=self.name
            ),
            source=self,
        )
        # The recharge follows its ledger; the payer has no write right on it.
        self.sudo().write({"bonus_transaction_id": tx.id, "promo_state": "granted"})
        promo._update_use_count()
        return tx
