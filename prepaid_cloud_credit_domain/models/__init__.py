# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_wallet
from . import prepaid_domain_tld
from . import prepaid_domain_price
from . import prepaid_domain
from . import prepaid_domain_operation
from . import prepaid_wallet_transaction_domain
