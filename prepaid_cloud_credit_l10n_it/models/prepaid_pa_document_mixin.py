# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.prepaid_cloud_credit.parsing import has_forbidden_characters

# The fields of the codes, and the names of the portal forms' inputs.
PA_FIELDS = ("l10n_it_cig", "l10n_it_cup", "l10n_it_office_code")
# CIG (Codice Identificativo Gara): 10 letters or digits.
_CIG = re.compile(r"[A-Z0-9]{10}")
# CUP (Codice Unico di Progetto): 15 letters or digits.
_CUP = re.compile(r"[A-Z0-9]{15}")
# Office code (Codice Univoco Ufficio) of a public administration: 6 letters or digits.
_OFFICE_CODE = re.compile(r"[A-Z0-9]{6}")


def pa_form_values(form):
    """The codes a customer typed in a portal form (the recharge form, the
    renewal summary), for the checks of
    :meth:`PrepaidPaDocumentMixin._prepaid_l10n_it_check_pa_values`.

    :param form: the form's values
    :return: field name -> code, stripped, without the codes left empty; text
        that cannot be a code is kept as a placeholder or cut, and then
        refused by the format check
    """
    values = {}
    for name in PA_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = "?" if has_forbidden_characters(value) else value.strip()[:64]
    return values


class PrepaidPaDocumentMixin(models.AbstractModel):
    """A document a customer buys with (a recharge, a renewal order) that
    carries the codes an Italian public administration gives with its
    purchase, and passes them on to its invoice."""

    _name = "prepaid.pa.document.mixin"
    _description = "Public Administration Purchase Document"

    l10n_it_cig = fields.Char("CIG", size=10, readonly=True, copy=False, help="Tender unique identifier")
    l10n_it_cup = fields.Char("CUP", size=15, readonly=True, copy=False, help="Public investment unique identifier")
    l10n_it_office_code = fields.Char(
        "Office code", size=6, readonly=True, copy=False,
        help="The Codice Univoco Ufficio of the public administration the invoice goes to.",
    )

    @api.model
    def _prepaid_l10n_it_check_pa_values(self, public_administration, cig, cup, office_code):
        """Check the codes a customer gives with a purchase: a public
        administration gives valid ones (see :meth:`_prepaid_l10n_it_check_pa_codes`),
        nobody else gives any.

        :param public_administration: whether the customer is one
        :raise ValidationError: codes given by another customer, or a wrong code
        """
        if public_administration:
            self._prepaid_l10n_it_check_pa_codes(cig, cup, office_code)
        elif cig or cup or office_code:
            raise ValidationError(_(
                "CIG, CUP and office code are for public administrations only; leave them empty."
            ))

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
    def _prepaid_l10n_it_pa_codes_vals(self, cig, cup, office_code):
        """The values that keep the codes a public administration gave on the
        document: the codes given, stripped and in capitals.

        :return: dict of field name to code, without the codes not given
        """
        codes = zip(PA_FIELDS, (cig, cup, office_code), strict=True)
        return {name: value.strip().upper() for name, value in codes if value}

    def _prepaid_l10n_it_origin_document_vals(self):
        """The invoice values that name this document as the purchase order
        of a public administration, with its CIG, CUP and office code.

        :return: dict of invoice values, empty when the document carries
            neither a CIG nor an office code
        """
        self.ensure_one()
        if not (self.l10n_it_cig or self.l10n_it_office_code):
            return {}
        return {
            "l10n_it_origin_document_type": "purchase_order",
            "l10n_it_origin_document_name": self.name,
            "l10n_it_origin_document_date": fields.Date.context_today(self, self.create_date),
            "l10n_it_cig": self.l10n_it_cig or False,
            "l10n_it_cup": self.l10n_it_cup or False,
            "prepaid_l10n_it_office_code": self.l10n_it_office_code or False,
        }
