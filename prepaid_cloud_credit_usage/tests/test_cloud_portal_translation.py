# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.translation_common import PortalTranslationCommon

from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudPortalTranslation(PortalTranslationCommon, CloudCommon, HttpCase):
    """The cloud report and the ongoing balance of the wallet page, read by an Italian customer."""

    ADDONS = ("prepaid_cloud_credit", "prepaid_cloud_credit_usage")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contact = cls.env["res.partner"].create({"name": "Ada Admin", "parent_id": cls.customer.id})
        cls.env["res.users"].create({
            "name": "Ada Admin",
            "login": "ada_it",
            "password": "ada_it_pw",
            "lang": cls.LANG,
            "partner_id": contact.id,
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
            "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
        })
        cls.server = cls.make_server(cls, ref="acme-web")
        cls.rate(cls)
        with freeze_time("2026-11-11 10:30:00"):
            cls.env["prepaid.wallet"]._cron_cloud_balance_policy()

    def test_cloud_report_and_ongoing_balance_show_no_english_label(self):
        """Test that the cloud report (with its suspension notice) and the
        ongoing balance on the wallet page speak Italian to an Italian customer."""
        self.assertTrue(self.wallet.cloud_unbilled_amount)
        self.authenticate("ada_it", "ada_it_pw")
        report = self.assertPagesInItalian(
            "/my", f"/my/wallet/{self.wallet.id}", f"/my/cloud-report?date_from={DAY}&date_to={DAY}"
        )
        self.assertIn("I tuoi server sono sospesi", report)
        self.assertIn('id="prepaid_ongoing_balance"', self.url_open(f"/my/wallet/{self.wallet.id}").text)
