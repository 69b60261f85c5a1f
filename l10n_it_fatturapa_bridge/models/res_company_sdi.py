# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import os

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SDI_PEC_ADDRESS = "sdi01@pec.fatturapa.it"


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_it_fatturapa_channel = fields.Selection(
        selection=[
            ("proxy", "Odoo proxy"),
            ("pec", "PEC"),
            ("folder", "Folder (intermediary)"),
            ("manual", "Manual upload"),
        ],
        string="SdI Channel",
        default="proxy",
        required=True,
        help="How this company's FatturaPA files reach the SdI and how its receipts come back.\n"
        "Odoo proxy: Odoo's own service (l10n_it_edi).\n"
        "PEC: sent by certified e-mail; receipts come back to the PEC mailbox.\n"
        "Folder: files written to an outbox directory that an intermediary collects; "
        "receipts read from an inbox directory.\n"
        "Manual: the accountant downloads the file and uploads it on the SdI portal, "
        "then uploads the receipts.",
    )
    l10n_it_fatturapa_pec_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="PEC Outgoing Server",
        help="The outgoing server of the company's PEC mailbox.",
    )
    l10n_it_fatturapa_pec_address = fields.Char(
        string="PEC Address",
        help="The company's PEC mailbox: files leave from it and the SdI answers to it.",
    )
    l10n_it_fatturapa_sdi_address = fields.Char(
        string="SdI PEC Address",
        default=SDI_PEC_ADDRESS,
        help="Where files are sent by PEC. The SdI gives each sender its own address "
        "after the first file: set it here then.",
    )
    l10n_it_fatturapa_outbox_dir = fields.Char(
        string="Outbox Directory",
        help="Directory on the Odoo server where files are written for the intermediary.",
    )
    l10n_it_fatturapa_inbox_dir = fields.Char(
        string="Inbox Directory",
        help="Directory on the Odoo server where the intermediary leaves the SdI receipts. "
        "Processed files are moved to its done/ subfolder, unreadable ones to error/.",
    )
    l10n_it_fatturapa_reminder_days = fields.Integer(
        string="Receipt Reminder (days)",
        default=5,
        help="Invoices sent this many days ago without any SdI receipt are listed for the accountants.",
    )

    @api.constrains("l10n_it_fatturapa_reminder_days")
    def _check_l10n_it_fatturapa_reminder_days(self):
        for company in self:
            if not 1 <= company.l10n_it_fatturapa_reminder_days <= 365:
                raise ValidationError(_("The SdI receipt reminder must be between 1 and 365 days."))

    @api.constrains("l10n_it_fatturapa_outbox_dir", "l10n_it_fatturapa_inbox_dir")
    def _check_l10n_it_fatturapa_dirs(self):
        for company in self:
            for path in (company.l10n_it_fatturapa_outbox_dir, company.l10n_it_fatturapa_inbox_dir):
                if path and not os.path.isabs(path):
                    raise ValidationError(_(
                        "The SdI directory %(path)s must be an absolute path.", path=path))
