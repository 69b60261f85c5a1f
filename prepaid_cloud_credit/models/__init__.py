# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_expiry_mixin
from . import product_template
from . import res_company
from . import res_config_settings
from . import prepaid_wallet
from . import prepaid_credit_lot
from . import prepaid_wallet_transaction
from . import prepaid_wallet_allocation
from . import prepaid_recharge
from . import prepaid_recharge_limit
from . import payment_transaction
from . import account_chart_template
from . import account_move
from . import account_payment
from . import res_partner
from . import prepaid_demo
