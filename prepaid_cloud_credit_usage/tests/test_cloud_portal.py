# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import csv
import io

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudPortal(CloudCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contact = cls.env["res.partner"].create({"name": "Ada Admin", "parent_id": cls.customer.id})
        cls.portal_user = cls.env["res.users"].create({
            "name": "Ada Admin",
            "login": "ada_cloud",
            "password": "ada_cloud_pw",
            "partner_id": contact.id,
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
            "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
        })
        other = cls.env["res.partner"].create({"name": "Rival Hosting", "is_company": True})
        cls.other_wallet = cls.env["prepaid.wallet"].sudo().create(
            {"partner_id": other.id, "company_id": cls.company.id, "currency_id": cls.currency.id}
        )
        cls.server = cls.make_server(cls, ref="acme-web")
        cls.other_server = cls.make_server(cls, wallet=cls.other_wallet, ref="rival-db")
        cls.rate(cls)

    def url(self, path, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"{path}?{query}" if query else path

    def test_report_shows_the_customers_usage_and_chart(self):
        """Test that the report lists the own server's cost per day with an SVG chart."""
        self.authenticate("ada_cloud", "ada_cloud_pw")
        response = self.url_open(self.url("/my/cloud-report", date_from=DAY, date_to=DAY))
        self.assertEqual(response.status_code, 200)
        self.assertIn("acme-web", response.text)
        self.assertNotIn("rival-db", response.text)
        self.assertIn("<svg", response.text)
        self.assertIn("1.08", response.text)

    def test_another_customers_server_is_refused(self):
        """Test that asking for another customer's server redirects to /my and shows nothing."""
        self.authenticate("ada_cloud", "ada_cloud_pw")
        for path in ("/my/cloud-report", "/my/cloud-report/csv"):
            response = self.url_open(
                self.url(path, date_from=DAY, date_to=DAY, server_id=self.other_server.id), allow_redirects=False
            )
            self.assertIn(response.status_code, (302, 303), path)
            self.assertTrue(response.headers["Location"].endswith("/my"), path)

    def test_csv_export_holds_one_row_per_day_server_and_meter(self):
        """Test that the CSV export has the customer's lines and only those."""
        self.authenticate("ada_cloud", "ada_cloud_pw")
        response = self.url_open(self.url("/my/cloud-report/csv", date_from=DAY, date_to=DAY))
        self.assertEqual(response.status_code, 200)
        self.assertIn("text/csv", response.headers["Content-Type"])
        rows = list(csv.reader(io.StringIO(response.text)))
        self.assertEqual(rows[0][0], "Day")
        body = rows[1:]
        self.assertEqual({row[2] for row in body}, {"acme-web"})
        self.assertEqual(len(body), 3)
        self.assertAlmostEqual(sum(float(row[6]) for row in body), 1.08)

    def test_malformed_period_falls_back_with_a_message(self):
        """Test that a malformed date shows a clear message instead of an error page."""
        self.authenticate("ada_cloud", "ada_cloud_pw")
        response = self.url_open(self.url("/my/cloud-report", date_from="yesterday"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("YYYY-MM-DD", response.text)

    def test_portal_user_reads_only_own_servers_and_statements(self):
        """Test that record rules hide other customers' servers and statements from portal users."""
        env = self.env(user=self.portal_user)
        self.assertEqual(env["prepaid.cloud.server"].search([]), self.server)
        self.assertEqual(env["prepaid.cloud.statement"].search([]).wallet_id, self.wallet)

    def test_report_offers_add_credit_for_the_customers_wallet(self):
        """Test that the report shows the ongoing balance and an Add credit button to the own wallet's
        recharge form, never another customer's."""
        self.authenticate("ada_cloud", "ada_cloud_pw")
        response = self.url_open(self.url("/my/cloud-report", date_from=DAY, date_to=DAY))
        self.assertEqual(response.status_code, 200)
        self.assertIn(f'href="/my/wallet/{self.wallet.id}/recharge"', response.text)
        self.assertNotIn(f"/my/wallet/{self.other_wallet.id}/", response.text)
        self.assertIn("Ongoing balance", response.text)
        form = self.url_open(f"/my/wallet/{self.wallet.id}/recharge")
        self.assertEqual(form.status_code, 200)
        self.assertIn("prepaid_recharge_form", form.text)

    def test_wallet_page_and_report_show_the_usage_not_charged_yet(self):
        """Test that the customer sees the ongoing balance once usage is measured but not charged."""
        with freeze_time("2026-11-11 10:30:00"):
            self.env["prepaid.wallet"]._cron_cloud_balance_policy()
        # Hour 00:00 in full, then the disk only: the servers were suspended at
        # 01:00, when the day's charge left the wallet without credit.
        self.assertEqual(self.wallet.cloud_unbilled_amount, 0.10)
        self.authenticate("ada_cloud", "ada_cloud_pw")
        page = self.url_open(f"/my/wallet/{self.wallet.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn('id="prepaid_ongoing_balance"', page.text)
        self.assertIn("1.18", page.text)   # -1.08 charged, 0.10 not charged yet
        self.assertIn("0.10", page.text)
        report = self.url_open(self.url("/my/cloud-report", date_from=DAY, date_to=DAY))
        self.assertIn("1.18", report.text)
        self.assertIn("Your servers are suspended", report.text)
        self.assertIn("usage not charged yet", report.text)
