# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.prepaid_cloud_credit.platform import check_platform_code

# A bridge that took commands and died: after this, they are taken again.
COMMAND_LEASE = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 5
MAX_RETRY_DELAY = timedelta(hours=1)


class PrepaidCloudCommand(models.Model):
    _inherit = "prepaid.cloud.command"

    action = fields.Selection(selection_add=[("terminate", "Terminate")], ondelete={"terminate": "cascade"})
    platform_code = fields.Char(related="server_id.platform_code")
    platform_id = fields.Integer(related="server_id.platform_id", string="Platform service id")
    attempts = fields.Integer(readonly=True, default=0, help="Failed attempts of the bridge so far.")
    next_attempt_date = fields.Datetime(readonly=True, help="A command to retry is not taken before this time.")

    @api.model
    def _max_attempts(self):
        value = self.env["ir.config_parameter"].sudo().get_param("prepaid_cloud_credit.command_max_attempts")
        try:
            return max(1, int(value)) if value else DEFAULT_MAX_ATTEMPTS
        except ValueError:
            return DEFAULT_MAX_ATTEMPTS

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
        :param platform_code: only the commands of servers of that platform
        :return: list of dicts with ``id``, ``server`` (platform reference),
            ``action``, ``reason``, ``platform_code``, ``platform_id`` and
            ``attempts``
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 1000:
            raise ValidationError(self.env._("The limit must be a whole number between 1 and 1000."))
        if platform_code is not None and platform_code is not False:
            check_platform_code(self.env, platform_code)
        self.flush_model()
        self.env["prepaid.cloud.server"].flush_model(["platform_code"])
        now = fields.Datetime.now()
        platform = SQL("AND s.platform_code = %s", platform_code) if platform_code else SQL()
        rows = self.env.execute_query(SQL(
            """
            SELECT c.id FROM prepaid_cloud_command c
              JOIN prepaid_cloud_server s ON s.id = c.server_id
             WHERE c.company_id = ANY(%(companies)s) %(platform)s
               AND ((c.state = 'pending' AND (c.next_attempt_date IS NULL OR c.next_attempt_date <= %(now)s))
                    OR (c.state = 'sent' AND c.sent_date < %(expired)s))
          ORDER BY c.id LIMIT %(limit)s
               FOR UPDATE OF c SKIP LOCKED
            """,
            companies=self.env.companies.ids, platform=platform, now=now, expired=now - COMMAND_LEASE,
            limit=limit,
        ))
        # The group check above is the access control; the commands belong to no caller.
        commands = self.sudo().browse([row[0] for row in rows])
        commands.write({"state": "sent", "sent_date": now})
        return [
            {
                "id": c.id, "server": c.server_id.ref, "action": c.action, "reason": c.reason or "",
                "platform_code": c.server_id.platform_code or False, "platform_id": c.server_id.platform_id or False,
                "attempts": c.attempts,
            }
            for c in commands
        ]

    @api.model
    def acknowledge(self, command_ids, success=True, message=None, retry=False):
        """Record the platform's outcome of commands.

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
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if not isinstance(command_ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in command_ids
        ):
            raise ValidationError(self.env._("The commands must be a list of ids."))
        if message not in (None, False) and (not isinstance(message, str) or "\x00" in message):
            raise ValidationError(self.env._("The message must be text."))
        if success or not retry:
            return super().acknowledge(command_ids, success=success, message=message)
        # Group checked above; sudo reads commands, the caller's companies bound which.
        commands = self.sudo().search([("id", "in", list(command_ids)), ("company_id", "in", self.env.companies.ids)])
        unknown = set(command_ids) - set(commands.ids)
        if unknown:
            raise UserError(self.env._("Unknown commands: %(ids)s.", ids=", ".join(map(str, sorted(unknown)))))
        if commands.filtered(lambda c: c.state == "acknowledged"):
            raise UserError(self.env._(
                "Commands already closed with another outcome: %(ids)s.",
                ids=", ".join(map(str, commands.filtered(lambda c: c.state == "acknowledged").ids)),
            ))
        # Only a command the bridge holds counts an attempt: a pending or
        # failed one was acknowledged already.
        todo = commands.filtered(lambda c: c.state == "sent")
        maximum, now = self._max_attempts(), fields.Datetime.now()
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

    def action_retry(self):
        failed = self.filtered(lambda c: c.state == "failed")
        res = super().action_retry()
        failed.write({"attempts": 0, "next_attempt_date": False})
        return res
