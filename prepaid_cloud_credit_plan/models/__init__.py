# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_tier
from . import prepaid_tier_entry
from . import prepaid_wallet_tier_history
from . import prepaid_wallet_tier
from . import prepaid_recharge_plan
