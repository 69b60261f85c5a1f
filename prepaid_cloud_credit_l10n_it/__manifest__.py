# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit - Italy",
    "summary": "Public administrations recharge with CIG and office code under split payment; "
    "recharge invoices go to the SdI once posted",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit", "l10n_it_fatturapa_bridge"],
    "data": [
        "security/ir.model.access.csv",
        "views/portal_templates.xml",
        "views/prepaid_recharge_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "auto_install": True,
}
