# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_renewal_order
