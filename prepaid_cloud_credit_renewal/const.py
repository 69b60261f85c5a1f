# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

PERIOD_MONTHS = {"month": 1, "year": 12}

SERVICE_STATES = [
    ("active", _lt("Active")),
    ("expiring", _lt("Expiring")),
    ("grace", _lt("Expired, in grace period")),
    ("suspended", _lt("Suspended")),
    ("terminated", _lt("Terminated")),
]

# States in which a service can still be renewed.
RENEWABLE_STATES = ("active", "expiring", "grace", "suspended")

PAYMENT_METHODS = [
    ("credit", _lt("Prepaid credit")),
    ("online", _lt("Card or PayPal")),
    ("bank_transfer", _lt("Bank transfer")),
]

# Hours after a failed automatic renewal before the next attempt; after the
# last one the service expires normally.
AUTO_RENEW_RETRY_HOURS = (24, 48)

# Internal ledger keys: no external caller can type them (theirs are namespaced).
ORDER_LEDGER_KEY = "renewal:order:{order_id}"
