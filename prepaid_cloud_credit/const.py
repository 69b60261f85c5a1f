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

# The accounts the ledger books into, per role, and where they go in each
# chart of accounts (``res.company.chart_template``). A role names either the
# chart's own account (``template``: its xml id in the chart template), or an
# account to create with its code, name, type, report tags and, for the
# charts in another language, its name there. Codes are only a starting
# point: an existing account of another type moves the new one to the next
# free code. The report tags are given explicitly: Odoo would otherwise copy
# them from the account with the closest code, which puts a liability among
# equity or a revenue among financial items. Charts not listed (Odoo 18 ships
# no Russian chart, ``l10n_ru``) get the generic placement.
ACCOUNT_ROLES = ("liability", "unbilled", "revenue", "discount", "promotion", "breakage", "adjustment")
ACCOUNT_PLACEMENT = {
    "generic_coa": {
        "liability": {"code": "2195PC", "name": "Customer prepayments (prepaid credit)",
                      "account_type": "liability_current"},
        "unbilled": {"code": "1215PC", "name": "Prepaid usage to invoice", "account_type": "asset_current",
                     "reconcile": True},
        "revenue": {"template": "income"},
        "discount": {"code": "4095PC", "name": "Discounts granted with prepaid credit", "account_type": "income",
                     "tags": ["account.account_tag_operating"]},
        "promotion": {"code": "6195PC", "name": "Prepaid credit promotions", "account_type": "expense",
                      "tags": ["account.account_tag_operating"]},
        "breakage": {"code": "7195PC", "name": "Breakage of expired prepaid credit",
                     "account_type": "income_other"},
        "adjustment": {"code": "6196PC", "name": "Prepaid credit adjustments", "account_type": "expense",
                       "tags": ["account.account_tag_operating"]},
    },
    # Italian chart (l10n_it): its customer advances (2530, passivo D) and
    # invoices to issue (1509, attivo C); services revenue, discounts and
    # breakage in the value of production (A), promotions and adjustments in
    # the production costs (B), never among the financial items (C).
    "it": {
        "liability": {"template": "2530"},
        "unbilled": {"template": "1509"},
        "revenue": {"code": "3102", "name": "Revenue from services", "account_type": "income",
                    "tags": ["l10n_it.account_tag_A_PL"], "translations": {"it": "Ricavi per prestazioni di servizi"}},
        "discount": {"code": "3113", "name": "Discounts granted with prepaid credit", "account_type": "income",
                     "tags": ["l10n_it.account_tag_A_PL"],
                     "translations": {"it": "Sconti concessi con credito prepagato"}},
        "promotion": {"code": "4214", "name": "Prepaid credit promotions", "account_type": "expense",
                      "tags": ["l10n_it.account_tag_B_PL"], "translations": {"it": "Promozioni su credito prepagato"}},
        "breakage": {"code": "3203", "name": "Breakage of expired prepaid credit", "account_type": "income",
                     "tags": ["l10n_it.account_tag_A_PL"],
                     "translations": {"it": "Proventi da credito prepagato scaduto"}},
        "adjustment": {"code": "4904", "name": "Prepaid credit adjustments", "account_type": "expense",
                       "tags": ["l10n_it.account_tag_B_PL"],
                       "translations": {"it": "Rettifiche del credito prepagato"}},
    },
    # French chart (l10n_fr_account, PCG): every role has its account there.
    "fr": {
        "liability": {"template": "pcg_4191"},
        "unbilled": {"template": "pcg_4181"},
        "revenue": {"template": "pcg_706"},
        "discount": {"template": "pcg_7096"},
        "promotion": {"template": "pcg_6234"},
        "breakage": {"template": "pcg_758"},
        "adjustment": {"template": "pcg_658"},
    },
}
DEFAULT_ACCOUNT_PLACEMENT = "generic_coa"
