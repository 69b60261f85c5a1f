# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import format_amount

from odoo.addons.prepaid_cloud_credit.controllers.portal import PrepaidPortal
from odoo.addons.prepaid_cloud_credit.parsing import check_text


class PrepaidVoucherPortal(PrepaidPortal):
    """Voucher codes activated from the wallet page, promo codes typed in
    the recharge form."""

    def _prepaid_recharge_options(self, kw):
        """Override of `prepaid_cloud_credit` to read the promo code typed in the recharge form."""
        options = super()._prepaid_recharge_options(kw)
        promo_code = kw.get("promo_code")
        options["promo_code"] = promo_code.strip() if isinstance(promo_code, str) else ""
        return options

    def _prepaid_check_recharge_options(self, options):
        """Override of `prepaid_cloud_credit` to name the promo code in its error."""
        check_text(options.get("promo_code", ""), _("The promo code"))
        return super()._prepaid_check_recharge_options(options)

    @http.route("/my/wallet/<int:wallet_id>/voucher", type="http", auth="user", methods=["POST"], website=True)
    def portal_wallet_voucher(self, wallet_id, code="", **kw):
        """Activate a voucher code in one of the customer's own wallets: a
        voucher lot spent before paid credit."""
        wallet_sudo = self._prepaid_wallet_or_redirect(wallet_id)
        if wallet_sudo is None:
            return request.redirect("/my")
        try:
            # The wallet is the customer's own; the service counts failures per user and IP.
            tx = request.env["prepaid.voucher"].sudo()._redeem_code(
                code, wallet_sudo, user=request.env.user, ip=request.httprequest.remote_addr
            )
        except (UserError, ValidationError) as error:
            return self._prepaid_redirect_error(wallet_id, error.args[0])
        amount = format_amount(request.env, tx.amount, wallet_sudo.currency_id)
        message = _("Voucher activated: %(amount)s added.", amount=amount)
        return request.redirect(f"/my/wallet/{wallet_id}?" + url_encode({"message": message}))
