# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo.tests import HttpCase, tagged

from odoo.addons.prepaid_cloud_credit.tests.common import PrepaidPortalCommon
from odoo.addons.prepaid_cloud_credit.tests.translation_common import CustomerPortalTranslationCommon


@tagged("post_install", "-at_install")
class TestVoucherPortalTranslation(CustomerPortalTranslationCommon, PrepaidPortalCommon, HttpCase):
    """The voucher form of the wallet page and the promo code of the recharge, read by an Italian customer."""

    ADDONS = ("prepaid_cloud_credit", "prepaid_cloud_credit_voucher")

    def test_voucher_form_and_its_error_show_no_english_label(self):
        """Test that the voucher form, the answer to an unknown code and the
        recharge form's promo code speak Italian to an Italian customer."""
        wallet_url = f"/my/wallet/{self.wallet.id}"
        page = self.url_open(wallet_url).text
        self.assertIn('id="prepaid_voucher_form"', page)
        self.assertNoEnglishLabels(page, self.ADDONS)
        refused = self.post(f"{wallet_url}/voucher", code="PCC-NONE-NONE-NONE")
        self.assertIn(refused.status_code, (200, 303))
        answer = self.url_open(refused.headers["Location"]).text if refused.status_code == 303 else refused.text
        self.assertIn("alert", answer)
        self.assertNoEnglishLabels(answer, self.ADDONS)
        for response in (
            self.url_open(f"{wallet_url}/recharge"),
            self.post(f"{wallet_url}/recharge", amount="50", promo_code="NOSUCHCODE"),
        ):
            self.assertEqual(response.status_code, 200)
            self.assertNoEnglishLabels(response.text, self.ADDONS)
