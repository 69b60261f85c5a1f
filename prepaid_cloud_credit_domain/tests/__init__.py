# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_domain
from . import test_domain_portal
from . import test_domain_portal_access
from . import test_domain_price_import
