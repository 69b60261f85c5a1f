# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import api, models

from odoo.addons.prepaid_cloud_credit_l10n_it.models.prepaid_pa_document_mixin import PA_FIELDS, pa_form_values


class PrepaidRenewalOrder(models.Model):
    _name = "prepaid.renewal.order"
    _inherit = ["prepaid.renewal.order", "prepaid.pa.document.mixin"]

    # ------------------------------------------------------------------
    # Who is a public administration
    # ------------------------------------------------------------------

    @api.model
    def _prepaid_l10n_it_is_public_administration(self, partner, company):
        """Whether ``partner`` is an Italian public administration for
        ``company``, as the recharge glue decides it (an office code of 6
        characters, or split payment), on the customer's wallet.

        :param partner: the customer (its commercial partner is used)
        :param company: the company selling the renewal
        """
        if not partner or not company:
            return False
        partner = partner.commercial_partner_id
        # sudo: the customer renewing reads its own wallet, partner and taxes.
        Wallet = self.env["prepaid.wallet"].sudo()
        wallet = Wallet.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1)
        if not wallet:
            # A customer without a wallet yet is judged on the same data.
            wallet = Wallet.new({"partner_id": partner.id, "company_id": company.id,
                                 "currency_id": company.currency_id.id})
        return self.env["prepaid.recharge"]._prepaid_l10n_it_is_public_administration(wallet)

    # ------------------------------------------------------------------
    # Building an order
    # ------------------------------------------------------------------

    @api.model
    def _allowed_payment_methods(self, partner, company):
        """Override of `prepaid_cloud_credit_renewal`: public administrations
        pay by bank transfer only."""
        methods = super()._allowed_payment_methods(partner, company)
        if self._prepaid_l10n_it_is_public_administration(partner, company):
            return [method for method in methods if method == "bank_transfer"]
        return methods

    @api.model
    def _portal_order_kwargs(self, form):
        """Override of `prepaid_cloud_credit_renewal` to read the CIG, the CUP
        and the office code of the summary form."""
        kwargs = super()._portal_order_kwargs(form)
        kwargs.update(pa_form_values(form))
        return kwargs

    @api.model
    def _create_order(self, services, choices=None, payment_method="credit", request_key=None, **kwargs):
        """Override of `prepaid_cloud_credit_renewal`: a public administration
        gives a CIG, an office code and maybe a CUP, checked before anything
        is written; nobody else gives them."""
        partner, company = services.partner_id, services.company_id
        if len(partner) == 1 and len(company) == 1:
            self._prepaid_l10n_it_check_pa_values(
                self._prepaid_l10n_it_is_public_administration(partner, company),
                *(kwargs.get(name) for name in PA_FIELDS),
            )
        return super()._create_order(services, choices, payment_method, request_key, **kwargs)

    @api.model
    def _prepare_order_vals(self, partner, company, currency, payment_method, l10n_it_cig=None, l10n_it_cup=None,
                            l10n_it_office_code=None, **kwargs):
        """Override of `prepaid_cloud_credit_renewal` to keep the public
        administration's codes on the order."""
        vals = super()._prepare_order_vals(partner, company, currency, payment_method, **kwargs)
        vals.update(self._prepaid_l10n_it_pa_codes_vals(l10n_it_cig, l10n_it_cup, l10n_it_office_code))
        return vals

    # ------------------------------------------------------------------
    # Invoice
    # ------------------------------------------------------------------

    def _prepare_invoice_vals(self):
        """Override of `prepaid_cloud_credit_renewal`: the invoice of a public
        administration names the order as its purchase order, with the CIG,
        the CUP and the office code, as the recharge glue does."""
        vals = super()._prepare_invoice_vals()
        vals.update(self._prepaid_l10n_it_origin_document_vals())
        return vals
