# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import os
from decimal import Decimal
from pathlib import Path

from lxml import etree

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

NS = {"p": "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"}


def _find_schema_dir():
    """The official XSDs: FATTURAPA_SCHEMA_DIR, else the nearest
    ``shared/fatturapa/xsd`` above the repository (as the pure tests do)."""
    if os.environ.get("FATTURAPA_SCHEMA_DIR"):
        return None
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "fatturapa" / "xsd"
        if candidate.is_dir():
            return candidate
    return None


def seller_company_values(env):
    """The values of the Italian hosting company that issues the test invoices."""
    return {
        "name": "Nuvola Hosting S.r.l.",
        "vat": "IT01234560157",
        "phone": "0266766700",
        "email": "fatture@nuvola.example",
        "street": "Via dei Server 42",
        "zip": "20121",
        "city": "Milano",
        "country_id": env.ref("base.it").id,
        "l10n_it_codice_fiscale": "01234560157",
        "l10n_it_tax_system": "RF01",
    }


@tagged("post_install", "-at_install")
class FatturaPACommon(AccountTestInvoicingCommon):
    """An Italian company with l10n_it's chart, Italian customers (a company,
    a public administration, a private person) and helpers to post invoices
    and read their FatturaPA files."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("it")
    def setUpClass(cls):
        super().setUpClass()
        schema_dir = _find_schema_dir()
        if schema_dir:
            os.environ["FATTURAPA_SCHEMA_DIR"] = str(schema_dir)
        # Hourly prices have up to six decimals.
        cls.env.ref("product.decimal_price").digits = 6
        cls.it_company = cls.company_data["company"]
        cls.it_company.write(seller_company_values(cls.env))
        cls.bank = cls.env["res.partner.bank"].create({
            "partner_id": cls.it_company.partner_id.id,
            "acc_number": "IT60X0542811101000000123456",
        })
        italy = cls.env.ref("base.it")
        cls.customer = cls.env["res.partner"].create({
            "name": "Alfa Web S.p.A.",
            "vat": "IT00465840031",
            "l10n_it_codice_fiscale": "00465840031",
            "l10n_it_pa_index": "ABC1234",
            "country_id": italy.id,
            "street": "Corso Italia 1",
            "zip": "10121",
            "city": "Torino",
            "is_company": True,
        })
        cls.pa_customer = cls.env["res.partner"].create({
            "name": "Comune di Prova",
            "vat": "IT06655971007",
            "l10n_it_codice_fiscale": "06655971007",
            "l10n_it_pa_index": "UFABCD",
            "country_id": italy.id,
            "street": "Piazza del Municipio 1",
            "zip": "00100",
            "city": "Roma",
            "is_company": True,
        })
        cls.person = cls.env["res.partner"].create({
            "name": "Mario Rossi",
            "l10n_it_codice_fiscale": "RSSMRA80A01H501U",
            "l10n_it_pec_email": "mario.rossi@pec.example.it",
            "country_id": italy.id,
            "street": "Via Roma 10",
            "zip": "20100",
            "city": "Milano",
            "is_company": False,
        })
        cls.tax_22 = cls.it_tax("22v")
        cls.tax_10 = cls.it_tax("10v")

    @classmethod
    def it_tax(cls, xmlid):
        return cls.env["account.chart.template"].with_company(cls.it_company).ref(xmlid)

    @classmethod
    def exempt_tax(cls, nature, law="Art. 10 DPR 633/72"):
        """A 0% sale tax with the given Natura (the chart has only some)."""
        return cls.env["account.tax"].with_company(cls.it_company).create({
            "name": f"0% {nature} test",
            "amount": 0.0,
            "amount_type": "percent",
            "type_tax_use": "sale",
            "l10n_it_exempt_reason": nature,
            "l10n_it_law_reference": law,
            "country_id": cls.env.ref("base.it").id,
        })

    def make_invoice(self, lines, partner=None, move_type="out_invoice", post=True, **values):
        """Post a customer invoice; ``lines`` are (name, quantity, price, taxes)
        tuples or dicts of line values."""
        line_cmds = []
        for line in lines:
            if isinstance(line, dict):
                line_cmds.append(Command.create(line))
                continue
            name, quantity, price, taxes = line
            line_cmds.append(Command.create({
                "name": name, "quantity": quantity, "price_unit": price,
                "tax_ids": [Command.set(taxes.ids)],
            }))
        move = self.env["account.move"].with_company(self.it_company).create({
            "move_type": move_type,
            "partner_id": (partner or self.customer).id,
            "invoice_date": "2026-03-02",
            "date": "2026-03-02",
            "partner_bank_id": self.bank.id if move_type == "out_invoice" else False,
            "invoice_line_ids": line_cmds,
            **values,
        })
        if post:
            move.action_post()
        return move

    @staticmethod
    def tree(attachment):
        """The XML tree of a FatturaPA attachment (signed or not)."""
        from fatturapa_bridge.parse import read_bytes

        return etree.fromstring(read_bytes(attachment.raw))

    @staticmethod
    def texts(tree, xpath):
        return [el.text for el in tree.xpath(xpath, namespaces=NS)]

    @staticmethod
    def amounts(tree, xpath):
        return [Decimal(el.text) for el in tree.xpath(xpath, namespaces=NS)]

    def assert_amounts_equal_move(self, move, tree):
        """The file's taxable amounts, VAT, total and payment equal the move."""
        body = "//FatturaElettronicaBody"
        taxable = sum(self.amounts(tree, f"{body}//DatiRiepilogo/ImponibileImporto"), Decimal(0))
        tax = sum(self.amounts(tree, f"{body}//DatiRiepilogo/Imposta"), Decimal(0))
        self.assertEqual(taxable, Decimal(str(round(move.amount_untaxed, 2))), "taxable")
        [total] = self.amounts(tree, f"{body}//ImportoTotaleDocumento")
        return taxable, tax, total
