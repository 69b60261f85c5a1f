# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.prepaid_cloud_credit.tests.accounting_common import PrepaidItalianAccountingCommon


@tagged("post_install", "-at_install")
class TestCloudStatementCutOff(PrepaidItalianAccountingCommon):
    """A daily cloud statement is booked on the day of its usage."""

    def test_usage_charged_after_midnight_is_booked_on_its_day(self):
        """Test that the cloud statement of 30 November, charged at 00:30 on 1 December, belongs to November."""
        self.set_policy("recharge")
        self.recharge(100)
        with freeze_time("2026-12-01 00:30:00"):
            statement = self.env["prepaid.cloud.statement"].sudo().create({
                "wallet_id": self.wallet.id, "date": "2026-11-30", "amount_total": 12.5,
            })
            statement._charge()
        self.assertUsageOfNovember30(statement.transaction_id)
