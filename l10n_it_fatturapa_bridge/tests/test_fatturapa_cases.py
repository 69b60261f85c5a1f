# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import base64
import os
import subprocess
import tempfile
import threading
from decimal import Decimal

from lxml import etree

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FatturaPACommon

D = Decimal


@tagged("post_install", "-at_install")
class TestFatturaPATaxCases(FatturaPACommon):
    def test_every_exempt_nature_has_its_summary_row(self):
        """Test that lines with the exempt natures N1..N7 of the Italian
        chart's exoneration list get their Natura, a summary row with the
        tax's law reference and no VAT."""
        natures = ["N1", "N2.1", "N2.2", "N3.1", "N3.2", "N3.3", "N3.4", "N3.5", "N3.6",
                   "N4", "N5", "N7"]
        lines = [(f"Service {nature}", 1, 10.0, self.exempt_tax(nature, f"Law {nature}"))
                 for nature in natures]
        lines.append(("Taxed service", 1, 10.0, self.tax_22))
        move = self.make_invoice(lines, l10n_it_stamp_duty=2.0)
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//DettaglioLinee/Natura"), natures)
        rows = {row.findtext("Natura"): row for row in tree.iter("DatiRiepilogo")}
        for nature in natures:
            self.assertEqual(rows[nature].findtext("RiferimentoNormativo"), f"Law {nature}")
            self.assertEqual(rows[nature].findtext("Imposta"), "0.00")
            self.assertEqual(rows[nature].findtext("ImponibileImporto"), "10.00")
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"), [D("132.20")])
        self.assertEqual(self.amounts(tree, "//DatiBollo/ImportoBollo"), [D("2.00")])

    def test_chart_exempt_taxes_map_to_their_nature(self):
        """Test that the exempt taxes of l10n_it's chart (N1 art. 15, N2.2,
        N3.2 intra-EU) are written with their Natura."""
        move = self.make_invoice([
            ("Art. 15", 1, 5.0, self.it_tax("00art15v")),
            ("Outside scope", 1, 5.0, self.it_tax("00ex")),
            ("Intra-EU", 1, 5.0, self.it_tax("00eu")),
        ])
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//DettaglioLinee/Natura"), ["N1", "N2.2", "N3.2"])

    def test_exempt_invoice_over_threshold_without_stamp_is_a_warning(self):
        """Test that amounts outside VAT over 77.47 EUR without stamp duty
        make the file, with a warning on the invoice."""
        move = self.make_invoice([("Exempt course", 1, 100.0, self.exempt_tax("N4"))])
        attachment = move._l10n_it_fatturapa_build()
        self.assertTrue(attachment)
        self.assertFalse(move.l10n_it_fatturapa_blocked)
        self.assertIn("BOLLO", move.l10n_it_fatturapa_problems)

    def test_reverse_charge_sale_has_nature_n6(self):
        """Test that a domestic reverse-charge sale (N6.x) has its Natura,
        no VAT, and total equal to the move."""
        move = self.make_invoice([("Subcontracted works", 1, 1000.0, self.it_tax("0rc_n63"))])
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//DatiRiepilogo/Natura"), ["N6.3"])
        self.assertEqual(self.amounts(tree, "//DatiRiepilogo/Imposta"), [D("0.00")])
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"), [D("1000.00")])

    def test_split_payment_to_public_administration(self):
        """Test that an invoice to a public administration is FPA12 with its
        office code, CIG and CUP, VAT in split payment (EsigibilitaIVA S),
        the total with VAT and the payment without it, as on the move."""
        move = self.make_invoice(
            [("Cloud hosting", 1, 800.40, self.it_tax("22vsp_group"))],
            partner=self.pa_customer,
            l10n_it_origin_document_type="purchase_order",
            l10n_it_origin_document_name="ORD-2026-7",
            l10n_it_origin_document_date="2026-02-20",
            l10n_it_cig="1234567890",
            l10n_it_cup="J12B34000000001",
        )
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//FormatoTrasmissione"), ["FPA12"])
        self.assertEqual(self.texts(tree, "//CodiceDestinatario"), ["UFABCD"])
        self.assertEqual(self.texts(tree, "//DatiOrdineAcquisto/IdDocumento"), ["ORD-2026-7"])
        self.assertEqual(self.texts(tree, "//DatiOrdineAcquisto/CodiceCIG"), ["1234567890"])
        self.assertEqual(self.texts(tree, "//DatiOrdineAcquisto/CodiceCUP"), ["J12B34000000001"])
        self.assertEqual(self.texts(tree, "//DatiRiepilogo/EsigibilitaIVA"), ["S"])
        self.assertEqual(self.amounts(tree, "//DatiRiepilogo/Imposta"), [D("176.09")])
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"), [D("976.49")])
        self.assertEqual(self.amounts(tree, "//ImportoPagamento"),
                         [D(str(move.amount_residual)).quantize(D("0.01"))])
        self.assertEqual(self.amounts(tree, "//ImportoPagamento"), [D("800.40")])

    def test_public_administration_without_origin_document_is_refused(self):
        """Test that an invoice to a public administration without the origin
        document type makes no file, the message naming the field."""
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)], partner=self.pa_customer)
        with self.assertRaisesRegex(UserError, "Origin Document Type"):
            move._l10n_it_fatturapa_build()

    def test_withholding_tax(self):
        """Test that a line with withholding tax gets Ritenuta SI, the
        DatiRitenuta block and a payment net of the withholding."""
        if "l10n_it_withholding_type" not in self.env["account.tax"]._fields:
            self.skipTest("l10n_it_edi_withholding is not installed")
        withholding = self.it_tax("20vwc")
        move = self.make_invoice([{
            "name": "Consulting", "quantity": 1, "price_unit": 1000.0,
            "tax_ids": [Command.set((self.tax_22 | withholding).ids)],
        }])
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//DettaglioLinee/Ritenuta"), ["SI"])
        self.assertEqual(self.amounts(tree, "//DatiRitenuta/ImportoRitenuta"), [D("200.00")])
        self.assertEqual(self.amounts(tree, "//ImportoTotaleDocumento"), [D("1220.00")])
        self.assertEqual(self.amounts(tree, "//ImportoPagamento"), [D("1020.00")])

    def test_payment_terms_give_one_detail_per_instalment(self):
        """Test that a payment term in two instalments gives TP01 with two
        details whose amounts and due dates are the move's."""
        term = self.env["account.payment.term"].create({
            "name": "50/50",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
            ],
        })
        move = self.make_invoice([("Hosting", 1, 100.0, self.tax_22)],
                                 invoice_payment_term_id=term.id)
        tree = self.tree(move._l10n_it_fatturapa_build())
        self.assertEqual(self.texts(tree, "//CondizioniPagamento"), ["TP01"])
        self.assertEqual(self.amounts(tree, "//ImportoPagamento"), [D("61.00"), D("61.00")])
        terms = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(sorted(self.texts(tree, "//DataScadenzaPagamento")),
                         sorted(str(d) for d in terms.mapped("date_maturity")))


