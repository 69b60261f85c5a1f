# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models

from .prepaid_voucher_attempt import (
    DEFAULT_MAX_FAILURES,
    DEFAULT_WINDOW_MINUTES,
    PARAM_MAX_FAILURES,
    PARAM_WINDOW_MINUTES,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # System parameters, not company fields: the limit protects the whole
    # database against whoever guesses codes, whatever the company.
    prepaid_voucher_max_failures = fields.Integer(
        "Failed voucher attempts allowed",
        config_parameter=PARAM_MAX_FAILURES,
        default=DEFAULT_MAX_FAILURES,
    )
    prepaid_voucher_failure_minutes = fields.Integer(
        "Within (minutes)",
        config_parameter=PARAM_WINDOW_MINUTES,
        default=DEFAULT_WINDOW_MINUTES,
    )
