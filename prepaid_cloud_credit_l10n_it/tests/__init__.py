# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_pa_portal, test_sdi_sending, test_split_payment
