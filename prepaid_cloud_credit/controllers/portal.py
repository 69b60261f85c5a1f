# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from werkzeug.urls import url_encode

from odoo import _, fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import format_amount

from odoo.addons.payment.controllers.portal import PaymentPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..parsing import check_text, has_forbidden_characters
from .ownership import own_commercial_partner, own_record, readable_count

TRANSACTIONS_PER_PAGE = 20


class PrepaidPortal(PaymentPortal):
    """The customer's wallet, its recharges and their payment."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prepaid_balance" in counters:
            wallets = self._prepaid_wallets()
            values["prepaid_balance"] = " · ".join(
                format_amount(request.env, wallet.balance, wallet.currency_id) for wallet in wallets
            ) or False
        return values

    def _prepaid_wallets(self):
        """The wallets of the logged-in user's customer, in the user's companies."""
        Wallet = request.env["prepaid.wallet"]
        partner = own_commercial_partner()
        if not partner or not Wallet.has_access("read"):
            return Wallet
        # The customer's own wallets only, even for a user who reads every wallet in the backend.
        return Wallet.search([("partner_id", "=", partner.id)])

    def _prepaid_wallet_or_redirect(self, wallet_id=None, access_token=None):
        """The wallet asked for (sudo) if it is the customer's own, or None.

        :param access_token: the wallet's share token, accepted by the pages
            that only show the wallet; routes that write never pass it
        """
        if wallet_id is None:
            return self._prepaid_wallets()[:1].sudo() or None
        return own_record("prepaid.wallet", wallet_id, access_token)

    def _prepaid_redirect_error(self, wallet_id, error):
        return request.redirect(f"/my/wallet/{wallet_id}?" + url_encode({"error": error}))

    # ------------------------------------------------------------------
    # Wallet page
    # ------------------------------------------------------------------

    def _prepaid_transaction_searchbar(self):
        sortings = {
            "date": {"label": _("Newest"), "order": "date desc, id desc"},
            "date_asc": {"label": _("Oldest"), "order": "date asc, id asc"},
            "amount": {"label": _("Largest amount"), "order": "amount desc, id desc"},
        }
        filters = {
            "all": {"label": _("All"), "domain": []},
            "credit": {"label": _("Credits"), "domain": [("movement_type", "in", ("credit", "refund"))]},
            "debit": {"label": _("Debits"), "domain": [("movement_type", "=", "debit")]},
            "expiry": {"label": _("Expiries"), "domain": [("movement_type", "=", "expiry")]},
            "adjustment": {"label": _("Adjustments"), "domain": [("movement_type", "=", "adjustment")]},
        }
        return sortings, filters

    @http.route(
        ["/my/wallet", "/my/wallet/page/<int:page>", "/my/wallet/<int:wallet_id>",
         "/my/wallet/<int:wallet_id>/page/<int:page>"],
        type="http", auth="user", website=True,
    )
    def portal_my_wallet(self, wallet_id=None, page=1, sortby="date", filterby="all", access_token=None, **kw):
        wallet_sudo = self._prepaid_wallet_or_redirect(wallet_id, access_token)
        if wallet_sudo is None:
            if wallet_id is None:
                return request.render("prepaid_cloud_credit.portal_my_wallet_empty", {"page_name": "prepaid_wallet"})
            return request.redirect("/my")
        sortings, filters = self._prepaid_transaction_searchbar()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        Tx = request.env["prepaid.wallet.transaction"].sudo()  # the wallet was checked above
        domain = [("wallet_id", "=", wallet_sudo.id)] + filters[filterby]["domain"]
        url = f"/my/wallet/{wallet_sudo.id}" if wallet_id else "/my/wallet"
        transactions, pager = self._prepaid_list_values(
            Tx, domain, url, page, order=sortings[sortby]["order"], url_args={"sortby": sortby, "filterby": filterby},
        )
        values = {
            "page_name": "prepaid_wallet",
            "wallet": wallet_sudo,
            "wallets": self._prepaid_wallets(),
            "lots": wallet_sudo.open_lot_ids.filtered(lambda lot: lot.remaining_amount > 0),
            "transactions": transactions,
            "pager": pager,
            "searchbar_sortings": sortings,
            "sortby": sortby,
            "searchbar_filters": filters,
            "filterby": filterby,
            "default_url": url,
            "today": fields.Date.context_today(wallet_sudo),
            "month_start": fields.Date.context_today(wallet_sudo).replace(day=1),
            "message": kw.get("message"),
            "error": kw.get("error"),
        }
        return request.render("prepaid_cloud_credit.portal_my_wallet", values)

    @http.route("/my/wallet/<int:wallet_id>/alerts", type="http", auth="user", methods=["POST"], website=True)
    def portal_wallet_alerts(self, wallet_id, threshold="", enabled=None, **kw):
        """Set the low-balance alert of one of the customer's own wallets."""
        wallet_sudo = self._prepaid_wallet_or_redirect(wallet_id)
        if wallet_sudo is None:
            return request.redirect("/my")
        enabled = bool(enabled)
        vals = {"low_balance_alert": enabled}
        if enabled:
            try:
                vals["low_balance_threshold"] = wallet_sudo._prepaid_parse_threshold(_normalise_amount(threshold))
            except (UserError, ValidationError) as error:
                return self._prepaid_redirect_error(wallet_id, error.args[0])
        wallet_sudo.write(vals)
        return request.redirect(f"/my/wallet/{wallet_id}?" + url_encode({"message": _("Alert settings saved.")}))

    @http.route("/my/wallet/<int:wallet_id>/statement", type="http", auth="user", website=True)
    def portal_wallet_statement(self, wallet_id, date_from=None, date_to=None, access_token=None, **kw):
        wallet_sudo = self._prepaid_wallet_or_redirect(wallet_id, access_token)
        if wallet_sudo is None:
            return request.redirect("/my")
        try:
            start = fields.Date.to_date(date_from)
            end = fields.Date.to_date(date_to)
        except ValueError:
            start = end = None
        if not start or not end or start > end:
            return request.redirect(
                f"/my/wallet/{wallet_id}?" + url_encode({"error": _("Choose a valid period for the statement.")})
            )
        data = {"date_from": fields.Date.to_string(start), "date_to": fields.Date.to_string(end)}
        report = request.env.ref("prepaid_cloud_credit.action_report_wallet_statement").sudo()
        pdf, _type = report._render_qweb_pdf(report.report_name, wallet_sudo.ids, data=data)
        filename = f"statement-{wallet_sudo.partner_id.name}-{data['date_from']}-{data['date_to']}.pdf"
        return request.make_response(pdf, headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
            ("Content-Disposition", http.content_disposition(filename)),
        ])

    # ------------------------------------------------------------------
    # Recharge
    # ------------------------------------------------------------------

    @http.route("/my/wallet/<int:wallet_id>/recharge", type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_wallet_recharge(self, wallet_id, amount=None, payment_method="online", confirm=None,
                               request_key=None, **kw):
        """Amount form, then the summary before paying, then the recharge.

        GET shows the form; POST without ``confirm`` shows the summary (net,
        VAT, total); POST with ``confirm`` creates the recharge and sends the
        customer to its payment page. The summary carries a request key: the
        same confirmation sent again (double click, back button, replay)
        leads to the recharge it created instead of a second one.
        """
        wallet_sudo = self._prepaid_wallet_or_redirect(wallet_id)
        if wallet_sudo is None:
            return request.redirect("/my")
        values = {
            "page_name": "prepaid_recharge",
            "wallet": wallet_sudo,
            "amount": amount if isinstance(amount, str) and not has_forbidden_characters(amount) else "",
            "payment_method": payment_method if payment_method in ("online", "bank_transfer") else "online",
            "limits": wallet_sudo._prepaid_recharge_limits(),
            "extra": self._prepaid_recharge_extra_values(wallet_sudo, kw),
        }
        options = self._prepaid_recharge_options(kw)
        values.update(options)
        if request.httprequest.method != "POST":
            return request.render("prepaid_cloud_credit.portal_wallet_recharge", values)
        Recharge = request.env["prepaid.recharge"].sudo()  # the wallet is the customer's own
        amount = _normalise_amount(amount)
        # Failed attempts (a wrong code...) count against the user and the address.
        throttle = {"user": request.env.user, "ip": request.httprequest.remote_addr}
        try:
            self._prepaid_check_recharge_options(options)
            if confirm:
                existing = Recharge._prepaid_find_portal_request(wallet_sudo, request_key)
                if existing:
                    return request.redirect(existing.get_portal_url())
            preview = Recharge._prepaid_portal_preview(
                wallet_sudo, amount, values["payment_method"], throttle=throttle, extra=values["extra"], **options
            )
            if confirm:
                recharge = Recharge._prepaid_portal_create(
                    wallet_sudo, amount, values["payment_method"], request_key=request_key, extra=values["extra"],
                    **options,
                )
                if recharge is None:
                    # A parallel submission of the same form created it first.
                    return request.redirect("/my/recharges")
                return request.redirect(recharge.get_portal_url())
        except (UserError, ValidationError) as error:
            values["error"] = error.args[0]
            for name, value in options.items():
                if has_forbidden_characters(value):
                    values[name] = ""
            return request.render("prepaid_cloud_credit.portal_wallet_recharge", values)
        values.update(preview=preview, request_key=Recharge._prepaid_new_portal_request_key())
        return request.render("prepaid_cloud_credit.portal_wallet_recharge_summary", values)

    def _prepaid_recharge_options(self, kw):
        """Hook: the options of the recharge form that extensions read (a
        promo code...), taken from the posted form ``kw``.

        :return: dict of option name to the text typed, passed to the
            recharge's preview and creation and shown again in the form
        """
        return {}

    def _prepaid_check_recharge_options(self, options):
        """Hook: refuse options that are no acceptable text, with a translated error."""
        for value in options.values():
            check_text(value, _("The form"))

    def _prepaid_recharge_extra_values(self, wallet_sudo, kw):
        """Hook: the extra fields of the recharge form that extensions read
        (text only, stripped), carried from the form to the summary and
        checked by :meth:`prepaid.recharge._prepaid_portal_preview`.

        :return: dict of field name to text
        """
        return {}

    @http.route(["/my/recharges", "/my/recharges/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_recharges(self, page=1, **kw):
        domain = [("partner_id", "=", request.env.user.commercial_partner_id.id)]
        recharges, pager = self._prepaid_list_values(request.env["prepaid.recharge"], domain, "/my/recharges", page)
        return request.render("prepaid_cloud_credit.portal_my_recharges", {
            "page_name": "prepaid_recharges", "recharges": recharges, "pager": pager,
        })

    @http.route("/my/recharges/<int:recharge_id>", type="http", auth="public", website=True)
    def portal_recharge_page(self, recharge_id, access_token=None, **kw):
        """The recharge, for its customer or whoever holds its share link;
        only the customer gets the payment form."""
        recharge_sudo = own_record("prepaid.recharge", recharge_id, access_token)
        if recharge_sudo is None:
            return request.redirect("/my")
        values = self._prepaid_document_page_values(
            recharge_sudo, access_token, bool(recharge_sudo._prepaid_payments_under_way()),
            self._prepaid_payment_form_values,
        )
        values.update(page_name="prepaid_recharge", recharge=recharge_sudo)
        return request.render("prepaid_cloud_credit.portal_recharge_page", values)

    @http.route("/my/recharges/<int:recharge_id>/request", type="http", auth="public", website=True)
    def portal_recharge_request(self, recharge_id, access_token=None, **kw):
        """The payment request of a recharge as a PDF (the bill of a bank
        transfer), for its customer or whoever holds its share link."""
        recharge_sudo = own_record("prepaid.recharge", recharge_id, access_token)
        if recharge_sudo is None:
            return request.redirect("/my")
        report = request.env.ref("prepaid_cloud_credit.action_report_recharge_request").sudo()
        pdf, _type = report._render_qweb_pdf(report.report_name, recharge_sudo.ids)
        filename = f"{recharge_sudo.name.replace('/', '-')}.pdf"
        return request.make_response(pdf, headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
            ("Content-Disposition", http.content_disposition(filename)),
        ])

    def _prepaid_document_page_values(self, document_sudo, access_token, payment_started, payment_form_values):
        """The values of the portal page of a document paid online or
        otherwise (a recharge, a renewal order...): only its customer may
        pay it, once, and the payment form shows while an online payment is
        awaited or failed.

        :param document_sudo: the document, in sudo, with ``partner_id``,
            ``state`` and ``payment_method``
        :param access_token: the token the page was opened with, if any
        :param bool payment_started: whether a payment of it is under way
        :param payment_form_values: callable ``(document_sudo, access_token)``
            returning the values of `payment.form`, called only when the form shows
        :return: dict of page values, without ``page_name`` and the document
        """
        own = document_sudo.partner_id.commercial_partner_id == own_commercial_partner()
        values = {
            "access_token": access_token,
            "can_pay": own and not payment_started,
            "payment_started": payment_started,
        }
        awaiting = document_sudo.state in ("awaiting", "failed")
        if values["can_pay"] and awaiting and document_sudo.payment_method == "online":
            values.update(payment_form_values(document_sudo, access_token))
        return values

    def _prepaid_payment_form_values(self, recharge_sudo, access_token):
        """The values of `payment.form` for this recharge's total."""
        return self._prepaid_document_payment_form_values(
            recharge_sudo, recharge_sudo.total_amount, f"/my/recharges/{recharge_sudo.id}/transaction", access_token,
        )

    def _prepaid_document_payment_form_values(self, document_sudo, amount, transaction_route, access_token):
        """The values of `payment.form` that pay ``amount`` for a portal
        document (a recharge, a renewal order...), in its company and currency.

        The payer is the logged-in user, or the document's customer for a
        visitor holding its share link.

        :param document_sudo: the document, in sudo, with ``company_id``,
            ``currency_id``, ``partner_id`` and the portal mixin
        :param str transaction_route: the JSON route that creates the transaction
        :param access_token: the token the page was opened with, if any
        :return: dict of values for the `payment.form` template
        """
        user = request.env.user
        partner_sudo = user.partner_id if not user._is_public() else document_sudo.partner_id
        company = document_sudo.company_id
        currency = document_sudo.currency_id
        # In sudo: the customer reads providers, methods and its own tokens.
        providers_sudo = request.env["payment.provider"].sudo()._get_compatible_providers(
            company.id, partner_sudo.id, amount, currency_id=currency.id
        )
        payment_methods_sudo = request.env["payment.method"].sudo()._get_compatible_payment_methods(
            providers_sudo.ids, partner_sudo.id, currency_id=currency.id
        )
        tokens_sudo = request.env["payment.token"].sudo()._get_available_tokens(providers_sudo.ids, partner_sudo.id)
        return {
            "providers_sudo": providers_sudo,
            "payment_methods_sudo": payment_methods_sudo,
            "tokens_sudo": tokens_sudo,
            "show_tokenize_input_mapping": self._compute_show_tokenize_input_mapping(providers_sudo),
            "amount": amount,
            "currency": currency,
            "partner_id": partner_sudo.id,
            "transaction_route": transaction_route,
            "landing_route": document_sudo.get_portal_url(),
            "access_token": access_token or document_sudo._portal_ensure_token(),
        }

    def _prepaid_create_document_transaction(self, amount, currency, partner, custom_create_values, kwargs):
        """Create the payment transaction of a portal document from the
        `payment.form` values ``kwargs``: the amount, currency and partner
        given here replace whatever the browser sent.

        :param dict custom_create_values: the values that link the
            transaction to its document
        :return: the transaction, in sudo
        """
        self._validate_transaction_kwargs(kwargs)
        kwargs.update({"amount": amount, "currency_id": currency.id, "partner_id": partner.id})
        return self._create_transaction(custom_create_values=custom_create_values, **kwargs)

    def _prepaid_list_values(self, model, domain, url, page, step=TRANSACTIONS_PER_PAGE, order=None, url_args=None):
        """One page of a portal list and its pager.

        :param model: the records' model (empty recordset), in sudo where the
            caller narrowed ``domain`` to the customer's own records; without
            read access the list is empty
        :param str url: the list's URL, that the pager adds ``/page/<n>`` to
        :param int step: records a page
        :param str order: the sort order of ``search``, the model's by default
        :param dict url_args: the query arguments the pager's links keep
        :return: (the page's records, the pager of `portal.pager`)
        """
        count = readable_count(model, domain)
        pager = portal_pager(url=url, total=count, page=page, step=step, url_args=url_args)
        records = model.search(domain, order=order, limit=step, offset=pager["offset"]) if count else model.browse()
        return records, pager

    @http.route("/my/recharges/<int:recharge_id>/transaction", type="json", auth="public")
    def portal_recharge_transaction(self, recharge_id, access_token=None, **kwargs):
        """Create the payment transaction of a recharge (JSON, from `payment.form`).

        Only the customer of the recharge pays it, and only once: a new
        payment is refused while another one is pending, authorized or done.
        The amount, currency and partner come from the recharge, never from
        the browser.
        """
        recharge_sudo = own_record("prepaid.recharge", recharge_id)
        if recharge_sudo is None:
            raise ValidationError(_("You can only pay the recharges of your own account."))
        recharge_sudo._prepaid_check_new_payment()
        # No invoice yet: the payment, once confirmed, issues it.
        tx_sudo = self._prepaid_create_document_transaction(
            recharge_sudo.total_amount, recharge_sudo.currency_id, recharge_sudo.partner_id,
            {"prepaid_recharge_id": recharge_sudo.id}, kwargs,
        )
        recharge_sudo._prepaid_payment_started()
        return tx_sudo._get_processing_values()


def _normalise_amount(value):
    """Accept the decimal comma of Italian, French and Russian customers."""
    if isinstance(value, str) and "," in value and "." not in value:
        return value.replace(",", ".")
    return value
