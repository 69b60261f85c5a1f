# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL


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
    def fetch_pending(self, limit=100, platform_code=None):
        """Take pending commands (several bridges never get the same one) and mark them sent.

        :return: list of dicts (id, action, service ref, platform code and id, reason)
        """
        self._check_integration()
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValidationError(_("The limit goes from 1 to 1000."))
        self.flush_model()
        where = SQL("c.state = 'pending'")
        if platform_code:
            where = SQL("%s AND s.platform_code = %s", where, platform_code)
        self.env.cr.execute(SQL(
            """SELECT c.id FROM prepaid_renewal_command c JOIN prepaid_renewal_service s ON s.id = c.service_id
                WHERE %s ORDER BY c.id LIMIT %s FOR UPDATE OF c SKIP LOCKED""", where, limit))
        commands = self.browse([row[0] for row in self.env.cr.fetchall()]).sudo()
        commands.write({"state": "sent", "sent_date": fields.Datetime.now()})
        return [{
            "id": c.id,
            "action": c.action,
            "service_ref": f"prepaid.renewal.service,{c.service_id.id}",
            "platform_code": c.service_id.platform_code or False,
            "platform_id": c.service_id.platform_ref or False,
            "reason": c.reason or "",
        } for c in commands]

    @api.model
    def acknowledge(self, command_ids, success=True, message=None):
        """Record what the platform did with commands it fetched."""
        self._check_integration()
        if not isinstance(command_ids, list) or not all(isinstance(i, int) for i in command_ids):
            raise ValidationError(_("Send a list of command ids."))
        commands = self.sudo().browse(command_ids).exists().filtered(lambda c: c.state == "sent")
        commands.write({
            "state": "acknowledged" if success else "failed",
            "done_date": fields.Datetime.now(),
            "message": message or False,
        })
        return len(commands)
