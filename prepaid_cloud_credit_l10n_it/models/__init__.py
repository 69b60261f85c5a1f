# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import account_move, prepaid_pa_document_mixin, prepaid_recharge, res_company, res_config_settings
