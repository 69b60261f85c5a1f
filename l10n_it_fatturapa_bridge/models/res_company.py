# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import hashlib
import threading
from collections import OrderedDict

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

#: ir.sequence code of Odoo's l10n_it_edi file names: sharing it means that
#: files named here and files sent through Odoo's proxy never share a name.
SEQUENCE_CODE = "l10n_it_edi.fattura_filename"
#: First value of that sequence, as l10n_it_edi creates it (62**4: name 10000).
SEQUENCE_START = 62**4

# Opening a PKCS#12 costs more than signing (its key derivation): keep the
# opened signers of this process, keyed by the file and password digest.
_SIGNERS = OrderedDict()
_SIGNERS_LOCK = threading.Lock()
_SIGNERS_MAX = 16


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_it_fatturapa_pkcs12 = fields.Binary(
        string="Signing certificate (PKCS#12)",
        attachment=True,
        groups="account.group_account_manager",
        help="The company's signing certificate with its private key, as a PKCS#12 "
        "(.p12/.pfx) file. FatturaPA files are signed CAdES-BES (.xml.p7m) with it.",
    )
    l10n_it_fatturapa_pkcs12_name = fields.Char(
        string="Certificate file name", groups="account.group_account_manager"
    )
    l10n_it_fatturapa_pkcs12_password = fields.Char(
        string="Certificate password",
        groups="account.group_account_manager",
        help="Password of the PKCS#12 file; only accounting managers read it.",
    )
    l10n_it_fatturapa_sign = fields.Selection(
        selection=[
            ("all", "Every invoice"),
            ("pa", "Invoices to public administrations"),
        ],
        string="Sign FatturaPA files",
        default="all",
        required=True,
        help="Which files are signed when a signing certificate is set. The SdI "
        "requires a signature on invoices to public administrations (FPA12).",
    )
    l10n_it_fatturapa_sequence_id = fields.Many2one(
        "ir.sequence",
        string="FatturaPA file name sequence",
        readonly=True,
        copy=False,
        help="The per-company counter of the SdI file names (a PostgreSQL sequence, "
        "shared with l10n_it_edi's own file names).",
    )

    def _l10n_it_fatturapa_signer(self):
        """Return the opened signing certificate of the company, or ``None``.

        :return: a :class:`fatturapa_bridge.signing.Signer` or ``None``.
        :raises UserError: when the file cannot be opened or is not valid now.
        """
        self.ensure_one()
        from fatturapa_bridge.signing import SigningError, load_pkcs12

        # sudo: invoicing users sign with the certificate only managers read.
        company = self.sudo()
        attachment = self.env["ir.attachment"].sudo().search([
            ("res_model", "=", "res.company"),
            ("res_field", "=", "l10n_it_fatturapa_pkcs12"),
            ("res_id", "=", company.id),
        ], limit=1)
        data = attachment.raw if attachment else False
        if not data:
            return None
        password = company.l10n_it_fatturapa_pkcs12_password or ""
        key = hashlib.sha256(data + b"\0" + password.encode()).hexdigest()
        with _SIGNERS_LOCK:
            signer = _SIGNERS.get(key)
            if signer is not None:
                _SIGNERS.move_to_end(key)
                return signer
        try:
            signer = load_pkcs12(data, password)
        except SigningError as exc:
            raise UserError(_(
                "The signing certificate of %(company)s cannot be used: %(reason)s. "
                "Upload it again in Settings > Invoicing > Italian Electronic Invoicing.",
                company=company.name, reason=str(exc),
            )) from None
        with _SIGNERS_LOCK:
            _SIGNERS[key] = signer
            while len(_SIGNERS) > _SIGNERS_MAX:
                _SIGNERS.popitem(last=False)
        return signer

    def _l10n_it_fatturapa_reserve_counters(self, count=1):
        """Reserve ``count`` values of the company's file name counter.

        The counter is a PostgreSQL sequence (an ``ir.sequence`` of standard
        implementation): ``nextval`` never gives the same value twice, also
        to concurrent transactions, and is not rolled back, so a name is never
        handed out twice. The sequence is l10n_it_edi's own when the company
        has one, so the names continue Odoo's. Its first creation updates the
        company row: a concurrent transaction creating it too waits for the
        row and fails to serialize (Odoo retries it), instead of creating a
        second sequence.

        :param count: how many values.
        :return: the values, a list of int.
        """
        self.ensure_one()
        # sudo: sequences and the counter field are technical, any invoicing user names files.
        company = self.sudo()
        sequence = company.l10n_it_fatturapa_sequence_id
        if not sequence:
            self.env.cr.execute(SQL(
                "SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE", company.id,
            ))
            sequence = self.env["ir.sequence"].sudo().search([
                ("code", "=", SEQUENCE_CODE), ("company_id", "=", company.id),
            ], limit=1)
            if not sequence:
                sequence = self.env["ir.sequence"].sudo().create({
                    "name": "FatturaPA Filename Sequence",
                    "code": SEQUENCE_CODE,
                    "company_id": company.id,
                    "implementation": "standard",
                    "number_next": SEQUENCE_START,
                })
            company.l10n_it_fatturapa_sequence_id = sequence
        if sequence.implementation != "standard":
            raise UserError(_(
                "The FatturaPA file name sequence %(name)s must use the standard "
                "implementation (a PostgreSQL sequence).", name=sequence.name,
            ))
        self.env.cr.execute(SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            f"ir_sequence_{sequence.id:03d}", count,
        ))
        return [row[0] for row in self.env.cr.fetchall()]
