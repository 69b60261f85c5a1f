# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, fields, models
from odoo.exceptions import AccessError

from .prepaid_cloud_server import SERVER_STATES


class PrepaidCloudServerEvent(models.Model):
    """One change of a server: its configuration and state from this moment on."""

    _name = "prepaid.cloud.server.event"
    _description = "Cloud Server History"
    _order = "server_id, date desc, id desc"

    server_id = fields.Many2one("prepaid.cloud.server", required=True, index=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one(related="server_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    event_type = fields.Selection(
        [
            ("created", "Created"),
            ("resized", "Resized"),
            ("addons", "Add-ons changed"),
            ("stopped", "Stopped"),
            ("started", "Started"),
            ("suspended", "Suspended"),
            ("unsuspended", "Reactivated"),
            ("active", "Activated"),
            ("terminated", "Terminated"),
        ],
        string="Event",
        required=True,
        readonly=True,
    )
    state = fields.Selection(SERVER_STATES, required=True, readonly=True)
    vcpu = fields.Integer("vCPU", readonly=True)
    ram_gb = fields.Float("RAM (GB)", readonly=True)
    disk_gb = fields.Float("Disk (GB)", readonly=True)
    addon_meter_ids = fields.Many2many(
        "prepaid.cloud.meter",
        "prepaid_cloud_server_event_meter_rel",
        "event_id",
        "meter_id",
        string="Add-ons",
        readonly=True,
    )

    def write(self, vals):  # pylint: disable=method-required-super
        # The history is what past hours were billed from.
        raise AccessError(_("The history of a server cannot be changed."))