@tagged("post_install", "-at_install")
class TestFatturaPAOdooExport(FatturaPACommon):
    def _values(self, tree, xpath, number=False):
        values = [el.text for el in tree.xpath(xpath)]
        return [D(v) for v in values] if number else values

    def test_file_agrees_with_l10n_it_edi_export(self):
        """Test that the file has the same parties, document data, lines,
        totals and VAT summary as l10n_it_edi's own export of the invoice."""
        self.it_company.tax_calculation_rounding_method = "round_globally"
        move = self.make_invoice([
            ("vCPU hours", 744, 0.004113, self.tax_22),
            {"name": "Control panel", "quantity": 2, "price_unit": 15.5, "discount": 10.0,
             "tax_ids": [Command.set(self.tax_10.ids)]},
            ("Training", 1, 80.0, self.exempt_tax("N4")),
        ], ref="PO-77")
        ours = self.tree(move._l10n_it_fatturapa_build())
        odoo = etree.fromstring(move._l10n_it_edi_render_xml())
        same_text = [
            "//CedentePrestatore//IdFiscaleIVA/*", "//CedentePrestatore//CodiceFiscale",
            "//CedentePrestatore//Denominazione", "//CedentePrestatore/Sede/*",
            "//CedentePrestatore//RegimeFiscale",
            "//CessionarioCommittente//IdFiscaleIVA/*", "//CessionarioCommittente//CodiceFiscale",
            "//CessionarioCommittente//Denominazione", "//CessionarioCommittente/Sede/*",
            "//IdTrasmittente/*", "//CodiceDestinatario", "//FormatoTrasmissione",
            "//TipoDocumento", "//Divisa", "//DatiGeneraliDocumento/Data",
            "//DatiGeneraliDocumento/Numero", "//DatiOrdineAcquisto/IdDocumento",
            "//DettaglioLinee/NumeroLinea", "//DettaglioLinee/Descrizione",
            "//DettaglioLinee/Natura", "//DettaglioLinee/ScontoMaggiorazione/Tipo",
            "//DatiRiepilogo/Natura", "//DatiRiepilogo/RiferimentoNormativo", "//IBAN",
        ]
        same_number = [
            "//ImportoTotaleDocumento", "//DettaglioLinee/Quantita",
            "//DettaglioLinee/PrezzoUnitario", "//DettaglioLinee/PrezzoTotale",
            "//DettaglioLinee/AliquotaIVA", "//DettaglioLinee/ScontoMaggiorazione/Percentuale",
            "//DatiRiepilogo/AliquotaIVA", "//DatiRiepilogo/ImponibileImporto",
            "//DatiRiepilogo/Imposta", "//DatiRiepilogo/Arrotondamento", "//ImportoPagamento",
        ]
        for xpath in same_text:
            self.assertEqual(self._values(ours, xpath), self._values(odoo, xpath), xpath)
            self.assertTrue(self._values(ours, xpath), f"{xpath} is in the file")
        for xpath in same_number:
            self.assertEqual(self._values(ours, xpath, True), self._values(odoo, xpath, True),
                             xpath)
        self.assertTrue(self._values(ours, "//DatiRiepilogo/Arrotondamento"))
        # Intended differences (readme/DESCRIPTION.md): the SdI file name's
        # progressive, and no EsigibilitaIVA on rows with a Natura.
        self.assertNotEqual(self._values(ours, "//ProgressivoInvio"),
                            self._values(odoo, "//ProgressivoInvio"))
        self.assertEqual(self._values(ours, "//DatiRiepilogo/EsigibilitaIVA"), ["I", "I"])
        self.assertEqual(self._values(odoo, "//DatiRiepilogo/EsigibilitaIVA"), ["I", "I", "I"])


