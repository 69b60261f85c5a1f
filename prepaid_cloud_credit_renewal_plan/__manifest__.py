# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Renewal prices per plan",
    "summary": "Glue: the customer's plan sets the renewal price of its services",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit_renewal", "prepaid_cloud_credit_plan"],
    "data": [
        "security/ir.model.access.csv",
        "views/prepaid_plan_views.xml",
    ],
    "auto_install": True,
}
