# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from werkzeug.urls import url_encode

from odoo import _, fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.prepaid_cloud_credit.controllers.ownership import own_commercial_partner, own_record
from odoo.addons.prepaid_cloud_credit.controllers.portal import PrepaidPortal
from odoo.addons.prepaid_cloud_credit.ledger_storage import lock_rows

SERVICES_PER_PAGE = 50
# The renewal lengths the summary offers, per period.
QUANTITY_CHOICES = {"month": (1, 3, 6), "year": (1, 2, 3)}


class RenewalPortal(PrepaidPortal):
    """The customer's renewable services, their renewal and its payment."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "renewal_service_count" in counters:
            values["renewal_service_count"] = self._renewal_services_sudo().search_count(self._renewal_domain())
        return values

    def _renewal_services_sudo(self):
        # sudo: every query below is narrowed to the user's own customer by _renewal_domain.
        return request.env["prepaid.renewal.service"].sudo()

    def _renewal_domain(self):
        """The services of the logged-in user's customer, in the user's companies,
        even for a user who reads every service in the backend."""
        partner = own_commercial_partner()
        return [
            ("partner_id", "=", partner.id or 0),
            ("company_id", "in", request.env.user.company_ids.ids),
        ]

    def _renewal_searchbar(self):
        today = fields.Date.context_today(request.env.user)
        sortings = {
            "expiry": {"label": _("Expiry date"), "order": "expiry_date asc, id asc"},
            "expiry_desc": {"label": _("Expiry date (latest first)"), "order": "expiry_date desc, id desc"},
            "name": {"label": _("Name"), "order": "name asc, id asc"},
        }
        filters = {
            "all": {"label": _("All"), "domain": []},
            "expiring": {"label": _("Expiring"), "domain": [("state", "=", "expiring")]},
            "expired": {"label": _("Expired"), "domain": [("state", "in", ("grace", "suspended")),
                                                          ("expiry_date", "<", today)]},
            "active": {"label": _("Active"), "domain": [("state", "in", ("active", "expiring"))]},
            "awaiting": {"label": _("Awaiting payment"), "domain": [("awaiting_payment", "=", True)]},
        }
        return sortings, filters

    @http.route(["/my/services", "/my/services/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_services(self, page=1, sortby="expiry", filterby="all", select=None, **kw):
        """The services list: filters, sort by expiry, tick and renew."""
        sortings, filters = self._renewal_searchbar()
        sortby = sortby if sortby in sortings else "expiry"
        filterby = filterby if filterby in filters else "all"
        Service = self._renewal_services_sudo()
        domain = self._renewal_domain() + filters[filterby]["domain"]
        services, pager = self._prepaid_list_values(
            Service, domain, "/my/services", page, step=SERVICES_PER_PAGE, order=sortings[sortby]["order"],
            url_args={"sortby": sortby, "filterby": filterby},
        )
        return request.render("prepaid_cloud_credit_renewal.portal_my_services", {
            "page_name": "renewal_services",
            "services": services,
            "awaiting": services._awaiting_services(),
            "pager": pager,
            "searchbar_sortings": sortings,
            "sortby": sortby,
            "searchbar_filters": filters,
            "filterby": filterby,
            "default_url": "/my/services",
            "select_all": select == "all",
            # sudo: the customer's own saved cards, of providers that charge them off-session.
            "tokens": request.env["payment.token"].sudo().search([
                ("partner_id", "child_of", own_commercial_partner().id or 0),
                ("provider_id.allow_tokenization", "=", True),
            ]),
            "error": kw.get("error"),
            "message": kw.get("message"),
        })

    # ------------------------------------------------------------------
    # Summary and confirmation
    # ------------------------------------------------------------------

    def _renewal_selected(self):
        """The ticked services, only the customer's own: ids of others are dropped."""
        raw = request.httprequest.form.getlist("service_ids")
        ids = {int(value) for value in raw if isinstance(value, str) and value.isdigit() and len(value) < 12}
        if not ids:
            return self._renewal_services_sudo()
        return self._renewal_services_sudo().search(self._renewal_domain() + [("id", "in", list(ids))])

    def _renewal_choices(self, services):
        """The period and length chosen for each service; the service's own period by default.

        :raise ValidationError: on a choice the summary never offered
        """
        choices = {}
        for service in services:
            raw = request.httprequest.form.get(f"period_{service.id}")
            if not raw:
                choices[service] = (service.period, 1)
                continue
            period, _sep, quantity = str(raw).partition(":")
            allowed = service.product_id.product_tmpl_id._prepaid_renewal_periods()
            if period not in allowed or not quantity.isdigit() or int(quantity) not in QUANTITY_CHOICES[period]:
                raise ValidationError(_("Choose a renewal period offered for %(service)s.", service=service.name))
            choices[service] = (period, int(quantity))
        return choices

    @http.route("/my/services/renew", type="http", auth="user", methods=["POST"], website=True)
    def portal_services_renew(self, payment_method="credit", confirm=None, accept_terms=None, request_key=None,
                              **kw):
        """The summary of the ticked services (period, net, VAT, total, billing
        details, terms), then the confirmation: an order paid once."""
        services = self._renewal_selected()
        if not services:
            return request.redirect("/my/services?" + url_encode({"error": _("Tick the services to renew.")}))
        if len(services.company_id) > 1 or len(services.currency_id) > 1:
            return request.redirect("/my/services?" + url_encode(
                {"error": _("Renew together only services of one company and currency.")}))
        partner = services.partner_id
        Order = request.env["prepaid.renewal.order"].sudo()  # the services are the customer's own
        methods = Order._allowed_payment_methods(partner, services.company_id)
        payment_method = payment_method if payment_method in methods else methods[0]
        values = {
            "page_name": "renewal_summary",
            "services": services,
            "partner": partner,
            "payment_method": payment_method,
            "payment_methods": methods,
            "quantity_choices": QUANTITY_CHOICES,
            "wallet": request.env["prepaid.wallet"].sudo().search([
                ("partner_id", "=", partner.id), ("company_id", "=", services.company_id.id),
                ("currency_id", "=", services.currency_id.id)], limit=1),
            "request_key": request_key if isinstance(request_key, str) else "",
        }
        try:
            choices = self._renewal_choices(services)
            values["choices"] = choices
            if confirm:
                existing = Order._find_portal_request(partner, request_key)
                if existing:
                    return request.redirect(existing.get_portal_url())
                if not accept_terms:
                    raise ValidationError(_("Accept the terms of service to renew."))
                order = self._renewal_confirm(services, choices, payment_method, request_key, kw)
                if order is None:
                    # A parallel submission of the same form created it first.
                    found = Order._find_portal_request(partner, request_key)
                    return request.redirect(found.get_portal_url() if found else "/my/services")
                return request.redirect(order.get_portal_url())
            values["preview"] = Order._portal_preview(services, choices, payment_method)
        except (UserError, ValidationError) as error:
            values["error"] = error.args[0]
            values.setdefault("choices", {service: (service.period, 1) for service in services})
            try:
                values["preview"] = Order._portal_preview(services, values["choices"], payment_method)
            except (UserError, ValidationError):
                return request.redirect("/my/services?" + url_encode({"error": error.args[0]}))
        if not values["request_key"]:
            values["request_key"] = Order._new_portal_request_key()
        return request.render("prepaid_cloud_credit_renewal.portal_renewal_summary", values)

    def _renewal_confirm(self, services, choices, payment_method, request_key, extra):
        """Create and confirm the order, all or nothing: a credit payment that
        fails leaves no order and no movement behind.

        :param extra: the other form fields, for the hook of the order values
        """
        Order = request.env["prepaid.renewal.order"].sudo()  # the services are the customer's own
        kwargs = Order._portal_order_kwargs(extra)
        with request.env.cr.savepoint():
            order = Order._create_order(services, choices, payment_method, request_key=request_key, **kwargs)
            if order is None:
                return None
            order.terms_accepted_date = fields.Datetime.now()
            order._confirm()
        return order

    # ------------------------------------------------------------------
    # The order and its payment
    # ------------------------------------------------------------------

    @http.route(["/my/renewals", "/my/renewals/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_renewals(self, page=1, **kw):
        # sudo: narrowed to the user's own customer.
        Order = request.env["prepaid.renewal.order"].sudo()
        domain = [("partner_id", "=", own_commercial_partner().id or 0), ("state", "!=", "draft")]
        orders, pager = self._prepaid_list_values(Order, domain, "/my/renewals", page, step=SERVICES_PER_PAGE)
        return request.render("prepaid_cloud_credit_renewal.portal_my_renewals", {
            "page_name": "renewal_orders", "orders": orders, "pager": pager,
        })

    @http.route("/my/renewals/<int:order_id>", type="http", auth="public", website=True)
    def portal_renewal_page(self, order_id, access_token=None, **kw):
        """The order, for its customer or whoever holds its share link; only
        the customer gets the payment form."""
        order_sudo = own_record("prepaid.renewal.order", order_id, access_token)
        if order_sudo is None:
            return request.redirect("/my")
        values = self._prepaid_document_page_values(
            order_sudo, access_token, bool(order_sudo._payments_under_way()), self._renewal_payment_form_values,
        )
        values.update(page_name="renewal_order", order=order_sudo)
        return request.render("prepaid_cloud_credit_renewal.portal_renewal_page", values)

    def _renewal_payment_form_values(self, order_sudo, access_token):
        """The values of `payment.form` for what the order leaves to pay."""
        return self._prepaid_document_payment_form_values(
            order_sudo, order_sudo._amount_to_pay(), f"/my/renewals/{order_sudo.id}/transaction", access_token,
        )

    @http.route("/my/renewals/<int:order_id>/transaction", type="json", auth="user")
    def portal_renewal_transaction(self, order_id, access_token=None, **kwargs):
        """Create the payment transaction of an order (JSON, from `payment.form`).

        Only the customer of the order pays it, and only once. The amount,
        currency and partner come from the order, never from the browser.
        """
        order_sudo = own_record("prepaid.renewal.order", order_id)
        if order_sudo is None:
            raise ValidationError(_("You can only pay the renewals of your own account."))
        lock_rows(order_sudo)
        order_sudo._check_new_payment()
        custom = {"prepaid_renewal_order_id": order_sudo.id, "invoice_ids": [(6, 0, order_sudo.invoice_id.ids)]}
        tx_sudo = self._prepaid_create_document_transaction(
            order_sudo._amount_to_pay(), order_sudo.currency_id, request.env.user.partner_id, custom, kwargs,
        )
        order_sudo._payment_started()
        return tx_sudo._get_processing_values()

    @http.route("/my/services/<int:service_id>/auto_renew", type="http", auth="user", methods=["POST"],
                website=True)
    def portal_service_auto_renew(self, service_id, enabled=None, token_id=None, use_credit=None, **kw):
        """Turn the automatic renewal of one of the customer's services on or off."""
        service = self._renewal_services_sudo().search(self._renewal_domain() + [("id", "=", service_id)])
        if not service:
            return request.redirect("/my")
        vals = {"auto_renew": bool(enabled), "auto_renew_use_credit": bool(use_credit)}
        if enabled:
            # sudo: the token is checked to be the customer's own right below.
            token = request.env["payment.token"].sudo().browse(
                int(token_id) if isinstance(token_id, str) and token_id.isdigit() and len(token_id) < 12 else 0
            ).exists()
            if token and token.partner_id.commercial_partner_id != service.partner_id:
                return request.redirect("/my/services?" + url_encode(
                    {"error": _("Choose one of your own saved cards.")}))
            if not token and not use_credit:
                return request.redirect("/my/services?" + url_encode(
                    {"error": _("Choose a saved card or allow the prepaid credit for the automatic renewal.")}))
            if service.expiry_date < fields.Date.context_today(service):
                return request.redirect("/my/services?" + url_encode(
                    {"error": _("An expired service is renewed by hand.")}))
            vals["payment_token_id"] = token.id or False
        try:
            service.write(vals)
        except (UserError, ValidationError) as error:
            return request.redirect("/my/services?" + url_encode({"error": error.args[0]}))
        return request.redirect("/my/services?" + url_encode({"message": _("Automatic renewal saved.")}))

    # ------------------------------------------------------------------
    # Automatic top-up
    # ------------------------------------------------------------------

    def _topup_redirect(self, message=None, error=None):
        return request.redirect("/my/wallet/topup?" + url_encode(
            {"message": message} if message else {"error": error}))

    def _topup_own_rule(self, rule_id):
        """The rule (sudo) if it tops up one of the customer's own wallets, else None."""
        rule_sudo = request.env["prepaid.topup.rule"].sudo().browse(rule_id).exists()
        if rule_sudo and rule_sudo.wallet_id in self._prepaid_wallets():
            return rule_sudo
        return None

    @http.route("/my/wallet/topup", type="http", auth="user", website=True)
    def portal_wallet_topup(self, edit=None, **kw):
        """The automatic top-ups of the customer's wallets: add, change, pause, resume, remove."""
        wallets_sudo = self._prepaid_wallets().sudo()
        editing = self._topup_own_rule(int(edit)) if isinstance(edit, str) and edit.isdigit() and len(edit) < 12 \
            else None
        return request.render("prepaid_cloud_credit_renewal.portal_wallet_topup", {
            "page_name": "prepaid_topup",
            "wallets": wallets_sudo,
            "editing": editing,
            # sudo: the customer's own saved cards, of providers that charge them off-session.
            "tokens": request.env["payment.token"].sudo().search([
                ("partner_id", "child_of", own_commercial_partner().id or 0),
                ("provider_id.allow_tokenization", "=", True),
            ]),
            "error": kw.get("error"),
            "message": kw.get("message"),
        })

    @http.route("/my/wallet/topup/save", type="http", auth="user", methods=["POST"], website=True)
    def portal_wallet_topup_save(self, wallet_id=None, rule_id=None, **kw):
        """Add an automatic top-up to one of the customer's wallets, or change one of theirs."""
        wallet_sudo = self._prepaid_wallet_or_redirect(
            int(wallet_id) if isinstance(wallet_id, str) and wallet_id.isdigit() and len(wallet_id) < 12 else 0)
        if wallet_sudo is None:
            return self._topup_redirect(error=_("Choose one of your own wallets."))
        rule_sudo = None
        if rule_id:
            rule_sudo = self._topup_own_rule(
                int(rule_id) if isinstance(rule_id, str) and rule_id.isdigit() and len(rule_id) < 12 else 0)
            if rule_sudo is None or rule_sudo.wallet_id != wallet_sudo:
                return self._topup_redirect(error=_("This automatic top-up is not one of yours."))
        Rule = request.env["prepaid.topup.rule"].sudo()
        try:
            with request.env.cr.savepoint():
                vals = Rule._portal_values(wallet_sudo, kw)
                if rule_sudo:
                    rule_sudo.write(vals)
                else:
                    Rule.create({**vals, "wallet_id": wallet_sudo.id})
        except (UserError, ValidationError) as error:
            return self._topup_redirect(error=error.args[0])
        return self._topup_redirect(message=_("Automatic top-up saved."))

    @http.route("/my/wallet/topup/<int:rule_id>/<string:action>", type="http", auth="user", methods=["POST"],
                website=True)
    def portal_wallet_topup_action(self, rule_id, action, **kw):
        """Pause, resume or remove one of the customer's automatic top-ups."""
        rule_sudo = self._topup_own_rule(rule_id)
        if rule_sudo is None or action not in ("pause", "resume", "delete"):
            return self._topup_redirect(error=_("This automatic top-up is not one of yours."))
        try:
            with request.env.cr.savepoint():
                if action == "pause":
                    rule_sudo.action_pause()
                elif action == "resume":
                    rule_sudo.action_resume()
                else:
                    # Archived, not deleted: its top-ups and their recharges stay in its history.
                    rule_sudo.action_archive()
        except (UserError, ValidationError) as error:
            return self._topup_redirect(error=error.args[0])
        messages = {
            "pause": _("Automatic top-up paused."),
            "resume": _("Automatic top-up resumed."),
            "delete": _("Automatic top-up removed."),
        }
        return self._topup_redirect(message=messages[action])
