# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import contextlib
import hashlib
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


class CodeRefused(UserError):
    """A voucher or promo code refused for a reason a guesser learns from.

    :param reason: the ``reason`` recorded on the failed attempt
    """

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class PrepaidVoucherAttempt(models.Model):
    """A failed voucher activation or promo code, kept to throttle whoever
    guesses codes.

    The code is stored as a keyed hash only: the log must not become a list
    of valid codes for whoever reads it.
    """

    _name = "prepaid.voucher.attempt"
    _description = "Failed Code Attempt"
    _order = "date desc, id desc"
    _rec_name = "reason"

    kind = fields.Selection(
        [("voucher", "Voucher code"), ("promo", "Promo code")],
        required=True,
        default="voucher",
        readonly=True,
        index=True,
    )
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
            ("minimum", "Below the minimum"),
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

        return (
            positive(PARAM_MAX_FAILURES, DEFAULT_MAX_FAILURES),
            positive(PARAM_WINDOW_MINUTES, DEFAULT_WINDOW_MINUTES),
        )

    @api.model
    def _hash_code(self, code):
        # Keyed with the database secret: a plain hash of a short guess could be reversed.
        return hmac(self.env(su=True), "prepaid_voucher_attempt", code)

    @api.model
    def _throttled_check(self, kind, code, user, ip, wallet, check):
        """Count the recent failures of ``user`` and ``ip`` and check ``code``, atomically.

        The failures are counted, the code checked and a refusal recorded in
        a transaction of its own that holds a lock per user and per address:
        parallel requests of one guesser are checked one after the other,
        each seeing the failures the previous ones recorded, so no more codes
        are checked than the limit allows. Recorded failures survive the
        rollback of the caller's transaction that the refusal causes.

        :param kind: ``voucher`` or ``promo``
        :param code: the normalised code (only its keyed hash is stored)
        :param check: function(env) checking the code in the environment it
            gets, raising :class:`CodeRefused` to refuse it; it must write
            nothing
        :raise UserError: too many recent failures (a ``blocked`` attempt is
            recorded), or the check's :class:`CodeRefused` (recorded)
        """
        max_failures, window = self._get_rate_limit()
        refusal = None
        with self._throttle_env() as env:
            Attempt = env[self._name]
            dimensions = Attempt._throttle_dimensions(user, ip)
            Attempt._throttle_lock(kind, dimensions)
            lifts_at = Attempt._blocked_until(kind, dimensions, max_failures, window)
            if lifts_at:
                Attempt._create_attempt(kind, code, "blocked", user, ip, wallet)
                minutes = max(1, math.ceil((lifts_at - fields.Datetime.now()).total_seconds() / 60))
                if kind == "promo":
                    message = _("Too many failed promo codes. Try again in %(minutes)s minutes.", minutes=minutes)
                else:
                    message = _("Too many failed voucher attempts. Try again in %(minutes)s minutes.", minutes=minutes)
                refusal = UserError(message)
            else:
                try:
                    check(env)
                except CodeRefused as error:
                    Attempt._create_attempt(kind, code, error.reason, user, ip, wallet)
                    refusal = error
        # Raised once the attempt is committed: raising inside would roll it back.
        if refusal:
            raise refusal

    @api.model
    @contextlib.contextmanager
    def _throttle_env(self):
        """A superuser environment on a transaction of its own, committed at
        the end, in which each statement sees what other transactions have
        committed before it (READ COMMITTED): the failures recorded by a
        request that held the lock just before.

        Inside a test transaction (TransactionCase) a second real cursor
        could neither see the test's uncommitted records nor be rolled back
        with them, so the test's own transaction is used; in Odoo's test mode
        (HttpCase) the registry hands out a cursor on the test transaction.
        """
        # Superuser: the attempts are a security log, written whoever failed.
        if self._in_test_transaction():
            yield self.env(su=True)
            return
        registry = self.env.registry
        with registry.cursor() as cr:
            if not registry.in_test_mode():
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            if cr.transaction is None:
                # The caller's registry, as Environment would find it by name (under the registries' lock).
                cr.transaction = api.Transaction(registry)
            yield self.env(cr=cr, su=True)

    @api.model
    def _in_test_transaction(self):
        return bool(modules.module.current_test) and not self.env.registry.in_test_mode()

    @api.model
    def _throttle_dimensions(self, user, ip):
        """What identifies a guesser: ``(column, value)`` pairs."""
        dimensions = []
        # The public user is shared by every visitor: only its address identifies it.
        if user and not user._is_public():
            dimensions.append(("user_id", user.id))
        if ip:
            dimensions.append(("ip_address", ip))
        return dimensions

    @api.model
    def _throttle_lock(self, kind, dimensions):
        """Take the transaction locks of the guesser, in a fixed order (no deadlock)."""
        keys = sorted(
            int.from_bytes(
                hashlib.sha256(f"prepaid_code_throttle:{kind}:{column}:{value}".encode()).digest()[:8],
                "big",
                signed=True,
            )
            for column, value in dimensions
        )
        for key in keys:
            self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", key))

    @api.model
    def _blocked_until(self, kind, dimensions, max_failures, window):
        """When the block of the guesser lifts, or None when it is not blocked."""
        now = fields.Datetime.now()
        since = now - timedelta(minutes=window)
        lifts_at = None
        self.flush_model()
        for column, value in dimensions:
            self.env.cr.execute(SQL(
                """
                SELECT date FROM prepaid_voucher_attempt
                 WHERE kind = %s AND %s = %s AND date > %s AND reason != 'blocked'
              ORDER BY date DESC
                 LIMIT %s
                """,
                kind, SQL.identifier(column), value, since, max_failures,
            ))
            dates = [row[0] for row in self.env.cr.fetchall()]
            if len(dates) >= max_failures:
                # Free again once the oldest of the last N failures leaves the window.
                lifted = dates[-1] + timedelta(minutes=window)
                lifts_at = max(lifts_at, lifted) if lifts_at else lifted
        return lifts_at

    @api.model
    def _create_attempt(self, kind, code, reason, user, ip, wallet):
        vals = self._prepare_attempt_vals(code, reason, user, ip, wallet)
        vals["kind"] = kind
        # Attempts are a security log: written whoever failed.
        return self.sudo().create(vals)

    @api.model
    def _record_failure(self, code, reason, user=None, ip=None, wallet=None, kind="voucher"):
        """Record a failed attempt so that it survives the caller's rollback.

        For a code that passed :meth:`_throttled_check` and was refused by
        the caller's own check (a parallel activation took its last use):
        the caller raises a UserError right after, which rolls its
        transaction back, so the attempt is written and committed in a
        transaction of its own (see :meth:`_throttle_env`).

        :return: None
        """
        with self._throttle_env() as env:
            env[self._name]._create_attempt(kind, code, reason, user, ip, wallet)

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
