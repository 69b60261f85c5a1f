# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_plan
from . import prepaid_plan_entry
from . import prepaid_wallet_plan_history
from . import prepaid_wallet_plan
from . import prepaid_recharge_plan
