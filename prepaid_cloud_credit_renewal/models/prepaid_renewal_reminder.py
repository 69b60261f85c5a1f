# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models


class PrepaidRenewalReminder(models.Model):
    """A renewal reminder sent: each (service, expiry, offset) once."""

    _name = "prepaid.renewal.reminder"
    _description = "Renewal Reminder Sent"
    _order = "id desc"

    service_id = fields.Many2one("prepaid.renewal.service", required=True, index=True, ondelete="cascade")
    expiry_date = fields.Date(required=True)
    offset_days = fields.Integer("Days before expiry", required=True)

    _sql_constraints = [
        ("once_uniq", "UNIQUE(service_id, expiry_date, offset_days)", "This reminder was already sent."),
    ]

    @api.model
    def _already_sent(self, keys):
        """The keys (service id, expiry, offset) among ``keys`` already reminded."""
        if not keys:
            return set()
        sent = self.search([("service_id", "in", list({k[0] for k in keys}))])
        return {(r.service_id.id, r.expiry_date, r.offset_days) for r in sent}
