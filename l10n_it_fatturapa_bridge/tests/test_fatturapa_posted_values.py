# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.account_tax import MEMO
from .common import FatturaPACommon

#: The line values the mapping reads (l10n_it_edi's ``it_values``).
LINE_KEYS = ("numero_linea", "descrizione", "prezzo_unitario", "sconto_maggiorazione_list",
             "aliquota_iva_list", "natura", "altri_dati_gestionali_list", "prezzo_totale",
             "quantita", "quantita_pd")
#: The summary values the mapping reads.
ROW_KEYS = ("aliquota_iva", "natura", "imponibile_importo", "imposta", "esigibilita_iva",
            "riferimento_normativo")


@tagged("post_install", "-at_install")
class TestFatturaPAPostedValues(FatturaPACommon):
    def _both(self, move):
        """The posted path's values and l10n_it_edi's, computed as the build
        does (with its memo)."""
        self.env.cr.cache[MEMO] = {}
        try:
            ours = move._l10n_it_fatturapa_posted_values()
            odoo = move._l10n_it_edi_get_values()
        finally:
            self.env.cr.cache.pop(MEMO)
        return ours, odoo

    def _assert_same_as_l10n_it_edi(self, move):
        ours, odoo = self._both(move)
        self.assertIsNotNone(ours, "the invoice takes the posted path")
        self.assertEqual(len(ours["base_lines"]), len(odoo["base_lines"]))
        for mine, theirs in zip(ours["base_lines"], odoo["base_lines"], strict=True):
            self.assertEqual(mine["record"], theirs["record"])
            for key in LINE_KEYS:
                a, b = mine["it_values"][key], theirs["it_values"][key]
                if isinstance(a, float):
                    self.assertAlmostEqual(a, b, places=10, msg=key)
                else:
                    self.assertEqual(a, b, key)
        self.assertEqual(len(ours["tax_lines"]), len(odoo["tax_lines"]))
        for mine, theirs in zip(ours["tax_lines"], odoo["tax_lines"], strict=True):
            for key in ROW_KEYS:
                a, b = mine[key], theirs[key]
                if isinstance(a, float):
                    self.assertAlmostEqual(a, b, places=8, msg=key)
                else:
                    self.assertEqual(a or False, b or False, key)
            self.assertEqual(bool(mine["arrotondamento"]), bool(theirs["arrotondamento"]))
            if mine["arrotondamento"]:
                self.assertAlmostEqual(mine["arrotondamento"], theirs["arrotondamento"], places=8)
        self.assertAlmostEqual(ours["importo_totale_documento"],
                               odoo["importo_totale_documento"], places=8)
        self.assertAlmostEqual(ours["importo_totale_documento"], move.amount_total, places=8)
        for key in ("document_type", "regime_fiscale", "currency", "buyer", "seller",
                    "sender_info", "buyer_info", "seller_info", "representative",
                    "reconciled_moves", "downpayment_moves"):
            self.assertEqual(ours[key], odoo[key], key)

    def _hourly_lines(self):
        return [
            ("vCPU hours", 744, 0.004113, self.tax_22),
            ("RAM GB hours", 2976, 0.00137, self.tax_22),
            ("Disk GB hours", 37200, 0.000047, self.tax_22),
            ("Backup hours", 731, 0.012345, self.tax_22),
            {"name": "Control panel", "quantity": 3, "price_unit": 15.555555, "discount": 12.5,
             "tax_ids": [Command.set(self.tax_10.ids)]},
            ("Licence hours", 744, 0.0199, self.tax_10),
            ("Training", 1.5, 80.333, self.exempt_tax("N4")),
        ]

    def test_hourly_invoice_rounded_globally_equals_l10n_it_edi(self):
        """Test that the values read from a posted invoice of hourly prices,
        rounded globally, are l10n_it_edi's: lines, summary with
        Arrotondamento, total."""
        self.it_company.tax_calculation_rounding_method = "round_globally"
        move = self.make_invoice(self._hourly_lines())
        self._assert_same_as_l10n_it_edi(move)
        ours, _odoo = self._both(move)
        self.assertTrue(any(row["arrotondamento"] for row in ours["tax_lines"]))

    def test_hourly_invoice_rounded_per_line_equals_l10n_it_edi(self):
        """Test that the values read from a posted invoice of hourly prices,
        rounded per line, are l10n_it_edi's."""
        self.it_company.tax_calculation_rounding_method = "round_per_line"
        move = self.make_invoice(self._hourly_lines())
        self._assert_same_as_l10n_it_edi(move)

    def test_credit_note_equals_l10n_it_edi(self):
        """Test that a credit note of hourly prices reads the same values as
        l10n_it_edi computes (positive amounts, TD04)."""
        self.it_company.tax_calculation_rounding_method = "round_globally"
        move = self.make_invoice(self._hourly_lines(), move_type="out_refund")
        self._assert_same_as_l10n_it_edi(move)
        self.assertEqual(self._both(move)[0]["document_type"], "TD04")

    def test_reverse_charge_sale_equals_l10n_it_edi(self):
        """Test that a domestic reverse-charge sale (a 0 % tax with Natura
        N6.3 in the chart) reads the same values as l10n_it_edi computes."""
        move = self.make_invoice([("Subcontracted works", 1, 1000.0, self.it_tax("0rc_n63")),
                                  ("Cloud hosting", 3, 12.345678, self.tax_22)])
        self._assert_same_as_l10n_it_edi(move)

    def test_invoices_needing_tax_computation_take_l10n_it_edi_path(self):
        """Test that split payment, a price-included tax and a negative line
        are left to l10n_it_edi's computation, and the file still equals the
        move."""
        included = self.tax_22.copy({"name": "22% included test", "price_include_override":
                                     "tax_included"})
        cases = {
            "split payment": ([("Hosting", 1, 800.40, self.it_tax("22vsp_group"))],
                              {"partner": self.pa_customer,
                               "l10n_it_origin_document_type": "purchase_order",
                               "l10n_it_origin_document_name": "ORD-1"}),
            "price included": ([("Hosting", 1, 122.0, included)], {}),
            "negative line": ([("Hosting", 2, 50.0, self.tax_22),
                               ("Discount", 1, -10.0, self.tax_22)], {}),
        }
        for case, (lines, values) in cases.items():
            with self.subTest(case=case):
                move = self.make_invoice(lines, **values)
                ours, _odoo = self._both(move)
                self.assertIsNone(ours)
                # The file is still built, through l10n_it_edi's values.
                self.assert_amounts_equal_move(move, self.tree(move._l10n_it_fatturapa_build()))

    def test_line_without_vat_tax_is_refused_in_a_batch(self):
        """Test that a line without a VAT tax is refused with l10n_it_edi's
        words, also when the invoice is built in a batch with good ones,
        and the good invoice of the batch still gets its file."""
        good = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        bad = self.make_invoice([{"name": "Hosting", "quantity": 1, "price_unit": 10.0,
                                  "tax_ids": [Command.clear()]}])
        with self.assertRaisesRegex(UserError, "exactly one VAT tax"):
            (good | bad)._l10n_it_fatturapa_build()
        self.assertTrue(bad.l10n_it_fatturapa_blocked)
        self.assertIn("exactly one VAT tax", bad.l10n_it_fatturapa_problems)
        self.assertEqual((good | bad)._l10n_it_fatturapa_build(raise_on_problems=False),
                         good.l10n_it_fatturapa_attachment_id)
