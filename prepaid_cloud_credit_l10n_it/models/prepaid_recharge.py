# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)


class PrepaidRecharge(models.Model):
    _name = "prepaid.recharge"
    _inherit = ["prepaid.recharge", "prepaid.pa.document.mixin"]

    l10n_it_split_payment = fields.Boolean(
        "Split payment", compute="_compute_l10n_it_split_payment",
        help="The customer pays the net amount; it pays the VAT to the State itself.",
    )
    l10n_it_split_vat_amount = fields.Monetary(
        "VAT paid by the customer to the State", compute="_compute_l10n_it_split_payment",
    )

    @api.depends("wallet_id", "amount")
    def _compute_l10n_it_split_payment(self):
        for recharge in self:
            split = bool(recharge.wallet_id) and self._prepaid_l10n_it_split_payment(recharge.wallet_id)
            recharge.l10n_it_split_payment = split
            vat = 0.0
            if split:
                taxes = recharge.wallet_id._prepaid_taxes()
                result = taxes.compute_all(recharge.amount, currency=recharge.currency_id, partner=recharge.partner_id)
                # The VAT due, without the line that leaves it to the State.
                vat = sum(tax["amount"] for tax in result["taxes"] if tax["amount"] > 0)
            recharge.l10n_it_split_vat_amount = vat

    # ------------------------------------------------------------------
    # Who is a public administration
    # ------------------------------------------------------------------

    @api.model
    def _prepaid_l10n_it_split_payment(self, wallet):
        """Whether the VAT of this wallet's recharges is under split payment."""
        if wallet.company_id.account_fiscal_country_id.code != "IT":
            return False
        taxes = wallet._prepaid_taxes().flatten_taxes_hierarchy()
        return any(tax._l10n_it_is_split_payment() for tax in taxes)

    @api.model
    def _prepaid_l10n_it_is_public_administration(self, wallet):
        """Whether the customer of ``wallet`` is an Italian public
        administration: an office code of 6 characters, or split payment."""
        # sudo: the customer confirming a recharge reads its own partner and taxes.
        wallet = wallet.sudo()
        partner = wallet.partner_id.commercial_partner_id
        return partner._l10n_it_edi_is_public_administration() or self._prepaid_l10n_it_split_payment(wallet)

    # ------------------------------------------------------------------
    # Portal form
    # ------------------------------------------------------------------

    @api.model
    def _prepaid_portal_extra_fields(self, wallet):
        """Override of the core: a public administration gives its CIG, CUP and office code."""
        fields_ = super()._prepaid_portal_extra_fields(wallet)
        if self._prepaid_l10n_it_is_public_administration(wallet):
            fields_ = [*fields_, "l10n_it_cig", "l10n_it_cup", "l10n_it_office_code"]
        return fields_

    @api.model
    def _prepaid_check_portal_extra(self, wallet, payment_method, extra):
        """Override of the core to check the public administration fields:
        a CIG of 10 and an office code of 6 letters or digits, a CUP of 15
        when given, and a bank transfer; nobody else gives them."""
        public_administration = self._prepaid_l10n_it_is_public_administration(wallet)
        if public_administration and payment_method != "bank_transfer":
            raise ValidationError(_("Public administrations pay by bank transfer."))
        self._prepaid_l10n_it_check_pa_values(
            public_administration, extra.get("l10n_it_cig"), extra.get("l10n_it_cup"), extra.get("l10n_it_office_code")
        )
        return super()._prepaid_check_portal_extra(wallet, payment_method, extra)

    @api.model
    def _prepare_recharge_vals(self, wallet, amount, payment_method="online", l10n_it_cig=None, l10n_it_cup=None,
                               l10n_it_office_code=None, **kwargs):
        """Override of the core to keep the public administration fields on the recharge."""
        vals = super()._prepare_recharge_vals(wallet, amount, payment_method, **kwargs)
        vals.update(self._prepaid_l10n_it_pa_codes_vals(l10n_it_cig, l10n_it_cup, l10n_it_office_code))
        return vals

    def _prepaid_check_new_payment(self):
        """Override of the core: a public administration pays by bank transfer only."""
        self.ensure_one()
        if self._prepaid_l10n_it_is_public_administration(self.wallet_id):
            raise ValidationError(_("Public administrations pay by bank transfer."))
        return super()._prepaid_check_new_payment()

    # ------------------------------------------------------------------
    # Invoice
    # ------------------------------------------------------------------

    def _prepare_invoice_vals(self):
        """Override of the core: the invoice of a public administration names
        the recharge as its purchase order, with the CIG, CUP and office code."""
        vals = super()._prepare_invoice_vals()
        vals.update(self._prepaid_l10n_it_origin_document_vals())
        return vals

    def _on_invoice_posted(self, invoice):
        """Override of the core to send the recharge invoice to the SdI, then
        its PDF copy to the customer by e-mail.

        Sent when the company asks for it and the FatturaPA sending is
        installed; a failure is recorded on the invoice and never stops the
        credit.
        """
        super()._on_invoice_posted(invoice)
        company = invoice.company_id
        if (
            not company.prepaid_l10n_it_auto_send
            or company.account_fiscal_country_id.code != "IT"
            or not hasattr(invoice, "_l10n_it_fatturapa_send")
        ):
            return
        self._prepaid_l10n_it_send_to_sdi(invoice)
        self._prepaid_l10n_it_send_pdf_copy(invoice)

    def _prepaid_l10n_it_send_to_sdi(self, invoice):
        """Send ``invoice`` to the SdI; a failure is recorded on it, never raised."""
        try:
            with self.env.cr.savepoint():
                invoice._l10n_it_fatturapa_send()
        except Exception as error:  # noqa: BLE001 - any failure of the sending must leave the credit alone
            _logger.warning("Sending recharge invoice %s to the SdI failed: %s", invoice.name, error)
            message = _("Automatic sending to the SdI failed: %(error)s", error=str(error) or repr(error))
            invoice.prepaid_l10n_it_send_error = message
            invoice.message_post(body=message)

    def _prepaid_l10n_it_send_pdf_copy(self, invoice):
        """E-mail the PDF copy of ``invoice`` to the customer through Odoo's
        invoice sending (``account.move.send``), by e-mail only: the FatturaPA
        went to the SdI already. The e-mail, PDF attached, goes to the mail
        queue; a failure is recorded in the invoice's chatter and never stops
        the credit."""
        # sudo: the payer (a portal user, a payment callback) has no invoicing rights.
        # The e-mail waits in the mail queue: the payment never waits for the SMTP server.
        invoice = invoice.sudo().with_context(mail_notify_force_send=False)
        if invoice.is_move_sent or not invoice.partner_id.email:
            return
        try:
            with self.env.cr.savepoint():
                self.env["account.move.send"].sudo()._generate_and_send_invoices(
                    invoice, sending_methods={"email"}, extra_edis=set(), invoice_edi_format=None,
                )
        except Exception as error:  # noqa: BLE001 - the copy must leave the credit alone
            _logger.warning("E-mailing the PDF copy of recharge invoice %s failed: %s", invoice.name, error)
            invoice.message_post(body=_(
                "The PDF copy could not be e-mailed to the customer: %(error)s", error=str(error) or repr(error),
            ))
