# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import os
import tempfile

from odoo import Command
from odoo.tests import tagged

from .common import seller_company_values
from .common_sdi import SdiCommon


@tagged("post_install", "-at_install")
class TestSdiRealFile(SdiCommon):
    """The channels with the FatturaPA file the module builds for a real invoice."""

    real_build = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(seller_company_values(cls.env))
        cls.customer.write({"l10n_it_codice_fiscale": "00465840031", "l10n_it_pa_index": "ABC1234"})
        cls.tax_22 = cls.env["account.chart.template"].with_company(cls.company).ref("22v")

    def setUp(self):
        super().setUp()
        if "l10n_it_fatturapa_digest" not in self.env["account.move"]._fields:
            self.skipTest("the module does not build FatturaPA files here")

    def test_real_file_leaves_by_folder_and_is_rebuilt_after_a_rejection(self):
        """Test that the built file is the one written in the outbox, and that
        after an NS receipt the invoice leaves again with a new file name."""
        move = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "invoice_date": "2026-11-30",
            "invoice_line_ids": [Command.create({
                "name": "Cloud server, November", "quantity": 1, "price_unit": 50.0,
                "tax_ids": [Command.set(self.tax_22.ids)],
            })],
        })
        move.action_post()
        with tempfile.TemporaryDirectory() as outbox:
            self.company.write({"l10n_it_fatturapa_channel": "folder",
                                "l10n_it_fatturapa_outbox_dir": outbox})
            move.action_l10n_it_fatturapa_sdi_send()
            first = move.l10n_it_fatturapa_sdi_filename
            self.assertEqual(first, move.l10n_it_fatturapa_filename)
            with open(os.path.join(outbox, first), "rb") as handle:
                self.assertEqual(handle.read(), move.l10n_it_fatturapa_attachment_id.raw)

            data, _sdi = self._receipt("NS", file_name=first)
            self.env["l10n_it.fatturapa.receipt"]._import_receipt(data, "NS.xml", company=self.company)
            self.assertEqual(move.l10n_it_fatturapa_sdi_state, "rejected")

            move.action_l10n_it_fatturapa_sdi_send()
            self.assertNotEqual(move.l10n_it_fatturapa_sdi_filename, first)
            self.assertEqual(sorted(os.listdir(outbox)), sorted([first, move.l10n_it_fatturapa_sdi_filename]))
            self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")
