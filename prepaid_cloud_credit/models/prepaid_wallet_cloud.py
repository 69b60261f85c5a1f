# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Runway alert levels, in days of average burn left, from the first sent.
RUNWAY_LEVELS = (7, 3, 1)
# Days of statements the average burn is computed on.
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
    cloud_grace_hours = fields.Integer("Grace before suspension (hours)", default=24, tracking=True)
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

    @api.constrains("cloud_grace_hours")
    def _check_cloud_grace_hours(self):
        for wallet in self:
            if wallet.cloud_grace_hours < 0:
                raise ValidationError(_("The grace before suspension cannot be negative."))

    def write(self, vals):
        res = super().write(vals)
        if {"cloud_policy_custom", "cloud_suspension_floor", "cloud_grace_hours", "cloud_never_suspend_until"} & set(vals):
            # A manager's change of the policy takes effect at once.
            # sudo: the policy writes servers and commands the manager may not.
            self.sudo()._cloud_apply_balance_policy()
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_cloud_servers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("prepaid_cloud_credit.prepaid_cloud_server_action")
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

    def _ledger_lock_prefetch(self):
        """Override of the ledger: the policy and the alerts read the
        company's floor, grace and time zone on every movement."""
        return super()._ledger_lock_prefetch() + [
            ("res.company", SQL("w.company_id"), ["id", "prepaid_suspension_floor", "prepaid_suspension_grace_hours"]),
            ("res.partner", SQL("(SELECT c.partner_id FROM res_company c WHERE c.id = w.company_id)"), ["id", "tz"]),
        ]

    def _ledger_lock_reads(self):
        """Override of the ledger: the usage of the last days, for the runway."""
        self.env["prepaid.cloud.statement"].flush_model(["amount_total", "wallet_id", "date"])
        # A few days more than the burn window on each side: the window is
        # cut in the company's time zone once the lock has read it.
        today = fields.Date.today()
        return {
            **super()._ledger_lock_reads(),
            "recent_usage": SQL(
                """
                (SELECT json_agg(json_build_array(s.date, s.amount_total))
                   FROM prepaid_cloud_statement s
                  WHERE s.wallet_id = w.id AND s.date >= %s AND s.date < %s)
                """,
                today - timedelta(days=BURN_DAYS + 2), today + timedelta(days=2),
            ),
        }

    def _ledger_write(self, move_type, signed_amount, key, allocations, debt_change, new_lot_vals, **kw):
        """Override of the ledger to apply the balance policy and the alerts
        right after the balance changed: a recharge (or a voucher, a refund,
        a manager's adjustment) above the floor reactivates the servers in
        the same transaction."""
        tx = super()._ledger_write(move_type, signed_amount, key, allocations, debt_change, new_lot_vals, **kw)
        self._cloud_apply_balance_policy()
        recent = [(fields.Date.to_date(day), amount) for day, amount in kw["lock"]["recent_usage"] or []]
        self._cloud_check_alerts(recent_usage=recent)
        return tx

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
        """Suspend the servers of wallets at or below their floor past the
        grace; reactivate those of wallets back above it."""
        now = now or fields.Datetime.now()
        for wallet in self:
            floor, grace = wallet._cloud_policy()
            currency = wallet.currency_id
            if currency.compare_amounts(wallet.balance, floor) > 0:
                if wallet.cloud_below_floor_since:
                    wallet.cloud_below_floor_since = False
                if wallet.cloud_suspended:
                    wallet._cloud_unsuspend(_("The balance is above %(floor)s again", floor=floor))
                continue
            if not wallet.cloud_below_floor_since:
                wallet.cloud_below_floor_since = now
            if wallet.cloud_suspended:
                continue
            today = fields.Date.context_today(wallet, now)
            if wallet.cloud_never_suspend_until and wallet.cloud_never_suspend_until >= today:
                continue
            if now >= wallet.cloud_below_floor_since + timedelta(hours=grace):
                wallet._cloud_suspend(
                    _("The balance %(balance)s is at or below %(floor)s since %(since)s",
                      balance=wallet.balance, floor=floor, since=wallet.cloud_below_floor_since)
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
        """Suspend the servers whose grace has run out (no movement marks the
        end of a grace), then re-check the alerts, in batches."""
        # The cron applies the company policy to every wallet, whoever runs it.
        self = self.sudo()
        wallets = self.search([
            "|",
            ("cloud_below_floor_since", "!=", False),
            ("cloud_suspended", "=", True),
        ], order="id")
        done = 0
        for start in range(0, len(wallets), batch_size):
            batch = wallets[start:start + batch_size]._lock_for_update_skip_locked()
            with self.env.cr.savepoint():
                batch._cloud_apply_balance_policy()
            done += len(wallets[start:start + batch_size])
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(wallets) - done)
            if self._prepaid_can_commit():
                self.env.cr.commit()
        return done

    # ------------------------------------------------------------------
    # Alerts
    # ------------------------------------------------------------------

    def _cloud_average_burn(self, recent_usage=None):
        """Average daily usage over the last ``BURN_DAYS`` days (0 when none).

        :param recent_usage: (date, amount) of the statements of the last
            days, as the ledger's lock read them; read here when not given
        """
        self.ensure_one()
        if recent_usage is not None and not recent_usage:
            return 0.0
        company_partner = self.company_id.partner_id
        company_partner.fetch(["tz"])
        today = fields.Date.context_today(self.with_context(tz=company_partner.tz or "UTC"))
        start = today - timedelta(days=BURN_DAYS)
        if recent_usage is not None:
            return sum(amount for day, amount in recent_usage if start <= day < today) / BURN_DAYS
        self.env["prepaid.cloud.statement"].flush_model(["amount_total", "wallet_id", "date"])
        self.env.cr.execute(SQL(
            """
            SELECT COALESCE(SUM(amount_total), 0) FROM prepaid_cloud_statement
             WHERE wallet_id = %s AND date >= %s AND date < %s
            """,
            self.id, start, today,
        ))
        return self.env.cr.fetchone()[0] / BURN_DAYS

    def _cloud_runway_level(self, recent_usage=None):
        """:return: (alert level in days or 0, runway in days or None)"""
        self.ensure_one()
        burn = self._cloud_average_burn(recent_usage)
        if burn <= 0:
            return 0, None
        runway = max(self.balance, 0.0) / burn
        level = 0
        for days in RUNWAY_LEVELS:
            if runway < days:
                level = days
        return level, runway

    def _cloud_check_alerts(self, recent_usage=None):
        """Send the low-balance and runway e-mails, once per crossing: an
        alert is sent again only after the balance recovered above it.

        :param recent_usage: see :meth:`_cloud_average_burn` (one wallet only)
        """
        for wallet in self:
            currency = wallet.currency_id
            below = (
                wallet.low_balance_alert
                and currency.compare_amounts(wallet.balance, wallet.low_balance_threshold) <= 0
            )
            if below and not wallet.cloud_low_balance_alerted:
                low_template = self.env.ref(
                    "prepaid_cloud_credit.mail_template_prepaid_low_balance", raise_if_not_found=False
                )
                if low_template:
                    # sudo: the customer is mailed whoever moved the money.
                    low_template.sudo().send_mail(wallet.id)
                wallet.cloud_low_balance_alerted = True
            elif not below and wallet.cloud_low_balance_alerted:
                wallet.cloud_low_balance_alerted = False
            level, runway = wallet._cloud_runway_level(recent_usage)
            stored = wallet.cloud_runway_alert_days
            if _runway_rank(level) < _runway_rank(stored):
                runway_template = self.env.ref(
                    "prepaid_cloud_credit.mail_template_prepaid_runway", raise_if_not_found=False
                )
                if runway_template:
                    # sudo: the customer is mailed whoever moved the money.
                    runway_template.sudo().with_context(
                        runway_days=level, runway=round(runway, 1)
                    ).send_mail(wallet.id)
                wallet.cloud_runway_alert_days = level
            elif _runway_rank(level) > _runway_rank(stored):
                wallet.cloud_runway_alert_days = level
