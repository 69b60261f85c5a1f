# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models
from odoo.exceptions import UserError


class PrepaidCloudCommand(models.Model):
    """A suspend or unsuspend decision, waiting for the hosting bridge.

    The bridge fetches the pending commands (``fetch_pending``), applies them
    on the platform and reports back (``acknowledge``): the queue of
    ``prepaid.platform.command.mixin``.
    """

    _name = "prepaid.cloud.command"
    _inherit = ["prepaid.platform.command.mixin"]
    _description = "Cloud Server Command"
    _order = "id desc"
    _check_company_auto = True
    _command_target_field = "server_id"

    server_id = fields.Many2one("prepaid.cloud.server", required=True, index=True, ondelete="cascade", readonly=True)
    server_ref = fields.Char(related="server_id.ref", string="Platform reference")
    wallet_id = fields.Many2one(related="server_id.wallet_id", store=True)
    partner_id = fields.Many2one(related="server_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    action = fields.Selection([("suspend", "Suspend"), ("unsuspend", "Reactivate")], required=True, readonly=True)

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

    def _acknowledge_todo(self, success, retry):
        """Override: this queue, older than the lease, also closes a pending
        command at once, and refuses an outcome other than the one a command
        was closed with."""
        if retry and not success:
            wrong = self.filtered(lambda c: c.state == "acknowledged")
        else:
            target = "acknowledged" if success else "failed"
            wrong = self.filtered(lambda c: c.state in ("acknowledged", "failed", "cancelled") and c.state != target)
        if wrong:
            raise UserError(self.env._("Commands already closed with another outcome: %(ids)s.",
                                       ids=", ".join(map(str, wrong.ids))))
        if retry and not success:
            return super()._acknowledge_todo(success, retry)
        return self.filtered(lambda c: c.state in ("pending", "sent"))

    def action_retry(self):
        """Put the failed commands back in the queue, as new ones."""
        self.filtered(lambda c: c.state == "failed").write(
            {"state": "pending", "message": False, "attempts": 0, "next_attempt_date": False}
        )
