# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import hashlib
import logging
import os
import re
import shutil
from datetime import timezone
from email import message_from_bytes, policy
from email.message import Message
from zoneinfo import ZoneInfo

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_split

from fatturapa_bridge.problems import FatturaPAError, SchemaNotFound
from fatturapa_bridge.receipts import InvoiceState, parse_receipt, validate_receipt

from .account_move_sdi import SDI_ERROR_WORDS, SDI_STATES

_logger = logging.getLogger(__name__)

RECEIPT_KINDS = [
    ("RC", "Delivery receipt (RC)"),
    ("NS", "Rejection (NS)"),
    ("MC", "Failed delivery (MC)"),
    ("NE", "Outcome of the public administration (NE)"),
    ("DT", "Terms expired (DT)"),
    ("AT", "Transmission attested, not deliverable (AT)"),
    ("MT", "Metadata of a received invoice (MT)"),
    ("EC", "Outcome sent by the buyer (EC)"),
    ("SE", "Outcome refused by the SdI (SE)"),
]

#: The invoice's SdI state that each receipt outcome leads to.
MOVE_STATE_OF = {
    InvoiceState.DELIVERED: "delivered",
    InvoiceState.REJECTED: "rejected",
    InvoiceState.NOT_DELIVERED: "not_delivered",
    InvoiceState.ACCEPTED: "accepted",
    InvoiceState.REFUSED: "refused",
    InvoiceState.TERMS_EXPIRED: "deemed_accepted",
    InvoiceState.UNDELIVERABLE: "undeliverable",
}

#: The SdI's clock.
SDI_TIMEZONE = ZoneInfo("Europe/Rome")

#: A FatturaPA file name: country, identifier, progressive (SdI naming rule).
FILE_NAME_RE = re.compile(r"\b[A-Z]{2}[A-Za-z0-9]{2,28}_[A-Za-z0-9]{1,5}\.xml(?:\.p7m)?\b")

#: Receipts larger than this are not SdI receipts (they weigh a few KB).
MAX_RECEIPT_SIZE = 1024 * 1024


