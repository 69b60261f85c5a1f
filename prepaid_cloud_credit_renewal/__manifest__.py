# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
{
    "name": "Prepaid Cloud Credit: Renewals",
    "summary": "Renewable services (devices, plans, licences, domains), portal renewals paid by credit, "
    "card or bank transfer, automatic renewal and automatic top-up",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/prepaid-cloud-credit/prepaid-cloud-credit",
    "author": "Prepaid Cloud Credit contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["prepaid_cloud_credit", "payment", "account_payment", "portal", "mail"],
    "data": [
        "security/ir.model.access.csv",
        "security/prepaid_renewal_rules.xml",
        "data/ir_sequence_data.xml",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/prepaid_renewal_service_views.xml",
        "views/prepaid_renewal_order_views.xml",
        "views/prepaid_topup_rule_views.xml",
        "views/product_template_views.xml",
        "views/res_config_settings_views.xml",
        "views/prepaid_renewal_menus.xml",
        "views/portal_templates.xml",
    ],
    "demo": [
        "demo/prepaid_renewal_demo.xml",
    ],
}
