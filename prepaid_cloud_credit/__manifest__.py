# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit",
    "summary": "Prepaid wallets for hosting and cloud companies: credit lots, "
    "an append-only ledger and its accounting",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["account", "portal", "payment", "account_payment", "mail"],
    "data": [
        "security/prepaid_security.xml",
        "security/ir.model.access.csv",
        "security/prepaid_rules.xml",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "views/prepaid_wallet_views.xml",
        "views/prepaid_credit_lot_views.xml",
        "views/prepaid_wallet_transaction_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/prepaid_wallet_adjust_views.xml",
        "views/prepaid_menus.xml",
    ],
    "demo": [
        "demo/prepaid_demo.xml",
    ],
    "post_init_hook": "_post_init_hook",
    "installable": True,
    "application": True,
}
