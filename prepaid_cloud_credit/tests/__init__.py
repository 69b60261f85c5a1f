# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_ledger
from . import test_accounting
from . import test_security
from . import test_concurrency
from . import test_portal
from . import test_portal_access
from . import test_double_payment
from . import test_seeds
from . import test_accounting_it
from . import test_accounting_it_credit
from . import test_accounting_it_currency
from . import test_accounting_charts
from . import test_accounting_it_dates
from . import test_portal_translation
from . import test_customer_language
