# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

# CIG (Codice Identificativo Gara): 10 letters or digits.
_CIG = re.compile(r"[A-Z0-9]{10}")
# CUP (Codice Unico di Progetto): 15 letters or digits.
_CUP = re.compile(r"[A-Z0-9]{15}")
# Office code (Codice Univoco Ufficio) of a public administration: 6 letters or digits.
_OFFICE_CODE = re.compile(r"[A-Z0-9]{6}")


class PrepaidRecharge(models.Model):
    _inherit = "prepaid.recharge"

    l10n_it_cig = fields.Char("CIG", size=10, readonly=True, copy=False, help="Tender unique identifier")
    l10n_it_cup = fields.Char("CUP", size=15, readonly=True, copy=False, help="Public investment unique identifier")
    l10n_it_office_code = fields.Char(
        "Office code", size=6, readonly=True, copy=False,
        help="The Codice Univoco Ufficio of the public administration the invoice goes to.",
    )
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
        pa_values = {name: extra.get(name) for name in ("l10n_it_cig", "l10n_it_cup", "l10n_it_office_code")}
        if not self._prepaid_l10n_it_is_public_administration(wallet):
            if any(pa_values.values()):
                raise ValidationError(_(
                    "CIG, CUP and office code are for public administrations only; leave them empty."
                ))
            return super()._prepaid_check_portal_extra(wallet, payment_method, extra)
        if payment_method != "bank_transfer":
            raise ValidationError(_("Public administrations pay by bank transfer."))
        self._prepaid_l10n_it_check_pa_codes(
            pa_values["l10n_it_cig"], pa_values["l10n_it_cup"], pa_values["l10n_it_office_code"]
        )
        return super()._prepaid_check_portal_extra(wallet, payment_method, extra)

    @api.model
    def _prepaid_l10n_it_check_pa_codes(self, cig, cup, office_code):
        """Check the codes a public administration gives with a purchase: a
        CIG of 10 and an office code of 6 letters or digits, a CUP of 15 when
        given (letter case ignored).

        :raise ValidationError: naming the first code that is wrong
        """
        cig = (cig or "").strip().upper() if isinstance(cig, str) else ""
        if not _CIG.fullmatch(cig):
            raise ValidationError(_("The CIG must be 10 letters or digits."))
        cup = (cup or "").strip().upper() if isinstance(cup, str) else ""
        if cup and not _CUP.fullmatch(cup):
            raise ValidationError(_("The CUP must be 15 letters or digits."))
        office = (office_code or "").strip().upper() if isinstance(office_code, str) else ""
        if not _OFFICE_CODE.fullmatch(office):
            raise ValidationError(_("The office code (Codice Univoco Ufficio) must be 6 letters or digits."))

    @api.model
    def _prepare_recharge_vals(self, wallet, amount, payment_method="online", l10n_it_cig=None, l10n_it_cup=None,
                               l10n_it_office_code=None, **kwargs):
        """Override of the core to keep the public administration fields on the recharge."""
        vals = super()._prepare_recharge_vals(wallet, amount, payment_method, **kwargs)
        vals.update(self._prepaid_l10n_it_pa_codes_vals(l10n_it_cig, l10n_it_cup, l10n_it_office_code))
        return vals

    @api.model
    def _prepaid_l10n_it_pa_codes_vals(self, cig, cup, office_code):
        """The values that keep the codes a public administration gave on the
        document it buys with (a recharge, a renewal order): the codes given,
        stripped and in capitals, under the fields ``l10n_it_cig``,
        ``l10n_it_cup`` and ``l10n_it_office_code``.

        :return: dict of field name to code, without the codes not given
        """
        codes = (("l10n_it_cig", cig), ("l10n_it_cup", cup), ("l10n_it_office_code", office_code))
        return {name: value.strip().upper() for name, value in codes if value}

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
        vals.update(self._prepaid_l10n_it_origin_document_vals(self))
        return vals

    @api.model
    def _prepaid_l10n_it_origin_document_vals(self, document):
        """The invoice values that name ``document`` (a recharge, a renewal
        order) as the purchase order of a public administration, with its
        CIG, CUP and office code.

        :param document: one record with a ``name``, a ``create_date`` and the
            fields ``l10n_it_cig``, ``l10n_it_cup`` and ``l10n_it_office_code``
        :return: dict of invoice values, empty when the document carries
            neither a CIG nor an office code
        """
        if not (document.l10n_it_cig or document.l10n_it_office_code):
            return {}
        return {
            "l10n_it_origin_document_type": "purchase_order",
            "l10n_it_origin_document_name": document.name,
            "l10n_it_origin_document_date": fields.Date.context_today(document, document.create_date),
            "l10n_it_cig": document.l10n_it_cig or False,
            "l10n_it_cup": document.l10n_it_cup or False,
            "prepaid_l10n_it_office_code": document.l10n_it_office_code or False,
        }

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
