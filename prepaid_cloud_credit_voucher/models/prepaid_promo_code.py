# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.prepaid_cloud_credit.models.prepaid_expiry_mixin import expiry_from_policy
from odoo.addons.prepaid_cloud_credit.parsing import check_text

from .prepaid_voucher_attempt import CodeRefused

_SPACES = re.compile(r"\s+")
# Recharges that hold a use of their promo code: awaiting payment with the
# use reserved, or paid with the bonus granted.
PROMO_USING_STATES = ("reserved", "granted")


class PrepaidPromoCode(models.Model):
    """A code that adds bonus credit to a recharge, e.g. "+10 % bonus credit"."""

    _name = "prepaid.promo.code"
    _description = "Prepaid Promo Code"
    _order = "date_to desc nulls first, code"
    _rec_name = "code"
    _check_company_auto = True

    code = fields.Char(required=True, help="What the customer types; case and spaces do not matter.")
    name = fields.Char("Description", help="E.g. +10 % bonus credit; shown to the customer.")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    date_from = fields.Date("Valid from")
    date_to = fields.Date("Valid until", help="Last day on which the code is accepted (inclusive).")
    currency_id = fields.Many2one(
        "res.currency",
        help="Only recharges in this currency. Empty: every currency, amounts in the company currency.",
    )
    amount_currency_id = fields.Many2one("res.currency", compute="_compute_amount_currency_id")
    bonus_type = fields.Selection(
        [("percent", "Percentage of the recharge"), ("fixed", "Fixed amount")],
        required=True,
        default="percent",
    )
    bonus_percent = fields.Float("Bonus (%)", default=10.0)
    bonus_fixed = fields.Monetary("Bonus amount", currency_field="amount_currency_id")
    max_bonus = fields.Monetary(
        "Maximum bonus", currency_field="amount_currency_id", help="Zero: no maximum."
    )
    min_amount = fields.Monetary(
        "Minimum recharge", currency_field="amount_currency_id", help="Recharge amount net of VAT."
    )
    max_uses = fields.Integer("Total uses", help="Zero: unlimited.")
    max_uses_per_customer = fields.Integer("Uses per customer", default=1, help="Zero: unlimited.")
    expiry_policy = fields.Selection(
        [
            ("company", "Company policy"),
            ("never", "Never"),
            ("months", "Months after payment"),
            ("date", "Fixed date"),
        ],
        string="Bonus expiry",
        required=True,
        default="company",
    )
    expiry_months = fields.Integer("Bonus expires after (months)", default=12)
    expiry_date = fields.Date("Bonus expires on")
    # Written under the row lock at each confirmation, payment and cancellation.
    use_count = fields.Integer(
        "Uses", readonly=True, copy=False, help="Bonuses granted: paid recharges that received the bonus."
    )
    reserved_count = fields.Integer(
        "Reserved",
        readonly=True,
        copy=False,
        help="Recharges awaiting payment that hold a use of the code: their bonus is granted when they are paid.",
    )
    recharge_ids = fields.One2many("prepaid.recharge", "promo_code_id", string="Recharges", readonly=True)

    _sql_constraints = [
        ("code_company_uniq", "UNIQUE(company_id, code)", "A promo code exists once per company."),
    ]

    @api.depends("currency_id", "company_id")
    def _compute_amount_currency_id(self):
        for promo in self:
            promo.amount_currency_id = promo.currency_id or promo.company_id.currency_id

    @api.constrains("bonus_type", "bonus_percent", "bonus_fixed", "max_bonus", "min_amount", "max_uses",
                    "max_uses_per_customer", "date_from", "date_to", "expiry_policy", "expiry_months",
                    "expiry_date")
    def _check_values(self):
        for promo in self:
            if not promo.code:
                raise ValidationError(_("A promo code cannot be empty."))
            if promo.bonus_type == "percent" and not 0 < promo.bonus_percent <= 100:
                raise ValidationError(_("A percentage bonus is between 0 and 100 %."))
            if promo.bonus_type == "fixed" and promo.bonus_fixed <= 0:
                raise ValidationError(_("A fixed bonus must be greater than zero."))
            if min(promo.max_bonus, promo.min_amount) < 0 or min(promo.max_uses, promo.max_uses_per_customer) < 0:
                raise ValidationError(_("Amounts and uses of a promo code cannot be negative."))
            if promo.date_from and promo.date_to and promo.date_from > promo.date_to:
                raise ValidationError(_("A promo code cannot end before it starts."))
            if promo.expiry_policy == "months" and promo.expiry_months <= 0:
                raise ValidationError(_("An expiry in months needs a positive number of months."))
            if promo.expiry_policy == "date" and not promo.expiry_date:
                raise ValidationError(_("Set the date on which the bonus credit expires."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = self._normalize_code(vals["code"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("code"):
            vals["code"] = self._normalize_code(vals["code"])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _normalize_code(self, code):
        return _SPACES.sub("", check_text(str(code or ""), _("The promo code"))).upper()

    @api.model
    def _check_for_recharge(self, code, wallet, amount, throttle=None):
        """Return the promo code that applies to a recharge of ``amount`` in ``wallet``.

        Called in sudo by the portal for the checkout summary, and again
        when the recharge is confirmed.

        :param code: the code as typed (case and spaces tolerated)
        :param wallet: the ``prepaid.wallet`` being recharged
        :param amount: the recharge amount, net of VAT, in the wallet currency
        :param throttle: dict with the ``user`` and ``ip`` of a portal
            request: their failed codes are counted and limited as voucher
            codes are (see :meth:`prepaid.voucher.attempt._throttled_check`)
        :return: the ``prepaid.promo.code`` record
        :raise UserError: empty or unknown code, inactive code, not yet or no
            longer valid, wrong currency, recharge below the minimum, code
            used up in total or by this customer, too many failed codes
        :raise ValidationError: an amount that is not a positive number, a
            code holding a character that cannot be stored
        """
        wallet.ensure_one()
        value = wallet._prepaid_parse_amount(amount)
        check_text(code, _("The promo code"))
        normalized = self._normalize_code(code)
        if not normalized:
            raise UserError(_("Enter a promo code."))
        if throttle:
            self.env["prepaid.voucher.attempt"]._throttled_check(
                "promo", normalized, throttle.get("user"), throttle.get("ip"), wallet,
                lambda env: self.with_env(env)._find_applicable(normalized, wallet.with_env(env), value),
            )
        return self._find_applicable(normalized, wallet, value)

    @api.model
    def _find_applicable(self, normalized, wallet, value):
        """The promo code ``normalized`` of the wallet's company, checked for a recharge of ``value``.

        :raise CodeRefused: with the reason and a message for the customer
        """
        # The code is checked for any caller; the customer has no read right on promo codes.
        promo = self.sudo().with_context(active_test=False).search(
            [("code", "=", normalized), ("company_id", "=", wallet.company_id.id)], limit=1
        )
        if not promo:
            raise CodeRefused("unknown", _("The promo code %(code)s does not exist.", code=normalized))
        promo._check_applies(wallet, value)
        return promo

    def _check_applies(self, wallet, value, exclude_recharge=None, reserved=False):
        """Raise unless this promo code applies to ``value`` in ``wallet`` now.

        :param exclude_recharge: a recharge whose own use is not counted
        :param reserved: the recharge held its use of the code until now: it
            keeps the terms it was promised (dates, activity, minimum), only
            the uses of the code are counted again
        :raise CodeRefused: with the reason and a message for the customer
        """
        self.ensure_one()
        if not reserved:
            self._check_terms(wallet, value)
        using = self._using_recharges(exclude_recharge)
        if self.max_uses and len(using) >= self.max_uses:
            raise CodeRefused("used_up", _("The promo code %(code)s has been used up.", code=self.code))
        partner = wallet.partner_id.commercial_partner_id
        customer_uses = len(using.filtered(lambda r: r.partner_id == partner))
        if self.max_uses_per_customer and customer_uses >= self.max_uses_per_customer:
            raise CodeRefused(
                "customer_limit",
                _("You have already used the promo code %(code)s as often as allowed.", code=self.code),
            )

    def _check_terms(self, wallet, value):
        """Raise unless the dates, currency and minimum of the code allow the recharge."""
        self.ensure_one()
        today = wallet._prepaid_today()
        if not self.active:
            raise CodeRefused("inactive", _("The promo code %(code)s is no longer active.", code=self.code))
        if self.date_from and today < self.date_from:
            raise CodeRefused(
                "inactive",
                _("The promo code %(code)s is valid from %(date)s.", code=self.code, date=self.date_from),
            )
        if self.date_to and today > self.date_to:
            raise CodeRefused("expired", _("The promo code %(code)s has expired.", code=self.code))
        if self.currency_id and self.currency_id != wallet.currency_id:
            raise CodeRefused(
                "currency",
                _(
                    "The promo code %(code)s applies to recharges in %(promo_currency)s only.",
                    code=self.code,
                    promo_currency=self.currency_id.name,
                )
            )
        minimum = self._amount_in(self.min_amount, wallet)
        if minimum and wallet.currency_id.compare_amounts(value, minimum) < 0:
            raise CodeRefused(
                "minimum",
                _(
                    "The promo code %(code)s needs a recharge of at least %(minimum)s %(currency)s.",
                    code=self.code,
                    minimum=wallet.currency_id.round(minimum),
                    currency=wallet.currency_id.name,
                ),
            )

    def _using_recharges(self, exclude_recharge=None):
        """The recharges holding a use of the code: reserved, or whose bonus was granted."""
        self.ensure_one()
        # Counted whoever asks: other customers' recharges are no business of the caller.
        return self.env["prepaid.recharge"].sudo().search([
            ("promo_code_id", "=", self.id),
            ("promo_state", "in", PROMO_USING_STATES),
            ("id", "not in", exclude_recharge.ids if exclude_recharge else []),
        ])

    def _amount_in(self, value, wallet):
        """``value`` (in the promo amounts' currency) in the wallet currency."""
        self.ensure_one()
        if not value or self.amount_currency_id == wallet.currency_id:
            return value
        return self.amount_currency_id._convert(
            value, wallet.currency_id, wallet.company_id, wallet._prepaid_today()
        )

    def _get_bonus_amount(self, amount, wallet):
        """The bonus credit this promo code adds to a recharge of ``amount``.

        :param amount: the recharge amount, net of VAT, in the wallet currency
        :return: the bonus, rounded to the wallet currency (capped at the maximum)
        """
        self.ensure_one()
        currency = wallet.currency_id
        if self.bonus_type == "percent":
            bonus = amount * self.bonus_percent / 100.0
        else:
            bonus = self._amount_in(self.bonus_fixed, wallet)
        maximum = self._amount_in(self.max_bonus, wallet)
        if maximum:
            bonus = min(bonus, maximum)
        return currency.round(max(bonus, 0.0))

    def _bonus_expiry_date(self, wallet, start):
        """The expiry of the bonus lot granted on ``start``: a date, False, or None (company policy)."""
        self.ensure_one()
        return expiry_from_policy(self.expiry_policy, self.expiry_months, self.expiry_date, start)

    def _update_use_count(self):
        """Store the uses and reservations; rewriting the locked row makes
        the parallel confirmations and payments that waited for the lock fail
        to serialize, and Odoo replays them with these counts in view."""
        for promo in self:
            using = promo._using_recharges()
            # The counts are the promo's own bookkeeping, whoever confirms, pays or cancels.
            promo.sudo().write({
                "use_count": len(using.filtered(lambda r: r.promo_state == "granted")),
                "reserved_count": len(using.filtered(lambda r: r.promo_state == "reserved")),
            })
        self.flush_recordset(["use_count", "reserved_count"])
