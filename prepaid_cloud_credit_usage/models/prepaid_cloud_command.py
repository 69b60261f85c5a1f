# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class PrepaidCloudCommand(models.Model):
    """A suspend or unsuspend decision, waiting for the hosting bridge.

    The bridge fetches the pending commands (``fetch_pending``), applies them
    on the platform and reports back (``acknowledge``).
    """

    _name = "prepaid.cloud.command"
    _description = "Cloud Server Command"
    _order = "id desc"
    _check_company_auto = True

    server_id = fields.Many2one("prepaid.cloud.server", required=True, index=True, ondelete="cascade", readonly=True)
    server_ref = fields.Char(related="server_id.ref", string="Platform reference")
    wallet_id = fields.Many2one(related="server_id.wallet_id", store=True)
    partner_id = fields.Many2one(related="server_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    action = fields.Selection([("suspend", "Suspend"), ("unsuspend", "Reactivate")], required=True, readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("sent", "Sent"),
            ("acknowledged", "Acknowledged"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    reason = fields.Char(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    done_date = fields.Datetime(readonly=True)
    message = fields.Text("Platform message", readonly=True)

    @api.model
    def _queue(self, servers, action, reason):
        """Queue ``action`` for ``servers``; an opposite command the bridge has
        not fetched yet is cancelled, so a quick recharge never suspends."""
        if not servers:
            return self.browse()
        opposite = "unsuspend" if action == "suspend" else "suspend"
        self.search([
            ("server_id", "in", servers.ids), ("action", "=", opposite), ("state", "=", "pending"),
        ]).write({"state": "cancelled", "done_date": fields.Datetime.now()})
        return self.create([{"server_id": s.id, "action": action, "reason": reason} for s in servers])

    # ------------------------------------------------------------------
    # Public API for the hosting bridge (integration group)
    # ------------------------------------------------------------------

    @api.model
    def fetch_pending(self, limit=100):
        """Return the pending commands, oldest first, and mark them sent.

        :param limit: at most this many commands
        :return: list of dicts with ``id``, ``server`` (platform reference),
            ``action`` and ``reason``
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 1000:
            raise ValidationError(_("The limit must be a whole number between 1 and 1000."))
        self.flush_model()
        # Two bridges polling at once never get the same command.
        self.env.cr.execute(SQL(
            """
            SELECT id FROM prepaid_cloud_command
             WHERE state = 'pending' AND company_id = ANY(%s)
          ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
            """,
            self.env.companies.ids, limit,
        ))
        # The group check above is the access control; the commands belong to no caller.
        commands = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        commands.write({"state": "sent", "sent_date": fields.Datetime.now()})
        return [
            {"id": c.id, "server": c.server_id.ref, "action": c.action, "reason": c.reason or ""}
            for c in commands
        ]

    @api.model
    def acknowledge(self, command_ids, success=True, message=None):
        """Record the platform's outcome of commands.

        Acknowledging again with the same outcome changes nothing.

        :param command_ids: ids from ``fetch_pending``
        :param success: whether the platform applied them
        :param message: the platform's message (kept on failure)
        :return: the number of commands whose state changed
        """
        self.env["prepaid.wallet"]._check_prepaid_group("group_prepaid_integration", "group_prepaid_manager")
        if not isinstance(command_ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in command_ids
        ):
            raise ValidationError(_("The commands must be a list of ids."))
        # Group checked above; sudo reads commands, the caller's companies bound which.
        commands = self.sudo().search([("id", "in", list(command_ids)), ("company_id", "in", self.env.companies.ids)])
        unknown = set(command_ids) - set(commands.ids)
        if unknown:
            raise UserError(_("Unknown commands: %(ids)s.", ids=", ".join(map(str, sorted(unknown)))))
        target = "acknowledged" if success else "failed"
        wrong = commands.filtered(lambda c: c.state in ("acknowledged", "failed", "cancelled") and c.state != target)
        if wrong:
            raise UserError(
                _(
                    "Commands already closed with another outcome: %(ids)s.",
                    ids=", ".join(map(str, wrong.ids)),
                )
            )
        todo = commands.filtered(lambda c: c.state in ("pending", "sent"))
        todo.write({"state": target, "done_date": fields.Datetime.now(), "message": message or False})
        return len(todo)

    def action_retry(self):
        self.filtered(lambda c: c.state == "failed").write({"state": "pending", "message": False})
