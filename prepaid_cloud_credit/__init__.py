# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import models
from . import wizard


def _post_init_hook(env):
    """Give every company that already has a chart of accounts its prepaid accounts."""
    for company in env["res.company"].search([("chart_template", "!=", False)]):
        company._prepaid_setup_accounting()
from . import controllers
