# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_domain_operate
from . import prepaid_domain_price_export
from . import prepaid_domain_price_import
