# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount


class PrepaidTopupRule(models.Model):
    """Automatic top-up of a wallet, charged to a saved payment method: when
    the balance falls below a threshold, or every week or month."""

    _name = "prepaid.topup.rule"
    _description = "Automatic Top-up Rule"
    _inherit = ["mail.thread"]
    _order = "id"
    _check_company_auto = True

    active = fields.Boolean(default=True, tracking=True,
                            help="A removed top-up is archived: it no longer tops up, its history stays.")
    wallet_id = fields.Many2one("prepaid.wallet", required=True, index=True, check_company=True, ondelete="cascade")
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    trigger = fields.Selection(
        [("threshold", "Balance below a threshold"), ("weekly", "Every week"), ("monthly", "Every month")],
        required=True, default="threshold", tracking=True,
    )
    threshold = fields.Monetary(tracking=True)
    mode = fields.Selection(
        [("fixed", "Add a fixed amount"), ("target", "Top up to a target balance")],
        required=True, default="fixed", tracking=True,
    )
    amount = fields.Monetary("Amount to add", tracking=True)
    target_amount = fields.Monetary("Target balance", tracking=True)
    payment_token_id = fields.Many2one("payment.token", "Saved payment method", required=True)
    daily_limit = fields.Monetary(help="At most this much topped up per day; 0 for no limit.")
    monthly_limit = fields.Monetary(help="At most this much topped up per month; 0 for no limit.")
    next_date = fields.Date("Next periodic top-up")
    state = fields.Selection([("active", "Active"), ("paused", "Paused")], default="active", required=True,
                             tracking=True, index=True)
    last_error = fields.Char(readonly=True)
    request_ids = fields.One2many("prepaid.topup.request", "rule_id", readonly=True)

    @api.constrains("trigger", "threshold", "mode", "amount", "target_amount", "daily_limit", "monthly_limit")
    def _check_amounts(self):
        for rule in self:
            if rule.mode == "fixed" and rule.amount <= 0:
                raise ValidationError(_("The amount to add must be positive."))
            if rule.mode == "target" and rule.target_amount <= 0:
                raise ValidationError(_("The target balance must be positive."))
            if rule.trigger == "threshold" and rule.mode == "target" and rule.target_amount <= rule.threshold:
                raise ValidationError(_("The target balance must be above the threshold."))
            if rule.daily_limit < 0 or rule.monthly_limit < 0 or rule.threshold < 0:
                raise ValidationError(_("Thresholds and limits cannot be negative."))

    @api.constrains("payment_token_id", "wallet_id")
    def _check_token(self):
        for rule in self:
            token = rule.payment_token_id.sudo()
            if token.partner_id.commercial_partner_id != rule.wallet_id.partner_id:
                raise ValidationError(_("The saved payment method must be the customer's own."))
            if not token.provider_id.allow_tokenization:
                raise ValidationError(_("The provider of this payment method cannot charge a saved card."))

    def _topup_amount(self, balance):
        """What a top-up adds now, before the limits."""
        self.ensure_one()
        if self.mode == "fixed":
            return self.amount
        return self.currency_id.round(max(self.target_amount - balance, 0.0))

    def _limited_amount(self, amount, today):
        """``amount`` cut to what the daily and monthly limits still allow."""
        self.ensure_one()
        for limit, start in ((self.daily_limit, today), (self.monthly_limit, today.replace(day=1))):
            if limit:
                done = sum(self.request_ids.filtered(
                    lambda r, s=start: r.state == "done" and r.create_date.date() >= s).mapped("amount"))
                amount = min(amount, limit - done)
        return self.currency_id.round(max(amount, 0.0))

    def _advance_next_date(self):
        for rule in self:
            step = relativedelta(weeks=1) if rule.trigger == "weekly" else relativedelta(months=1)
            rule.next_date = (rule.next_date or fields.Date.context_today(rule)) + step

    def action_resume(self):
        """Resume a paused rule (after the customer replaced its card)."""
        for rule in self:
            token = rule.payment_token_id.sudo()
            if not token.active:
                raise ValidationError(_("The saved card of this top-up was removed: choose another one."))
        self.write({"state": "active", "last_error": False})
        return True

    def action_pause(self):
        self.write({"state": "paused"})
        return True

    @api.model
    def _portal_values(self, wallet, form):
        """The values of a rule a customer sent from the portal, checked.

        :param wallet: the customer's own wallet (sudo)
        :param form: the posted form: ``trigger``, ``mode``, ``threshold``,
            ``amount``, ``target_amount``, ``token_id``, ``daily_limit``,
            ``monthly_limit``; amounts with a decimal point or comma
        :return: values for ``create`` or ``write``
        :raise ValidationError: on a value the form never offers, an amount
            that is not a plain positive number of the wallet's currency, or
            a card that is not the customer's own
        """
        trigger, mode = form.get("trigger"), form.get("mode")
        if trigger not in dict(self._fields["trigger"].selection) or mode not in dict(self._fields["mode"].selection):
            raise ValidationError(_("Choose when and how much to top up among the choices offered."))

        def amount(name, zero_allowed):
            raw = form.get(name) or "0"
            if isinstance(raw, str) and "," in raw and "." not in raw:
                raw = raw.replace(",", ".")
            return wallet._prepaid_parse_threshold(raw) if zero_allowed else wallet._prepaid_parse_amount(raw)

        vals = {
            "trigger": trigger,
            "mode": mode,
            "threshold": amount("threshold", zero_allowed=True) if trigger == "threshold" else 0.0,
            "amount": amount("amount", zero_allowed=False) if mode == "fixed" else 0.0,
            "target_amount": amount("target_amount", zero_allowed=False) if mode == "target" else 0.0,
            "daily_limit": amount("daily_limit", zero_allowed=True),
            "monthly_limit": amount("monthly_limit", zero_allowed=True),
        }
        limits = wallet._prepaid_recharge_limits()
        if mode == "fixed" and (vals["amount"] < limits["min"] or limits["max"] and vals["amount"] > limits["max"]):
            raise ValidationError(_(
                "A top-up adds between %(min)s and %(max)s.",
                min=format_amount(self.env, limits["min"], wallet.currency_id),
                max=format_amount(self.env, limits["max"], wallet.currency_id) if limits["max"] else "∞",
            ))
        raw_token = form.get("token_id")
        token_id = int(raw_token) if isinstance(raw_token, str) and raw_token.isdigit() and len(raw_token) < 12 else 0
        # sudo: a customer's saved cards are read by their owner's check below, not by read rights.
        token = self.env["payment.token"].sudo().browse(token_id).exists()
        if not token or token.partner_id.commercial_partner_id != wallet.partner_id or not token.active:
            raise ValidationError(_("Choose one of your own saved cards."))
        vals["payment_token_id"] = token.id
        return vals
