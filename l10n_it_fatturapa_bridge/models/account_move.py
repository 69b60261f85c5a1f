# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import hashlib
import json
import logging
import re
from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr
from odoo.tools.translate import LazyTranslate

from .account_tax import MEMO

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

#: Document types of Odoo's simplified invoices, which this module writes as
#: ordinary FatturaPA (FSM10 is not produced).
SIMPLIFIED_TYPES = {"TD07": "TD01", "TD08": "TD04", "TD09": "TD01"}

#: Where a problem found in the file points to, in the words of the forms:
#: the first fragment of the element path that matches names the field.
FIELD_HINTS = [
    ("IdTrasmittente", _lt("the company's Codice Fiscale or Tax ID")),
    ("CodiceDestinatario", _lt("the customer's Destination Code (PA index)")),
    ("PECDestinatario", _lt("the customer's PEC e-mail")),
    ("CedentePrestatore/DatiAnagrafici/IdFiscaleIVA", _lt("the company's Tax ID")),
    ("CedentePrestatore/DatiAnagrafici/CodiceFiscale", _lt("the company's Codice Fiscale")),
    ("CedentePrestatore/DatiAnagrafici/RegimeFiscale", _lt("the company's Tax System")),
    ("CedentePrestatore/Sede", _lt("the company's address")),
    ("CedentePrestatore/IscrizioneREA", _lt("the company's register of companies data")),
    ("CedentePrestatore", _lt("the company")),
    ("RappresentanteFiscale", _lt("the company's tax representative")),
    ("CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA", _lt("the customer's Tax ID")),
    ("CessionarioCommittente/DatiAnagrafici/CodiceFiscale", _lt("the customer's Codice Fiscale")),
    ("CessionarioCommittente/DatiAnagrafici", _lt("the customer's Tax ID or Codice Fiscale")),
    ("CessionarioCommittente/Sede", _lt("the customer's address")),
    ("CessionarioCommittente", _lt("the customer")),
    ("DatiGeneraliDocumento/Numero", _lt("the invoice number")),
    ("DatiGeneraliDocumento/Data", _lt("the invoice date")),
    ("DatiBollo", _lt("the stamp duty (Electronic Invoicing tab)")),
    ("DatiRitenuta", _lt("the withholding tax of the lines")),
    ("DatiOrdineAcquisto", _lt("the origin document, CIG and CUP (Electronic Invoicing tab)")),
    ("DatiContratto", _lt("the origin document, CIG and CUP (Electronic Invoicing tab)")),
    ("DatiConvenzione", _lt("the origin document, CIG and CUP (Electronic Invoicing tab)")),
    ("DatiFattureCollegate", _lt("the invoice this credit note reverses")),
    ("DatiRiepilogo", _lt("the taxes of the lines (Exoneration and Law Reference of each tax)")),
    ("DatiPagamento", _lt("the payment terms and the Recipient Bank")),
]
_LINE = re.compile(r"DettaglioLinee\[(\d+)\](?:/(\w+))?")


def _dec(value, digits=2):
    """A float of the ORM as the Decimal it stands for, at ``digits``."""
    return Decimal(float_repr(value or 0.0, digits))