class L10nItFatturapaReceipt(models.Model):
    _name = "l10n_it.fatturapa.receipt"
    _description = "SdI Receipt"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True,
        default=lambda self: self.env.company)
    move_id = fields.Many2one(
        comodel_name="account.move", string="Invoice", index=True, check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund'))]",
        tracking=True, ondelete="restrict")
    state = fields.Selection(
        selection=[
            ("applied", "Applied"),
            ("unmatched", "Unmatched"),
            ("other", "Not an SdI receipt"),
        ],
        required=True, readonly=True, default="unmatched", index=True, tracking=True,
        help="Applied: attached to its invoice, whose SdI state follows it.\n"
        "Unmatched: no invoice has this file name or SdI identifier; an accountant picks the "
        "invoice and applies it.\n"
        "Not an SdI receipt: an e-mail of the PEC mailbox that holds no readable receipt "
        "(e.g. the PEC provider's own acceptance notice), kept for the record.")
    kind = fields.Selection(selection=RECEIPT_KINDS, readonly=True)
    sdi_identifier = fields.Char(string="SdI Identifier", readonly=True, index=True)
    sdi_message_id = fields.Char(string="SdI Message Id", readonly=True)
    file_name = fields.Char(string="Invoice File", readonly=True, index=True,
                            help="The name of the invoice file the receipt is about.")
    received_at = fields.Datetime(string="Received by the SdI", readonly=True)
    delivered_at = fields.Datetime(string="Delivered", readonly=True)
    outcome = fields.Char(readonly=True, help="EC01 accepted, EC02 refused (NE); EN00/EN01 (SE).")
    move_state = fields.Selection(
        selection=SDI_STATES,
        string="Leads To", readonly=True,
        help="The SdI state of the invoice after this receipt.")
    description = fields.Text(readonly=True)
    error_text = fields.Text(string="Errors", readonly=True,
                             help="The SdI's reasons for a rejection, in words.")
    problem = fields.Text(readonly=True, help="Why this e-mail or file holds no readable receipt.")
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Receipt File", readonly=True)
    dedupe_key = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        ("dedupe_key_unique", "unique(dedupe_key)", "This SdI receipt is already recorded."),
    ]

    # -------------------------------------------------------------------------
    # Mail gateway
    # -------------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Override of `mail` to read the SdI receipts a PEC e-mail carries.

        The receipt XML may be attached directly or inside the PEC envelope
        (``postacert.eml``). Each receipt is recorded once and applied to its
        invoice; an e-mail without a readable receipt is kept as a record in
        state *Not an SdI receipt*, never dropped.

        :return: the first receipt record of the e-mail.
        """
        self._check_mail_gateway_access()
        company = self._company_of_mail(msg_dict, custom_values)
        receipts, problems = self._import_mail(msg_dict, company)
        if receipts:
            return receipts[0]
        subject = msg_dict.get("subject") or ""
        move = self._find_move_of_subject(subject, company)
        # sudo: the e-mail is kept whatever the gateway user's rights (checked above)
        other = self.sudo().create({
            "name": subject or _("E-mail without SdI receipt"),
            "company_id": (move.company_id or company).id,
            "move_id": move.id,
            "state": "other",
            "problem": "\n".join(problems) or _("The e-mail holds no SdI receipt."),
        })
        if move:
            # the PEC provider's own notices (acceptance, delivery to the SdI, failure)
            move.with_context(no_new_invoice=True).message_post(
                body=_("PEC notice about the file sent to the SdI: %(subject)s", subject=subject))
        return other.with_env(self.env)

    def message_update(self, msg_dict, update_vals=None):
        """Override of `mail`: an e-mail routed to an existing receipt (a reply)
        is read for receipts too."""
        self._check_mail_gateway_access()
        self._import_mail(msg_dict, self.company_id[:1] or self.env.company)
        return super().message_update(msg_dict, update_vals=update_vals)

    @api.model
    def _check_mail_gateway_access(self):
        """Receipts change invoices: over RPC only the mail gateway (superuser)
        and accountants may feed e-mails in."""
        if not (self.env.is_superuser() or self.env.user.has_group("account.group_account_invoice")):
            raise AccessError(_("Only accountants may read SdI receipts into invoices."))

    @api.model
    def _find_move_of_subject(self, subject, company):
        """The invoice whose file name a PEC notice's subject holds (the file
        leaves with its name as subject)."""
        names = FILE_NAME_RE.findall(subject or "")
        if not names:
            return self.env["account.move"]
        domain = self._get_move_domain(company) + [("l10n_it_fatturapa_sdi_filename", "in", names)]
        return self.env["account.move"].sudo().search(domain, limit=1)  # sudo: as _find_move

    @api.model
    def _company_of_mail(self, msg_dict, custom_values=None):
        """The company whose PEC mailbox received the e-mail (else the current one)."""
        if custom_values and custom_values.get("company_id"):
            return self.env["res.company"].browse(custom_values["company_id"])
        addresses = {
            address.lower()
            for address in email_split(
                ",".join(filter(None, [msg_dict.get("to"), msg_dict.get("cc"),
                                       msg_dict.get("recipients")])))
        }
        if addresses:
            company = self.env["res.company"].sudo().search(  # sudo: the gateway has no company
                [("l10n_it_fatturapa_pec_address", "!=", False)]
            ).filtered(lambda c: c.l10n_it_fatturapa_pec_address.strip().lower() in addresses)[:1]
            if company:
                return company
        return self.env.company

    @api.model
    def _receipt_files_of_mail(self, msg_dict):
        """The XML and .p7m files of an e-mail, looking inside attached
        e-mails (the PEC envelope ``postacert.eml``), each content once.

        Attached e-mails are replaced by their bytes in ``msg_dict`` so that
        the mail gateway can store them as ordinary attachments.

        :return: list of ``(file name, bytes)``.
        """
        files = []
        seen = set()

        def add(name, content, encoding=None):
            if isinstance(content, str):
                # the gateway decoded text parts with their charset: back to the file's bytes
                content = content.encode(encoding or "utf-8", errors="replace")
            digest = hashlib.sha256(content).digest()
            lower = (name or "").lower()
            if digest not in seen and (lower.endswith((".xml", ".p7m")) or content.lstrip()[:5] == b"<?xml"):
                seen.add(digest)
                files.append((name, content))

        def walk(message):
            for part in message.walk():
                if part.get_content_maintype() == "multipart" or part.get_content_type() == "message/rfc822":
                    continue
                name = part.get_filename()
                if name:
                    add(name, part.get_payload(decode=True) or b"")

        attachments = []
        for attachment in msg_dict.get("attachments") or []:
            name, content = attachment[0], attachment[1]
            if isinstance(content, Message):
                walk(content)
                # the gateway stores attachments as bytes, not as e-mail objects
                attachment = attachment._replace(content=content.as_bytes())
            elif name and name.lower().endswith(".eml"):
                raw = content.encode() if isinstance(content, str) else content
                walk(message_from_bytes(raw, policy=policy.SMTP))
            else:
                info = attachment[2] if len(attachment) > 2 and isinstance(attachment[2], dict) else {}
                add(name, content, info.get("encoding"))
            attachments.append(attachment)
        if "attachments" in msg_dict:
            msg_dict["attachments"] = attachments
        return files

    @api.model
    def _import_mail(self, msg_dict, company):
        """Record and apply every SdI receipt of an e-mail.

        :return: ``(receipt records, problems of the files that are no receipt)``.
        """
        receipts = self.browse()
        problems = []
        for name, content in self._receipt_files_of_mail(msg_dict):
            try:
                with self.env.cr.savepoint():
                    receipts |= self._import_receipt(content, name, company=company)
            except UserError as error:
                # the PEC envelope has XML of its own (daticert.xml): not a receipt
                problems.append(f"{name}: {error.args[0]}")
        if not receipts:
            _logger.info("E-mail %s holds no SdI receipt: %s", msg_dict.get("message_id"), problems)
        return receipts, problems

    # -------------------------------------------------------------------------
    # Import
    # -------------------------------------------------------------------------

    @api.model
    def _parse_receipt_file(self, data, file_name=None):
        """Parse and check one receipt file.

        :raises UserError: when the file is not an SdI receipt or breaks its schema.
        :return: the :class:`fatturapa_bridge.receipts.Receipt`.
        """
        label = file_name or _("the file")
        if not data:
            raise UserError(_("%(file)s is empty.", file=label))
        if len(data) > MAX_RECEIPT_SIZE:
            raise UserError(_("%(file)s is too large for an SdI receipt.", file=label))
        try:
            receipt = parse_receipt(data)
        except FatturaPAError as error:
            raise UserError(_("%(file)s is not a readable SdI receipt: %(error)s",
                              file=label, error=str(error))) from None
        try:
            problems = [p for p in validate_receipt(data) if p.is_error]
        except SchemaNotFound as error:
            # Without the official schema the bridge's structural reading stands alone.
            _logger.warning("SdI receipt %s not checked against its schema: %s", label, error)
            problems = []
        except FatturaPAError as error:
            problems = [error]
        if problems:
            raise UserError(_(
                "%(file)s does not follow the schema of SdI receipts:\n%(problems)s",
                file=label, problems="\n".join(str(p) for p in problems[:20])))
        if receipt.kind != "SE" and not receipt.sdi_id:
            raise UserError(_("%(file)s has no SdI identifier.", file=label))
        return receipt

    @api.model
    def _import_receipt(self, data, file_name=None, company=None):
        """Record one SdI receipt and apply it to its invoice.

        A receipt already recorded (same kind, SdI identifier and message id)
        changes nothing and the recorded one is returned. A receipt that
        matches no invoice is recorded as *Unmatched*.

        :param bytes data: the receipt file (XML or .p7m).
        :param str file_name: its name, for messages and the attachment.
        :param company: the company whose channel received it, when known.
        :raises UserError: when the file is not a valid SdI receipt; then
            nothing is written.
        :return: the receipt record.
        """
        parsed = self._parse_receipt_file(data, file_name)
        key = self._dedupe_key(parsed, data)
        # sudo: receipts arrive through the mail gateway and crons, and are
        # deduplicated across every company and access right.
        Receipt = self.sudo()
        existing = Receipt.search([("dedupe_key", "=", key)], limit=1)
        if existing:
            return existing.with_env(self.env)
        move = self._find_move(parsed, company)
        vals = self._prepare_receipt_vals(parsed, data, file_name, move, company)
        # Two workers recording the same receipt at once: the unique key makes
        # the second fail (its mail, cron file or upload is tried again later
        # and then finds the first), never record it twice.
        receipt = Receipt.create(vals)
        receipt.attachment_id = self.env["ir.attachment"].sudo().create({
            "name": file_name or f"{parsed.kind}_{parsed.sdi_id}.xml",
            "raw": data,
            "res_model": move._name if move else receipt._name,
            "res_id": move.id if move else receipt.id,
            "mimetype": "application/xml",
        })
        if move:
            receipt._apply()
        else:
            receipt.message_post(body=_(
                "No invoice has the file name %(file)s or the SdI identifier %(sdi)s: "
                "pick the invoice and apply the receipt.",
                file=parsed.file_name or "-", sdi=parsed.sdi_id or "-"))
        return receipt.with_env(self.env)

    @api.model
    def _dedupe_key(self, parsed, data):
        if parsed.sdi_id and parsed.message_id:
            return f"{parsed.kind}:{parsed.sdi_id}:{parsed.message_id}"
        return f"sha256:{hashlib.sha256(data).hexdigest()}"

    @api.model
    def _get_move_domain(self, company=None):
        """Domain of the invoices a receipt may be about (extension hook)."""
        domain = [
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("l10n_it_fatturapa_sdi_state", "not in", (False, "to_send")),
        ]
        if company:
            domain.append(("company_id", "=", company.id))
        return domain

    @api.model
    def _find_move(self, parsed, company=None):
        """The invoice a receipt is about: by SdI identifier, else by file name."""
        Move = self.env["account.move"].sudo()  # sudo: receipts arrive without a user's companies
        domain = self._get_move_domain(company)
        move = Move
        if parsed.sdi_id:
            move = Move.search(domain + [("l10n_it_fatturapa_sdi_identifier", "=", parsed.sdi_id)],
                               limit=1)
        if not move and parsed.file_name:
            name = parsed.file_name
            names = [name, name[:-4]] if name.lower().endswith(".p7m") else [name, f"{name}.p7m"]
            move = Move.search(domain + [("l10n_it_fatturapa_sdi_filename", "in", names)],
                               order="id desc", limit=1)
        return move

    @api.model
    def _prepare_receipt_vals(self, parsed, data, file_name, move, company):
        """Values of a new receipt record (extension hook)."""
        return {
            "name": f"{parsed.kind} {parsed.sdi_id or ''} {parsed.file_name or file_name or ''}".strip(),
            "company_id": (move.company_id or company or self.env.company).id,
            "move_id": move.id,
            "state": "unmatched",
            "kind": parsed.kind,
            "sdi_identifier": parsed.sdi_id,
            "sdi_message_id": parsed.message_id,
            "file_name": parsed.file_name,
            "received_at": _naive_utc(parsed.received_at),
            "delivered_at": _naive_utc(parsed.delivered_at),
            "outcome": parsed.outcome,
            "move_state": MOVE_STATE_OF.get(parsed.state),
            "description": "\n".join(filter(None, [parsed.description, parsed.note])) or False,
            "error_text": self._errors_in_words(parsed.errors) or False,
            "dedupe_key": self._dedupe_key(parsed, data),
        }

    @api.model
    def _errors_in_words(self, errors):
        """The errors of an NS receipt, each code in words with the SdI's own text."""
        lines = []
        for error in errors:
            words = SDI_ERROR_WORDS.get(error.code)
            line = f"{error.code}: {words}" if words else error.code
            if error.description and error.description != words:
                line += f" (SdI: {error.description})"
            if error.suggestion:
                line += f"\n    {error.suggestion}"
            lines.append(line)
        return "\n".join(lines)

    # -------------------------------------------------------------------------
    # Actions
    # -------------------------------------------------------------------------

    def action_apply(self):
        """Apply unmatched receipts to the invoice an accountant picked."""
        for receipt in self:
            if receipt.state != "unmatched":
                raise UserError(_("Only unmatched receipts can be applied."))
            if not receipt.move_id:
                raise UserError(_("Pick the invoice of receipt %(name)s first.", name=receipt.name))
        self.check_access("write")
        self.move_id.check_access("write")
        for receipt in self.sudo():  # sudo: the attachment follows the receipt to its invoice
            receipt.attachment_id.write({"res_model": "account.move", "res_id": receipt.move_id.id})
            receipt._apply()
        return True

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action() if self.move_id else False

    # -------------------------------------------------------------------------
    # Business methods
    # -------------------------------------------------------------------------

    def _apply(self):
        """Move the invoice to the state the receipt says and tell its chatter."""
        for receipt in self:
            move = receipt.move_id
            receipt.state = "applied"
            old_state = move.l10n_it_fatturapa_sdi_state
            new_state = receipt.move_state
            vals = {}
            if receipt.sdi_identifier and not move.l10n_it_fatturapa_sdi_identifier:
                vals["l10n_it_fatturapa_sdi_identifier"] = receipt.sdi_identifier
            kind = dict(receipt._fields["kind"]._description_selection(receipt.env))[receipt.kind]
            if new_state and old_state in move._l10n_it_fatturapa_sdi_final_states():
                body = _("SdI receipt %(kind)s received; the invoice stays %(state)s.",
                         kind=kind, state=move._l10n_it_fatturapa_sdi_state_label(old_state))
                new_state = False
            elif new_state:
                vals["l10n_it_fatturapa_sdi_state"] = new_state
                if new_state == "rejected":
                    vals["l10n_it_fatturapa_sdi_errors"] = receipt.error_text
                body = _("SdI receipt %(kind)s: the invoice is now %(state)s.",
                         kind=kind, state=move._l10n_it_fatturapa_sdi_state_label(new_state))
            else:
                body = _("SdI receipt %(kind)s received.", kind=kind)
            lines = [body]
            for text in (receipt.error_text, receipt.description):
                lines += (text or "").splitlines()
            body = Markup("<br/>").join(lines)
            if vals:
                move.write(vals)
            # no_new_invoice: a receipt is not a document to read into the invoice
            move.with_context(no_new_invoice=True).message_post(
                body=body, attachment_ids=receipt.attachment_id.ids)
            if new_state == "not_delivered":
                move._l10n_it_fatturapa_send_copy_to_customer()

    # -------------------------------------------------------------------------
    # Folder channel
    # -------------------------------------------------------------------------

    @api.model
    def _cron_read_inbox(self):
        """Read the receipts the intermediaries left in the inbox of each
        company on the folder channel, one file per transaction."""
        companies = self.env["res.company"].search([
            ("l10n_it_fatturapa_channel", "=", "folder"),
            ("l10n_it_fatturapa_inbox_dir", "!=", False),
        ])
        for company in companies:
            self.with_company(company)._read_inbox(company, auto_commit=True)
            self.env.cr.commit()

    @api.model
    def _read_inbox(self, company, auto_commit=False):
        """Import every receipt file of the company's inbox directory.

        A file imported (or already known) goes to ``done/``; a file that is
        not a valid receipt goes to ``error/`` with the reason in a
        ``.error.txt`` file beside it and in the log. The file moves after
        the database transaction that recorded it.

        :return: ``(imported receipts, number of files in error)``.
        """
        inbox = company.l10n_it_fatturapa_inbox_dir
        if not inbox or not os.path.isdir(inbox):
            _logger.warning("SdI inbox %s of %s is not a directory", inbox, company.name)
            return self.browse(), 0
        try:
            names = sorted(
                name for name in os.listdir(inbox)
                if os.path.isfile(os.path.join(inbox, name)) and not name.startswith(".")
            )
        except OSError:
            _logger.exception("SdI inbox %s of %s cannot be read", inbox, company.name)
            return self.browse(), 0
        receipts = self.browse()
        errors = 0
        for index, name in enumerate(names):
            path = os.path.join(inbox, name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read(MAX_RECEIPT_SIZE + 1)
                with self.env.cr.savepoint():
                    receipt = self._import_receipt(data, name, company=company)
            except UserError as error:
                reason = error.args[0]
                _logger.warning("SdI inbox of %s: %s not imported: %s", company.name, name, reason)
                try:
                    target = _move_file(path, os.path.join(inbox, "error"))
                    with open(f"{target}.error.txt", "w", encoding="utf-8") as handle:
                        handle.write(reason + "\n")
                except OSError:
                    _logger.exception("SdI inbox of %s: cannot move %s to error/", company.name, name)
                errors += 1
                continue
            except Exception:
                # not the file's fault (a busy database, a full disk): it stays for the next run
                _logger.exception("SdI inbox of %s: %s left for the next run", company.name, name)
                errors += 1
                continue
            if auto_commit:
                self.env.cr.commit()
                self.env["ir.cron"]._notify_progress(done=index + 1, remaining=len(names) - index - 1)
            _move_file(path, os.path.join(inbox, "done"))
            receipts |= receipt
        return receipts, errors


def _naive_utc(value):
    """A receipt's date-time as Odoo stores it: naive UTC. The SdI writes
    Italian local time when it gives no offset."""
    if value is None:
        return False
    if value.tzinfo is None:
        value = value.replace(tzinfo=SDI_TIMEZONE)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _move_file(path, directory):
    """Move ``path`` into ``directory`` without overwriting a file there."""
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    target = os.path.join(directory, base)
    counter = 1
    while os.path.exists(target):
        target = os.path.join(directory, f"{base}.{counter}")
        counter += 1
    shutil.move(path, target)
    return target
