# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json
from datetime import timedelta

from werkzeug.urls import url_encode

from odoo import _, fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import float_repr

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.prepaid_cloud_credit.controllers.ownership import (
    own_commercial_partner,
    own_record,
    own_search_domain,
    readable_count,
)
from odoo.addons.prepaid_cloud_credit.parsing import has_forbidden_characters, parse_whole, shown

from ..models.prepaid_domain_price import DOMAIN_OPERATIONS, MAX_DOMAIN_YEARS

# Days before expiry from which a domain is listed as expiring.
EXPIRING_DAYS = 30


class PrepaidDomainsPortal(CustomerPortal):
    """The customer's domains, their renewal, and the domain price list."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "prepaid_domain_count" in counters:
            values["prepaid_domain_count"] = readable_count(
                request.env["prepaid.domain"], self._get_portal_domains_domain()
            )
        return values

    def _get_portal_domains_domain(self):
        """Hook: the domains listed on the portal: the customer's own, even
        for a user who reads every domain in the backend."""
        return own_search_domain() + [("state", "!=", "cancelled")]

    def _get_domains_searchbar_filters(self):
        today = fields.Date.context_today(request.env.user)
        return {
            "all": {"label": _("All"), "domain": []},
            "active": {"label": _("Active"), "domain": [("state", "=", "active"), ("expiry_date", ">=", today)]},
            "expiring": {"label": _("Expiring"), "domain": [
                ("state", "=", "active"), ("expiry_date", ">=", today),
                ("expiry_date", "<=", today + timedelta(days=EXPIRING_DAYS)),
            ]},
            "expired": {"label": _("Expired"), "domain": [("is_expired", "=", True)]},
            "draft": {"label": _("Not registered"), "domain": [("state", "=", "draft")]},
        }

    def _get_domains_searchbar_sortings(self):
        return {
            "expiry": {"label": _("Expiry date"), "order": "expiry_date, name"},
            "name": {"label": _("Name"), "order": "name"},
        }

    @http.route(["/my/domains", "/my/domains/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_domains(self, page=1, sortby=None, filterby=None, **kwargs):
        Domain = request.env["prepaid.domain"]
        filters = self._get_domains_searchbar_filters()
        sortings = self._get_domains_searchbar_sortings()
        filterby = filterby if filterby in filters else "all"
        sortby = sortby if sortby in sortings else "expiry"
        domain = self._get_portal_domains_domain() + filters[filterby]["domain"]
        total = Domain.search_count(domain)
        pager = portal_pager(
            url="/my/domains",
            url_args={"sortby": sortby, "filterby": filterby},
            total=total,
            page=page,
            step=self._items_per_page,
        )
        domains = Domain.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_prepaid_domains_history"] = domains.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "prepaid_domains",
            "domains": domains,
            "pager": pager,
            "default_url": "/my/domains",
            "searchbar_sortings": sortings,
            "sortby": sortby,
            "searchbar_filters": filters,
            "filterby": filterby,
            "error": kwargs.get("error"),
            "success": kwargs.get("success"),
            "year_options": range(1, MAX_DOMAIN_YEARS + 1),
        })
        return request.render("prepaid_cloud_credit_domain.portal_my_domains", values)

    @http.route("/my/domains/<int:domain_id>", type="http", auth="user", website=True)
    def portal_my_domain(self, domain_id, access_token=None, **kwargs):
        domain_sudo = own_record("prepaid.domain", domain_id, access_token)
        if domain_sudo is None:
            return request.redirect("/my")
        renew_prices = []
        for years in range(1, MAX_DOMAIN_YEARS + 1):
            try:
                price = request.env["prepaid.domain.price"]._get_domain_price(
                    domain_sudo.wallet_id, domain_sudo.tld_id, "renew", years
                )[0]
            except UserError:
                continue
            renew_prices.append((years, price))
        renewable = True
        try:
            domain_sudo._check_operation_allowed("renew", 1)
        except UserError:
            renewable = False
        values = {
            "page_name": "prepaid_domain",
            "domain": domain_sudo,
            "renew_prices": renew_prices,
            "renewable": renewable,
            "operations": domain_sudo.operation_ids,
            "error": kwargs.get("error"),
            "success": kwargs.get("success"),
        }
        values = self._get_page_view_values(
            domain_sudo, access_token, values, "my_prepaid_domains_history", False
        )
        return request.render("prepaid_cloud_credit_domain.portal_my_domain", values)

    def _portal_operation_key(self, domain, seen_expiry):
        """The key of a renewal from the expiry date the form showed: a second
        submission of the same form (double click, back button) renews once."""
        try:
            seen = fields.Date.to_date(seen_expiry) if seen_expiry else None
        except (TypeError, ValueError):
            seen = None
        return domain._get_operation_key("renew", seen) if seen else None

    @http.route("/my/domains/<int:domain_id>/renew", type="http", auth="user", website=True, methods=["POST"])
    def portal_renew_domain(self, domain_id, years=None, expiry=None, **kwargs):
        """Renew one of the customer's own domains from its wallet.

        No access token here: money moves only for the domain's own customer.
        """
        domain = own_record("prepaid.domain", domain_id)
        if domain is None:
            return request.redirect("/my")
        try:
            years = parse_whole(years, _("The number of years"))
        except ValidationError:
            years = 0
        try:
            # The customer's own domain (sudo, checked above); the ledger and
            # the domain dates are written by the domain service.
            domain._execute_operation("renew", years, self._portal_operation_key(domain, expiry))
        except (UserError, ValidationError) as error:
            return request.redirect(f"/my/domains/{domain.id}?" + url_encode({"error": error.args[0]}))
        return request.redirect(f"/my/domains/{domain.id}?" + url_encode({"success": _("Domain renewed.")}))

    @http.route("/my/domains/renew", type="http", auth="user", website=True, methods=["POST"])
    def portal_renew_domains(self, years=None, **kwargs):
        """Renew several of the customer's domains at once (ticked in the list).

        All or nothing: one refused renewal (short credit, a domain past its
        grace period, a domain of someone else) renews none.
        """
        try:
            years = parse_whole(years, _("The number of years"))
            ids = [parse_whole(value, _("The domain")) for value in request.httprequest.form.getlist("domain_ids")]
        except ValidationError:
            return request.redirect("/my/domains?" + url_encode({"error": _("Choose the domains and the years.")}))
        domains = [own_record("prepaid.domain", domain_id) for domain_id in dict.fromkeys(ids)]
        if not ids or any(domain is None for domain in domains):
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                for domain in domains:
                    # The customer's own domains (sudo, checked above).
                    key = self._portal_operation_key(domain, kwargs.get(f"expiry_{domain.id}"))
                    domain._execute_operation("renew", years, key)
        except (UserError, ValidationError) as error:
            return request.redirect("/my/domains?" + url_encode({"error": error.args[0]}))
        return request.redirect("/my/domains?" + url_encode(
            {"success": _("%(count)s domain(s) renewed.", count=len(domains))}
        ))

    # ------------------------------------------------------------------
    # Price list
    # ------------------------------------------------------------------

    def _prepaid_pricing_context(self, partner, currency=None):
        """The company, currency, plan and wallet that price ``partner``."""
        company = request.env.company
        # The customer's wallet may be read by its own user only through the
        # portal rules; the integration asks for any customer's prices.
        wallets = request.env["prepaid.wallet"].sudo().search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        if currency is None:
            currency = wallets.currency_id[:1] if len(wallets) == 1 else company.currency_id
        wallet = wallets.filtered(lambda w: w.currency_id == currency)[:1]
        plan = wallet._get_pricing_plan() if wallet else request.env["prepaid.plan"]
        return company, currency, plan, wallet

    @http.route("/my/domain-prices", type="http", auth="user", website=True)
    def portal_my_domain_prices(self, years=1, currency=None, **kwargs):
        try:
            years = min(max(parse_whole(years, _("The number of years")), 1), MAX_DOMAIN_YEARS)
        except ValidationError:
            years = 1
        partner = own_commercial_partner()
        currency_rec = None
        if isinstance(currency, str) and currency and not has_forbidden_characters(currency):
            currency_rec = request.env["res.currency"].search([("name", "=", currency.upper())], limit=1) or None
        company, currency_rec, plan, _wallet = self._prepaid_pricing_context(partner, currency_rec)
        matrix = request.env["prepaid.domain.price"]._get_price_matrix(company, currency_rec, plan)
        rows = []
        for tld in sorted(matrix, key=lambda t: (t.sequence, t.name)):
            cells = {}
            for operation, _label in DOMAIN_OPERATIONS:
                price, list_price = matrix[tld].get(operation, {}).get(years, (None, None))
                cells[operation] = {"price": price, "list_price": list_price}
            rows.append({"tld": tld, "cells": cells})
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "prepaid_domain_prices",
            "rows": rows,
            # the selection's labels in the customer's language, not the English constant
            "operations": request.env["prepaid.domain.price"]._fields["operation"]._description_selection(request.env),
            "years": years,
            "year_options": range(1, MAX_DOMAIN_YEARS + 1),
            "plan": plan,
            "currency": currency_rec,
        })
        return request.render("prepaid_cloud_credit_domain.portal_my_domain_prices", values)

    # ------------------------------------------------------------------
    # JSON price list for the hosting bridge (WHMCS GetTLDPricing shape)
    # ------------------------------------------------------------------

    def _json_response(self, payload, status=200):
        return request.make_response(
            json.dumps(payload), headers=[("Content-Type", "application/json")], status=status
        )

    @http.route("/prepaid/api/tld-pricing", type="http", auth="bearer", methods=["GET", "POST"], csrf=False)
    def api_tld_pricing(self, clientid=None, currency=None, **kwargs):
        """The TLD prices of a customer, shaped like WHMCS ``GetTLDPricing``.

        Authenticated by an API key (``Authorization: Bearer <key>``). A
        customer gets its own prices; only prepaid managers and integration
        users may ask for another customer with ``clientid``.

        :param clientid: optional id of the customer (res.partner)
        :param currency: optional ISO code; the customer's wallet currency by default
        """
        user = request.env.user
        own = user.partner_id.commercial_partner_id
        partner = own
        if clientid not in (None, ""):
            try:
                # Any id may be asked for; the group check below decides who gets an answer.
                partner = request.env["res.partner"].sudo().browse(
                    parse_whole(clientid, _("The client id"))
                ).exists().commercial_partner_id
            except ValidationError:
                partner = None
            trusted = any(
                user.has_group(f"prepaid_cloud_credit.{group}")
                for group in ("group_prepaid_integration", "group_prepaid_manager")
            )
            if partner != own and not trusted:
                return self._json_response(
                    {"result": "error", "message": _("You may only read your own prices.")}, status=403
                )
            if not partner:
                return self._json_response({"result": "error", "message": _("Unknown client.")}, status=404)
        currency_rec = None
        if currency:
            code = str(currency)
            currency_rec = not has_forbidden_characters(code) and request.env["res.currency"].search(
                [("name", "=", code.upper())], limit=1
            )
            if not currency_rec:
                return self._json_response(
                    {"result": "error", "message": _("Unknown currency %(code)s.", code=shown(currency))}, status=400
                )
        company, currency_rec, plan, _wallet = self._prepaid_pricing_context(partner, currency_rec)
        matrix = request.env["prepaid.domain.price"]._get_price_matrix(company, currency_rec, plan)
        return self._json_response(self._prepare_tld_pricing(currency_rec, plan, matrix))

    def _prepare_tld_pricing(self, currency, plan, matrix):
        """Hook: the ``GetTLDPricing`` payload."""
        digits = currency.decimal_places
        pricing = {}
        for tld in sorted(matrix, key=lambda t: t.name):
            by_operation = matrix[tld]
            entry = {"categories": [], "addons": {}, "group": ""}
            for operation in ("register", "transfer", "renew", "restore"):
                entry[operation] = {
                    str(years): float_repr(price, digits)
                    for years, (price, _list_price) in sorted(by_operation.get(operation, {}).items())
                }
            entry["grace_period"] = {"days": tld.grace_days, "price": float_repr(0.0, digits)}
            restore = by_operation.get("restore", {}).get(1)
            entry["redemption_period"] = {"days": None, "price": float_repr(restore[0], digits)} if restore else None
            pricing[tld.name[1:]] = entry
        before = currency.position == "before"
        return {
            "result": "success",
            "currency": {
                "id": currency.id,
                "code": currency.name,
                "prefix": currency.symbol if before else "",
                "suffix": "" if before else f" {currency.symbol}",
                "format": "1",
                "rate": "1.00000",
            },
            "plan": {"code": plan.code, "name": plan.name} if plan else None,
            "pricing": pricing,
        }
