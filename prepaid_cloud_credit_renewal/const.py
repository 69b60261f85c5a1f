# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
PERIOD_MONTHS = {"month": 1, "year": 12}

# Labels are translated through the fields' selections.
SERVICE_STATES = [
    ("active", "Active"),
    ("expiring", "Expiring"),
    ("grace", "Expired, in grace period"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]

# States in which a service can still be renewed.
RENEWABLE_STATES = ("active", "expiring", "grace", "suspended")

PAYMENT_METHODS = [
    ("credit", "Prepaid credit"),
    ("online", "Card or PayPal"),
    ("bank_transfer", "Bank transfer"),
]

# Hours after a failed automatic renewal before the next attempt; after the
# last one the service expires normally.
AUTO_RENEW_RETRY_HOURS = (24, 48)

# Internal ledger keys: no external caller can type them (theirs are namespaced).
ORDER_LEDGER_KEY = "renewal:order:{order_id}"
