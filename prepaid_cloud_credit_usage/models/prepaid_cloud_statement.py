# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
from datetime import datetime, time

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows

_logger = logging.getLogger(__name__)

# Wallets rated per batch; each batch is one database transaction.
RATING_BATCH_SIZE = 500
# Wallets priced per statement of the hourly provisional rating; each batch
# is one database transaction.
PROVISIONAL_BATCH_SIZE = 2000
# Usage records a rating error lists, at most.
MAX_LISTED_RECORDS = 5


class PrepaidCloudStatement(models.Model):
    """The cloud usage of one wallet for one day (company time zone).

    Sequence 0 is the day's statement, charged with the idempotency key
    ``usage:<wallet>:<day>``; records of that day that arrive after it was
    rated go on adjustment statements 1, 2... charged with
    ``usage-adj:<wallet>:<day>:<n>``.
    """

    _name = "prepaid.cloud.statement"
    _description = "Cloud Usage Statement"
    _order = "date desc, wallet_id, sequence"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    wallet_id = fields.Many2one("prepaid.wallet", required=True, index=True, ondelete="restrict", readonly=True)
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id", store=True)
    date = fields.Date("Day", required=True, readonly=True, index=True)
    sequence = fields.Integer(readonly=True, default=0, help="0 for the day's statement, then adjustments.")
    is_adjustment = fields.Boolean(compute="_compute_is_adjustment", store=True)
    rate_card_id = fields.Many2one("prepaid.cloud.rate.card", readonly=True)
    line_ids = fields.One2many("prepaid.cloud.statement.line", "statement_id", string="Lines", readonly=True)
    amount_total = fields.Monetary("Total", readonly=True)
    transaction_id = fields.Many2one("prepaid.wallet.transaction", string="Debit", readonly=True)
    state = fields.Selection(
        [("draft", "Being rated"), ("charged", "Charged"), ("free", "Nothing to charge")],
        default="draft",
        readonly=True,
        required=True,
    )

    _sql_constraints = [
        ("wallet_day_uniq", "UNIQUE(wallet_id, date, sequence)", "One statement per wallet, day and sequence."),
    ]

    @api.depends("wallet_id.name", "date", "sequence")
    def _compute_name(self):
        for statement in self:
            if statement.sequence:
                statement.name = _(
                    "%(wallet)s %(day)s adjustment %(n)s",
                    wallet=statement.wallet_id.name, day=statement.date, n=statement.sequence,
                )
            else:
                statement.name = f"{statement.wallet_id.name} {statement.date}"

    @api.depends("sequence")
    def _compute_is_adjustment(self):
        for statement in self:
            statement.is_adjustment = statement.sequence > 0

    def _idempotency_key(self):
        self.ensure_one()
        if self.sequence:
            return f"usage-adj:{self.wallet_id.id}:{self.date}:{self.sequence}"
        return f"usage:{self.wallet_id.id}:{self.date}"

    # ------------------------------------------------------------------
    # The daily rating
    # ------------------------------------------------------------------

    @api.model
    def _cron_rate_usage(self, batch_size=None):
        """Rate every wallet's usage up to the start of today (company time
        zone), company by company, in batches of wallets.

        A batch derives the servers' usage from their history, writes the
        statements and their lines and charges each statement through the
        ledger, all in one database transaction committed at the end of the
        batch: a crash loses the current batch only, and the next run redoes
        it. Every statement is unique per wallet, day and sequence and its
        debit carries an idempotency key, so nothing is ever charged twice.

        :return: the number of wallets rated
        """
        # The rating is the ledger's business, whoever runs the cron.
        self = self.sudo()
        batch_size = batch_size or RATING_BATCH_SIZE
        done = 0
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            done += self.with_company(company)._rate_company(company, batch_size, done)
        return done

    @api.model
    def _cloud_tz(self, company):
        return company.partner_id.tz or "UTC"

    @api.model
    def _cloud_cutoff(self, company, now=None):
        """Start of today in the company time zone, as naive UTC."""
        tz = pytz.timezone(self._cloud_tz(company))
        now = now or fields.Datetime.now()
        today = pytz.utc.localize(now).astimezone(tz).date()
        return tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _get_wallets_to_rate_domain(self, company):
        """Hook: the wallets the rating considers (all of the company by default)."""
        return [("company_id", "=", company.id)]

    @api.model
    def _rate_company(self, company, batch_size, done_before=0):
        cutoff = self._cloud_cutoff(company)
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT wallet_id FROM prepaid_cloud_server
             WHERE company_id = %(company)s AND usage_derived_until < %(cutoff)s
             UNION
            SELECT DISTINCT u.wallet_id FROM prepaid_cloud_usage u
              JOIN prepaid_wallet w ON w.id = u.wallet_id
             WHERE w.company_id = %(company)s AND u.statement_id IS NULL AND u.hour < %(cutoff)s
             ORDER BY 1
            """,
            company=company.id,
            cutoff=cutoff,
        ))
        wallet_ids = [row[0] for row in self.env.cr.fetchall()]
        wallets = self.env["prepaid.wallet"].search(
            [("id", "in", wallet_ids)] + self._get_wallets_to_rate_domain(company), order="id"
        )
        done = 0
        for start in range(0, len(wallets), batch_size):
            batch = wallets[start:start + batch_size]
            self._rate_batch(batch, cutoff)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done_before + done, remaining=len(wallets) - done)
            if self.env["prepaid.wallet"]._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _rate_batch(self, wallets, cutoff):
        """Rate a batch of wallets set-based; when the batch fails, rate its
        wallets one by one, so that only the wallets that fail are left
        unrated, each with its error recorded (see
        ``prepaid.wallet._cloud_rating_failed``).

        Each attempt runs in a savepoint: a failed one leaves nothing behind
        (no statement, no marked usage, no debit), and the next run tries the
        wallet again.
        """
        try:
            with self.env.cr.savepoint():
                self._rate_wallets(wallets, cutoff)
            return
        except Exception as error:
            if len(wallets) == 1:
                self._rate_failed(wallets, error)
                return
            _logger.info("Cloud rating of a batch of %s wallets failed (%s); rating them one by one.",
                         len(wallets), error)
        for wallet in wallets:
            try:
                with self.env.cr.savepoint():
                    self._rate_wallets(wallet, cutoff)
            except Exception as error:
                self._rate_failed(wallet, error)

    @api.model
    def _rate_failed(self, wallet, error):
        """Record a wallet's rating failure where an operator sees it."""
        _logger.warning("Cloud usage of %s not rated: %s", wallet.display_name, error, exc_info=error)
        if isinstance(error, UserError):
            message = error.args[0]
        else:
            message = _("Unexpected error: %(error)s", error=f"{type(error).__name__}: {error}")
        try:
            with self.env.cr.savepoint():
                wallet._cloud_rating_failed(message)
        except Exception:
            # The wallet may be locked by a movement right now: the next run
            # records it.
            _logger.exception("The rating failure of %s could not be recorded.", wallet.display_name)

    @api.model
    def _cloud_unrated_usage_problems(self, wallets, cutoff):
        """The usage records of ``wallets`` to rate before ``cutoff`` that
        must not be charged as they are: above their meter's maximum per hour
        or dated before their server existed (stored before these bounds were
        checked at ingestion). An operator discards or corrects them.

        :return: dict wallet id -> error message listing the records
        """
        self.env["prepaid.cloud.usage"].flush_model()
        self.env.cr.execute(SQL(
            """
            WITH unrated AS MATERIALIZED (
                SELECT u.wallet_id, u.server_id, u.meter_id, u.hour, u.quantity
                  FROM prepaid_cloud_usage u
                 WHERE u.wallet_id = ANY(%(wallets)s) AND u.statement_id IS NULL AND u.hour < %(cutoff)s
            ), starts AS (
                SELECT e.server_id, date_trunc('hour', MIN(e.date)) AS first_hour
                  FROM prepaid_cloud_server_event e
                 WHERE e.server_id IN (SELECT DISTINCT server_id FROM unrated)
              GROUP BY e.server_id
            )
            SELECT u.wallet_id, s.ref, m.code, u.hour, u.quantity, m.max_hourly_quantity, st.first_hour
              FROM unrated u
              JOIN prepaid_cloud_meter m ON m.id = u.meter_id
              JOIN prepaid_cloud_server s ON s.id = u.server_id
         LEFT JOIN starts st ON st.server_id = u.server_id
             WHERE NOT (u.quantity >= 0 AND u.quantity <= m.max_hourly_quantity) OR u.hour < st.first_hour
          ORDER BY u.wallet_id, u.hour, s.ref, m.code
            """,
            wallets=wallets.ids,
            cutoff=cutoff,
        ))
        found = {}
        for wallet_id, ref, code, hour, quantity, maximum, first_hour in self.env.cr.fetchall():
            if not 0 <= quantity <= maximum:
                line = _(
                    "%(ref)s, %(code)s, %(hour)s: %(quantity)s is not between 0 and the maximum of %(max)s per hour",
                    ref=ref, code=code, hour=hour, quantity=quantity, max=maximum,
                )
            else:
                line = _("%(ref)s, %(code)s, %(hour)s: before the server existed (%(start)s)",
                         ref=ref, code=code, hour=hour, start=first_hour)
            found.setdefault(wallet_id, []).append(line)
        problems = {}
        for wallet_id, lines in found.items():
            problems[wallet_id] = _(
                "%(count)s usage record(s) cannot be charged as they are; discard them under Cloud > Usage "
                "records (Not rated yet), then rate again: %(records)s",
                count=len(lines),
                records="; ".join(lines[:MAX_LISTED_RECORDS]) + ("; ..." if len(lines) > MAX_LISTED_RECORDS else ""),
            )
        return problems

    @api.model
    def _rate_wallets(self, wallets, cutoff):
        """Derive, rate and charge the unrated usage of ``wallets`` before
        ``cutoff`` (UTC), set-based: a few queries per batch plus one ledger
        debit per wallet and day.

        :return: the statements written
        """
        Statement = self.env["prepaid.cloud.statement"]
        wallets = lock_rows(wallets, skip_locked=True)
        if not wallets:
            return Statement
        company = wallets.company_id
        company.ensure_one()
        servers = self.env["prepaid.cloud.server"].search(
            [("wallet_id", "in", wallets.ids), ("usage_derived_until", "<", cutoff)]
        )
        cards = wallets._get_cloud_rate_cards()
        failed = wallets.filtered(lambda w: w.id not in cards)
        if failed:
            # Only usage to rate needs a price (not a server terminated long ago).
            failed = failed.browse(self._cloud_wallets_with_usage(failed.ids, cutoff))
        for wallet in failed:
            wallet._cloud_rating_failed(_(
                "No rate card prices the cloud usage of %(wallet)s: give the wallet (or its plan) a rate card, "
                "or give %(company)s a default rate card in %(currency)s.",
                wallet=wallet.display_name, company=company.name, currency=wallet.currency_id.name,
            ))
        for wallet_id, message in self._cloud_unrated_usage_problems(wallets, cutoff).items():
            if wallet_id in cards:
                del cards[wallet_id]
                failed |= wallets.browse(wallet_id)
                wallets.browse(wallet_id)._cloud_rating_failed(message)
        rated = wallets.filtered(lambda w: w.id in cards)
        # Priced, or with nothing left to price.
        (wallets - failed)._cloud_rating_succeeded()
        if not cards:
            return Statement
        servers = servers.filtered(lambda s: s.wallet_id.id in cards)
        tz = self._cloud_tz(company)
        self._cloud_tune_transaction()
        # The wallet-days to rate: those of records not rated yet (pushed
        # samples, late records) and those the history is derived for now.
        self.env.cr.execute(SQL(
            """
            WITH days AS (
                SELECT u.wallet_id, (u.hour AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
                  FROM prepaid_cloud_usage u
                 WHERE u.wallet_id = ANY(%(wallets)s) AND u.statement_id IS NULL AND u.hour < %(cutoff)s
                 UNION
                SELECT s.wallet_id, d.day::date
                  FROM prepaid_cloud_server s,
                       generate_series((s.usage_derived_until AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date,
                                       ((%(cutoff)s - interval '1 microsecond') AT TIME ZONE 'UTC'
                                                                                AT TIME ZONE %(tz)s)::date,
                                       interval '1 day') AS d(day)
                 WHERE s.id = ANY(%(servers)s)
            )
            SELECT d.wallet_id, d.day,
                   (SELECT MAX(s.sequence) FROM prepaid_cloud_statement s
                     WHERE s.wallet_id = d.wallet_id AND s.date = d.day)
              FROM days d
          ORDER BY 1, 2
            """,
            tz=tz,
            wallets=list(cards),
            servers=servers.ids,
            cutoff=cutoff,
        ))
        groups = self.env.cr.fetchall()
        if not groups:
            return Statement
        statements = Statement.create([
            self._prepare_statement_vals(wallet_id, day, 0 if last is None else last + 1, cards[wallet_id])
            for wallet_id, day, last in groups
        ])
        statements.flush_recordset()
        servers._cloud_derive_usage(cutoff, tz, statements)
        # Then the records that were already there. Mark first, then sum what
        # was marked: a record pushed meanwhile is either in this statement
        # or left for the next run, never lost.
        self.env.cr.execute(SQL(
            """
            UPDATE prepaid_cloud_usage u
               SET statement_id = s.id
              FROM prepaid_cloud_statement s
             WHERE s.id = ANY(%(statements)s)
               AND u.wallet_id = s.wallet_id
               AND u.statement_id IS NULL
               AND u.hour < %(cutoff)s
               AND u.hour >= (s.date::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
               AND u.hour < ((s.date + 1)::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
            """,
            statements=statements.ids,
            cutoff=cutoff,
            tz=tz,
        ))
        self.env.cr.execute(SQL(
            """
            INSERT INTO prepaid_cloud_statement_line
                   (statement_id, date, wallet_id, partner_id, company_id, currency_id,
                    server_id, meter_id, hours, quantity, unit_price, amount,
                    create_uid, create_date, write_uid, write_date)
            SELECT s.id, s.date, s.wallet_id, s.partner_id, s.company_id, s.currency_id,
                   u.server_id, u.meter_id, COUNT(*), SUM(u.quantity), COALESCE(p.price, 0),
                   ROUND((SUM(u.quantity) * COALESCE(p.price, 0))::numeric / c.rounding::numeric)
                       * c.rounding::numeric,
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM prepaid_cloud_usage u
              JOIN prepaid_cloud_statement s ON s.id = u.statement_id
              JOIN res_currency c ON c.id = s.currency_id
         LEFT JOIN prepaid_cloud_rate_card_line p
                ON p.rate_card_id = s.rate_card_id AND p.meter_id = u.meter_id
             WHERE u.statement_id = ANY(%(statements)s)
          GROUP BY s.id, u.server_id, u.meter_id, p.price, c.rounding
            """,
            statements=statements.ids,
            uid=self.env.uid,
        ))
        self.env.cr.execute(SQL(
            """
            UPDATE prepaid_cloud_statement s
               SET amount_total = t.total
              FROM (SELECT statement_id, SUM(amount) AS total
                      FROM prepaid_cloud_statement_line
                     WHERE statement_id = ANY(%(statements)s)
                  GROUP BY statement_id) t
             WHERE s.id = t.statement_id
            """,
            statements=statements.ids,
        ))
        # A day of the derivation window may have no billable hour (a server
        # terminated earlier): no statement for it.
        self.env.cr.execute(SQL(
            """
            DELETE FROM prepaid_cloud_statement s
             WHERE s.id = ANY(%s)
               AND NOT EXISTS (SELECT 1 FROM prepaid_cloud_statement_line l WHERE l.statement_id = s.id)
         RETURNING s.id
            """,
            statements.ids,
        ))
        empty = {row[0] for row in self.env.cr.fetchall()}
        statements.invalidate_recordset()
        statements = statements.filtered(lambda st: st.id not in empty)
        # The days charged now leave the usage not charged yet before their
        # debits move the balance: the ongoing balance the policy reads
        # after each debit counts them once.
        now = fields.Datetime.now()
        self._cloud_store_provisional(self._cloud_provisional_amounts(rated, now, tz, cards), now)
        statements._charge()
        return statements

    # ------------------------------------------------------------------
    # The hourly provisional rating: the ongoing balance
    # ------------------------------------------------------------------

    @api.model
    def _cloud_rate_provisional(self, company, now=None, batch_size=None):
        """Price the cloud usage not charged yet of the wallets of
        ``company``, up to ``now``, and keep it on each wallet
        (``cloud_unbilled_amount``): the balance less it is the ongoing
        balance the suspension and the alerts look at.

        The usage is that of the daily rating, not written: the hours the
        configuration history gives since each server's last rated hour, and
        the records not rated yet (pushed samples, which win over the
        history for their hour; records above their meter's maximum are left
        out, the daily rating refuses them). It is priced as the daily
        statements price it, set-based, in batches of wallets, each batch one
        transaction; a wallet a concurrent movement holds keeps its previous
        amount until the next hour.

        :return: the number of wallets priced
        """
        now = now or fields.Datetime.now()
        batch_size = batch_size or PROVISIONAL_BATCH_SIZE
        tz = self._cloud_tz(company)
        self.env.flush_all()
        # The wallets with usage not charged yet, and those whose amount
        # drops back to zero.
        self.env.cr.execute(SQL(
            "SELECT id FROM prepaid_wallet WHERE company_id = %s AND COALESCE(cloud_unbilled_amount, 0) != 0",
            company.id,
        ))
        wallet_ids = {row[0] for row in self.env.cr.fetchall()}
        wallet_ids.update(self._cloud_wallets_with_usage(None, now, company))
        wallets = self.env["prepaid.wallet"].search(
            [("id", "in", list(wallet_ids))] + self._get_wallets_to_rate_domain(company), order="id"
        )
        done = 0
        for start in range(0, len(wallets), batch_size):
            batch = wallets[start:start + batch_size]
            try:
                with self.env.cr.savepoint():
                    self._cloud_tune_transaction()
                    amounts = self._cloud_provisional_amounts(batch, now, tz)
                    self._cloud_store_provisional(amounts, now, skip_locked=True)
            except Exception:
                # The previous amounts stay until the next hour.
                _logger.exception("Provisional cloud rating of %s wallets of %s failed.", len(batch), company.name)
            done += len(batch)
            if self.env["prepaid.wallet"]._prepaid_can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _cloud_server_has_hours(self, until):
        """SQL condition on a server ``s``: its history gives hours not
        derived yet before ``until`` (a server terminated before its last
        derived hour gives none)."""
        return SQL(
            """
            (s.usage_derived_until < %(until)s
             AND (s.state != 'terminated' OR EXISTS (
                      SELECT 1 FROM prepaid_cloud_server_event e
                       WHERE e.server_id = s.id AND e.date > s.usage_derived_until)))
            """,
            until=until,
        )

    @api.model
    def _cloud_wallets_with_usage(self, wallet_ids, until, company=None):
        """The wallets among ``wallet_ids`` (or of ``company``) with usage
        not charged yet before ``until``: hours their servers' history gives,
        or records not rated yet.

        :return: list of wallet ids
        """
        self.env["prepaid.cloud.server"].flush_model()
        self.env["prepaid.cloud.usage"].flush_model()
        if wallet_ids is not None:
            scope, usage_scope = SQL("s.wallet_id = ANY(%s)", wallet_ids), SQL("u.wallet_id = ANY(%s)", wallet_ids)
        else:
            scope = SQL("s.company_id = %s", company.id)
            usage_scope = SQL(
                "u.wallet_id IN (SELECT id FROM prepaid_wallet WHERE company_id = %s)", company.id
            )
        self.env.cr.execute(SQL(
            """
            SELECT s.wallet_id FROM prepaid_cloud_server s WHERE %(scope)s AND %(has_hours)s
             UNION
            SELECT u.wallet_id FROM prepaid_cloud_usage u
             WHERE %(usage_scope)s AND u.statement_id IS NULL AND u.hour < %(until)s
            """,
            scope=scope,
            has_hours=self._cloud_server_has_hours(until),
            usage_scope=usage_scope,
            until=until,
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _cloud_provisional_amounts(self, wallets, until, tz, cards=None):
        """The price of the usage of ``wallets`` not charged yet, up to
        ``until`` (UTC), in one query: rounded per day, server and meter as
        the statement lines of the daily rating are, so that the ongoing
        balance does not jump when the day is charged.

        :param tz: the company time zone (the days of the statements)
        :param cards: dict wallet id -> rate card id, when known already
        :return: dict wallet id -> amount (0 for a wallet no card prices)
        """
        if cards is None:
            cards = wallets._get_cloud_rate_cards()
        amounts = dict.fromkeys(wallets.ids, 0.0)
        priced = [wallet_id for wallet_id in wallets.ids if wallet_id in cards]
        if not priced:
            return amounts
        self.env.cr.execute(SQL(
            "SELECT s.id FROM prepaid_cloud_server s WHERE s.wallet_id = ANY(%s) AND %s",
            priced, self._cloud_server_has_hours(until),
        ))
        server_ids = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute(SQL(
            """
            WITH cards AS (
                SELECT * FROM unnest(%(wallets)s::int[], %(cards)s::int[]) AS k(wallet_id, card_id)
            ), stored AS MATERIALIZED (
                SELECT u.server_id, u.wallet_id, u.meter_id, u.hour, u.quantity
                  FROM prepaid_cloud_usage u
                  JOIN prepaid_cloud_meter m ON m.id = u.meter_id
                 WHERE u.wallet_id = ANY(%(wallets)s) AND u.statement_id IS NULL AND u.hour < %(until)s
                   AND u.quantity >= 0 AND u.quantity <= m.max_hourly_quantity
            ), derived AS (
                %(derived)s
            ), usage AS (
                SELECT * FROM stored
                 UNION ALL
                SELECT d.* FROM derived d
                 WHERE NOT EXISTS (SELECT 1 FROM stored s
                                    WHERE s.server_id = d.server_id AND s.meter_id = d.meter_id AND s.hour = d.hour)
            ), lines AS (
                SELECT u.wallet_id, u.server_id, u.meter_id, SUM(u.quantity) AS quantity
                  FROM usage u
              GROUP BY u.wallet_id, (u.hour AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date, u.server_id, u.meter_id
            )
            SELECT l.wallet_id,
                   SUM(ROUND((l.quantity * COALESCE(p.price, 0))::numeric / c.rounding::numeric)
                       * c.rounding::numeric)
              FROM lines l
              JOIN cards k ON k.wallet_id = l.wallet_id
              JOIN prepaid_wallet w ON w.id = l.wallet_id
              JOIN res_currency c ON c.id = w.currency_id
         LEFT JOIN prepaid_cloud_rate_card_line p ON p.rate_card_id = k.card_id AND p.meter_id = l.meter_id
          GROUP BY l.wallet_id
            """,
            wallets=priced,
            cards=[cards[wallet_id] for wallet_id in priced],
            until=until,
            tz=tz,
            derived=self.env["prepaid.cloud.server"]._cloud_derived_usage_query(server_ids, until),
        ))
        for wallet_id, amount in self.env.cr.fetchall():
            amounts[wallet_id] = float(amount or 0.0)
        return amounts

    @api.model
    def _cloud_store_provisional(self, amounts, until, skip_locked=False):
        """Keep the amounts of :meth:`_cloud_provisional_amounts` on their
        wallets, in one statement.

        :param skip_locked: leave out the wallets another transaction holds
            (a movement in progress), instead of waiting for them
        :return: the ids of the wallets written
        """
        if not amounts:
            return []
        ids = list(amounts)
        condition = SQL(
            "AND w.id IN (SELECT id FROM prepaid_wallet WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED)",
            ids,
        ) if skip_locked else SQL()
        self.env.cr.execute(SQL(
            """
            UPDATE prepaid_wallet w
               SET cloud_unbilled_amount = v.amount, cloud_unbilled_date = %(until)s
              FROM unnest(%(ids)s::int[], %(amounts)s::numeric[]) AS v(id, amount)
             WHERE w.id = v.id %(condition)s
         RETURNING w.id
            """,
            ids=ids,
            amounts=[amounts[wallet_id] for wallet_id in ids],
            until=until,
            condition=condition,
        ))
        written = [row[0] for row in self.env.cr.fetchall()]
        self.env["prepaid.wallet"].browse(written).invalidate_recordset(
            ["cloud_unbilled_amount", "cloud_unbilled_date", "cloud_ongoing_balance"]
        )
        return written

    @api.model
    def _cloud_tune_transaction(self):
        """Planner settings for the rating's big set-based queries, for this
        transaction only: no JIT compilation (it costs more than it saves on
        one-off queries) and room to aggregate a batch in memory."""
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute("SET LOCAL work_mem = '64MB'")

    @api.model
    def _prepare_statement_vals(self, wallet_id, day, sequence, rate_card_id):
        """Hook: the values of a new statement."""
        return {"wallet_id": wallet_id, "date": day, "sequence": sequence, "rate_card_id": rate_card_id}

    def _charge(self):
        """One usage debit per statement, keyed on its wallet, day and sequence."""
        for statement in self:
            currency = statement.currency_id
            if currency.compare_amounts(statement.amount_total, 0) <= 0:
                statement.state = "free"
                continue
            # In the customer's language, with the day as the customer writes dates.
            env = statement.wallet_id._customer_env()
            day = format_date(env, statement.date)
            if statement.sequence:
                description = env._(
                    "Cloud usage of %(day)s, late records (adjustment %(n)s)", day=day, n=statement.sequence
                )
            else:
                description = env._("Cloud usage of %(day)s", day=day)
            tx = statement.wallet_id._ledger_apply(
                "debit",
                currency.round(statement.amount_total),
                statement._idempotency_key(),
                purpose="usage",
                description=description,
                source=statement,
                # Usage charged after midnight belongs to its day in the books.
                accounting_date=statement.date,
            )
            statement.write({"transaction_id": tx.id, "state": "charged"})
