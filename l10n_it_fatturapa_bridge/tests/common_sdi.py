# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Base class of the SdI transmission tests.

The SdI's own example receipts (``../shared/fatturapa/samples/notifications``)
are used as they are, except for their identifiers: each test gives them an
SdI identifier, message id and file name of its own, so that the tests never
meet receipts other data of the database already holds.
"""

import itertools
import os
import re
import uuid
from pathlib import Path
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


def _shared_dir():
    if os.environ.get("FATTURAPA_SHARED_DIR"):
        return Path(os.environ["FATTURAPA_SHARED_DIR"])
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "fatturapa").is_dir():
            return parent / "shared" / "fatturapa"
    return Path(__file__).resolve().parents[3] / "shared" / "fatturapa"


SHARED = _shared_dir()
NOTIFICATIONS = SHARED / "samples" / "notifications"
INVOICE_SAMPLE = SHARED / "samples" / "official" / "IT01234567890_FPR01.xml"

_counter = itertools.count(1)


@tagged("post_install", "-at_install")
class SdiCommon(AccountTestInvoicingCommon):
    #: Send the files the module really builds instead of a sample file.
    real_build = False

    @classmethod
    @AccountTestInvoicingCommon.setup_country("it")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write({
            "vat": "IT01234560157",
            "l10n_it_codice_fiscale": "01234560157",
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Cliente Hosting Srl",
            "email": "amministrazione@cliente.example",
            "vat": "IT00465840031",
            "country_id": cls.env.ref("base.it").id,
            "street": "Via Roma 1",
            "zip": "20100",
            "city": "Milano",
            "is_company": True,
        })

    def setUp(self):
        super().setUp()
        if not (NOTIFICATIONS.is_dir() and (SHARED / "xsd").is_dir()):
            self.skipTest(f"shared FatturaPA data not found at {SHARED}")
        env_patch = patch.dict(os.environ, {"FATTURAPA_SCHEMA_DIR": str(SHARED / "xsd")})
        env_patch.start()
        self.addCleanup(env_patch.stop)
        self.built = []
        self.next_file_name = None
        if self.real_build:
            return
        build_patch = patch.object(
            type(self.env["account.move"]), "_l10n_it_fatturapa_build",
            lambda move: self._fake_build(move), create=True)
        build_patch.start()
        self.addCleanup(build_patch.stop)

    # -------------------------------------------------------------------------
    # Stand-in for the file building of the e-invoice part of the module
    # -------------------------------------------------------------------------

    def _fake_build(self, move):
        """What ``_l10n_it_fatturapa_build`` gives: a file attached to the
        invoice, with a new progressive in its name each time."""
        name = self.next_file_name or f"IT01234567890_{uuid.uuid4().hex[:5].upper()}.xml"
        self.next_file_name = None
        self.built.append((move, name))
        return move.env["ir.attachment"].create({
            "name": name,
            "raw": INVOICE_SAMPLE.read_bytes(),
            "res_model": "account.move",
            "res_id": move.id,
            "mimetype": "application/xml",
        })

    # -------------------------------------------------------------------------
    # Helpers
    # -------------------------------------------------------------------------

    def _invoice(self, amount=100.0, partner=None, company=None):
        company = company or self.company
        move = self.env["account.move"].with_company(company).create({
            "move_type": "out_invoice",
            "partner_id": (partner or self.customer).id,
            "invoice_date": "2026-11-30",
            "invoice_line_ids": [Command.create({
                "name": "Cloud server, November",
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [],
            })],
        })
        move.action_post()
        return move

    def _sent_invoice(self, channel="manual", file_name=None, **kwargs):
        """A posted invoice sent through ``channel`` as ``file_name``."""
        self.company.l10n_it_fatturapa_channel = channel
        move = self._invoice(**kwargs)
        self.next_file_name = file_name or self._unique_file_name()
        move.action_l10n_it_fatturapa_sdi_send()
        return move

    @staticmethod
    def _unique_file_name():
        return f"IT01234567890_{uuid.uuid4().hex[:5].upper()}.xml.p7m"

    @staticmethod
    def _unique_ids():
        n = next(_counter)
        return f"{uuid.uuid4().int % 10**9 + n}", f"{uuid.uuid4().int % 10**9}"

    def _receipt(self, kind, file_name=None, sdi_id=None, message_id=None, outcome=None):
        """The SdI's example receipt of ``kind`` with identifiers of this test.

        :return: ``(bytes, sdi identifier)``.
        """
        data = (NOTIFICATIONS / f"IT01234567890_11111_{kind}_001.xml").read_bytes()
        new_sdi, new_message = self._unique_ids()
        sdi_id = sdi_id or new_sdi
        data = data.replace(b"<IdentificativoSdI>111<", f"<IdentificativoSdI>{sdi_id}<".encode())
        data = data.replace(b"<MessageId>123456<", f"<MessageId>{message_id or new_message}<".encode())
        if file_name:
            data = re.sub(rb"<NomeFile>[^<]*<", f"<NomeFile>{file_name}<".encode(), data)
        if outcome:
            data = data.replace(b"<Esito>EC01<", f"<Esito>{outcome}<".encode())
        return data, sdi_id

    def _receipts_count(self):
        return self.env["l10n_it.fatturapa.receipt"].sudo().search_count([])
