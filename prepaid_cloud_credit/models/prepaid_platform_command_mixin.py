# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..platform import check_platform_code

# A bridge that took commands and died: after this, they are taken again.
COMMAND_LEASE = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 5
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_FETCH = 1000


class PrepaidPlatformCommandMixin(models.AbstractModel):
    """A queue of decisions of Odoo that a hosting bridge carries out on its
    platform (suspend, reactivate, terminate a record of the platform).

    Holds the queue's public methods, the same for every queue (see
    ``hosting_bridge/CONTRACT.md``): ``fetch_pending`` takes the commands
    due with ``FOR UPDATE SKIP LOCKED`` under a lease, ``acknowledge``
    records the platform's outcome, counting the attempts of a command to
    retry and putting it back after a growing delay.

    A model that inherits it names in :attr:`_command_target_field` the
    many2one of the record a command acts on (whose model has a
    ``platform_code``), and gives :meth:`_prepare_fetch_vals`, what the bridge
    receives of a command.
    """

    _name = "prepaid.platform.command.mixin"
    _description = "Hosting Platform Command Queue"

    #: The many2one to the record the command acts on.
    _command_target_field = None

    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("acknowledged", "Acknowledged"), ("failed", "Failed"),
         ("cancelled", "Cancelled")],
        default="pending", required=True, readonly=True, index=True,
    )
    reason = fields.Char(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    done_date = fields.Datetime(readonly=True)
    message = fields.Text("Platform message", readonly=True)
    attempts = fields.Integer(readonly=True, default=0, help="Failed attempts of the bridge so far.")
    next_attempt_date = fields.Datetime(readonly=True, help="A command to retry is not taken before this time.")

    @api.model
    def _check_command_access(self):
        """Only the bridges (integration users) and the managers take commands.

        :raise AccessError: for anyone else
        """
        if not self.env.su and not any(
            self.env.user.has_group(f"prepaid_cloud_credit.{group}")
            for group in ("group_prepaid_integration", "group_prepaid_manager")
        ):
            raise AccessError(self.env._("Only integration users and prepaid managers take platform commands."))

    @api.model
    def _max_attempts(self):
        """The failed attempts after which a command is failed
        (``prepaid_cloud_credit.command_max_attempts``, 5 by default)."""
        value = self.env["ir.config_parameter"].sudo().get_param("prepaid_cloud_credit.command_max_attempts")
        try:
            return max(1, int(value)) if value else DEFAULT_MAX_ATTEMPTS
        except ValueError:
            return DEFAULT_MAX_ATTEMPTS

    @api.model
    def _busy_targets(self, targets):
        """The records of ``targets`` with a command on its way to the
        platform (pending or sent): a sync keeps the state Odoo decided."""
        field = self._command_target_field
        # The queue is the system's: whoever syncs sees which records wait for a command.
        return self.sudo().search([(field, "in", targets.ids), ("state", "in", ("pending", "sent"))])[field]

    def _prepare_fetch_vals(self):
        """What the bridge receives of one command, from ``fetch_pending``
        (an extension hook)."""
        raise NotImplementedError

    def _acknowledge_todo(self, success, retry):
        """The commands of ``self`` that an acknowledgement changes: those the
        bridge holds (sent); one already put back or closed was acknowledged
        before (an extension hook).

        :raise UserError: an outcome these commands cannot take
        """
        return self.filtered(lambda c: c.state == "sent")

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def fetch_pending(self, limit=100, platform_code=None):
        """Take the commands due, oldest first, and mark them sent.

        Taken with ``FOR UPDATE SKIP LOCKED``: several bridges polling at
        once never get the same command. A command is due when it is pending
        and its next attempt has come, or when it was sent more than
        :data:`COMMAND_LEASE` ago (the bridge that took it died).

        :param limit: at most this many commands (1 to 1,000)
        :param platform_code: only the commands of records of that platform
        :return: a list of dicts, one a command (see :meth:`_prepare_fetch_vals`)
        """
        self._check_command_access()
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_FETCH:
            raise ValidationError(self.env._("The limit must be a whole number between 1 and %(max)s.",
                                             max=MAX_FETCH))
        if platform_code is not None and platform_code is not False:
            check_platform_code(self.env, platform_code)
        Target = self.env[self._fields[self._command_target_field].comodel_name]
        self.flush_model()
        Target.flush_model(["platform_code"])
        now = fields.Datetime.now()
        platform = SQL("AND t.platform_code = %s", platform_code) if platform_code else SQL()
        rows = self.env.execute_query(SQL(
            """
            SELECT c.id FROM %(commands)s c
              JOIN %(targets)s t ON t.id = c.%(target)s
             WHERE c.company_id = ANY(%(companies)s) %(platform)s
               AND ((c.state = 'pending' AND (c.next_attempt_date IS NULL OR c.next_attempt_date <= %(now)s))
                    OR (c.state = 'sent' AND c.sent_date < %(expired)s))
          ORDER BY c.id LIMIT %(limit)s
               FOR UPDATE OF c SKIP LOCKED
            """,
            commands=SQL.identifier(self._table), targets=SQL.identifier(Target._table),
            target=SQL.identifier(self._command_target_field), companies=self.env.companies.ids,
            platform=platform, now=now, expired=now - COMMAND_LEASE, limit=limit,
        ))
        # The access check above is the access control; the commands belong to no caller.
        commands = self.sudo().browse([row[0] for row in rows])
        commands.write({"state": "sent", "sent_date": now})
        return [command._prepare_fetch_vals() for command in commands]

    @api.model
    def acknowledge(self, command_ids, success=True, message=None, retry=False):
        """Record the platform's outcome of commands it fetched.

        With ``success=False, retry=True`` the attempt is counted: below the
        maximum (``prepaid_cloud_credit.command_max_attempts``, 5 by default)
        the command is pending again, its next attempt after 1, 2, 4...
        minutes (at most one hour); at the maximum it is failed, in the list
        the managers see. ``success=False, retry=False`` fails at once.
        Acknowledging again with the same outcome changes nothing.

        :param command_ids: ids from ``fetch_pending``
        :param success: whether the platform applied them
        :param message: the platform's message
        :param retry: whether a failure may be tried again
        :return: the number of commands whose state changed
        :raise UserError: unknown commands
        """
        self._check_command_access()
        if not isinstance(command_ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in command_ids
        ):
            raise ValidationError(self.env._("The commands must be a list of ids."))
        if message not in (None, False) and (not isinstance(message, str) or "\x00" in message):
            raise ValidationError(self.env._("The message must be text."))
        # Access checked above; sudo reads commands, the caller's companies bound which.
        commands = self.sudo().search([("id", "in", list(command_ids)), ("company_id", "in", self.env.companies.ids)])
        unknown = set(command_ids) - set(commands.ids)
        if unknown:
            raise UserError(self.env._("Unknown commands: %(ids)s.", ids=", ".join(map(str, sorted(unknown)))))
        todo = commands._acknowledge_todo(success, retry)
        now = fields.Datetime.now()
        if success or not retry:
            todo.write({
                "state": "acknowledged" if success else "failed",
                "done_date": now,
                "message": message or False,
                "next_attempt_date": False,
            })
            return len(todo)
        maximum = self._max_attempts()
        for command in todo:
            attempts = command.attempts + 1
            if attempts >= maximum:
                command.write({"state": "failed", "attempts": attempts, "done_date": now,
                               "message": message or False, "next_attempt_date": False})
            else:
                delay = min(timedelta(minutes=2 ** (attempts - 1)), MAX_RETRY_DELAY)
                command.write({"state": "pending", "attempts": attempts, "message": message or False,
                               "next_attempt_date": now + delay})
        return len(todo)
