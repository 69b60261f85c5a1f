# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models


class PrepaidRenewalCommand(models.Model):
    """A suspend, reactivate or terminate decision on a renewable service,
    waiting for the hosting bridge, in the shape of the cloud commands
    (``fetch_pending`` / ``acknowledge``; see hosting_bridge/CONTRACT.md)."""

    _name = "prepaid.renewal.command"
    _inherit = ["prepaid.platform.command.mixin"]
    _description = "Renewable Service Command"
    _order = "id desc"
    _command_target_field = "service_id"

    service_id = fields.Many2one("prepaid.renewal.service", required=True, index=True, ondelete="cascade",
                                 readonly=True)
    partner_id = fields.Many2one(related="service_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="service_id.company_id", store=True, index=True)
    action = fields.Selection(
        [("suspend", "Suspend"), ("unsuspend", "Reactivate"), ("terminate", "Terminate")],
        required=True, readonly=True,
    )

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

    def _prepare_fetch_vals(self):
        """What the bridge receives of a command: ``id``, ``action``,
        ``service_ref``, ``platform_code``, ``platform_id`` (the service id
        on the platform, an integer), ``reason`` and ``attempts``."""
        self.ensure_one()
        service = self.service_id
        return {
            "id": self.id,
            "action": self.action,
            "service_ref": f"prepaid.renewal.service,{service.id}",
            "platform_code": service.platform_code or False,
            "platform_id": int(service.platform_ref) if (service.platform_ref or "").isdigit() else False,
            "reason": self.reason or "",
            "attempts": self.attempts,
        }
