# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Constants shared by the ledger, its accounting and its views."""

from decimal import Decimal

LOT_KINDS = ("voucher", "bonus", "paid")

# Consumption orders a company can choose; the key lists the kinds from first
# to last consumed.
CONSUMPTION_ORDERS = {
    "voucher_bonus_paid": ("voucher", "bonus", "paid"),
    "bonus_voucher_paid": ("bonus", "voucher", "paid"),
    "voucher_paid_bonus": ("voucher", "paid", "bonus"),
    "bonus_paid_voucher": ("bonus", "paid", "voucher"),
    "paid_voucher_bonus": ("paid", "voucher", "bonus"),
    "paid_bonus_voucher": ("paid", "bonus", "voucher"),
}
DEFAULT_CONSUMPTION_ORDER = "voucher_bonus_paid"

# No single movement may exceed this: it catches typos and overflow attempts
# long before the NUMERIC columns would.
MAX_MOVEMENT_AMOUNT = Decimal("1000000000")

# Idempotency keys: at most this long. Those sent by external callers (the
# XML-RPC methods that take a key) are shorter, since the ledger may wrap
# them (domain-op:api:...), and are stored behind a prefix that no internal
# key (recharge:, usage:, expiry:, voucher:, promo:, domain-op:, adjust:,
# demo:...) starts with, so that a caller can never take an internal
# movement's key first.
KEY_MAX_LENGTH = 255
CALLER_KEY_MAX_LENGTH = 200
EXTERNAL_KEY_PREFIX = "api:"

# Lots read by the expiry cron per batch (each batch is committed).
EXPIRY_BATCH_SIZE = 500

# Default account codes created for a company that has none configured.
ACCOUNT_CODES = {
    "liability": ("2195PC", "Customer prepayments (prepaid credit)", "liability_current"),
    "promotion": ("6195PC", "Prepaid credit promotions", "expense"),
    "breakage": ("7195PC", "Breakage of expired prepaid credit", "income_other"),
    "adjustment": ("6196PC", "Prepaid credit adjustments", "expense"),
}
