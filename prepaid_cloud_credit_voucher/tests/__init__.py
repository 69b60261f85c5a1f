# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_promo
from . import test_promo_concurrency
from . import test_voucher
from . import test_voucher_concurrency
from . import test_voucher_expiry
from . import test_voucher_portal
