# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.prepaid_cloud_credit.controllers.ownership import own_commercial_partner
from odoo.addons.prepaid_cloud_credit.parsing import parse_whole


class PrepaidPlansPortal(CustomerPortal):
    """The "Prepaid plans" page: the customer buys its first or a higher plan."""

    def _prepaid_portal_wallets(self):
        """The customer's wallets in the current company (record rules limit
        a portal user to its commercial partner's)."""
        partner = own_commercial_partner()
        return request.env["prepaid.wallet"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", request.env.company.id)]
        )

    def _prepare_plans_values(self, **kwargs):
        wallets = self._prepaid_portal_wallets()
        plans = request.env["prepaid.plan"].search([])
        # Customers with a wallet buy in its currency; others in any currency a plan is sold in.
        currencies = wallets.currency_id or plans.entry_ids.currency_id.filtered("active")
        offers = []
        for plan in plans:
            for currency in currencies:
                entry = plan.entry_ids.filtered(lambda e, c=currency: e.currency_id == c)[:1]
                if not entry:
                    continue
                wallet = wallets.filtered(lambda w, c=currency: w.currency_id == c)[:1]
                current = wallet.plan_id
                offers.append({
                    "plan": plan,
                    "currency": currency,
                    "amount": entry.amount,
                    "status": "current" if plan == current else ("buy" if plan._is_higher_than(current) else "lower"),
                })
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "prepaid_plans",
            "plans": plans,
            "wallets": wallets,
            "offers": offers,
            "error": kwargs.get("error"),
        })
        return values

    @http.route("/my/plans", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_plans(self, **kwargs):
        return request.render("prepaid_cloud_credit_plan.portal_my_plans", self._prepare_plans_values(**kwargs))

    @http.route("/my/plans/buy", type="http", auth="user", website=True, methods=["POST"])
    def portal_buy_plan(self, plan_id=None, currency_id=None, **kwargs):
        """Order a plan for the customer's own wallet: a confirmed recharge of
        the plan price, paid on its page. An order of the same plan still
        awaiting payment is shown again instead of a second one."""
        try:
            plan = request.env["prepaid.plan"].browse(parse_whole(plan_id, _("The plan"))).exists()
            currency = request.env["res.currency"].browse(parse_whole(currency_id, _("The currency"))).exists()
        except ValidationError:
            plan = currency = None
        if not plan or not currency or not currency.active:
            return request.redirect("/my/plans?" + url_encode({"error": _("Choose a plan and a currency.")}))
        partner = own_commercial_partner()
        # The wallet of the user's own commercial partner, whatever its record rules allow.
        wallet = request.env["prepaid.wallet"].sudo().search([
            ("partner_id", "=", partner.id),
            ("company_id", "=", request.env.company.id),
            ("currency_id", "=", currency.id),
        ], limit=1)
        pending = wallet.recharge_ids.filtered(lambda r: r.plan_id == plan and r.state == "awaiting")[:1]
        if pending:
            return request.redirect(pending.access_url)
        try:
            # A refused order (no invoice product, bad amount) leaves no wallet or recharge behind.
            with request.env.cr.savepoint():
                recharge = self._create_plan_recharge(wallet, partner, plan, currency)
        except (UserError, ValidationError) as error:
            return request.redirect("/my/plans?" + url_encode({"error": error.args[0]}))
        return request.redirect(recharge.access_url)

    def _create_plan_recharge(self, wallet, partner, plan, currency):
        """Create the customer's wallet if needed, then the confirmed plan recharge.

        :param wallet: the customer's wallet in ``currency`` (sudo), or empty
        :return: the recharge (sudo)
        """
        if not wallet:
            plan._get_entry_amount(currency)
            # Customers cannot create wallets; a plan prices domains, so its
            # wallet pays every product.
            wallet = request.env["prepaid.wallet"].sudo().create({
                "partner_id": partner.id,
                "company_id": request.env.company.id,
                "currency_id": currency.id,
                "scope": "all",
            })
        # Customers cannot create recharges; the amount is the plan's, never the form's.
        Recharge = request.env["prepaid.recharge"].sudo()
        recharge = Recharge.create(Recharge._prepare_plan_recharge_vals(wallet, plan))
        recharge.action_confirm()
        return recharge
