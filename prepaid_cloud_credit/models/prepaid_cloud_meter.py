# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, fields, models

# How a meter's hourly quantity is obtained. The first four are derived from
# the configuration history of a server; ``metered`` is pushed by the platform.
METER_RESOURCES = [
    ("vcpu", "vCPU cores"),
    ("ram", "RAM (GB)"),
    ("disk", "Disk (GB)"),
    ("addon", "Add-on"),
    ("metered", "Metered by the platform"),
]


class PrepaidCloudMeter(models.Model):
    _name = "prepaid.cloud.meter"
    _description = "Cloud Usage Meter"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used by the platform when it pushes samples (e.g. cpu_core_hour).",
    )
    unit = fields.Char(required=True, translate=True, help="Unit of one hourly quantity, e.g. core-hour.")
    resource = fields.Selection(
        METER_RESOURCES,
        required=True,
        default="metered",
        help="Configuration resource whose hourly value the daily job derives from the "
        "server history, or 'Metered' when only the platform's pushed samples count.",
    )
    bill_when_stopped = fields.Boolean(
        help="Keep billing this meter while the server is stopped or suspended "
        "(disk space and backups stay allocated).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "The code of a meter must be unique."),
    ]

    @api.depends("name", "unit")
    def _compute_display_name(self):
        for meter in self:
            meter.display_name = f"{meter.name} ({meter.unit})" if meter.unit else meter.name
