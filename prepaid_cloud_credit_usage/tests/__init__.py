# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_cloud_accounting
from . import test_cloud_alerts
from . import test_cloud_balance_policy
from . import test_cloud_billing
from . import test_cloud_ingestion
from . import test_cloud_ongoing_balance
from . import test_cloud_portal
from . import test_cloud_portal_access
from . import test_cloud_rating_failures
from . import test_cloud_usage
