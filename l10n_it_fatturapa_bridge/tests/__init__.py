# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import test_fatturapa_build
from . import test_fatturapa_cases
from . import test_sdi_channels
from . import test_sdi_real_file
from . import test_sdi_receipts
from . import test_sdi_security
