# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidCloudCommand(models.Model):
    _inherit = "prepaid.cloud.command"

    action = fields.Selection(selection_add=[("terminate", "Terminate")], ondelete={"terminate": "cascade"})
    platform_code = fields.Char(related="server_id.platform_code")
    platform_id = fields.Integer(related="server_id.platform_id", string="Platform service id")

    def _prepare_fetch_vals(self):
        """What the bridge receives of a command: ``id``, ``server`` (platform
        reference), ``action``, ``reason``, ``platform_code``, ``platform_id``
        and ``attempts``."""
        self.ensure_one()
        return {
            "id": self.id, "server": self.server_id.ref, "action": self.action, "reason": self.reason or "",
            "platform_code": self.server_id.platform_code or False, "platform_id": self.server_id.platform_id or False,
            "attempts": self.attempts,
        }
