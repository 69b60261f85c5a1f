# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_it_fatturapa_channel = fields.Selection(
        related="company_id.l10n_it_fatturapa_channel", readonly=False)
    l10n_it_fatturapa_pec_server_id = fields.Many2one(
        related="company_id.l10n_it_fatturapa_pec_server_id", readonly=False)
    l10n_it_fatturapa_pec_address = fields.Char(
        related="company_id.l10n_it_fatturapa_pec_address", readonly=False)
    l10n_it_fatturapa_sdi_address = fields.Char(
        related="company_id.l10n_it_fatturapa_sdi_address", readonly=False)
    l10n_it_fatturapa_outbox_dir = fields.Char(
        related="company_id.l10n_it_fatturapa_outbox_dir", readonly=False)
    l10n_it_fatturapa_inbox_dir = fields.Char(
        related="company_id.l10n_it_fatturapa_inbox_dir", readonly=False)
    l10n_it_fatturapa_reminder_days = fields.Integer(
        related="company_id.l10n_it_fatturapa_reminder_days", readonly=False)
