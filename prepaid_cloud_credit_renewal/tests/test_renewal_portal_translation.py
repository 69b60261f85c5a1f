# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.translation_common import CustomerPortalTranslationCommon

from .common import RenewalCommon


@tagged("post_install", "-at_install")
class TestRenewalPortalTranslation(CustomerPortalTranslationCommon, RenewalCommon, HttpCase):
    """The services list and the renewal summary, read by an Italian customer."""

    ADDONS = ("prepaid_cloud_credit", "prepaid_cloud_credit_renewal")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expiring = cls.service(cls, 10, name="it-expiring")
        cls.service(cls, -5, name="it-expired")

    def test_services_list_shows_no_english_label(self):
        """Test that /my/services, under each filter, and the renewals history
        speak Italian to an Italian customer."""
        services = self.page("/my/services")
        self.assertIn("it-expiring", services)
        self.assertIn("Prezzi IVA esclusa", services)
        self.assertNoEnglishLabels(services, self.ADDONS)
        self.assertPagesInItalian(*(f"/my/services?filterby={name}" for name in ("expiring", "expired", "awaiting")))
        self.assertIn("Ancora nessun rinnovo", self.assertPagesInItalian("/my/renewals"))

    def test_renewal_summary_shows_no_english_label(self):
        """Test that the renewal summary of a ticked service, paid by bank
        transfer or by credit, speaks Italian."""
        for method in ("bank_transfer", "credit"):
            summary = self.page("/my/services/renew", payment_method=method, service_ids=str(self.expiring.id))
            self.assertIn("Dati di fatturazione", summary)
            self.assertNoEnglishLabels(summary, self.ADDONS)

    def test_automatic_top_up_page_shows_no_english_label(self):
        """Test that the automatic top-up page, with a top-up of the customer's,
        speaks Italian."""
        self.env["prepaid.topup.rule"].create({
            "wallet_id": self.wallet.id, "trigger": "threshold", "threshold": 50, "mode": "fixed",
            "amount": 100, "payment_token_id": self.token().id,
        })
        page = self.page("/my/wallet/topup")
        self.assertIn("Ricarica automatica", page)
        self.assertNoEnglishLabels(page, self.ADDONS)
