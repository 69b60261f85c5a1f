# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import re
from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import FatturaPACommon

D = Decimal


@tagged("post_install", "-at_install")
class TestFatturaPABuild(FatturaPACommon):
    def test_posted_invoice_gets_a_checked_file_attached(self):
        """Test that a posted invoice gets a FatturaPA file the SdI checks
        accept, attached to the invoice and named with the company's
        progressive."""
        from fatturapa_bridge import validate_bytes

        move = self.make_invoice([("Cloud server 2 vCPU", 1, 100.0, self.tax_22)])
        attachment = move._l10n_it_fatturapa_build()
        self.assertEqual(attachment, move.l10n_it_fatturapa_attachment_id)
        self.assertEqual((attachment.res_model, attachment.res_id), ("account.move", move.id))
        self.assertRegex(move.l10n_it_fatturapa_filename, r"^IT01234560157_[0-9A-Za-z]{5}\.xml$")
        self.assertEqual(attachment.name, move.l10n_it_fatturapa_filename)
        self.assertEqual(
            [p for p in validate_bytes(attachment.raw, name=attachment.name) if p.is_error], [])
        tree = self.tree(attachment)
        progressive = move.l10n_it_fatturapa_filename.split("_")[1][:5]
        self.assertEqual(self.texts(tree, "//ProgressivoInvio"), [progressive])
        self.assertEqual(self.texts(tree, "//TipoDocumento"), ["TD01"])
        self.assertEqual(self.texts(tree, "//FormatoTrasmissione"), ["FPR12"])
        self.assertEqual(self.texts(tree, "//CodiceDestinatario"), ["ABC1234"])
        self.assertEqual(self.texts(tree, "//DatiGeneraliDocumento/Numero"), [move.name])
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"), [D("122.00")])
        self.assertEqual(self.amounts(tree, "//ImportoPagamento"), [D("122.00")])
        self.assertEqual(self.texts(tree, "//IBAN"), ["IT60X0542811101000000123456"])
        self.assertFalse(move.l10n_it_fatturapa_blocked)

    def test_up_to_date_file_is_returned_and_regenerate_makes_a_new_name(self):
        """Test that building again returns the same file while the invoice is
        unchanged, and that Regenerate makes a new file with a new name."""
        move = self.make_invoice([("Backup", 2, 10.0, self.tax_22)])
        first = move._l10n_it_fatturapa_build()
        self.assertEqual(move._l10n_it_fatturapa_build(), first)
        move.action_l10n_it_fatturapa_regenerate()
        second = move.l10n_it_fatturapa_attachment_id
        self.assertNotEqual(second, first)
        self.assertNotEqual(second.name, first.name)
        self.assertTrue(first.exists(), "the first file stays attached, as a record of it")

    def test_files_of_a_company_never_share_a_name(self):
        """Test that the files of several invoices built together get
        distinct progressives, in base 62 after l10n_it_edi's start."""
        from fatturapa_bridge.naming import ALPHABET_62, decode_counter

        moves = self.env["account.move"]
        for index in range(4):
            moves |= self.make_invoice([(f"Domain {index}", 1, 12.0, self.tax_22)])
        attachments = moves._l10n_it_fatturapa_build()
        names = attachments.mapped("name")
        self.assertEqual(len(set(names)), 4)
        for name in names:
            self.assertGreaterEqual(decode_counter(name.split("_")[1][:5], ALPHABET_62), 62**4)

    def test_credit_note_is_td04_and_links_the_invoice(self):
        """Test that a credit note is a TD04 linking the invoice it reverses,
        without payment data."""
        move = self.make_invoice([("Cloud server", 1, 50.0, self.tax_22)])
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=move.ids).create({
                "journal_id": move.journal_id.id, "date": move.date})
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.action_post()
        tree = self.tree(credit_note._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//TipoDocumento"), ["TD04"])
        self.assertEqual(self.texts(tree, "//DatiFattureCollegate/IdDocumento"), [move.name])
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"), [D("61.00")])
        self.assertFalse(tree.xpath("//DatiPagamento"))

    def test_private_person_with_pec_gets_code_zero_and_pec(self):
        """Test that a private person is named by first and last name, with
        code 0000000 and the PEC address."""
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)], partner=self.person)
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//CodiceDestinatario"), ["0000000"])
        self.assertEqual(self.texts(tree, "//PECDestinatario"), ["mario.rossi@pec.example.it"])
        self.assertEqual(self.texts(tree, "//CessionarioCommittente//Nome"), ["Mario"])
        self.assertEqual(self.texts(tree, "//CessionarioCommittente//Cognome"), ["Rossi"])
        self.assertEqual(self.texts(tree, "//CessionarioCommittente//CodiceFiscale"),
                         ["RSSMRA80A01H501U"])

    def test_hourly_prices_round_per_line_equal_the_move(self):
        """Test that hourly prices of 4-6 decimals, rounded per line, give a
        file whose taxable amounts, VAT, total and payment are the move's,
        the lines' cents going to Arrotondamento."""
        self.it_company.tax_calculation_rounding_method = "round_per_line"
        rows = self._assert_hourly_invoice_matches()
        self.assertFalse(any(r for _t, _x, r in rows.values()),
                         "lines rounded per line leave no gap to state")

    def test_hourly_prices_round_globally_equal_the_move(self):
        """Test that hourly prices of 4-6 decimals, rounded globally, give a
        file whose taxable amounts, VAT, total and payment are the move's."""
        self.it_company.tax_calculation_rounding_method = "round_globally"
        rows = self._assert_hourly_invoice_matches()
        self.assertTrue(any(r for _t, _x, r in rows.values()), "the lines have sub-cent totals")

    def _assert_hourly_invoice_matches(self):
        move = self.make_invoice([
            ("vCPU hours", 744, 0.004113, self.tax_22),
            ("RAM GB hours", 2976, 0.00137, self.tax_22),
            ("Disk GB hours", 37200, 0.000047, self.tax_22),
            ("Backup hours", 731, 0.012345, self.tax_22),
            ("Licence hours", 744, 0.0199, self.tax_10),
        ])
        tree = self.tree(move._l10n_it_fatturapa_build())
        rows = {
            D(row.findtext("AliquotaIVA")): (D(row.findtext("ImponibileImporto")),
                                             D(row.findtext("Imposta")),
                                             D(row.findtext("Arrotondamento") or "0"))
            for row in tree.iter("DatiRiepilogo")
        }
        lines_by_rate = {}
        for line in tree.iter("DettaglioLinee"):
            rate = D(line.findtext("AliquotaIVA"))
            lines_by_rate[rate] = lines_by_rate.get(rate, D(0)) + D(line.findtext("PrezzoTotale"))
        tax_by_rate = {}
        for line in move.line_ids.filtered("tax_line_id"):
            rate = D(str(line.tax_line_id.amount)).quantize(D("0.01"))
            tax_by_rate[rate] = tax_by_rate.get(rate, D(0)) - D(str(line.balance))
        for rate, (taxable, tax, rounding) in rows.items():
            self.assertEqual(tax, tax_by_rate[rate.quantize(D("0.01"))].quantize(D("0.01")))
            self.assertEqual(taxable - rounding, lines_by_rate[rate], "Arrotondamento is the gap")
        self.assertEqual(sum(t for t, _x, _r in rows.values()), D(str(move.amount_untaxed)))
        self.assertEqual(sum(x for _t, x, _r in rows.values()),
                         D(str(move.amount_tax)).quantize(D("0.01")))
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"),
                         [D(str(move.amount_total)).quantize(D("0.01"))])
        self.assertEqual(self.amounts(tree, "//ImportoPagamento"),
                         [D(str(move.amount_residual)).quantize(D("0.01"))])
        for line in tree.iter("DettaglioLinee"):
            self.assertGreater(len(line.findtext("PrezzoUnitario").split(".")[1]), 2)
        return rows

    def test_discounted_lines_and_document_discount_line(self):
        """Test that a line discount and a negative discount line (Odoo's
        document-level discount) are reflected in the lines and the totals."""
        move = self.make_invoice([
            {"name": "Cloud server", "quantity": 3, "price_unit": 40.0, "discount": 10.0,
             "tax_ids": [Command.set(self.tax_22.ids)]},
            ("Reseller discount", 1, -8.0, self.tax_22),
        ])
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//DettaglioLinee/ScontoMaggiorazione/Tipo"),
                         ["SC", "SC"])
        self.assertEqual(self.amounts(tree, "//DatiRiepilogo/ImponibileImporto"), [D("100.00")])
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"),
                         [D(str(move.amount_total)).quantize(D("0.01"))])

    def test_customer_without_tax_id_is_refused_in_plain_words(self):
        """Test that a customer with neither VAT nor Codice Fiscale makes no
        file: the error names the field and stays on the invoice."""
        nobody = self.env["res.partner"].create({
            "name": "Nobody", "country_id": self.env.ref("base.it").id, "street": "Via X 1",
            "zip": "20100", "city": "Milano", "is_company": True,
        })
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)], partner=nobody)
        with self.assertRaisesRegex(UserError, "(?i)codice fiscale|vat"):
            move._l10n_it_fatturapa_build()
        self.assertFalse(move._l10n_it_fatturapa_build(raise_on_problems=False))
        self.assertTrue(move.l10n_it_fatturapa_blocked)
        self.assertRegex(move.l10n_it_fatturapa_problems, "(?i)codice fiscale|vat")
        self.assertFalse(move.l10n_it_fatturapa_attachment_id)
        self.assertFalse(self.env["ir.attachment"].search([
            ("res_model", "=", "account.move"), ("res_id", "=", move.id)]))

    def test_customer_without_address_is_refused_naming_it(self):
        """Test that a customer without street and city makes no file, the
        message naming the customer's address."""
        partner = self.env["res.partner"].create({
            "name": "No Address S.r.l.", "vat": "IT00465840031", "is_company": True,
            "country_id": self.env.ref("base.it").id,
        })
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)], partner=partner)
        with self.assertRaisesRegex(UserError, "No Address S.r.l. has no Street, ZIP, City"):
            move._l10n_it_fatturapa_build()

    def test_draft_and_vendor_bills_have_no_file(self):
        """Test that a draft invoice and a vendor bill are refused."""
        draft = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)], post=False)
        with self.assertRaisesRegex(UserError, "not a posted customer invoice"):
            draft._l10n_it_fatturapa_build()
        self.assertFalse(draft.l10n_it_fatturapa_attachment_id)

    def test_zero_rate_without_exoneration_is_refused_naming_the_line(self):
        """Test that a problem found by the SdI checks names the invoice line
        and its tax, and the file is not made."""
        tax = self.exempt_tax("N4")
        move = self.make_invoice([("Exempt service", 1, 10.0, tax)])
        # The chart forbids a 0% tax without exoneration: break it in SQL as
        # an import would, to see the file check catch it.
        self.env.cr.execute("UPDATE account_tax SET l10n_it_exempt_reason = NULL WHERE id = %s",
                            [tax.id])
        tax.invalidate_recordset()
        with self.assertRaisesRegex(UserError, r"Invoice line 1: its tax .*00400"):
            move._l10n_it_fatturapa_build()

    def test_texts_the_sdi_refuses_are_cleaned_with_a_note(self):
        """Test that the euro sign, emoji, control characters and a text over
        1,000 characters are written so the SdI accepts them, never as '?',
        with a note on the invoice and in its chatter."""
        description = "Server \u20ac 10 \U0001F600 fast\x07 " + "x" * 1200
        move = self.make_invoice([(description, 1, 10.0, self.tax_22)])
        attachment = move._l10n_it_fatturapa_build()
        [text] = self.texts(self.tree(attachment), "//DettaglioLinee/Descrizione")
        self.assertTrue(text.startswith("Server EUR 10  fast "), text[:40])
        self.assertEqual(len(text), 1000)
        self.assertNotIn("?", text)
        self.assertIn("Descrizione", move.l10n_it_fatturapa_problems)
        self.assertFalse(move.l10n_it_fatturapa_blocked)
        self.assertIn("written differently for the SdI", move.message_ids[0].body)

    def test_button_shows_problems_without_raising(self):
        """Test that the FatturaPA button keeps the problems on the invoice
        and answers with a notification instead of an error."""
        nobody = self.env["res.partner"].create({
            "name": "Nobody", "country_id": self.env.ref("base.it").id, "street": "Via X 1",
            "zip": "20100", "city": "Milano", "is_company": True,
        })
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)], partner=nobody)
        action = move.action_l10n_it_fatturapa_build()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(move.l10n_it_fatturapa_blocked)
        good = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        action = good.action_l10n_it_fatturapa_build()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(str(good.l10n_it_fatturapa_attachment_id.id), action["url"])

    def test_file_name_matches_the_transmitter(self):
        """Test that the file name starts with the IdTrasmittente."""
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        tree = self.tree(move._l10n_it_fatturapa_build())
        country, code = self.texts(tree, "//IdTrasmittente/*")
        self.assertTrue(re.match(rf"^{country}{code}_", move.l10n_it_fatturapa_filename))

    def test_users_without_invoicing_rights_cannot_build(self):
        """Test that an internal user without invoicing rights and a portal
        user of the customer cannot build (nor name) a file, also through
        the public button method that XML-RPC reaches."""
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        employee = self.env["res.users"].create({
            "name": "Employee", "login": "employee_fatturapa",
            "groups_id": [Command.set([self.env.ref("base.group_user").id])],
            "company_id": self.it_company.id, "company_ids": [Command.set(self.it_company.ids)],
        })
        portal = self.env["res.users"].create({
            "name": "Customer portal", "login": "portal_fatturapa",
            "partner_id": self.customer.id,
            "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            "company_id": self.it_company.id, "company_ids": [Command.set(self.it_company.ids)],
        })
        for user in (employee, portal):
            with self.assertRaises(AccessError):
                move.with_user(user).action_l10n_it_fatturapa_build()
            with self.assertRaises(AccessError):
                move.with_user(user)._l10n_it_fatturapa_build()
        self.assertFalse(move.l10n_it_fatturapa_attachment_id)
        self.assertFalse(move.l10n_it_fatturapa_filename)
