# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Vouchers and Promo Codes",
    "summary": "Voucher codes in batches and promo codes that add bonus credit at recharge",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit"],
    "data": [
        "security/ir.model.access.csv",
        "security/prepaid_voucher_rules.xml",
        "views/prepaid_voucher_views.xml",
        "views/prepaid_promo_code_views.xml",
        "views/res_config_settings_voucher_views.xml",
        "views/portal_voucher_templates.xml",
        "wizard/prepaid_wallet_redeem_views.xml",
        "views/prepaid_voucher_menus.xml",
    ],
}
