# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import (
    test_hosting_bridge_renewal,
    test_renewal,
    test_renewal_auto,
    test_renewal_concurrency,
    test_renewal_portal,
    test_renewal_portal_translation,
    test_topup,
    test_topup_portal,
)
