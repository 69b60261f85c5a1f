# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# How a meter's hourly quantity is obtained. The first four are derived from
# the configuration history of a server; ``metered`` is pushed by the platform.
METER_RESOURCES = [
    ("vcpu", "vCPU cores"),
    ("ram", "RAM (GB)"),
    ("disk", "Disk (GB)"),
    ("addon", "Add-on"),
    ("metered", "Metered by the platform"),
]
# No meter may allow more per hour: quantities above it are typos or attacks
# whatever the meter, and every quantity below it converts to a float exactly
# enough to be priced.
MAX_METER_QUANTITY = 1e12


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
    max_hourly_quantity = fields.Float(
        "Maximum per hour",
        required=True,
        default=1000000.0,
        help="The largest quantity one server can use in one hour. A usage record above it is refused, "
        "and a server cannot be configured beyond it.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "The code of a meter must be unique."),
    ]

    @api.constrains("max_hourly_quantity")
    def _check_max_hourly_quantity(self):
        for meter in self:
            if not 0 < meter.max_hourly_quantity <= MAX_METER_QUANTITY:
                raise ValidationError(
                    _(
                        "The maximum per hour of %(meter)s must be greater than zero and at most %(max)s.",
                        meter=meter.display_name,
                        max=MAX_METER_QUANTITY,
                    )
                )

    @api.depends("name", "unit")
    def _compute_display_name(self):
        for meter in self:
            meter.display_name = f"{meter.name} ({meter.unit})" if meter.unit else meter.name
