# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""``python -m hosting_bridge`` runs the CLI."""

import sys

from .cli import main

sys.exit(main())
