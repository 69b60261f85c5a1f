# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import _, fields, models
from odoo.exceptions import UserError


class L10nItFatturapaReceiptUpload(models.TransientModel):
    _name = "l10n_it.fatturapa.receipt.upload"
    _description = "Upload SdI Receipts"

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company)
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment", string="Receipt Files",
        help="The receipts downloaded from the SdI portal (XML or .p7m).")

    def action_import(self):
        """Record and apply every uploaded receipt; one bad file imports nothing.

        :return: the list of the receipts read.
        """
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(_("Add the receipt files to upload."))
        Receipt = self.env["l10n_it.fatturapa.receipt"].with_company(self.company_id)
        # every file is checked before any is recorded
        for attachment in self.attachment_ids:
            Receipt._parse_receipt_file(attachment.raw, attachment.name)
        receipts = Receipt.browse()
        for attachment in self.attachment_ids:
            receipts |= Receipt._import_receipt(attachment.raw, attachment.name, company=self.company_id)
        # the uploaded copies are no longer needed: each receipt keeps its own
        self.attachment_ids.unlink()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_it_fatturapa_bridge.l10n_it_fatturapa_receipt_action")
        action["domain"] = [("id", "in", receipts.ids)]
        action["context"] = {"create": False}
        return action
