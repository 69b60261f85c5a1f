# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows

_logger = logging.getLogger(__name__)

# Runway alert levels, in days of average burn left, from the first sent.
RUNWAY_LEVELS = (7, 3, 1)
# Days of statements the average burn is computed on, at most.
BURN_DAYS = 7
# Longest rating error kept on a wallet.
MAX_RATING_ERROR = 2000


def _runway_rank(days):
    """Order of alert levels: none (0) is above every level."""
    return days or 1000


class PrepaidWallet(models.Model):
    """Cloud usage side of the wallet: rate card, balance policy, alerts."""

    _inherit = "prepaid.wallet"

    cloud_server_ids = fields.One2many("prepaid.cloud.server", "wallet_id", string="Cloud servers")
    cloud_server_count = fields.Integer(compute="_compute_cloud_server_count", string="Servers")
    cloud_rate_card_id = fields.Many2one(
        "prepaid.cloud.rate.card",
        string="Rate card",
        check_company=True,
        domain="[('currency_id', '=', currency_id)]",
        tracking=True,
        help="Prices of this customer's cloud usage; the company's default card of the currency when empty.",
    )
    cloud_policy_custom = fields.Boolean(
        "Own suspension policy", tracking=True, help="Use this wallet's floor and grace instead of the company's."
    )
    cloud_suspension_floor = fields.Monetary("Suspension floor", tracking=True)
    cloud_grace_hours = fields.Integer("Grace before suspension (hours)", default=0, tracking=True)
    cloud_never_suspend_until = fields.Date(
        "Never suspend until",
        tracking=True,
        help="A manager's override: the servers are not suspended for a low balance up to this day included.",
    )
    cloud_below_floor_since = fields.Datetime(
        "At or below the floor since", readonly=True, copy=False
    )
    cloud_suspended = fields.Boolean(
        "Servers suspended", readonly=True, copy=False, tracking=True,
        help="The balance policy has suspended the servers; a recharge above the floor reactivates them.",
    )
    cloud_low_balance_alerted = fields.Boolean(readonly=True, copy=False)
    # Written by the hourly provisional rating only (one UPDATE for many
    # wallets), and by the daily rating once it has charged a day.
    cloud_unbilled_amount = fields.Monetary(
        "Usage not charged yet", readonly=True, copy=False,
        help="The cloud usage measured since the last daily charge, priced every hour at the wallet's rate card. "
        "The daily charge of a day replaces it.",
    )
    cloud_unbilled_date = fields.Datetime("Usage measured until", readonly=True, copy=False)
    cloud_ongoing_balance = fields.Monetary(
        "Ongoing balance",
        compute="_compute_cloud_ongoing_balance",
        search="_search_cloud_ongoing_balance",
        help="The balance less the cloud usage not charged yet: the suspension and the alerts look at it.",
    )
    cloud_rating_error = fields.Text(
        "Cloud rating error", readonly=True, copy=False,
        help="Why the last daily rating could not charge this wallet's usage; the next run tries again.",
    )
    cloud_rating_error_date = fields.Datetime("Rating failed on", readonly=True, copy=False)
    cloud_runway_alert_days = fields.Integer(
        "Last runway alert (days)", readonly=True, copy=False,
        help="The last runway alert sent (7, 3 or 1 days); 0 when the balance covers a week again.",
    )

    def _compute_cloud_server_count(self):
        counts = dict(
            self.env["prepaid.cloud.server"]._read_group(
                [("wallet_id", "in", self.ids), ("state", "!=", "terminated")], ["wallet_id"], ["__count"]
            )
        )
        for wallet in self:
            wallet.cloud_server_count = counts.get(wallet, 0)

    @api.depends("balance", "cloud_unbilled_amount", "currency_id")
    def _compute_cloud_ongoing_balance(self):
        for wallet in self:
            wallet.cloud_ongoing_balance = wallet.currency_id.round(wallet.balance - wallet.cloud_unbilled_amount)

    def _search_cloud_ongoing_balance(self, operator, value):
        if operator not in ("<", "<=", ">", ">=", "=", "!=") or isinstance(value, bool) or not isinstance(
            value, (int, float)
        ):
            raise UserError(_("The ongoing balance can only be compared with a number."))
        self.flush_model(["balance", "cloud_unbilled_amount"])
        return [("id", "in", SQL(
            "(SELECT id FROM prepaid_wallet WHERE balance - COALESCE(cloud_unbilled_amount, 0) %s %s)",
            SQL(operator), value,
        ))]

    @api.constrains("cloud_grace_hours")
    def _check_cloud_grace_hours(self):
        for wallet in self:
            if wallet.cloud_grace_hours < 0:
                raise ValidationError(_("The grace before suspension cannot be negative."))

    def write(self, vals):
        if {"cloud_unbilled_amount", "cloud_unbilled_date"} & set(vals):
            # The ongoing balance decides suspensions: only the rating prices usage.
            raise UserError(_("The usage not charged yet is measured by the hourly rating; it cannot be typed in."))
        res = super().write(vals)
        policy_fields = {
            "cloud_policy_custom", "cloud_suspension_floor", "cloud_grace_hours", "cloud_never_suspend_until",
        }
        if policy_fields & set(vals):
            # A manager's change of the policy takes effect at once.
            # sudo: the policy writes servers and commands the manager may not.
            self.sudo()._cloud_apply_balance_policy()
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_cloud_servers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("prepaid_cloud_credit_usage.prepaid_cloud_server_action")
        action["domain"] = [("wallet_id", "=", self.id)]
        action["context"] = {"default_wallet_id": self.id}
        return action

    def action_cloud_reactivate(self):
        """Manager: reactivate the servers now and give a new grace period."""
        self._check_prepaid_group("group_prepaid_manager")
        # Manager checked above; sudo writes the servers and queues the commands.
        for wallet in self.sudo():
            wallet.cloud_below_floor_since = fields.Datetime.now() if wallet.cloud_below_floor_since else False
            wallet._cloud_unsuspend(_("Reactivated by %(user)s", user=self.env.user.name))
        return True

    def action_cloud_suspend(self):
        """Manager: suspend the servers now, whatever the balance."""
        self._check_prepaid_group("group_prepaid_manager")
        # Manager checked above; sudo writes the servers and queues the commands.
        for wallet in self.sudo():
            wallet._cloud_suspend(_("Suspended by %(user)s", user=self.env.user.name))
        return True

    def action_cloud_rate_now(self):
        """Manager: rate and charge this wallet's usage up to the start of
        today now, e.g. once the cause of a rating failure is fixed."""
        self._check_prepaid_group("group_prepaid_manager")
        Statement = self.env["prepaid.cloud.statement"]
        # Manager checked above; the rating is the ledger's business.
        for wallet in self.sudo():
            Statement.sudo().with_company(wallet.company_id)._rate_batch(
                wallet, Statement._cloud_cutoff(wallet.company_id)
            )
        return True

    # ------------------------------------------------------------------
    # Rate card
    # ------------------------------------------------------------------

    def _get_cloud_rate_card(self):
        """The rate card that prices this wallet's cloud usage (see
        :meth:`_get_cloud_rate_cards`).

        :return: a ``prepaid.cloud.rate.card``, empty when none prices it
        """
        self.ensure_one()
        # sudo: pricing happens for any caller of the ledger, portal included.
        return self.env["prepaid.cloud.rate.card"].sudo().browse(self._get_cloud_rate_cards().get(self.id))

    def _get_cloud_rate_cards(self):
        """Hook: the rate card of each of these wallets at once, for the
        ratings that price thousands of wallets.

        :return: dict wallet id -> rate card id: the wallet's own card, else
            the company's default card in the wallet's currency; wallets no
            card prices are left out
        """
        defaults = {}
        # sudo: pricing happens for any caller of the ledger, portal included.
        for card in self.env["prepaid.cloud.rate.card"].sudo().search(
            [("company_id", "in", self.company_id.ids), ("is_default", "=", True)], order="sequence, id"
        ):
            defaults.setdefault((card.company_id.id, card.currency_id.id), card.id)
        cards = {}
        for wallet in self:
            card = wallet.cloud_rate_card_id.id or defaults.get((wallet.company_id.id, wallet.currency_id.id))
            if card:
                cards[wallet.id] = card
        return cards

    # ------------------------------------------------------------------
    # Rating failures
    # ------------------------------------------------------------------

    def _cloud_rating_failed(self, message):
        """Record on the wallet why its usage could not be rated: the error,
        a note in its chatter when the cause is new, the *Cloud rating failed*
        filter. The next run tries again."""
        now = fields.Datetime.now()
        message = message[:MAX_RATING_ERROR]
        for wallet in self:
            if wallet.cloud_rating_error != message:
                wallet.message_post(body=_("The cloud usage could not be rated and charged: %(error)s", error=message))
            wallet.write({"cloud_rating_error": message, "cloud_rating_error_date": now})

    def _cloud_rating_succeeded(self):
        """Clear the rating error of wallets whose usage is rated again."""
        failed = self.filtered("cloud_rating_error")
        for wallet in failed:
            wallet.message_post(body=_("The cloud usage is rated and charged again."))
        failed.write({"cloud_rating_error": False, "cloud_rating_error_date": False})

    # ------------------------------------------------------------------
    # Every movement re-evaluates the policy and the alerts
    # ------------------------------------------------------------------

    def _ledger_lock_reads(self, param):
        """Override of the ledger: the usage of the last days and the day
        usage began, for the runway."""
        self.env["prepaid.cloud.statement"].flush_model(["amount_total", "wallet_id", "date"])
        self.env["res.company"].flush_model(["prepaid_suspension_floor", "partner_id"])
        self.env["res.partner"].flush_model(["tz"])
        # A few days more than the burn window on each side: the window is
        # cut in the company's time zone once the lock has read it.
        today = fields.Date.today()
        return {
            **super()._ledger_lock_reads(param),
            "recent_usage": SQL(
                """
                (SELECT json_agg(json_build_array(s.date, s.amount_total))
                   FROM prepaid_cloud_statement s
                  WHERE s.wallet_id = w.id AND s.date >= %s AND s.date < %s)
                """,
                param(today - timedelta(days=BURN_DAYS + 2), "date"), param(today + timedelta(days=2), "date"),
            ),
            # The first entry of the (wallet, date, sequence) unique index.
            "first_usage_day": SQL("(SELECT MIN(s.date) FROM prepaid_cloud_statement s WHERE s.wallet_id = w.id)"),
            # What the balance policy and the alerts decide on (see _cloud_policy_unchanged).
            "cloud_state": SQL(
                """
                (SELECT json_build_object(
                            'unbilled', w.cloud_unbilled_amount,
                            'floor', CASE WHEN w.cloud_policy_custom THEN w.cloud_suspension_floor
                                          ELSE co.prepaid_suspension_floor END,
                            'below_since', w.cloud_below_floor_since,
                            'suspended', w.cloud_suspended,
                            'alert', w.low_balance_alert,
                            'threshold', w.low_balance_threshold,
                            'alerted', w.cloud_low_balance_alerted,
                            'runway_alert', w.cloud_runway_alert_days,
                            'tz', p.tz)
                   FROM res_company co JOIN res_partner p ON p.id = co.partner_id
                  WHERE co.id = w.company_id)
                """
            ),
        }

    def _ledger_after_write(self, staged):
        """Override of the ledger to apply the balance policy and the alerts
        right after the balance changed: a recharge (or a voucher, a refund,
        a manager's adjustment) above the floor reactivates the servers in
        the same transaction. A batch's movements of the wallet are judged
        together, on the balance after the last."""
        super()._ledger_after_write(staged)
        lock = staged[-1].lock
        recent = [(fields.Date.to_date(day), amount) for day, amount in lock.extra["recent_usage"] or []]
        first_usage_day = fields.Date.to_date(lock.extra["first_usage_day"])
        if self._cloud_policy_unchanged(lock, recent, first_usage_day):
            # Most movements cross no floor nor alert: nothing to read nor write.
            return
        # The ledger changed the balance without the ORM's dependencies:
        # what was computed from the old one goes.
        self.invalidate_recordset(["cloud_ongoing_balance"])
        self._cloud_apply_balance_policy()
        self._cloud_check_alerts(recent_usage=recent, first_usage_day=first_usage_day)
        # A batch carries the wallet to its next movement: the policy's state as it is now.
        state = lock.extra["cloud_state"]
        state.update(
            below_since=self.cloud_below_floor_since and fields.Datetime.to_string(self.cloud_below_floor_since),
            suspended=self.cloud_suspended, alerted=self.cloud_low_balance_alerted,
            runway_alert=self.cloud_runway_alert_days,
        )

    def _cloud_policy_unchanged(self, lock, recent_usage, first_usage_day):
        """Whether the balance policy and the alerts would leave this wallet
        as it is after a movement, decided on what the movement's lock read
        (:class:`~odoo.addons.prepaid_cloud_credit.models.prepaid_wallet.LockedWallet`).

        Only the plain cases are decided here (above the floor and not
        suspended, no alert crossed); any other goes through
        :meth:`_cloud_apply_balance_policy` and :meth:`_cloud_check_alerts`.
        """
        state = lock.extra.get("cloud_state")
        if not state:
            return False
        currency = lock.currency
        ongoing = currency.round(lock.balance - float(state["unbilled"] or 0.0))
        if currency.compare_amounts(ongoing, float(state["floor"] or 0.0)) <= 0:
            return False
        if state["below_since"] or state["suspended"]:
            return False
        below = state["alert"] and currency.compare_amounts(ongoing, float(state["threshold"] or 0.0)) <= 0
        if bool(below) != bool(state["alerted"]):
            return False
        burn = self._cloud_burn_of(recent_usage, first_usage_day, state["tz"])
        level = self._cloud_runway_level_of(ongoing, burn)[0]
        return _runway_rank(level) == _runway_rank(state["runway_alert"] or 0)

    # ------------------------------------------------------------------
    # Balance policy
    # ------------------------------------------------------------------

    def _cloud_policy(self):
        """:return: (floor, grace hours) of this wallet"""
        self.ensure_one()
        if self.cloud_policy_custom:
            return self.cloud_suspension_floor, self.cloud_grace_hours
        company = self.company_id
        # Two columns, not the whole (wide) company record: this runs on every movement.
        company.fetch(["prepaid_suspension_floor", "prepaid_suspension_grace_hours"])
        return company.prepaid_suspension_floor, company.prepaid_suspension_grace_hours

    def _cloud_apply_balance_policy(self, now=None):
        """Suspend the servers of wallets whose ongoing balance (the balance
        less the usage not charged yet) is at or below their floor past the
        grace; reactivate those of wallets back above it."""
        now = now or fields.Datetime.now()
        for wallet in self:
            floor, grace = wallet._cloud_policy()
            currency = wallet.currency_id
            ongoing = wallet.cloud_ongoing_balance
            if currency.compare_amounts(ongoing, floor) > 0:
                if wallet.cloud_below_floor_since:
                    wallet.cloud_below_floor_since = False
                if wallet.cloud_suspended:
                    wallet._cloud_unsuspend(_("The ongoing balance is above %(floor)s again", floor=floor))
                continue
            if not wallet.cloud_below_floor_since:
                wallet.cloud_below_floor_since = now
            if wallet.cloud_suspended:
                if wallet.cloud_server_ids.filtered(lambda s: s.state in ("active", "stopped")):
                    # A server added (or started by hand) since the suspension.
                    wallet._cloud_suspend(_("The servers of this customer are suspended"))
                continue
            today = fields.Date.context_today(wallet, now)
            if wallet.cloud_never_suspend_until and wallet.cloud_never_suspend_until >= today:
                continue
            if now >= wallet.cloud_below_floor_since + timedelta(hours=grace):
                wallet._cloud_suspend(
                    _("The ongoing balance %(balance)s is at or below %(floor)s since %(since)s",
                      balance=ongoing, floor=floor, since=wallet.cloud_below_floor_since)
                )

    def _cloud_suspend(self, reason):
        self.ensure_one()
        servers = self.cloud_server_ids.filtered(lambda s: s.state in ("active", "stopped"))
        for server in servers:
            server.write({"state_before_suspension": server.state, "state": "suspended"})
        # sudo: commands are written by the policy only, never by users.
        self.env["prepaid.cloud.command"].sudo()._queue(servers, "suspend", reason)
        self.cloud_suspended = True
        _logger.info("Cloud servers of %s suspended: %s", self.display_name, reason)

    def _cloud_unsuspend(self, reason):
        self.ensure_one()
        servers = self.cloud_server_ids.filtered(lambda s: s.state == "suspended" and s.state_before_suspension)
        for server in servers:
            server.write({"state": server.state_before_suspension, "state_before_suspension": False})
        # sudo: commands are written by the policy only, never by users.
        self.env["prepaid.cloud.command"].sudo()._queue(servers, "unsuspend", reason)
        self.cloud_suspended = False

    @api.model
    def _cron_cloud_balance_policy(self, batch_size=500):
        """Every hour: price the usage not charged yet (the ongoing balance),
        then, for the wallets it concerns, suspend the servers whose grace has
        run out, reactivate those back above their floor and send the alerts
        the ongoing balance crossed, in batches.

        A company whose provisional rating fails, or a wallet whose policy
        fails, is logged and skipped: the others go on, and the next hour
        tries again.

        :return: the number of wallets whose policy and alerts were checked
        """
        # The cron applies the company policy to every wallet, whoever runs it.
        self = self.sudo()
        now = fields.Datetime.now()
        Statement = self.env["prepaid.cloud.statement"]
        wallet_ids = []
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            try:
                Statement.with_company(company)._cloud_rate_provisional(company, now)
            except Exception:
                if not self._prepaid_can_commit():
                    raise
                # Each batch of wallets is committed as it is priced: what
                # failed here is taken back and the other companies go on.
                self.env.cr.rollback()
                _logger.exception("Provisional cloud rating of %s failed; the next hour tries again.", company.name)
                continue
            wallet_ids += self.with_company(company)._cloud_policy_candidates(company, now)
        wallets = self.browse(wallet_ids)
        done = 0
        for start in range(0, len(wallets), batch_size):
            batch = wallets[start:start + batch_size]
            locked = lock_rows(batch, skip_locked=True)
            try:
                with self.env.cr.savepoint():
                    locked._cloud_apply_balance_policy(now)
                    locked._cloud_check_alerts()
            except Exception:
                for wallet in locked:
                    try:
                        with self.env.cr.savepoint():
                            wallet._cloud_apply_balance_policy(now)
                            wallet._cloud_check_alerts()
                    except Exception:
                        _logger.exception("Cloud balance policy of %s failed; the next hour tries again.",
                                          wallet.display_name)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(wallets) - done)
            if self._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _cloud_policy_candidates(self, company, now):
        """The wallets of ``company`` whose suspension or alerts the ongoing
        balance may change, in one query: those flagged already, those with
        servers at or below their floor and, among those with usage not
        charged yet, those whose low-balance alert is due and those that may
        run out within a week at the burn of their recent days (an upper
        bound of the real burn, which :meth:`_cloud_check_alerts` computes).

        :return: list of wallet ids
        """
        self.flush_model()
        self.env["prepaid.cloud.server"].flush_model(["wallet_id", "state"])
        self.env["prepaid.cloud.statement"].flush_model(["wallet_id", "date", "amount_total"])
        tz = self.env["prepaid.cloud.statement"]._cloud_tz(company)
        today = fields.Date.context_today(self.with_context(tz=tz), now)
        self.env.cr.execute(SQL(
            """
            SELECT w.id
              FROM prepaid_wallet w
              JOIN res_company c ON c.id = w.company_id
         LEFT JOIN LATERAL (
                    SELECT SUM(s.amount_total) AS total, MIN(s.date) AS first_day
                      FROM prepaid_cloud_statement s
                     WHERE s.wallet_id = w.id AND s.date >= %(start)s AND s.date < %(today)s
                   ) recent ON TRUE
             WHERE w.company_id = %(company)s AND w.active
               AND (w.cloud_below_floor_since IS NOT NULL
                    OR w.cloud_suspended
                    OR (w.balance - COALESCE(w.cloud_unbilled_amount, 0) <= CASE WHEN w.cloud_policy_custom
                                                                          THEN w.cloud_suspension_floor
                                                                          ELSE c.prepaid_suspension_floor END
                        AND EXISTS (SELECT 1 FROM prepaid_cloud_server s
                                     WHERE s.wallet_id = w.id AND s.state IN ('active', 'stopped')))
                    -- Without usage not charged yet the ongoing balance is the
                    -- balance, whose last movement checked the alerts.
                    OR (COALESCE(w.cloud_unbilled_amount, 0) != 0
                        AND ((w.low_balance_alert AND NOT COALESCE(w.cloud_low_balance_alerted, false)
                              AND w.balance - w.cloud_unbilled_amount <= w.low_balance_threshold)
                             OR (COALESCE(w.cloud_runway_alert_days, 0) != %(last_level)s
                                 AND recent.total > 0
                                 AND w.balance - w.cloud_unbilled_amount
                                     < %(levels)s * recent.total / GREATEST(%(today)s - recent.first_day, 1)))))
          ORDER BY w.id
            """,
            company=company.id,
            start=today - timedelta(days=BURN_DAYS),
            today=today,
            levels=max(RUNWAY_LEVELS),
            last_level=min(RUNWAY_LEVELS),
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Alerts
    # ------------------------------------------------------------------

    def _cloud_average_burn(self, recent_usage=None, first_usage_day=None):
        """Average daily usage over the last days of usage history: the last
        ``BURN_DAYS`` days, or fewer when usage began since (a wallet whose
        first statement is two days old divides by two, not by seven).

        :param recent_usage: (date, amount) of the statements of the last
            days, as the ledger's lock read them; read here when not given
        :param first_usage_day: the day of the wallet's first statement, as
            the lock read it (with ``recent_usage``)
        :return: the average, 0 without usage in the window
        """
        self.ensure_one()
        if recent_usage is not None and not recent_usage:
            return 0.0
        company_partner = self.company_id.partner_id
        company_partner.fetch(["tz"])
        if recent_usage is not None:
            return self._cloud_burn_of(recent_usage, first_usage_day, company_partner.tz)
        today = fields.Date.context_today(self.with_context(tz=company_partner.tz or "UTC"))
        start = today - timedelta(days=BURN_DAYS)
        self.env["prepaid.cloud.statement"].flush_model(["amount_total", "wallet_id", "date"])
        self.env.cr.execute(SQL(
            """
            SELECT COALESCE(SUM(amount_total) FILTER (WHERE date >= %s AND date < %s), 0), MIN(date)
              FROM prepaid_cloud_statement
             WHERE wallet_id = %s
            """,
            start, today, self.id,
        ))
        total, first_usage_day = self.env.cr.fetchone()
        if not total or not first_usage_day or first_usage_day >= today:
            return 0.0
        days = min(BURN_DAYS, (today - first_usage_day).days)
        return float(total) / days

    @api.model
    def _cloud_burn_of(self, recent_usage, first_usage_day, tz):
        """The average daily usage of :meth:`_cloud_average_burn` computed
        from the statements the ledger's lock read.

        :param tz: the company's time zone, where the days are cut
        """
        if not recent_usage:
            return 0.0
        today = fields.Date.context_today(self.with_context(tz=tz or "UTC"))
        start = today - timedelta(days=BURN_DAYS)
        total = sum(amount for day, amount in recent_usage if start <= day < today)
        if not total or not first_usage_day or first_usage_day >= today:
            return 0.0
        days = min(BURN_DAYS, (today - first_usage_day).days)
        return float(total) / days

    @api.model
    def _cloud_runway_level_of(self, ongoing, burn):
        """:return: (alert level in days or 0, runway in days or None) of
        the ongoing balance ``ongoing`` at the daily usage ``burn``"""
        if burn <= 0:
            return 0, None
        runway = max(ongoing, 0.0) / burn
        level = 0
        for days in RUNWAY_LEVELS:
            if runway < days:
                level = days
        return level, runway

    def _cloud_runway_level(self, recent_usage=None, first_usage_day=None):
        """:return: (alert level in days or 0, runway in days or None), the
        runway of the ongoing balance at the average burn"""
        self.ensure_one()
        burn = self._cloud_average_burn(recent_usage, first_usage_day)
        return self._cloud_runway_level_of(self.cloud_ongoing_balance, burn)

    def _cloud_check_alerts(self, recent_usage=None, first_usage_day=None):
        """Send the low-balance and runway e-mails on the ongoing balance,
        once per crossing: an alert is sent again only after the ongoing
        balance recovered above it.

        :param recent_usage: see :meth:`_cloud_average_burn` (one wallet only)
        :param first_usage_day: see :meth:`_cloud_average_burn` (one wallet only)
        """
        for wallet in self:
            currency = wallet.currency_id
            below = (
                wallet.low_balance_alert
                and currency.compare_amounts(wallet.cloud_ongoing_balance, wallet.low_balance_threshold) <= 0
            )
            if below and not wallet.cloud_low_balance_alerted:
                low_template = self.env.ref(
                    "prepaid_cloud_credit_usage.mail_template_prepaid_low_balance", raise_if_not_found=False
                )
                if low_template:
                    # sudo: the customer is mailed whoever moved the money.
                    low_template.sudo().send_mail(wallet.id)
                wallet.cloud_low_balance_alerted = True
            elif not below and wallet.cloud_low_balance_alerted:
                wallet.cloud_low_balance_alerted = False
            level, runway = wallet._cloud_runway_level(recent_usage, first_usage_day)
            stored = wallet.cloud_runway_alert_days
            if _runway_rank(level) < _runway_rank(stored):
                runway_template = self.env.ref(
                    "prepaid_cloud_credit_usage.mail_template_prepaid_runway", raise_if_not_found=False
                )
                if runway_template:
                    # sudo: the customer is mailed whoever moved the money.
                    runway_template.sudo().with_context(
                        runway_days=level, runway=round(runway, 1)
                    ).send_mail(wallet.id)
                wallet.cloud_runway_alert_days = level
            elif _runway_rank(level) > _runway_rank(stored):
                wallet.cloud_runway_alert_days = level

    @api.model
    def _prepaid_load_cloud_demo(self):
        """Cloud servers for the demo customers, with a few days of history,
        rated and charged like every night."""
        ref = self.env.ref
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        card = ref("prepaid_cloud_credit_usage.rate_card_demo")
        for currency in (ref("base.EUR") | ref("base.RUB")) - card.currency_id:
            factor = 100 if currency.name == "RUB" else 1
            card.copy({
                "name": f"Cloud list prices ({currency.name})",
                "currency_id": currency.id,
                "line_ids": [
                    (0, 0, {"meter_id": line.meter_id.id, "price": line.price * factor}) for line in card.line_ids
                ],
            })
        Server = self.env["prepaid.cloud.server"]
        company = self.env.company
        it, fr, ru = (f"prepaid_cloud_credit.partner_{country}_demo" for country in ("it", "fr", "ru"))
        servers = [
            (it, "EUR", "web-01.nuvola", "vm-1001", 2, 4, 80, ["meter_addon_control_panel"], 5),
            (it, "EUR", "db-01.nuvola", "vm-1002", 4, 16, 200, ["meter_addon_backup"], 4),
            (fr, "EUR", "app.serveursdulac", "vm-2001", 1, 2, 40, [], 3),
            (ru, "RUB", "oblako-01", "vm-3001", 2, 4, 60, ["meter_addon_managed"], 3),
        ]
        for partner_xmlid, currency_code, name, platform_ref, vcpu, ram, disk, addons, days in servers:
            wallet = self.sudo()._get_or_create(ref(partner_xmlid), ref(f"base.{currency_code}"), company)
            created = now - timedelta(days=days)
            server = Server.with_context(prepaid_cloud_event_date=created).create({
                "name": name, "ref": platform_ref, "wallet_id": wallet.id,
                "vcpu": vcpu, "ram_gb": ram, "disk_gb": disk,
                "addon_meter_ids": [(6, 0, [ref(f"prepaid_cloud_credit_usage.{a}").id for a in addons])],
            })
            if name == "db-01.nuvola":
                # Resized two days ago at 14:00: the history bills each hour at its size.
                resized = (now - timedelta(days=2)).replace(hour=14)
                server.with_context(prepaid_cloud_event_date=resized).write({"vcpu": 8, "ram_gb": 32})
        self.env["prepaid.cloud.statement"]._cron_rate_usage()
