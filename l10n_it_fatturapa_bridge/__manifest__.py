# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Italy - FatturaPA through fatturapa_bridge",
    "summary": "Every posted Italian customer invoice becomes a checked, signed FatturaPA file, "
    "sent to the SdI by PEC, folder, manual upload or Odoo's proxy, with its receipts",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["l10n_it_edi", "mail"],
    "external_dependencies": {"python": ["prepaid-cloud-credit-bridges", "lxml"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sdi_security.xml",
        "data/sdi_cron.xml",
        "data/sdi_mail_data.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/fatturapa_receipt_upload_views.xml",
        "views/account_move_sdi_views.xml",
        "views/fatturapa_receipt_views.xml",
        "views/res_config_settings_sdi_views.xml",
    ],
}