def _dec8(value):
    """Up to eight decimals, trailing zeros dropped (at least two kept when
    rendering): unit prices of 4-6 decimals stay exact."""
    result = Decimal(float_repr(value or 0.0, 8)).normalize()
    return result if result.as_tuple().exponent <= 0 else result.quantize(Decimal(1))


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_it_fatturapa_attachment_id = fields.Many2one(
        "ir.attachment",
        string="FatturaPA file",
        copy=False,
        readonly=True,
        help="The current FatturaPA file of the invoice (.xml, or .xml.p7m when signed).",
    )
    l10n_it_fatturapa_filename = fields.Char(
        string="FatturaPA file name",
        copy=False,
        readonly=True,
        help="The SdI file name, e.g. IT01234567890_1000a.xml or .xml.p7m.",
    )
    l10n_it_fatturapa_problems = fields.Html(
        string="FatturaPA problems",
        copy=False,
        readonly=True,
        sanitize=False,
        help="What the last build of the FatturaPA file found: problems to fix before "
        "the file can be made, warnings and the texts changed for the SdI.",
    )
    l10n_it_fatturapa_blocked = fields.Boolean(
        string="FatturaPA file refused",
        copy=False,
        readonly=True,
        help="The last build found problems the SdI would reject: no file was made.",
    )
    l10n_it_fatturapa_digest = fields.Char(copy=False, readonly=True)
    l10n_it_fatturapa_available = fields.Boolean(compute="_compute_l10n_it_fatturapa_available")

    @api.depends("state", "move_type", "company_id")
    def _compute_l10n_it_fatturapa_available(self):
        for move in self:
            move.l10n_it_fatturapa_available = move._l10n_it_fatturapa_applicable()

    # ------------------------------------------------------------------ actions

    def action_l10n_it_fatturapa_build(self):
        """Build (or show the up-to-date) FatturaPA file of the invoice.

        Problems do not raise here: they stay on the invoice, in the
        FatturaPA box, and a notification says so.
        """
        self.ensure_one()
        attachments = self._l10n_it_fatturapa_build(raise_on_problems=False)
        if not attachments:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "danger",
                    "sticky": True,
                    "title": _("FatturaPA file not made"),
                    "message": _("The invoice has problems to fix first: see the FatturaPA "
                                 "box on the invoice."),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachments.id}?download=true",
            "target": "download",
        }

    def action_l10n_it_fatturapa_regenerate(self):
        """Make a new FatturaPA file, with a new file name, even if the
        current one is up to date (the SdI never accepts a name twice)."""
        self.ensure_one()
        self.with_context(skip_invoice_sync=True, skip_is_manually_modified=True).write(
            {"l10n_it_fatturapa_digest": False})
        return self.action_l10n_it_fatturapa_build()

    # ----------------------------------------------------------------- business

    def _l10n_it_fatturapa_applicable(self):
        """Whether the move gets a FatturaPA file from this module: a posted
        customer invoice or credit note of a company whose fiscal country is
        Italy."""
        self.ensure_one()
        return (
            self.state == "posted"
            and self.move_type in ("out_invoice", "out_refund")
            and self.company_id.account_fiscal_country_id.code == "IT"
        )

    def _l10n_it_fatturapa_build(self, raise_on_problems=True):
        """Build, check, sign and attach the FatturaPA file of each invoice.

        The file is rebuilt only when the invoice's data changed since the
        current file was made; otherwise the current attachment is returned.
        A new file gets a new SdI file name from the company's counter.

        :param raise_on_problems: raise a ``UserError`` listing the problems
            of the invoices whose file the SdI would reject (they are also
            written on each invoice, which a caller that catches the error in
            the same transaction keeps); when ``False``, those invoices are
            left out of the result.
        :return: the ``ir.attachment`` records, in the order of the invoices.
        :raises UserError: see ``raise_on_problems``; also for a move that is
            no posted Italian customer invoice or credit note.
        """
        cache = self.env.cr.cache
        if MEMO in cache:
            return self._l10n_it_fatturapa_build_files(raise_on_problems)
        cache[MEMO] = {}
        try:
            return self._l10n_it_fatturapa_build_files(raise_on_problems)
        finally:
            cache.pop(MEMO, None)

    def _l10n_it_fatturapa_build_files(self, raise_on_problems=True):
        """The work of :meth:`_l10n_it_fatturapa_build`."""
        from fatturapa_bridge import SchemaNotFound, clean
        from fatturapa_bridge.model import to_dict
        from fatturapa_bridge.naming import ALPHABET_62, encode_counter, file_name
        from fatturapa_bridge.schema import find_schema
        from fatturapa_bridge.signing import SigningError, sign_with

        self.check_access("write")
        try:
            find_schema()
        except SchemaNotFound as exc:
            raise UserError(_(
                "The official FatturaPA schema is not installed on the server, so no file can be "
                "checked: %(reason)s", reason=str(exc))) from None
        for move in self:
            if not move._l10n_it_fatturapa_applicable():
                raise UserError(_(
                    "%(move)s is not a posted customer invoice or credit note of an Italian "
                    "company: it has no FatturaPA file.", move=move.display_name,
                ))
        results = {}
        todo = []
        failures = {}
        # l10n_it_edi's checks work on many invoices at once; each invoice is
        # checked alone only when the batch has problems, to name them.
        batch_ok = not self._l10n_it_fatturapa_edi_errors()
        self._l10n_it_fatturapa_prefetch()
        for move in self:
            problems = move._l10n_it_fatturapa_check_data(edi_checks=not batch_ok)
            if problems:
                failures[move.id] = move._l10n_it_fatturapa_record(problems)
                continue
            # sudo: l10n_it_edi's computation reads tax report lines and
            # company settings that invoicing users may not read; the user's
            # access to the invoice was checked above.
            invoice = move.sudo()._l10n_it_fatturapa_prepare_invoice()
            signer = move._l10n_it_fatturapa_get_signer(invoice)
            invoice, notes = clean(invoice)
            payload = json.dumps([to_dict(invoice), bool(signer)], sort_keys=True)
            digest = hashlib.sha256(payload.encode()).hexdigest()
            if (move.l10n_it_fatturapa_digest == digest and move.l10n_it_fatturapa_attachment_id
                    and not move.l10n_it_fatturapa_blocked):
                results[move.id] = move.l10n_it_fatturapa_attachment_id
                continue
            todo.append((move, invoice, signer, notes, digest))

        # One counter value per file, reserved together per company.
        counters = {}
        for company in {move.company_id for move, *_rest in todo}:
            count = sum(1 for item in todo if item[0].company_id == company)
            counters[company.id] = iter(company._l10n_it_fatturapa_reserve_counters(count))

        attachment_vals = []
        built = []
        for move, invoice, signer, notes, digest in todo:
            counter = next(counters[move.company_id.id])
            transmission = invoice.header.transmission
            transmission.progressive = encode_counter(counter, ALPHABET_62)
            xml, problems = move._l10n_it_fatturapa_render(invoice)
            errors, warnings = [], []
            for problem in problems:
                (errors if problem.is_error else warnings).append(
                    move._l10n_it_fatturapa_describe(problem))
            if errors:
                failures[move.id] = move._l10n_it_fatturapa_record(errors, warnings, notes)
                continue
            ext = "xml.p7m" if signer else "xml"
            name = file_name(transmission.transmitter.country, transmission.transmitter.code,
                             counter, ext=ext, alphabet=ALPHABET_62)
            try:
                data = sign_with(xml, signer) if signer else xml
            except SigningError as exc:
                failures[move.id] = move._l10n_it_fatturapa_record([_(
                    "The company's signing certificate (Settings > Invoicing): %(reason)s",
                    reason=str(exc))], warnings, notes)
                continue
            attachment_vals.append(move._l10n_it_fatturapa_prepare_attachment_vals(name, data))
            built.append((move, name, digest, warnings, notes))

        attachments = self.env["ir.attachment"].create(attachment_vals) if attachment_vals else []
        for (move, name, digest, warnings, notes), attachment in zip(built, attachments, strict=True):
            # Technical fields of a posted move: nothing to synchronise.
            move.with_context(skip_invoice_sync=True, skip_is_manually_modified=True).write({
                "l10n_it_fatturapa_attachment_id": attachment.id,
                "l10n_it_fatturapa_filename": name,
                "l10n_it_fatturapa_digest": digest,
                "l10n_it_fatturapa_blocked": False,
                "l10n_it_fatturapa_problems": move._l10n_it_fatturapa_problems_html(
                    [], warnings, notes),
            })
            if notes:
                move.message_post(body=move._l10n_it_fatturapa_notes_html(name, notes))
            results[move.id] = attachment

        if failures and raise_on_problems:
            messages = []
            for move in self:
                if move.id in failures:
                    messages.append(_(
                        "%(move)s: the FatturaPA file cannot be made:\n%(problems)s",
                        move=move.display_name,
                        problems="\n".join(f"- {p}" for p in failures[move.id])))
            raise UserError("\n\n".join(messages))
        return self.env["ir.attachment"].union(
            *(results[move.id] for move in self if move.id in results))

    def _l10n_it_fatturapa_get_signer(self, invoice):
        """The signer for this invoice's file, or ``None`` to leave it unsigned."""
        self.ensure_one()
        company = self.company_id
        if company.l10n_it_fatturapa_sign == "pa" and invoice.format != "FPA12":
            return None
        memo = self.env.cr.cache.get(MEMO)
        if memo is None:
            return company._l10n_it_fatturapa_signer()
        signers = memo.setdefault("signers", {})
        if company.id not in signers:
            signers[company.id] = company._l10n_it_fatturapa_signer()
        return signers[company.id]

    def _l10n_it_fatturapa_prepare_attachment_vals(self, name, data):
        """Values of the ``ir.attachment`` of a new file (extension hook)."""
        self.ensure_one()
        return {
            "name": name,
            "raw": data,
            "mimetype": "application/pkcs7-mime" if name.endswith(".p7m") else "application/xml",
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
            "description": _("FatturaPA file of %(move)s", move=self.name),
        }

    # ------------------------------------------------------------ problems

    def _l10n_it_fatturapa_prefetch(self):
        """Read what the mapping needs for all the invoices at once, instead
        of invoice by invoice."""
        # sudo: the same reads the mapping makes (see _l10n_it_fatturapa_build_files).
        moves = self.sudo()
        moves.fetch(["partner_id", "commercial_partner_id", "currency_id", "company_id",
                     "partner_bank_id", "reversed_entry_id", "invoice_date"])
        lines = moves.line_ids
        lines.fetch([
            "move_id", "display_type", "account_id", "product_id", "product_uom_id", "name",
            "quantity", "price_unit", "discount", "price_subtotal", "price_total", "balance",
            "amount_currency", "currency_id", "tax_ids", "tax_tag_ids", "tax_line_id",
            "tax_repartition_line_id", "group_tax_id", "date_maturity", "analytic_distribution",
            "partner_id", "tax_base_amount", "is_refund", "company_id",
        ])
        lines.tax_ids.fetch(["amount", "amount_type", "children_tax_ids", "price_include",
                             "l10n_it_exempt_reason", "l10n_it_law_reference", "tax_exigibility"])
        lines.product_id.fetch(["barcode", "default_code", "type"])
        lines.account_id.fetch(["account_type", "tag_ids"])
        moves.commercial_partner_id.fetch(["vat", "l10n_it_codice_fiscale", "l10n_it_pa_index",
                                           "l10n_it_pec_email", "country_id", "street", "zip",
                                           "city", "state_id", "is_company", "name"])

    def _l10n_it_fatturapa_edi_errors(self):
        """l10n_it_edi's own checks of the invoices, but its proxy
        registration (this module has its own channels)."""
        errors = self._l10n_it_edi_export_data_check()
        errors.pop("l10n_it_edi_settings_l10n_it_edi_proxy_user_id", None)
        return errors

    def _l10n_it_fatturapa_check_data(self, edi_checks=True):
        """Problems of the Odoo data that prevent mapping the invoice, in
        plain words naming the field to fix (l10n_it_edi's own checks, and
        the addresses the file needs).

        :param edi_checks: run l10n_it_edi's checks (a caller that ran them
            on a batch without problems skips them).
        :return: a list of str.
        """
        self.ensure_one()
        errors = self._l10n_it_fatturapa_edi_errors() if edi_checks else {}
        problems = [str(error.get("message")) for error in errors.values()]
        for role, partner in ((_("company"), self.company_id.partner_id),
                              (_("customer"), self.commercial_partner_id)):
            missing = [label for label, value in (
                (_("Street"), partner.street or partner.street2),
                (_("ZIP"), partner.zip or (partner.country_id.code not in (False, "IT"))),
                (_("City"), partner.city),
                (_("Country"), partner.country_id),
            ) if not value]
            if missing:
                problems.append(_(
                    "The %(role)s %(partner)s has no %(fields)s: fill them on the %(role)s's "
                    "address.", role=role, partner=partner.display_name, fields=", ".join(missing)))
        if self.l10n_it_origin_document_type and not self.l10n_it_origin_document_name:
            problems.append(_(
                "The Origin Document Type is set but not the Origin Document Name: fill it in the "
                "Electronic Invoicing tab."))
        return list(dict.fromkeys(problems))

    def _l10n_it_fatturapa_describe(self, problem):
        """A problem of the file in plain words, naming the Odoo field."""
        path = problem.path or ""
        line = _LINE.search(path)
        if line:
            element = line.group(2) or ""
            what = (_("its tax (Exoneration and Law Reference of the tax)")
                    if element in ("Natura", "AliquotaIVA")
                    else _("its description") if element == "Descrizione"
                    else _("its quantity, price and discount"))
            field = _("invoice line %(number)s: %(what)s", number=line.group(1), what=what)
        else:
            field = None
            for fragment, label in FIELD_HINTS:
                if fragment in path:
                    field = str(label)
                    break
            field = field or _("the invoice")
        return _("%(field)s: %(message)s (SdI check %(code)s)",
                 field=field[:1].upper() + field[1:], message=problem.message, code=problem.code)

    def _l10n_it_fatturapa_render(self, invoice):
        """Render the file and check it as :func:`fatturapa_bridge.render`
        does (SdI content checks, XSD, size), keeping the warnings too.

        :return: ``(xml bytes or None, problems)``.
        """
        self.ensure_one()
        from fatturapa_bridge import rules, validate
        from fatturapa_bridge.amounts import complete
        from fatturapa_bridge.parse import SDI_MAX_FILE_SIZE
        from fatturapa_bridge.problems import Problem
        from fatturapa_bridge.render import to_bytes, to_element

        kinds, texts = rules.value_problems(invoice)
        if kinds or texts:
            return None, kinds + texts
        completed = complete(invoice)
        today = fields.Date.context_today(self)
        problems = rules.check(completed, today=today, values=False)
        root = to_element(completed)
        problems += validate.validate_tree(root)
        data = to_bytes(root)
        if len(data) > SDI_MAX_FILE_SIZE:
            problems.append(Problem("00003", "", _(
                "the file would have %(size)s bytes; the SdI accepts at most 5 MB",
                size=len(data))))
        return data, problems

    def _l10n_it_fatturapa_record(self, problems, warnings=(), notes=()):
        """Write the problems on the invoice (the FatturaPA box).

        :return: the problems.
        """
        self.ensure_one()
        self.with_context(skip_invoice_sync=True, skip_is_manually_modified=True).write({
            "l10n_it_fatturapa_blocked": True,
            "l10n_it_fatturapa_problems": self._l10n_it_fatturapa_problems_html(
                problems, warnings, notes),
        })
        return list(problems)

    def _l10n_it_fatturapa_problems_html(self, problems, warnings, notes):
        parts = []
        if problems:
            parts.append(Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (
                _("The SdI would reject this invoice; fix these and build the file again:"),
                Markup().join(Markup("<li>%s</li>") % p for p in problems)))
        if warnings:
            parts.append(Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (
                _("Warnings (the file is accepted):"),
                Markup().join(Markup("<li>%s</li>") % w for w in warnings)))
        if notes:
            parts.append(Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (
                _("Texts written differently for the SdI:"),
                Markup().join(Markup("<li>%s</li>") % self._l10n_it_fatturapa_note_text(n)
                              for n in notes)))
        return Markup().join(parts) or False

    def _l10n_it_fatturapa_note_text(self, note):
        changes = []
        if note.replaced:
            changes.append(_("%(pairs)s replaced", pairs=", ".join(
                f"{a!r} -> {b!r}" for a, b in note.replaced)))
        if note.removed:
            changes.append(_("%(chars)s removed", chars=", ".join(
                f"U+{ord(c):04X}" for c in note.removed)))
        if note.cut:
            changes.append(_("cut from %(length)s characters", length=note.cut))
        if note.parts:
            changes.append(_("split into %(parts)s parts", parts=note.parts))
        if note.placeholder:
            changes.append(_("nothing acceptable left, written as '-'"))
        return _("%(path)s: %(changes)s", path=note.path, changes="; ".join(changes) or _("changed"))

    def _l10n_it_fatturapa_notes_html(self, name, notes):
        return Markup("<p>%s</p><ul>%s</ul>") % (
            _("FatturaPA file %(name)s: texts written differently for the SdI.", name=name),
            Markup().join(Markup("<li>%s</li>") % self._l10n_it_fatturapa_note_text(n)
                          for n in notes))

    # -------------------------------------------------------------- mapping

    def _l10n_it_fatturapa_document_type(self, values):
        """TipoDocumento of the invoice (extension hook).

        l10n_it_edi's choice (TD01 invoice, TD02 advance invoice, TD04 credit
        note, TD05, TD06...), with its simplified types written as the
        ordinary ones.

        :param values: the result of ``_l10n_it_edi_get_values``.
        """
        self.ensure_one()
        document_type = values.get("document_type")
        document_type = SIMPLIFIED_TYPES.get(document_type, document_type)
        if not document_type:
            document_type = "TD04" if self.move_type == "out_refund" else "TD01"
        return document_type

    def _l10n_it_fatturapa_party(self, partner, info):
        from fatturapa_bridge.model import FiscalId, Registry

        if info.get("is_company", True):
            registry = Registry(name=partner.display_name)
        else:
            registry = Registry(first_name=info.get("first_name") or None,
                                last_name=info.get("last_name") or None)
        vat = FiscalId(country=info.get("country_code") or "IT", code=info["vat"]) \
            if info.get("vat") else None
        return vat, info.get("codice_fiscale") or None, registry

    def _l10n_it_fatturapa_address(self, partner, info):
        from fatturapa_bridge.model import Address

        street, street2 = partner.street or "", partner.street2 or ""
        if len(street) >= 60:
            street2 = ""
        return Address(
            street=" ".join(p for p in (street, street2) if p) or None,
            zip=info.get("zip") or None,
            city=partner.city or None,
            province=(info.get("state_code") or None) if info.get("country_code") == "IT" else None,
            country=info.get("country_code") or "IT",
        )

    def _l10n_it_fatturapa_prepare_invoice(self):
        """Map the posted move to a :class:`fatturapa_bridge.model.Invoice`.

        Lines, VAT summary and total come from l10n_it_edi's computation on
        the posted move (``_l10n_it_edi_get_values``), which rounds as the
        move did (per line or globally) and keeps each line's exact total:
        the difference to the posted taxable amount goes to
        ``Arrotondamento``. The payment amounts are the move's receivable
        lines, net of split-payment VAT and withholding.

        :return: the invoice model, its progressive not yet set.
        """
        self.ensure_one()
        from fatturapa_bridge.amounts import VatTotal, summary_from_totals
        from fatturapa_bridge.model import (
            DDT,
            REA,
            ArticleCode,
            Body,
            Buyer,
            Contacts,
            Discount,
            DocumentData,
            FiscalId,
            GeneralData,
            GoodsServices,
            Header,
            Invoice,
            Line,
            OtherData,
            PartyData,
            Payment,
            PaymentDetail,
            PensionFund,
            RelatedDocument,
            Seller,
            SellerData,
            Stamp,
            TaxRepresentative,
            Transmission,
            TransmitterContacts,
            Withholding,
        )

        values = self._l10n_it_edi_get_values()
        company = self.company_id
        buyer_partner = values["buyer"]
        seller_partner = values["seller"]
        sender_info = values["sender_info"]
        buyer_info = values["buyer_info"]
        seller_info = values["seller_info"]
        is_pa = buyer_partner._l10n_it_edi_is_public_administration()
        eur = values["currency"].name == "EUR" and self.currency_id.name == "EUR"

        recipient_code = buyer_info.get("pa_index") or "0000000"
        pec = buyer_partner.l10n_it_pec_email or None
        transmission = Transmission(
            transmitter=FiscalId(country=sender_info.get("country_code") or "IT",
                                 code=sender_info.get("codice_fiscale") or sender_info.get("vat")),
            format="FPA12" if is_pa else "FPR12",
            recipient_code=recipient_code,
            contacts=TransmitterContacts(
                phone=self._l10n_it_edi_get_formatters()["format_phone"](company.phone) or None,
                email=company.email or None,
            ) if (company.phone or company.email) else None,
            # The SdI refuses a PEC address next to a channel code (00426).
            pec=pec if recipient_code == "0000000" else None,
        )
        seller_vat, seller_cf, seller_registry = self._l10n_it_fatturapa_party(
            seller_partner, seller_info)
        rea = None
        if company.l10n_it_has_eco_index:
            rea = REA(
                office=company.l10n_it_eco_index_office.code,
                number=company.l10n_it_eco_index_number,
                share_capital=_dec(company.l10n_it_eco_index_share_capital)
                if company.l10n_it_eco_index_share_capital else None,
                sole_shareholder=company.l10n_it_eco_index_sole_shareholder
                if company.l10n_it_eco_index_sole_shareholder != "NO" else None,
                liquidation=company.l10n_it_eco_index_liquidation_state,
            )
        seller = Seller(
            data=SellerData(vat=seller_vat, fiscal_code=seller_cf, registry=seller_registry,
                            tax_regime=values["regime_fiscale"] or "RF01"),
            address=self._l10n_it_fatturapa_address(seller_partner, seller_info),
            rea=rea,
            contacts=Contacts(email=company.email or None) if company.email else None,
        )
        representative = None
        if values["representative"]:
            rep = values["representative"]
            rep_vat, rep_cf, rep_registry = self._l10n_it_fatturapa_party(
                rep, values["representative_info"])
            representative = TaxRepresentative(data=PartyData(
                vat=rep_vat, fiscal_code=rep_cf, registry=rep_registry))
        buyer_vat, buyer_cf, buyer_registry = self._l10n_it_fatturapa_party(
            buyer_partner, buyer_info)
        buyer = Buyer(
            data=PartyData(vat=buyer_vat, fiscal_code=buyer_cf, registry=buyer_registry),
            address=self._l10n_it_fatturapa_address(buyer_partner, buyer_info),
        )
        header = Header(transmission=transmission, seller=seller,
                        tax_representative=representative, buyer=buyer)

        # Document.
        document = DocumentData(
            type=self._l10n_it_fatturapa_document_type(values),
            currency="EUR" if not eur and values["currency"].name != "EUR"
            else values["currency"].name,
            date=self.invoice_date,
            number=self.name,
            withholdings=[
                Withholding(type=w["tipo_ritenuta"], amount=_dec(w["importo_ritenuta"]),
                            rate=_dec(w["aliquota_ritenuta"]), reason=w["causale_pagamento"])
                for w in values.get("withholding_values") or []
            ],
            stamp=Stamp(amount=_dec(self.l10n_it_stamp_duty))
            if self.l10n_it_stamp_duty else None,
            pension_funds=[
                PensionFund(type=p["tipo_cassa"], rate=_dec(p["al_cassa"]),
                            amount=_dec(p["importo_contributo_cassa"]),
                            taxable=_dec(p["imponibile_cassa"]), vat_rate=_dec(p["aliquota_iva"]),
                            withholding=p["ritenuta"], nature=p["natura"] or None,
                            admin_reference=p["riferimento_amministrazione"] or None)
                for p in values.get("pension_fund_values") or []
            ],
            total=_dec(values["importo_totale_documento"]) if eur else None,
        )
        general = GeneralData(document=document)
        origin = self.l10n_it_origin_document_type
        if origin:
            related = RelatedDocument(
                id=self.l10n_it_origin_document_name or "",
                date=self.l10n_it_origin_document_date or None,
                cup=self.l10n_it_cup or None,
                cig=self.l10n_it_cig or None,
            )
            target = {"purchase_order": general.purchase_orders, "contract": general.contracts,
                      "agreement": general.conventions}.get(origin)
            if target is not None:
                target.append(related)
        elif self.ref and not self.reversed_entry_id:
            general.purchase_orders.append(RelatedDocument(id=self.ref))
        linked = values["reconciled_moves"] or self.reversed_entry_id
        for other in (linked | values["downpayment_moves"]):
            general.linked_invoices.append(RelatedDocument(
                id=other.name, date=other.invoice_date or None))
        if self.l10n_it_ddt_id:
            general.ddt.append(DDT(number=self.l10n_it_ddt_id.name, date=self.l10n_it_ddt_id.date))

        # Lines.
        memo = self.env.cr.cache.get(MEMO, {})
        if "unit_category" not in memo:
            memo["unit_category"] = self.env.ref("uom.product_uom_categ_unit",
                                                 raise_if_not_found=False)
        unit_category = memo["unit_category"]
        lines = []
        for base_line in values["base_lines"]:
            it = base_line["it_values"]
            record = base_line["record"]
            product = base_line["product_id"]
            codes = []
            if product.barcode:
                codes.append(ArticleCode(type="EAN", value=product.barcode))
            elif product.default_code:
                codes.append(ArticleCode(type="INTERNAL", value=product.default_code))
            uom = record.product_uom_id
            rates = it["aliquota_iva_list"]
            lines.append(Line(
                number=it["numero_linea"],
                codes=codes,
                description=it["descrizione"],
                quantity=_dec(it["quantita"], it["quantita_pd"]).normalize()
                if it["quantita"] else None,
                unit=uom.name if uom and uom.category_id != unit_category else None,
                unit_price=_dec8(it["prezzo_unitario"]),
                discounts=[
                    Discount(type=d["tipo"],
                             percent=_dec(d["percentuale"]) if d["percentuale"] else None,
                             amount=_dec8(d["importo"]) if d["importo"] else None)
                    for d in it["sconto_maggiorazione_list"]
                ],
                total=_dec8(it["prezzo_totale"]),
                vat_rate=_dec(rates[0] if rates else 0.0),
                withholding=it.get("ritenuta") or None,
                nature=it["natura"] or None,
                other_data=[
                    OtherData(type=o["tipo_dato"], text=o["riferimento_testo"] or None,
                              number=_dec8(o["riferimento_numero"])
                              if o["riferimento_numero"] else None,
                              date=o["riferimento_data"] or None)
                    for o in it["altri_dati_gestionali_list"]
                ],
            ))
        body = Body(general=general, goods=GoodsServices(lines=lines))
        totals = [
            VatTotal(
                vat_rate=_dec(t["aliquota_iva"]),
                taxable=_dec(t["imponibile_importo"]),
                tax=_dec(t["imposta"]),
                nature=t["natura"] or None,
                exigibility=t["esigibilita_iva"] or "I",
                legal_reference=(t["riferimento_normativo"] or "")[:100] or None,
            )
            for t in values["tax_lines"]
        ]
        body.goods.summaries = summary_from_totals(body, totals)

        # Payment: the receivable lines of the move, as posted.
        if self.move_type == "out_invoice":
            terms = self.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable")
            bank = self.partner_bank_id
            iban = bank.sanitized_acc_number if bank and bank.acc_type == "iban" else None
            details = [
                PaymentDetail(
                    method=self._l10n_it_fatturapa_payment_method(),
                    due_date=term.date_maturity or None,
                    amount=_dec(abs(term.amount_currency if eur else term.balance)),
                    bank=bank.bank_id.name or None if bank else None,
                    iban=iban,
                    bic=(bank.bank_id.bic or None) if bank and not iban else None,
                    payment_code=self.payment_reference or None,
                )
                for term in terms.sorted(lambda t: (t.date_maturity or self.invoice_date, t.id))
            ]
            if details:
                body.payments = [Payment(conditions="TP02" if len(details) == 1 else "TP01",
                                         details=details)]
        return Invoice(header=header, bodies=[body])

    def _l10n_it_edi_is_simplified(self):
        # EXTENDS 'l10n_it_edi': this module writes no simplified invoice
        # (FSM10), so while its files are built an invoice is never one.
        if MEMO in self.env.cr.cache:
            return False
        return super()._l10n_it_edi_is_simplified()

    def _l10n_it_edi_goods_in_italy(self):
        # EXTENDS 'l10n_it_edi': the tags of the VJ3 report line, searched
        # for every invoice, are remembered while files are built.
        memo = self.env.cr.cache.get(MEMO)
        if memo is None:
            return super()._l10n_it_edi_goods_in_italy()
        self.ensure_one()
        if "vj3_tags" not in memo:
            lines = self.env["account.report.line"].search([
                ("report_id.country_id.code", "=", "IT"), ("code", "=", "VJ3"),
            ])
            memo["vj3_tags"] = lines.expression_ids._get_matching_tags()
        return bool(self.line_ids.tax_tag_ids & memo["vj3_tags"])

    def _l10n_it_fatturapa_payment_method(self):
        """ModalitaPagamento (extension hook): MP05, bank transfer, as
        l10n_it_edi writes it."""
        return "MP05"