@tagged("post_install", "-at_install")
class TestFatturaPASigning(FatturaPACommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        key, cert, p12 = (os.path.join(cls.tmp.name, n) for n in ("k.pem", "c.pem", "s.p12"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "30", "-subj",
                        "/C=IT/O=Nuvola Hosting/CN=Test Signer"], check=True, capture_output=True)
        subprocess.run(["openssl", "pkcs12", "-export", "-inkey", key, "-in", cert, "-out", p12,
                        "-passout", "pass:s3cret"], check=True, capture_output=True)
        cls.cert_path = cert
        with open(p12, "rb") as f:
            cls.p12 = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def set_certificate(self, password="s3cret", sign="all"):
        self.it_company.sudo().write({
            "l10n_it_fatturapa_pkcs12": base64.b64encode(self.p12),
            "l10n_it_fatturapa_pkcs12_password": password,
            "l10n_it_fatturapa_sign": sign,
        })

    def test_signed_file_is_p7m_that_openssl_verifies(self):
        """Test that with a certificate the file is a CAdES-BES .xml.p7m that
        `openssl cms -verify` accepts, holding the checked XML."""
        self.set_certificate()
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        attachment = move._l10n_it_fatturapa_build()
        self.assertRegex(attachment.name, r"^IT01234560157_[0-9A-Za-z]{5}\.xml\.p7m$")
        self.assertEqual(move.l10n_it_fatturapa_filename, attachment.name)
        path = os.path.join(self.tmp.name, attachment.name)
        with open(path, "wb") as f:
            f.write(attachment.raw)
        out = subprocess.run(
            ["openssl", "cms", "-verify", "-inform", "DER", "-in", path, "-CAfile",
             self.cert_path, "-purpose", "any"], capture_output=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        tree = etree.fromstring(out.stdout)
        self.assertEqual(tree.findtext(".//Numero"), move.name)

    def test_pa_only_policy_leaves_private_invoices_unsigned(self):
        """Test that the 'public administrations' policy signs FPA12 files
        only."""
        self.set_certificate(sign="pa")
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        self.assertTrue(move._l10n_it_fatturapa_build().name.endswith(".xml"))
        pa_move = self.make_invoice(
            [("Hosting", 1, 10.0, self.it_tax("22vsp_group"))], partner=self.pa_customer,
            l10n_it_origin_document_type="contract", l10n_it_origin_document_name="C-1")
        self.assertTrue(pa_move._l10n_it_fatturapa_build().name.endswith(".xml.p7m"))

    def test_wrong_password_is_refused_when_saved(self):
        """Test that a certificate whose password is wrong cannot be saved in
        the settings, and that building with it says what to fix."""
        settings = self.env["res.config.settings"].create({
            "l10n_it_fatturapa_pkcs12": base64.b64encode(self.p12),
            "l10n_it_fatturapa_pkcs12_password": "wrong",
        })
        with self.assertRaisesRegex(UserError, "cannot be used"):
            settings.execute()
        self.set_certificate(password="wrong")
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        with self.assertRaisesRegex(UserError, "signing certificate .* cannot be used"):
            move._l10n_it_fatturapa_build()

    def test_password_is_readable_by_managers_only(self):
        """Test that an invoicing user cannot read the certificate password
        but builds signed files."""
        self.set_certificate()
        user = self.env["res.users"].create({
            "name": "Billing clerk", "login": "clerk_fatturapa",
            "groups_id": [Command.set([self.env.ref("account.group_account_invoice").id])],
            "company_id": self.it_company.id, "company_ids": [Command.set(self.it_company.ids)],
        })
        company = self.it_company.with_user(user)
        with self.assertRaises(AccessError):
            company.read(["l10n_it_fatturapa_pkcs12_password"])
        move = self.make_invoice([("Hosting", 1, 10.0, self.tax_22)])
        attachment = move.with_user(user)._l10n_it_fatturapa_build()
        self.assertTrue(attachment.sudo().name.endswith(".xml.p7m"))


@tagged("post_install", "-at_install")
class TestFatturaPAProgressive(FatturaPACommon):
    def test_two_cursors_never_get_the_same_progressive(self):
        """Test that two transactions reserving file name counters of the
        same company at the same time never get the same value."""
        company_id = self.env.ref("base.main_company").id
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].browse(company_id)
            created = not company.l10n_it_fatturapa_sequence_id
            company._l10n_it_fatturapa_reserve_counters(1)
            sequence_id = company.l10n_it_fatturapa_sequence_id.id
            cr.commit()  # pylint: disable=invalid-commit
        if created:
            self.addCleanup(self._drop_sequence, company_id, sequence_id)
        barrier = threading.Barrier(2)
        results = [[], []]
        errors = []

        # Cursors and environments are made here: Environment() takes the
        # registry lock, which the thread running the tests holds.
        cursors = [self.registry.cursor() for _i in range(2)]
        envs = [api.Environment(cr, SUPERUSER_ID, {}) for cr in cursors]

        def reserve(index):
            try:
                company = envs[index]["res.company"].browse(company_id)
                company.l10n_it_fatturapa_sequence_id  # noqa: B018 (read before the race)
                barrier.wait(timeout=30)
                for _i in range(20):
                    results[index] += company._l10n_it_fatturapa_reserve_counters(1)
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                errors.append(exc)

        # Neither commits: a counter handed out is not given back.
        self._run_then_roll_back(cursors, lambda: reserve(0), lambda: reserve(1))
        self.assertEqual(errors, [])
        self.assertEqual(len(results[0]) + len(results[1]), 40)
        self.assertFalse(set(results[0]) & set(results[1]))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            [after] = env["res.company"].browse(company_id)._l10n_it_fatturapa_reserve_counters(1)
            cr.rollback()
        self.assertGreater(after, max(results[0] + results[1]),
                           "rolled back counters are never handed out again")

    def test_concurrent_first_files_never_create_two_sequences(self):
        """Test that when two transactions name the first file of a company
        at the same time, the second waits for the first and fails to
        serialize (Odoo retries it) instead of creating a second counter."""
        import psycopg2.errors

        company_id = self.env.ref("base.main_company").id
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if env["res.company"].browse(company_id).l10n_it_fatturapa_sequence_id:
                self.skipTest("the main company already has its counter")
        cursors = [self.registry.cursor() for _i in range(2)]
        envs = [api.Environment(cr, SUPERUSER_ID, {}) for cr in cursors]
        for env in envs:  # both transactions see no counter yet
            self.assertFalse(env["res.company"].browse(company_id).l10n_it_fatturapa_sequence_id)
        outcome = {}
        first_done = threading.Event()

        def first():
            company = envs[0]["res.company"].browse(company_id)
            outcome["first"] = company._l10n_it_fatturapa_reserve_counters(1)
            first_done.set()
            cursors[0].commit()

        def second():
            first_done.wait(timeout=30)
            try:
                company = envs[1]["res.company"].browse(company_id)
                with mute_logger("odoo.sql_db"):  # the failed query is expected
                    outcome["second"] = company._l10n_it_fatturapa_reserve_counters(1)
            except psycopg2.errors.SerializationFailure as exc:
                outcome["second_error"] = exc

        self._run_then_roll_back(cursors, first, second)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sequence = env["res.company"].browse(company_id).l10n_it_fatturapa_sequence_id
            if sequence:
                self.addCleanup(self._drop_sequence, company_id, sequence.id)
            count = env["ir.sequence"].search_count([
                ("code", "=", "l10n_it_edi.fattura_filename"), ("company_id", "=", company_id)])
        self.assertTrue(outcome.get("first"))
        self.assertIn("second_error", outcome, outcome)
        self.assertEqual(count, 1)

    @staticmethod
    def _run_then_roll_back(cursors, *targets):
        """Run each of ``targets`` in a thread of its own, wait for them all,
        then roll back and close ``cursors``."""
        threads = [threading.Thread(target=target) for target in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for cr in cursors:
            cr.rollback()
            cr.close()

    def _drop_sequence(self, company_id, sequence_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(company_id).l10n_it_fatturapa_sequence_id = False
            env["ir.sequence"].browse(sequence_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def test_counter_continues_l10n_it_edi_sequence(self):
        """Test that the counter is l10n_it_edi's own file name sequence when
        the company has one, so that names never repeat between the two."""
        sequence = self.env["ir.sequence"].sudo().create({
            "name": "FatturaPA Filename Sequence", "code": "l10n_it_edi.fattura_filename",
            "company_id": self.it_company.id, "number_next": 62**4 + 500,
        })
        [value] = self.it_company._l10n_it_fatturapa_reserve_counters(1)
        self.assertEqual(value, 62**4 + 500)
        self.assertEqual(self.it_company.l10n_it_fatturapa_sequence_id, sequence)
        self.assertNotEqual(self.env["ir.sequence"].with_company(self.it_company)
                            .next_by_code("l10n_it_edi.fattura_filename"), str(value))
