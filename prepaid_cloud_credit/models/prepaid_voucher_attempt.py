# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import math
from datetime import timedelta

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import hmac

# System parameters, not company settings: guessing codes is an attack on the
# installation (one user or address tries every company's codes), so the
# limit is per database, like Odoo's own login throttling.
PARAM_MAX_FAILURES = "prepaid_cloud_credit.voucher_max_failures"
PARAM_WINDOW_MINUTES = "prepaid_cloud_credit.voucher_failure_minutes"
DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_MINUTES = 15
# Attempts are evidence for a while, then only weight.
ATTEMPT_RETENTION_DAYS = 90


class PrepaidVoucherAttempt(models.Model):
    """A failed voucher activation, kept to throttle whoever guesses codes.

    The code is stored as a keyed hash only: the log must not become a list
    of valid codes for whoever reads it.
    """

    _name = "prepaid.voucher.attempt"
    _description = "Failed Voucher Activation"
    _order = "date desc, id desc"
    _rec_name = "reason"

    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="cascade")
    ip_address = fields.Char("IP address", readonly=True, index=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    code_hash = fields.Char(readonly=True, help="Keyed SHA-256 of the code as normalised; never the code.")
    reason = fields.Selection(
        [
            ("unknown", "Unknown code"),
            ("inactive", "Inactive code"),
            ("company", "Other company"),
            ("currency", "Wrong currency"),
            ("expired", "Expired"),
            ("used_up", "Used up"),
            ("customer_limit", "Already used by the customer"),
            ("blocked", "Refused: too many attempts"),
        ],
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _get_rate_limit(self):
        """:return: (maximum failures, window in minutes) from the system parameters."""
        # Reading system parameters needs admin rights the portal user lacks.
        ICP = self.env["ir.config_parameter"].sudo()

        def positive(key, default):
            try:
                value = int(ICP.get_param(key, default))
            except (TypeError, ValueError):
                return default
            return value if value > 0 else default

        return positive(PARAM_MAX_FAILURES, DEFAULT_MAX_FAILURES), positive(PARAM_WINDOW_MINUTES, DEFAULT_WINDOW_MINUTES)

    @api.model
    def _hash_code(self, code):
        # Keyed with the database secret: a plain hash of a short guess could be reversed.
        return hmac(self.env(su=True), "prepaid_voucher_attempt", code)

    @api.model
    def _check_rate_limit(self, user, ip=None, code=None):
        """Refuse any activation while ``user`` or ``ip`` has too many recent failures.

        :raise UserError: "too many attempts, try again in N minutes"
        """
        max_failures, window = self._get_rate_limit()
        now = fields.Datetime.now()
        since = now - timedelta(minutes=window)
        lifts_at = None
        dimensions = []
        # The public user is shared by every visitor: only its address identifies it.
        if user and not user._is_public():
            dimensions.append(SQL("user_id = %s", user.id))
        if ip:
            dimensions.append(SQL("ip_address = %s", ip))
        self.flush_model()
        for condition in dimensions:
            self.env.cr.execute(SQL(
                """
                SELECT date FROM prepaid_voucher_attempt
                 WHERE %s AND date > %s AND reason != 'blocked'
              ORDER BY date DESC
                 LIMIT %s
                """,
                condition, since, max_failures,
            ))
            dates = [row[0] for row in self.env.cr.fetchall()]
            if len(dates) >= max_failures:
                # Free again once the oldest of the last N failures leaves the window.
                lifted = dates[-1] + timedelta(minutes=window)
                lifts_at = max(lifts_at, lifted) if lifts_at else lifted
        if lifts_at:
            minutes = max(1, math.ceil((lifts_at - now).total_seconds() / 60))
            if code:
                self._record_failure(code, "blocked", user=user, ip=ip)
            raise UserError(
                _(
                    "Too many failed voucher attempts. Try again in %(minutes)s minutes.",
                    minutes=minutes,
                )
            )

    @api.model
    def _record_failure(self, code, reason, user=None, ip=None, wallet=None):
        """Record a failed activation so that it survives the caller's rollback.

        The caller raises a UserError right after, which rolls its
        transaction back; the attempt is therefore written and committed in
        a cursor of its own. Inside a test transaction (TransactionCase) a
        second real cursor could neither see the test's uncommitted records
        nor be rolled back with them, so the attempt is written in the test
        transaction instead; in Odoo's test mode (HttpCase) the registry
        hands out a cursor on the test transaction, which is fine.

        :return: None
        """
        vals = self._prepare_attempt_vals(code, reason, user, ip, wallet)
        if modules.module.current_test and not self.env.registry.in_test_mode():
            # Attempts are a security log: written whoever failed.
            self.sudo().create(vals)
            return
        with self.env.registry.cursor() as cr:
            # Attempts are a security log: written whoever failed.
            self.env(cr=cr, su=True)[self._name].create(vals)

    @api.model
    def _prepare_attempt_vals(self, code, reason, user, ip, wallet):
        """Hook: the values of a failed attempt."""
        return {
            "user_id": user.id if user else False,
            "ip_address": ip or False,
            "code_hash": self._hash_code(code) if code else False,
            "reason": reason,
            "company_id": wallet.company_id.id if wallet else False,
            "partner_id": wallet.partner_id.id if wallet else False,
        }

    @api.autovacuum
    def _gc_old_attempts(self):
        limit = fields.Datetime.now() - timedelta(days=ATTEMPT_RETENTION_DAYS)
        self.sudo().search([("date", "<", limit)]).unlink()
