# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.prepaid_cloud_credit.platform import check_platform_code

# A bridge that took commands and died: after this, they are taken again.
COMMAND_LEASE = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 5
MAX_RETRY_DELAY = timedelta(hours=1)


class PrepaidRenewalCommand(models.Model):
    """A suspend, reactivate or terminate decision on a renewable service,
    waiting for the hosting bridge, in the shape of the cloud commands
    (``fetch_pending`` / ``acknowledge``; see hosting_bridge/CONTRACT.md)."""

    _name = "prepaid.renewal.command"
    _description = "Renewable Service Command"
    _order = "id desc"

    service_id = fields.Many2one("prepaid.renewal.service", required=True, index=True, ondelete="cascade",
                                 readonly=True)
    partner_id = fields.Many2one(related="service_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="service_id.company_id", store=True, index=True)
    action = fields.Selection(
        [("suspend", "Suspend"), ("unsuspend", "Reactivate"), ("terminate", "Terminate")],
        required=True, readonly=True,
    )
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
    def _queue(self, services, action, reason):
        """Queue ``action`` for ``services``; a pending opposite command
        is cancelled, so a quick renewal never suspends."""
        if not services:
            return self.browse()
        # The platform's queue is the system's: written whoever changed the service (a cron, a payer).
        queue = self.sudo()
        opposite = ("suspend", "terminate") if action == "unsuspend" else ("unsuspend",)
        queue.search([
            ("service_id", "in", services.ids), ("action", "in", opposite), ("state", "=", "pending"),
        ]).write({"state": "cancelled", "done_date": fields.Datetime.now()})
        return queue.create([{"service_id": s.id, "action": action, "reason": reason} for s in services])

    def _check_integration(self):
        if not self.env.su and not any(
            self.env.user.has_group(f"prepaid_cloud_credit.{g}")
            for g in ("group_prepaid_integration", "group_prepaid_manager")
        ):
            raise AccessError(_("Only integration users take service commands."))

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
        :param platform_code: only the commands of services of that platform
        :return: list of dicts with ``id``, ``action``, ``service_ref``,
            ``reason``, ``platform_code``, ``platform_id`` (the service id on
            the platform, an integer) and ``attempts``
        """
        self._check_integration()
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValidationError(_("The limit goes from 1 to 1000."))
        if platform_code is not None and platform_code is not False:
            check_platform_code(self.env, platform_code)
        self.flush_model()
        self.env["prepaid.renewal.service"].flush_model(["platform_code"])
        now = fields.Datetime.now()
        platform = SQL("AND s.platform_code = %s", platform_code) if platform_code else SQL()
        rows = self.env.execute_query(SQL(
            """
            SELECT c.id FROM prepaid_renewal_command c
              JOIN prepaid_renewal_service s ON s.id = c.service_id
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
        return [{
            "id": c.id,
            "action": c.action,
            "service_ref": f"prepaid.renewal.service,{c.service_id.id}",
            "platform_code": c.service_id.platform_code or False,
            "platform_id": int(c.service_id.platform_ref) if (c.service_id.platform_ref or "").isdigit() else False,
            "reason": c.reason or "",
            "attempts": c.attempts,
        } for c in commands]

    @api.model
    def acknowledge(self, command_ids, success=True, message=None, retry=False):
        """Record the platform's outcome of commands it fetched.

        With ``success=False, retry=True`` the attempt is counted: below the
        maximum (``prepaid_cloud_credit.command_max_attempts``, 5 by default)
        the command is pending again, its next attempt after 1, 2, 4...
        minutes (at most one hour); at the maximum it is failed.
        ``success=False, retry=False`` fails at once. Acknowledging again
        changes nothing.

        :param command_ids: ids from ``fetch_pending``
        :param success: whether the platform applied them
        :param message: the platform's message
        :param retry: whether a failure may be tried again
        :return: the number of commands whose state changed
        """
        self._check_integration()
        if not isinstance(command_ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in command_ids
        ):
            raise ValidationError(_("Send a list of command ids."))
        if message not in (None, False) and (not isinstance(message, str) or "\x00" in message):
            raise ValidationError(_("The message must be text."))
        # Group checked above; sudo reads commands, the caller's companies bound which.
        commands = self.sudo().search([("id", "in", list(command_ids)), ("company_id", "in", self.env.companies.ids)])
        unknown = set(command_ids) - set(commands.ids)
        if unknown:
            raise UserError(_("Unknown commands: %(ids)s.", ids=", ".join(map(str, sorted(unknown)))))
        # Only a command the bridge holds changes: one already put back or
        # closed was acknowledged before.
        todo = commands.filtered(lambda c: c.state == "sent")
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
