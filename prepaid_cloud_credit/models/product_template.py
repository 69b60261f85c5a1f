# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import models


class ProductTemplate(models.Model):
    """A product sold as prepaid credit sets when that credit expires."""

    _name = "product.template"
    _inherit = ["product.template", "prepaid.expiry.mixin"]
