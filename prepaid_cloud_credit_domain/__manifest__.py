# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Domains",
    "summary": "Domains paid from prepaid credit: TLD price matrix per plan, operations, pricing API",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit_plan"],
    "data": [
        "security/ir.model.access.csv",
        "security/prepaid_domain_rules.xml",
        "views/prepaid_domain_views.xml",
        "views/portal_domain_templates.xml",
        "wizard/prepaid_domain_operate_views.xml",
        "wizard/prepaid_domain_price_import_views.xml",
        "wizard/prepaid_domain_price_export_views.xml",
        "views/prepaid_domain_menus.xml",
    ],
    "demo": [
        "demo/prepaid_domain_demo.xml",
    ],
}
