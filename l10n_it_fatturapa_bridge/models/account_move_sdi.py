# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import logging
import os
import smtplib
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_mail_server import MailDeliveryException

from fatturapa_bridge.rules import SDI_CHECKS

_logger = logging.getLogger(__name__)

SDI_STATES = [
    ("to_send", "To send"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("not_delivered", "Not delivered, in the reserved area"),
    ("rejected", "Rejected by the SdI"),
    ("accepted", "Accepted by the public administration"),
    ("refused", "Refused by the public administration"),
    ("deemed_accepted", "Deemed accepted (terms expired)"),
    ("undeliverable", "Impossible to deliver"),
]

#: States after which no receipt changes the invoice any more.
FINAL_STATES = ("rejected", "accepted", "refused", "deemed_accepted", "undeliverable")

#: States from which the invoice may (again) be sent.
SENDABLE_STATES = ("to_send", "rejected")

#: The SdI's error codes in words (the specification's list of checks).
SDI_ERROR_WORDS = {code: words for code, words, _where in SDI_CHECKS}

#: l10n_it_edi's states (Odoo proxy channel) and ours.
PROXY_STATES = {
    "being_sent": "sent",
    "processing": "sent",
    "forward_attempt": "sent",
    "rejected": "rejected",
    "forwarded": "delivered",
    "forward_failed": "not_delivered",
    "accepted_by_pa_partner": "accepted",
    "rejected_by_pa_partner": "refused",
    "accepted_by_pa_partner_after_expiry": "deemed_accepted",
}


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_it_fatturapa_sdi_state = fields.Selection(
        selection=SDI_STATES, string="SdI State", copy=False, readonly=True, index=True,
        tracking=True,
        help="Where the invoice's FatturaPA file stands at the SdI, as its receipts say.")
    l10n_it_fatturapa_sdi_channel = fields.Selection(
        related="company_id.l10n_it_fatturapa_channel", string="SdI Channel")
    l10n_it_fatturapa_sdi_identifier = fields.Char(
        string="SdI Identifier", copy=False, readonly=True, index="btree_not_null",
        help="The number the SdI gave the file, from its first receipt.")
    l10n_it_fatturapa_sdi_filename = fields.Char(
        string="File Sent", copy=False, readonly=True, index="btree_not_null",
        help="The name of the last FatturaPA file sent to the SdI.")
    l10n_it_fatturapa_sdi_sent_at = fields.Datetime(string="Sent to the SdI", copy=False, readonly=True)
    l10n_it_fatturapa_sdi_errors = fields.Text(
        string="SdI Rejection", copy=False, readonly=True,
        help="Why the SdI rejected the file, in words: correct the invoice and send it again.")
    l10n_it_fatturapa_receipt_ids = fields.One2many(
        comodel_name="l10n_it.fatturapa.receipt", inverse_name="move_id", string="SdI Receipts",
        readonly=True)
    l10n_it_fatturapa_receipt_count = fields.Integer(compute="_compute_l10n_it_fatturapa_receipt_count")

    def _compute_l10n_it_fatturapa_receipt_count(self):
        counts = dict(self.env["l10n_it.fatturapa.receipt"]._read_group(
            [("move_id", "in", self.ids)], ["move_id"], ["__count"]))
        for move in self:
            move.l10n_it_fatturapa_receipt_count = counts.get(move, 0)

    @api.depends("l10n_it_fatturapa_sdi_state")
    def _compute_show_reset_to_draft_button(self):
        # EXTENDS 'account': a file the SdI holds is corrected by a credit note.
        super()._compute_show_reset_to_draft_button()
        for move in self:
            if move.l10n_it_fatturapa_sdi_state not in (False, "to_send", "rejected"):
                move.show_reset_to_draft_button = False

    # -------------------------------------------------------------------------
    # CRUD and workflow overrides
    # -------------------------------------------------------------------------

    def _post(self, soft=True):
        # EXTENDS 'account'
        posted = super()._post(soft=soft)
        posted.filtered(
            lambda m: not m.l10n_it_fatturapa_sdi_state and m._l10n_it_fatturapa_sdi_applicable()
        ).l10n_it_fatturapa_sdi_state = "to_send"
        return posted

    def button_draft(self):
        # EXTENDS 'account'
        for move in self:
            if move.l10n_it_fatturapa_sdi_state not in (False, "to_send", "rejected"):
                raise UserError(_(
                    "%(move)s is at the SdI (%(state)s): correct it with a credit note.",
                    move=move.display_name,
                    state=move._l10n_it_fatturapa_sdi_state_label(move.l10n_it_fatturapa_sdi_state)))
        return super().button_draft()

    def _l10n_it_edi_send(self, attachments_vals):
        # EXTENDS 'l10n_it_edi': a file sent through Odoo's proxy, from our
        # button or from Odoo's own sending wizard, is sent for us too.
        result = super()._l10n_it_edi_send(attachments_vals)
        for move, vals in attachments_vals.items():
            # a public administration's file waits for the user's signature: not sent yet
            if move.l10n_it_edi_state in PROXY_STATES:
                move.write({
                    "l10n_it_fatturapa_sdi_state": PROXY_STATES[move.l10n_it_edi_state],
                    "l10n_it_fatturapa_sdi_filename": vals["name"],
                    "l10n_it_fatturapa_sdi_sent_at": fields.Datetime.now(),
                    "l10n_it_fatturapa_sdi_identifier": False,
                    "l10n_it_fatturapa_sdi_errors": False,
                })
        return result

    def _l10n_it_edi_write_send_state(self, transformed_notification, message):
        # EXTENDS 'l10n_it_edi': the Odoo proxy's answers drive our state too
        # (written first: the parent method commits).
        state = PROXY_STATES.get(transformed_notification.get("l10n_it_edi_state"))
        if state and self.l10n_it_fatturapa_sdi_state not in FINAL_STATES:
            vals = {"l10n_it_fatturapa_sdi_state": state}
            if state == "rejected":
                vals["l10n_it_fatturapa_sdi_errors"] = "\n".join(
                    f"{code}: {SDI_ERROR_WORDS.get(code, '')} (SdI: {text})"
                    for code, text in transformed_notification.get("errors") or []
                ) or False
            self.write(vals)
        return super()._l10n_it_edi_write_send_state(transformed_notification, message)

    # -------------------------------------------------------------------------
    # Actions
    # -------------------------------------------------------------------------

    def action_l10n_it_fatturapa_sdi_send(self):
        """Send the FatturaPA file of each invoice to the SdI through its
        company's channel (PEC, folder, manual download or Odoo proxy).

        A rejected invoice is sent again with a new file (a new progressive
        in its name, as the SdI refuses a name it already received).

        :return: the download action of the file on the manual channel, else ``True``.
        """
        self.check_access("write")
        for move in self:
            move._l10n_it_fatturapa_sdi_check_sendable()
        action = True
        for move in self:
            action = move._l10n_it_fatturapa_sdi_send() or action
        return action if len(self) == 1 else True

    def action_l10n_it_fatturapa_receipts(self):
        """Open the SdI receipts of the invoice."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_it_fatturapa_bridge.l10n_it_fatturapa_receipt_action")
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # -------------------------------------------------------------------------
    # Business methods
    # -------------------------------------------------------------------------

    def _l10n_it_fatturapa_sdi_applicable(self):
        """Whether the invoice goes to the SdI (a customer invoice or credit
        note of an Italian company)."""
        self.ensure_one()
        return (
            self.move_type in ("out_invoice", "out_refund")
            and self.company_id.account_fiscal_country_id.code == "IT"
        )

    @api.model
    def _l10n_it_fatturapa_sdi_final_states(self):
        return FINAL_STATES

    @api.model
    def _l10n_it_fatturapa_sdi_state_label(self, state):
        return dict(self._fields["l10n_it_fatturapa_sdi_state"]._description_selection(self.env)).get(
            state, state or "")

    def _l10n_it_fatturapa_sdi_check_sendable(self):
        self.ensure_one()
        if self.state != "posted" or not self._l10n_it_fatturapa_sdi_applicable():
            raise UserError(_(
                "%(move)s is not a posted customer invoice of an Italian company.",
                move=self.display_name))
        if self.l10n_it_fatturapa_sdi_state not in SENDABLE_STATES:
            raise UserError(_(
                "%(move)s was already sent to the SdI (%(state)s).",
                move=self.display_name,
                state=self._l10n_it_fatturapa_sdi_state_label(self.l10n_it_fatturapa_sdi_state)))

    def _l10n_it_fatturapa_sdi_file(self):
        """The file to send: built by the e-invoice part of this module; after
        a rejection a new one, whose name must differ from the rejected one."""
        self.ensure_one()
        resend = self.l10n_it_fatturapa_sdi_state == "rejected"
        if resend:
            self._l10n_it_fatturapa_sdi_forget_file()
        attachment = self._l10n_it_fatturapa_build()
        if (
            self.commercial_partner_id._l10n_it_edi_is_public_administration()
            and not attachment.name.lower().endswith(".p7m")
            and self.company_id.l10n_it_fatturapa_channel != "proxy"
        ):
            # the SdI refuses unsigned files addressed to public administrations
            raise UserError(_(
                "%(move)s is addressed to a public administration: its file must be signed. "
                "Set the company's signing certificate, then send it.", move=self.display_name))
        if resend and attachment.name == self.l10n_it_fatturapa_sdi_filename:
            raise UserError(_(
                "The SdI refuses a file name it already received (%(file)s): "
                "regenerate the FatturaPA file of %(move)s before sending it again.",
                file=attachment.name, move=self.display_name))
        return attachment

    def _l10n_it_fatturapa_sdi_forget_file(self):
        """Make the next build give a new file with a new name (the SdI
        never takes a name twice), as *Regenerate* does."""
        if "l10n_it_fatturapa_digest" in self._fields:
            self.with_context(skip_invoice_sync=True, skip_is_manually_modified=True).write(
                {"l10n_it_fatturapa_digest": False})

    def _l10n_it_fatturapa_sdi_send(self):
        self.ensure_one()
        channel = self.company_id.l10n_it_fatturapa_channel
        self._l10n_it_fatturapa_sdi_check_channel(channel)
        if channel == "proxy":
            return self._l10n_it_fatturapa_sdi_send_proxy()
        attachment = self._l10n_it_fatturapa_sdi_file()
        senders = {
            "pec": self._l10n_it_fatturapa_sdi_send_pec,
            "folder": self._l10n_it_fatturapa_sdi_send_folder,
            "manual": self._l10n_it_fatturapa_sdi_send_manual,
        }
        result = senders[channel](attachment)
        self._l10n_it_fatturapa_sdi_mark_sent(attachment, channel)
        return result

    def _l10n_it_fatturapa_sdi_check_channel(self, channel):
        """Refuse clearly, before anything is built or written, a channel
        whose settings are missing."""
        company = self.company_id
        if channel == "proxy" and not company.l10n_it_edi_proxy_user_id:
            raise UserError(_(
                "%(company)s is not registered with Odoo's e-invoicing service: register it in the "
                "settings (Italian Electronic Invoicing) or choose another SdI channel.",
                company=company.name))
        if channel == "pec":
            missing = [
                label for label, value in (
                    (_("PEC outgoing server"), company.l10n_it_fatturapa_pec_server_id),
                    (_("PEC address"), company.l10n_it_fatturapa_pec_address),
                    (_("SdI PEC address"), company.l10n_it_fatturapa_sdi_address),
                ) if not value
            ]
            if missing:
                raise UserError(_("Set the %(fields)s of %(company)s in the settings to send by PEC.",
                                  fields=", ".join(missing), company=company.name))
        elif channel == "folder":
            outbox = company.l10n_it_fatturapa_outbox_dir
            if not outbox or not os.path.isdir(outbox):
                raise UserError(_("The SdI outbox directory %(dir)s of %(company)s does not exist.",
                                  dir=outbox or "-", company=company.name))

    def _l10n_it_fatturapa_sdi_mark_sent(self, attachment, channel):
        self.write({
            "l10n_it_fatturapa_sdi_state": "sent",
            "l10n_it_fatturapa_sdi_filename": attachment.name,
            "l10n_it_fatturapa_sdi_sent_at": fields.Datetime.now(),
            "l10n_it_fatturapa_sdi_identifier": False,
            "l10n_it_fatturapa_sdi_errors": False,
        })
        channel_label = dict(self.company_id._fields["l10n_it_fatturapa_channel"]._description_selection(
            self.env))[channel]
        # no_new_invoice: the file is ours, not a document to read into the invoice
        self.with_context(no_new_invoice=True).message_post(
            body=_("FatturaPA file %(file)s sent to the SdI (%(channel)s).",
                   file=attachment.name, channel=channel_label),
            attachment_ids=attachment.ids if attachment.res_model == self._name else [],
        )

    def _l10n_it_fatturapa_sdi_send_pec(self, attachment):
        """Send the file by PEC through the company's outgoing PEC server."""
        company = self.company_id
        # sudo: the PEC message is a technical mail of the company's mailbox,
        # not a chatter message of the accountant; it keeps no thread link so
        # that the SdI's answers reach the receipt model, not the invoice.
        mail = self.env["mail.mail"].sudo().create({
            "subject": attachment.name,
            "email_from": company.l10n_it_fatturapa_pec_address,
            "email_to": company.l10n_it_fatturapa_sdi_address,
            "body_html": Markup("<p>%s</p>") % _("FatturaPA file %(file)s", file=attachment.name),
            "attachment_ids": [Command.link(attachment.id)],
            "mail_server_id": company.l10n_it_fatturapa_pec_server_id.id,
            "auto_delete": False,
        })
        try:
            mail.send(raise_exception=True)
        except (MailDeliveryException, smtplib.SMTPException, OSError) as error:
            raise UserError(_("The PEC server of %(company)s did not take %(file)s: %(reason)s",
                              company=company.name, file=attachment.name,
                              reason=", ".join(str(arg) for arg in error.args) or repr(error))) from error
        if mail.state != "sent":
            raise UserError(_("The PEC server of %(company)s did not take %(file)s: %(reason)s",
                              company=company.name, file=attachment.name,
                              reason=mail.failure_reason or "-"))

    def _l10n_it_fatturapa_sdi_send_folder(self, attachment):
        """Write the file in the company's outbox directory, atomically."""
        outbox = self.company_id.l10n_it_fatturapa_outbox_dir
        name = os.path.basename(attachment.name)
        path = os.path.join(outbox, name)
        data = attachment.raw
        if os.path.exists(path):
            with open(path, "rb") as handle:
                if handle.read() != data:
                    raise UserError(_("The outbox already holds another file named %(file)s.",
                                      file=name))
            return True
        temporary = os.path.join(outbox, f".{name}.tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
            # intermediaries must never pick up a half-written file
            os.replace(temporary, path)
        except OSError as error:
            raise UserError(_("Cannot write %(file)s in the SdI outbox: %(error)s",
                              file=name, error=error.strerror or str(error))) from None
        return True

    def _l10n_it_fatturapa_sdi_send_manual(self, attachment):
        """Give the file to the accountant, who uploads it on the SdI portal."""
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _l10n_it_fatturapa_sdi_send_proxy(self):
        """Odoo's own channel (l10n_it_edi): the file goes through Odoo's proxy."""
        attachment = self._l10n_it_fatturapa_sdi_file()
        self._l10n_it_edi_send({self: {"name": attachment.name, "raw": attachment.raw}})
        return True

    def _l10n_it_fatturapa_send_copy_to_customer(self):
        """Mail the PDF copy to the customer (the SdI could not deliver the
        file and keeps it in the customer's reserved area)."""
        template = self.env.ref("l10n_it_fatturapa_bridge.mail_template_sdi_not_delivered",
                                raise_if_not_found=False)
        for move in self:
            if not template:
                continue
            if not move.partner_id.email:
                move.message_post(body=_(
                    "The SdI could not deliver the invoice and %(partner)s has no e-mail "
                    "address: give the customer a copy another way.",
                    partner=move.partner_id.display_name))
                continue
            move.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    # -------------------------------------------------------------------------
    # Crons
    # -------------------------------------------------------------------------

    @api.model
    def _cron_l10n_it_fatturapa_sdi_reminder(self):
        """Ask the accountants about invoices sent days ago without any receipt,
        one company per transaction."""
        companies = self.env["res.company"].search([("account_fiscal_country_id.code", "=", "IT")])
        for index, company in enumerate(companies):
            self.with_company(company)._l10n_it_fatturapa_sdi_remind(company)
            self.env.cr.commit()
            self.env["ir.cron"]._notify_progress(done=index + 1, remaining=len(companies) - index - 1)

    @api.model
    def _get_l10n_it_fatturapa_sdi_reminder_domain(self, company):
        """The invoices sent long enough ago and still without receipt (extension hook)."""
        limit = fields.Datetime.now() - timedelta(days=company.l10n_it_fatturapa_reminder_days)
        return [
            ("company_id", "=", company.id),
            ("l10n_it_fatturapa_sdi_state", "=", "sent"),
            ("l10n_it_fatturapa_sdi_sent_at", "<=", limit),
        ]

    def _l10n_it_fatturapa_sdi_responsible(self):
        """Who follows the invoice at the SdI: its salesperson or author, if
        still an active internal user, else the current user."""
        self.ensure_one()
        for user in (self.invoice_user_id, self.create_uid):
            if user.active and not user.share and not user._is_superuser():
                return user
        return self.env.user

    @api.model
    def _l10n_it_fatturapa_sdi_remind(self, company):
        """Schedule one activity per invoice still waiting for its first
        receipt (a state-changing one) since it was sent, once.

        :return: the invoices reminded about this time.
        """
        activity_type = self.env.ref("l10n_it_fatturapa_bridge.mail_activity_type_sdi_no_receipt")
        moves = self.search(self._get_l10n_it_fatturapa_sdi_reminder_domain(company))
        reminded = self.browse()
        for move in moves:
            if move.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
                continue
            move.activity_schedule(
                activity_type_id=activity_type.id,
                summary=_("No SdI receipt %(days)s days after sending",
                          days=company.l10n_it_fatturapa_reminder_days),
                note=_("%(file)s was sent on %(date)s and the SdI has not answered: check the "
                       "channel and the SdI portal.",
                       file=move.l10n_it_fatturapa_sdi_filename,
                       date=fields.Date.to_string(move.l10n_it_fatturapa_sdi_sent_at)),
                user_id=move._l10n_it_fatturapa_sdi_responsible().id,
            )
            reminded |= move
        return reminded
