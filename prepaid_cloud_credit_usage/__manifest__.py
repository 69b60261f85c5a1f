# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Cloud Usage",
    "summary": "Cloud servers metered hourly and rated daily against prepaid credit, suspension and alerts",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit"],
    "data": [
        "security/ir.model.access.csv",
        "security/prepaid_usage_rules.xml",
        "data/prepaid_cloud_meter_data.xml",
        "data/prepaid_cloud_cron_data.xml",
        "data/mail_template_data.xml",
        "views/prepaid_cloud_server_views.xml",
        "views/prepaid_cloud_rate_card_views.xml",
        "views/prepaid_cloud_statement_views.xml",
        "views/prepaid_wallet_cloud_views.xml",
        "views/res_config_settings_cloud_views.xml",
        "views/portal_cloud_templates.xml",
        "views/prepaid_usage_menus.xml",
    ],
    "demo": [
        "demo/prepaid_cloud_demo.xml",
    ],
}
