# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import base64
import email
import os
import socket
import tempfile
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import file_open

from .common_sdi import SdiCommon

try:
    from aiosmtpd.controller import Controller
except ImportError:  # the test extras are not installed
    Controller = None

PEC_ADDRESS = "fatture@pec.hosting.example"
SDI_ADDRESS = "sdi01@pec.fatturapa.it"

DATICERT = b"""<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="posta-certificata" errore="nessuno">
  <intestazione><mittente>sdi01@pec.fatturapa.it</mittente>
  <destinatari tipo="certificato">fatture@pec.hosting.example</destinatari></intestazione>
  <dati><gestore-emittente>PEC provider</gestore-emittente></dati>
</postacert>
"""


class _Sink:
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install")
class TestSdiChannels(SdiCommon):
    # -------------------------------------------------------------------------
    # PEC
    # -------------------------------------------------------------------------

    def _start_smtp(self):
        if Controller is None:
            self.skipTest("aiosmtpd is not installed (pip install -e '.[test]')")
        sink = _Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
        controller.start()
        self.addCleanup(controller.stop)
        server = self.env["ir.mail_server"].create({
            "name": "PEC test server",
            "smtp_host": "127.0.0.1",
            "smtp_port": controller.port,
            "smtp_encryption": "none",
            "from_filter": PEC_ADDRESS,
        })
        self.company.write({
            "l10n_it_fatturapa_pec_server_id": server.id,
            "l10n_it_fatturapa_pec_address": PEC_ADDRESS,
        })
        return sink

    def _pec_mail(self, receipt, receipt_name, envelope=True):
        """A PEC e-mail from the SdI: the receipt inside ``postacert.eml``
        with the provider's ``daticert.xml``, or attached directly."""
        original = EmailMessage()
        original["From"] = SDI_ADDRESS
        original["To"] = PEC_ADDRESS
        original["Subject"] = f"Ricevuta {receipt_name}"
        original["Message-ID"] = make_msgid()
        original.set_content("Ricevuta del Sistema di Interscambio.")
        original.add_attachment(receipt, maintype="application", subtype="xml", filename=receipt_name)
        if not envelope:
            return original.as_bytes()
        pec = EmailMessage()
        pec["From"] = f"Per conto di: {SDI_ADDRESS} <posta-certificata@pec.provider.example>"
        pec["To"] = PEC_ADDRESS
        pec["Subject"] = f"POSTA CERTIFICATA: {original['Subject']}"
        pec["Message-ID"] = make_msgid()
        pec["X-Trasporto"] = "posta-certificata"
        pec.set_content("Messaggio di posta certificata.")
        pec.add_attachment(DATICERT, maintype="application", subtype="xml", filename="daticert.xml")
        pec.add_attachment(original, filename="postacert.eml")
        pec.add_attachment(b"0\x82signature", maintype="application", subtype="pkcs7-signature",
                           filename="smime.p7s")
        return pec.as_bytes()

    def _process(self, raw):
        return self.env["mail.thread"].message_process("l10n_it.fatturapa.receipt", raw)

    def test_pec_round_trip_through_smtp_and_the_mail_gateway(self):
        """Test that the file leaves by PEC through the real mail queue and a
        real SMTP server to the SdI address, and that the SdI's receipts coming
        back as PEC e-mails through the mail gateway reach their invoice."""
        sink = self._start_smtp()
        self.company.l10n_it_fatturapa_channel = "pec"
        move = self._invoice()
        name = self._unique_file_name()
        self.next_file_name = name
        with patch("odoo.modules.module.current_test", False):
            move.action_l10n_it_fatturapa_sdi_send()

        self.assertEqual(len(sink.envelopes), 1)
        envelope = sink.envelopes[0]
        self.assertEqual(envelope.rcpt_tos, [SDI_ADDRESS])
        self.assertEqual(envelope.mail_from, PEC_ADDRESS)
        message = email.message_from_bytes(envelope.content, policy=policy.SMTP)
        self.assertEqual(message["To"], SDI_ADDRESS)
        files = [part for part in message.iter_attachments()]
        self.assertEqual([part.get_filename() for part in files], [name])
        attachment = self.env["ir.attachment"].search(
            [("name", "=", name), ("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual(files[0].get_payload(decode=True), attachment.raw)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")
        self.assertEqual(move.l10n_it_fatturapa_sdi_filename, name)

        # the delivery receipt inside the PEC envelope
        data, sdi_id = self._receipt("RC", file_name=name)
        receipt_id = self._process(self._pec_mail(data, f"{name[:-8]}_RC_001.xml"))
        receipt = self.env["l10n_it.fatturapa.receipt"].browse(receipt_id)
        self.assertEqual(receipt.kind, "RC")
        self.assertEqual(receipt.move_id, move)
        self.assertEqual(receipt.attachment_id.raw, data)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")
        self.assertEqual(move.l10n_it_fatturapa_sdi_identifier, sdi_id)
        self.assertEqual(self.company, receipt.company_id)

        # the PA's outcome attached directly to the e-mail
        data, _sdi = self._receipt("NE", sdi_id=sdi_id, file_name=name, outcome="EC01")
        receipt_id = self._process(self._pec_mail(data, "NE.xml", envelope=False))
        self.assertEqual(self.env["l10n_it.fatturapa.receipt"].browse(receipt_id).move_id, move)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "accepted")

    def test_pec_mail_read_twice_or_without_receipt(self):
        """Test that the same receipt arriving in two e-mails applies once,
        and that a PEC e-mail without SdI receipt is kept, not applied."""
        move = self._sent_invoice()
        name = move.l10n_it_fatturapa_sdi_filename
        data, _sdi = self._receipt("MC", file_name=name)
        first = self._process(self._pec_mail(data, "MC.xml"))
        state_messages = move.message_ids
        count = self._receipts_count()
        second = self._process(self._pec_mail(data, "MC.xml"))
        self.assertEqual(second, first)
        self.assertEqual(self._receipts_count(), count)
        self.assertEqual(move.message_ids, state_messages)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "not_delivered")

        acceptance = EmailMessage()
        acceptance["From"] = "posta-certificata@pec.provider.example"
        acceptance["To"] = PEC_ADDRESS
        acceptance["Subject"] = f"ACCETTAZIONE: {name}"
        acceptance["Message-ID"] = make_msgid()
        acceptance.set_content("Il messaggio e' stato accettato dal sistema.")
        acceptance.add_attachment(DATICERT, maintype="application", subtype="xml", filename="daticert.xml")
        other = self.env["l10n_it.fatturapa.receipt"].browse(self._process(acceptance.as_bytes()))
        self.assertEqual(other.state, "other")
        self.assertIn("daticert.xml", other.problem)
        self.assertEqual(other.move_id, move, "the PEC notice names the file it is about")
        self.assertIn(f"ACCETTAZIONE: {name}", move.message_ids[0].body)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "not_delivered")

    def test_pec_needs_its_settings_and_a_refusing_server_sends_nothing(self):
        """Test that sending by PEC without a server is refused clearly, and
        that an SMTP server that cannot be reached leaves the invoice to send."""
        self.company.write({"l10n_it_fatturapa_channel": "pec", "l10n_it_fatturapa_pec_server_id": False})
        move = self._invoice()
        with self.assertRaisesRegex(UserError, "PEC outgoing server"):
            move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")

        server = self.env["ir.mail_server"].create({
            "name": "PEC down", "smtp_host": "127.0.0.1", "smtp_port": _free_port(),
            "smtp_encryption": "none",
        })
        self.company.write({"l10n_it_fatturapa_pec_server_id": server.id,
                            "l10n_it_fatturapa_pec_address": PEC_ADDRESS})
        with patch("odoo.modules.module.current_test", False), self.assertRaisesRegex(UserError, "PEC server"):
            with self.env.cr.savepoint():
                move.action_l10n_it_fatturapa_sdi_send()
        move.invalidate_recordset()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")

    # -------------------------------------------------------------------------
    # Folder
    # -------------------------------------------------------------------------

    def test_folder_channel_writes_the_outbox_and_reads_the_inbox(self):
        """Test that the folder channel writes the file in the outbox, and that
        the inbox cron applies receipts, moves them to done/, and moves
        unreadable files to error/ with their reason."""
        with tempfile.TemporaryDirectory() as root:
            outbox, inbox = os.path.join(root, "out"), os.path.join(root, "in")
            os.makedirs(outbox)
            os.makedirs(inbox)
            self.company.write({
                "l10n_it_fatturapa_outbox_dir": outbox,
                "l10n_it_fatturapa_inbox_dir": inbox,
            })
            move = self._sent_invoice(channel="folder")
            name = move.l10n_it_fatturapa_sdi_filename
            self.assertEqual(os.listdir(outbox), [name])
            with open(os.path.join(outbox, name), "rb") as handle:
                sent = handle.read()
            self.assertEqual(sent, self.env["ir.attachment"].search(
                [("name", "=", name), ("res_model", "=", "account.move"), ("res_id", "=", move.id)]).raw)

            data, _sdi = self._receipt("RC", file_name=name)
            with open(os.path.join(inbox, "IT01234567890_RC_001.xml"), "wb") as handle:
                handle.write(data)
            with open(os.path.join(inbox, "broken.xml"), "wb") as handle:
                handle.write(b"<RicevutaConsegna")
            count = self._receipts_count()

            receipts, errors = self.env["l10n_it.fatturapa.receipt"]._read_inbox(self.company)
            self.assertEqual(errors, 1)
            self.assertEqual(receipts.move_id, move)
            self.assertEqual(self._receipts_count(), count + 1)
            self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")
            self.assertEqual(sorted(os.listdir(inbox)), ["done", "error"])
            self.assertEqual(os.listdir(os.path.join(inbox, "done")), ["IT01234567890_RC_001.xml"])
            self.assertEqual(sorted(os.listdir(os.path.join(inbox, "error"))),
                             ["broken.xml", "broken.xml.error.txt"])
            with open(os.path.join(inbox, "error", "broken.xml.error.txt"), encoding="utf-8") as handle:
                self.assertIn("not a readable SdI receipt", handle.read())

            # the same receipt dropped again is recognised and filed, nothing changes
            with open(os.path.join(inbox, "again.xml"), "wb") as handle:
                handle.write(data)
            receipts_again, errors = self.env["l10n_it.fatturapa.receipt"]._read_inbox(self.company)
            self.assertEqual((receipts_again, errors), (receipts, 0))
            self.assertEqual(self._receipts_count(), count + 1)

    def test_inbox_cron_reads_every_company_on_the_folder_channel(self):
        """Test that the cron reads the inbox of each company on the folder
        channel and leaves the other companies' directories alone."""
        other = self.setup_other_company(name="Intermediary-less Srl")["company"]
        with tempfile.TemporaryDirectory() as root:
            inbox, other_inbox = os.path.join(root, "in"), os.path.join(root, "other")
            os.makedirs(inbox)
            os.makedirs(other_inbox)
            self.company.write({"l10n_it_fatturapa_inbox_dir": inbox})
            other.write({"l10n_it_fatturapa_channel": "manual", "l10n_it_fatturapa_inbox_dir": other_inbox})
            move = self._sent_invoice(channel="manual")
            self.company.l10n_it_fatturapa_channel = "folder"
            data, _sdi = self._receipt("DT", file_name=move.l10n_it_fatturapa_sdi_filename)
            for directory in (inbox, other_inbox):
                with open(os.path.join(directory, "DT.xml"), "wb") as handle:
                    handle.write(data)
            with patch.object(self.env.cr, "commit", lambda: None):
                self.env["l10n_it.fatturapa.receipt"]._cron_read_inbox()
            self.assertEqual(move.l10n_it_fatturapa_sdi_state, "deemed_accepted")
            self.assertEqual(os.listdir(os.path.join(inbox, "done")), ["DT.xml"])
            self.assertEqual(os.listdir(other_inbox), ["DT.xml"])

    def test_folder_channel_needs_an_existing_outbox(self):
        """Test that a missing outbox directory is refused clearly and nothing is marked sent."""
        self.company.write({"l10n_it_fatturapa_channel": "folder",
                            "l10n_it_fatturapa_outbox_dir": "/nonexistent/sdi/outbox"})
        move = self._invoice()
        with self.assertRaisesRegex(UserError, "does not exist"):
            move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")

    # -------------------------------------------------------------------------
    # Manual and Odoo proxy
    # -------------------------------------------------------------------------

    def test_odoo_sending_wizard_offers_the_proxy_only_on_that_channel(self):
        """Test that Odoo's own "Send to Tax Agency" is offered only to
        companies whose channel is the Odoo proxy."""
        move = self._invoice()
        Send = self.env["account.move.send"]
        for channel in ("pec", "folder", "manual"):
            self.company.l10n_it_fatturapa_channel = channel
            self.assertFalse(Send._is_it_edi_applicable(move), channel)
        self.company.l10n_it_fatturapa_channel = "proxy"
        self.assertTrue(Send._is_it_edi_applicable(move))

    def test_public_administration_gets_signed_files_only(self):
        """Test that an unsigned file addressed to a public administration is
        refused before it leaves, and that a signed one is sent."""
        administration = self.env["res.partner"].create({
            "name": "Comune di Prova",
            "country_id": self.env.ref("base.it").id,
            "l10n_it_codice_fiscale": "80016350821",
            "l10n_it_pa_index": "UF1234",
            "is_company": True,
        })
        self.company.l10n_it_fatturapa_channel = "manual"
        move = self._invoice(partner=administration)
        self.next_file_name = "IT01234567890_PA001.xml"
        with self.assertRaisesRegex(UserError, "must be signed"):
            move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")
        self.next_file_name = "IT01234567890_PA002.xml.p7m"
        move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")

    def test_proxy_channel_needs_the_odoo_registration(self):
        """Test that the proxy channel without Odoo's e-invoicing registration is refused clearly."""
        self.company.l10n_it_fatturapa_channel = "proxy"
        self.company.l10n_it_edi_proxy_user_id.unlink()
        move = self._invoice()
        with self.assertRaisesRegex(UserError, "not registered"):
            move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")
        self.assertFalse(self.built, "nothing was built")

    def test_manual_channel_downloads_the_file(self):
        """Test that the manual channel gives the file to download and marks the invoice sent."""
        self.company.l10n_it_fatturapa_channel = "manual"
        move = self._invoice()
        action = move.action_l10n_it_fatturapa_sdi_send()
        attachment = self.env["ir.attachment"].search(
            [("name", "=", move.l10n_it_fatturapa_sdi_filename), ("res_id", "=", move.id),
             ("res_model", "=", "account.move")])
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")
        self.assertIn(attachment, move.message_ids[0].attachment_ids)

    def test_odoo_proxy_channel_uses_odoo_own_sending(self):
        """Test that the proxy channel sends through l10n_it_edi's path and
        that the proxy's answers move the SdI state too."""
        private_key = self.env["certificate.key"].create({
            "name": "IT test key",
            "content": base64.b64encode(file_open("l10n_it_edi/data/pkey.key", "rb").read()),
        })
        self.env["account_edi_proxy_client.user"].create({
            "proxy_type": "l10n_it_edi",
            "id_client": "l10n_it_fatturapa_sdi_test",
            "company_id": self.company.id,
            "edi_identification": "l10n_it_fatturapa_sdi_test",
            "private_key_id": private_key.id,
            "edi_mode": "demo",
        })
        self.company.l10n_it_fatturapa_channel = "proxy"
        move = self._invoice()
        move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_edi_state, "processing")
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")
        with patch.object(self.env.cr, "commit", lambda: None):
            move._l10n_it_edi_update_send_state()
        self.assertEqual(move.l10n_it_edi_state, "forwarded")
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")
