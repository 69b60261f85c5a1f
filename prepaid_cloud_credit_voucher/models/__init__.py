# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_voucher_batch
from . import prepaid_voucher
from . import prepaid_voucher_redemption
from . import prepaid_voucher_attempt
from . import prepaid_wallet_transaction_voucher
from . import prepaid_promo_code
from . import prepaid_recharge_promo
from . import res_config_settings_voucher
