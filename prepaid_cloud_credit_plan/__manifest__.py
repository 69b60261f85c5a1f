# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Plans",
    "summary": "Prepaid plans bought by an entry recharge, plan history and downgrade",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit"],
    "data": [
        "security/ir.model.access.csv",
        "security/prepaid_plan_rules.xml",
        "data/prepaid_plan_data.xml",
        "views/prepaid_plan_views.xml",
        "views/portal_plan_templates.xml",
        "wizard/prepaid_wallet_plan_downgrade_views.xml",
        "views/prepaid_plan_menus.xml",
    ],
}
