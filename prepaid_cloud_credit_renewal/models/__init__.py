# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import (
    account_move,
    payment_transaction,
    prepaid_renewal_command,
    prepaid_renewal_order,
    prepaid_renewal_order_line,
    prepaid_renewal_reminder,
    prepaid_renewal_service,
    prepaid_renewal_service_platform,
    prepaid_topup_request,
    prepaid_topup_rule,
    prepaid_wallet,
    product_template,
    res_company,
    res_config_settings,
)
