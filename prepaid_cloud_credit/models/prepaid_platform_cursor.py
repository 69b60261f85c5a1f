# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class PrepaidPlatformCursor(models.Model):
    """How far a flow of a stateless hosting bridge got (``credit_mirror``).

    Read and moved by ``prepaid.wallet.platform_get_cursor`` and
    ``platform_set_cursor``; a cursor only moves forward.
    """

    _name = "prepaid.platform.cursor"
    _description = "Hosting Platform Cursor"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    platform_code = fields.Char(required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    value = fields.Integer(readonly=True)

    _sql_constraints = [
        ("name_uniq", "UNIQUE(company_id, platform_code, name)", "A platform has one cursor of each name."),
    ]
