# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Renewals in Italy",
    "summary": "Glue: public administrations renew by bank transfer with CIG, CUP and office code",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit_renewal", "prepaid_cloud_credit_l10n_it"],
    "data": [
        "views/portal_templates.xml",
        "views/prepaid_renewal_order_views.xml",
    ],
    "auto_install": True,
}
