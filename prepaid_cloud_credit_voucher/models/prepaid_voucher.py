# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows
from odoo.addons.prepaid_cloud_credit.parsing import check_text

from .prepaid_voucher_attempt import CodeRefused
from .prepaid_voucher_batch import VOUCHER_CODE_GROUP_SIZE, VOUCHER_CODE_GROUPS, VOUCHER_CODE_PREFIX

_SEPARATORS = re.compile(r"[\s\-_.]+")


class PrepaidVoucher(models.Model):
    """One voucher code; each activation gives its batch's credit as a voucher lot."""

    _name = "prepaid.voucher"
    _description = "Prepaid Voucher Code"
    _order = "batch_id desc, id"
    _rec_name = "code"
    _check_company_auto = True

    code = fields.Char(required=True, readonly=True, copy=False)
    batch_id = fields.Many2one(
        "prepaid.voucher.batch", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    amount = fields.Monetary(related="batch_id.amount")
    batch_state = fields.Selection(related="batch_id.state", string="Batch state")
    # Written only by _redeem_code, under the row lock of the code.
    use_count = fields.Integer("Uses", readonly=True, copy=False)
    max_uses = fields.Integer(related="batch_id.max_uses")
    active = fields.Boolean(default=True, help="Deactivate a leaked or lost code.")
    redemption_ids = fields.One2many("prepaid.voucher.redemption", "voucher_id", readonly=True)

    _sql_constraints = [
        # Codes are looked up across companies: the code alone must identify the voucher.
        ("code_uniq", "UNIQUE(code)", "A voucher code exists only once."),
    ]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if any(self.mapped("use_count")):
            raise UserError(_("An activated code cannot be deleted; archive it instead."))

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _normalize_code(self, code):
        """Turn what a customer typed into the stored form ``PCC-XXXX-XXXX-XXXX``.

        Case, spaces, dashes and a missing prefix are tolerated. Text that
        cannot be a code is returned cleaned but unformatted: it will simply
        not be found.
        """
        compact = _SEPARATORS.sub("", str(code or "")).upper()
        length = VOUCHER_CODE_GROUPS * VOUCHER_CODE_GROUP_SIZE
        if len(compact) == length and not compact.startswith(VOUCHER_CODE_PREFIX):
            compact = VOUCHER_CODE_PREFIX + compact
        if len(compact) != len(VOUCHER_CODE_PREFIX) + length or not compact.startswith(VOUCHER_CODE_PREFIX):
            return compact
        body = compact[len(VOUCHER_CODE_PREFIX):]
        groups = [body[i:i + VOUCHER_CODE_GROUP_SIZE] for i in range(0, length, VOUCHER_CODE_GROUP_SIZE)]
        return "-".join([VOUCHER_CODE_PREFIX, *groups])

    @api.model
    def _redeem_code(self, code, wallet, user=None, ip=None):
        """Activate a voucher code for ``wallet``: a voucher lot of the batch amount.

        The checks run before anything is written, so a refused code writes
        nothing but its failed attempt. The code is first checked with the
        failures of the caller counted and recorded atomically (see
        :meth:`prepaid.voucher.attempt._throttled_check`), then again under
        the row lock of the code, which is rewritten: two parallel
        activations cannot exceed its uses, the second one waits, then fails
        to serialize and is replayed by Odoo with the first one's result in
        view.

        Called in sudo by the portal after its own access checks; the caller
        is ``user`` (default: the current user) from ``ip``.

        :param code: the code as typed (case, spaces and dashes tolerated)
        :param wallet: the ``prepaid.wallet`` to credit
        :param user: the ``res.users`` who activates the code
        :param ip: the remote address of the request, for the rate limit
        :return: the credit ``prepaid.wallet.transaction``
        :raise UserError: empty code, too many failed attempts, unknown code,
            inactive code or batch, batch of another company, wrong currency,
            activation period over, code used up, code already used by this
            customer as often as allowed, archived wallet
        :raise ValidationError: a code holding a character that cannot be stored
        """
        wallet.ensure_one()
        user = user or self.env.user
        Attempt = self.env["prepaid.voucher.attempt"]
        check_text(code, _("The voucher code"))
        normalized = self._normalize_code(code)
        if not normalized:
            raise UserError(_("Enter a voucher code."))
        Attempt._throttled_check(
            "voucher", normalized, user, ip, wallet,
            lambda env: self.with_env(env)._check_code(normalized, wallet.with_env(env)),
        )
        try:
            voucher, expiry_date, customer_uses = self._check_code(normalized, wallet, lock=True)
        except CodeRefused as refusal:
            # Accepted a moment ago, refused under the lock: a parallel activation took it.
            Attempt._record_failure(normalized, refusal.reason, user=user, ip=ip, wallet=wallet)
            raise
        if not wallet.active:
            # Not the customer's guess: no failed attempt.
            raise UserError(_("The wallet %(wallet)s is archived.", wallet=wallet.display_name))
        return voucher._apply_redemption(wallet, user, ip, customer_uses + 1, expiry_date)

    @api.model
    def _check_code(self, normalized, wallet, lock=False):
        """Check that the code can be activated for ``wallet`` now; write nothing.

        :param normalized: the code as :meth:`_normalize_code` returns it
        :param lock: lock the row of the code first (the activation does)
        :return: (the voucher, the expiry date of its lot, the uses of the
            code by the wallet's customer so far)
        :raise CodeRefused: with the reason and a message for the customer
        """
        # The code is checked whoever calls; the records are the ledger's business.
        Voucher = self.sudo().with_context(active_test=False)
        voucher = Voucher.search([("code", "=", normalized)], limit=1)
        if not voucher:
            raise CodeRefused("unknown", _("The voucher code %(code)s does not exist.", code=normalized))
        if lock:
            lock_rows(voucher)
        batch = voucher.batch_id
        today = wallet._prepaid_today()
        if not voucher.active or batch.state != "active":
            raise CodeRefused("inactive", _("The voucher code %(code)s is not active.", code=normalized))
        if batch.company_id != wallet.company_id:
            raise CodeRefused(
                "company",
                _(
                    "The voucher code %(code)s is not valid for %(company)s.",
                    code=normalized,
                    company=wallet.company_id.name,
                ),
            )
        if batch.currency_id != wallet.currency_id:
            raise CodeRefused(
                "currency",
                _(
                    "The voucher code %(code)s gives credit in %(voucher_currency)s, "
                    "not in %(wallet_currency)s.",
                    code=normalized,
                    voucher_currency=batch.currency_id.name,
                    wallet_currency=wallet.currency_id.name,
                ),
            )
        expiry_date = batch._lot_expiry_date(today)
        if (batch.redeem_until and batch.redeem_until < today) or (expiry_date and expiry_date <= today):
            raise CodeRefused("expired", _("The voucher code %(code)s has expired.", code=normalized))
        if voucher.use_count >= batch.max_uses:
            raise CodeRefused("used_up", _("The voucher code %(code)s has already been used.", code=normalized))
        partner = wallet.partner_id.commercial_partner_id
        customer_uses = self.env["prepaid.voucher.redemption"].sudo().search_count(
            [("voucher_id", "=", voucher.id), ("partner_id", "=", partner.id)]
        )
        if customer_uses >= batch.max_uses_per_customer:
            raise CodeRefused(
                "customer_limit",
                _(
                    "You have already used the voucher code %(code)s as often as allowed (%(uses)s).",
                    code=normalized,
                    uses=batch.max_uses_per_customer,
                ),
            )
        return voucher, expiry_date, customer_uses


    def _apply_redemption(self, wallet, user, ip, number, expiry_date):
        """Write the checked activation: the redemption and its voucher lot, once."""
        self.ensure_one()
        batch = self.batch_id
        redemption = self.env["prepaid.voucher.redemption"].sudo().create(
            self._prepare_redemption_vals(wallet, user, ip)
        )
        # The ledger runs in sudo: the code was checked above, whoever the caller is.
        tx = wallet.sudo()._ledger_apply(
            "credit",
            batch.amount,
            f"voucher:{self.id}:{wallet.id}:{number}",
            kind="voucher",
            expiry_date=expiry_date,
            description=wallet._customer_env()._("Voucher %(code)s", code=self.code),
            source=redemption,
        )
        redemption.transaction_id = tx
        # Rewriting the locked row makes a parallel activation fail to serialize.
        self.use_count += 1
        self.flush_recordset(["use_count"])
        return tx

    def _prepare_redemption_vals(self, wallet, user, ip):
        """Hook: the values of the redemption of this code by ``wallet``."""
        self.ensure_one()
        return {
            "voucher_id": self.id,
            "wallet_id": wallet.id,
            "user_id": user.id,
            "ip_address": ip or False,
            "amount": self.batch_id.amount,
        }
