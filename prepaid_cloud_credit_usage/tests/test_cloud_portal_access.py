# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudReportAccess(CloudCommon, HttpCase):
    """The cloud report shows the logged-in user's own customer only, an
    employee who reads every server in the backend included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.make_server(cls, ref="acme-web")
        cls.rate(cls)
        cls.staff_user = new_test_user(
            cls.env, "stan", groups="base.group_user,prepaid_cloud_credit.group_prepaid_user",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)], password="stan-pass-123",
        )

    def test_internal_prepaid_user_sees_no_other_customers_usage(self):
        """Test that an employee's cloud report, export and counter hold no customer's server."""
        self.assertTrue(self.server.with_user(self.staff_user).has_access("read"), "reads it in the backend")
        self.authenticate("stan", "stan-pass-123")
        page = self.url_open(f"/my/cloud-report?date_from={DAY}&date_to={DAY}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("acme-web", page.text)
        export = self.url_open(f"/my/cloud-report/csv?date_from={DAY}&date_to={DAY}")
        self.assertNotIn("acme-web", export.text)
        response = self.url_open(
            f"/my/cloud-report?date_from={DAY}&date_to={DAY}&server_id={self.server.id}", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["cloud_server_count"]})
        self.assertEqual(counters["cloud_server_count"], 0)
