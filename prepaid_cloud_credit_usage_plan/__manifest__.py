# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Cloud Usage and Plans",
    "summary": "Plans carry cloud rate cards",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit_usage", "prepaid_cloud_credit_plan"],
    "data": [
        "views/prepaid_plan_cloud_views.xml",
    ],
    "auto_install": True,
}
