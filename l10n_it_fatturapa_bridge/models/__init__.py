# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import account_move
from . import account_tax
from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move_sdi
from . import account_move_send
from . import fatturapa_receipt
from . import res_company_sdi
from . import res_config_settings_sdi
