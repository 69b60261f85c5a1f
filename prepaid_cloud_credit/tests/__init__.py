# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_ledger
from . import test_accounting
from . import test_security
from . import test_concurrency
from . import test_portal
from . import test_voucher
from . import test_promo
from . import test_voucher_concurrency
from . import test_tier
from . import test_domain
from . import test_domain_price_import
from . import test_tier_portal
