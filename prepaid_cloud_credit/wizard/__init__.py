# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_wallet_adjust
from . import prepaid_wallet_redeem
from . import prepaid_wallet_tier_downgrade
from . import prepaid_domain_operate
from . import prepaid_domain_price_import
from . import prepaid_domain_price_export
from . import prepaid_credit_lot_refund
