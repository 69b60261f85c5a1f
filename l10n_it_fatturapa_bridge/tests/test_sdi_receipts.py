# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import threading
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_sdi import INVOICE_SAMPLE, SdiCommon


@tagged("post_install", "-at_install")
class TestSdiReceipts(SdiCommon):
    def _import(self, data, name="receipt.xml"):
        return self.env["l10n_it.fatturapa.receipt"]._import_receipt(data, name, company=self.company)

    def test_posting_an_italian_invoice_makes_it_to_send(self):
        """Test that a posted customer invoice of an Italian company waits to be sent to the SdI."""
        move = self._invoice()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "to_send")

    def test_each_receipt_moves_the_invoice_to_its_state(self):
        """Test that every SdI receipt of the shipped samples puts the invoice
        in its state, is recorded with its file and told in the chatter."""
        cases = [
            ("RC", None, "delivered"),
            ("NS", None, "rejected"),
            ("MC", None, "not_delivered"),
            ("NE", "EC01", "accepted"),
            ("NE", "EC02", "refused"),
            ("DT", None, "deemed_accepted"),
            ("AT", None, "undeliverable"),
        ]
        for kind, outcome, state in cases:
            with self.subTest(kind=kind, outcome=outcome):
                name = self._unique_file_name()
                move = self._sent_invoice(file_name=name)
                self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")
                data, sdi_id = self._receipt(kind, file_name=name, outcome=outcome)
                receipt = self._import(data, f"{kind}.xml")
                self.assertEqual(receipt.state, "applied")
                self.assertEqual(receipt.move_id, move)
                self.assertEqual(receipt.kind, kind)
                self.assertEqual(move.l10n_it_fatturapa_sdi_state, state)
                self.assertEqual(move.l10n_it_fatturapa_sdi_identifier, sdi_id)
                self.assertEqual(receipt.attachment_id.raw, data)
                self.assertEqual(bool(receipt.received_at), kind in ("RC", "NS", "MC", "AT"))
                self.assertEqual((receipt.attachment_id.res_model, receipt.attachment_id.res_id),
                                 ("account.move", move.id))
                told = move.message_ids.filtered(
                    lambda m, file=receipt.attachment_id: file in m.attachment_ids)
                self.assertEqual(len(told), 1)
                self.assertIn(kind, told.body)

    def test_receipt_times_are_stored_in_utc(self):
        """Test that the SdI's times, in Italian time or with an offset, are stored in UTC."""
        move = self._sent_invoice(file_name=self._unique_file_name())
        data, _sdi_id = self._receipt("RC", file_name=move.l10n_it_fatturapa_sdi_filename)
        data = data.replace(b"<DataOraRicezione>2013-06-06T12:00:00Z<", b"<DataOraRicezione>2026-01-15T10:00:00<")
        receipt = self._import(data)
        self.assertEqual(fields.Datetime.to_string(receipt.received_at), "2026-01-15 09:00:00")
        self.assertEqual(fields.Datetime.to_string(receipt.delivered_at), "2013-06-06 12:01:00")

    def test_rejection_lists_its_error_codes_in_words(self):
        """Test that an NS receipt shows each error code in words, with the SdI's own text."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        data, _sdi_id = self._receipt("NS", file_name=name)
        self._import(data)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "rejected")
        self.assertIn("00100: signing certificate expired", move.l10n_it_fatturapa_sdi_errors)
        self.assertIn("Certificato di firma scaduto", move.l10n_it_fatturapa_sdi_errors)
        self.assertIn("signing certificate expired", move.message_ids[0].body)
        self.assertIn("rejected", move.message_ids[0].body.lower())

    def test_receipt_by_sdi_identifier_after_the_first(self):
        """Test that a later receipt without the file name (NE of a PA) finds
        its invoice by the SdI identifier the first receipt gave."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        data, sdi_id = self._receipt("RC", file_name=name)
        self._import(data)
        data, _sdi = self._receipt("NE", sdi_id=sdi_id, file_name="IT99999999999_ZZZZZ.xml")
        receipt = self._import(data)
        self.assertEqual(receipt.move_id, move)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "accepted")

    def test_not_delivered_mails_the_copy_to_the_customer(self):
        """Test that an MC receipt sends the customer the invoice copy with the mail template."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        data, _sdi_id = self._receipt("MC", file_name=name)
        self._import(data)
        copy = move.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(copy), 1)
        self.assertIn("reserved area", copy.body)
        self.assertTrue(copy.attachment_ids, "the PDF copy is attached")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", copy.id)])
        self.assertIn(self.customer, mail.recipient_ids)

    def test_receipt_applied_twice_changes_nothing(self):
        """Test that the same receipt read again returns the first record and changes nothing."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        data, _sdi_id = self._receipt("RC", file_name=name)
        first = self._import(data)
        messages = move.message_ids
        count = self._receipts_count()
        attachments = self.env["ir.attachment"].search_count([])
        again = self._import(data, "again.xml")
        self.assertEqual(again, first)
        self.assertEqual(self._receipts_count(), count)
        self.assertEqual(move.message_ids, messages)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")

    def test_same_receipt_recorded_in_parallel_is_recorded_once(self):
        """Test that two workers recording the same receipt at the same time
        leave one record: the second waits for the first and then fails."""
        data, _sdi_id = self._receipt("RC", file_name=self._unique_file_name())
        outcome = {}
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            first = env1["l10n_it.fatturapa.receipt"]._import_receipt(data, "first.xml")
            env1.flush_all()

            def second():
                try:
                    env2["l10n_it.fatturapa.receipt"]._import_receipt(data, "second.xml")
                    env2.flush_all()
                    outcome["recorded"] = True
                except psycopg2.IntegrityError as error:
                    outcome["error"] = error

            worker = threading.Thread(target=second)
            with mute_logger("odoo.sql_db"):
                worker.start()
                worker.join(2)
                self.assertTrue(worker.is_alive(), "the second worker waits for the first")
                cr1.commit()
                worker.join(30)
            try:
                self.assertIsInstance(outcome.get("error"), psycopg2.errors.UniqueViolation)
                cr2.rollback()
                found = env2["l10n_it.fatturapa.receipt"].search([("dedupe_key", "=", first.dedupe_key)])
                self.assertEqual(found.ids, first.ids)
            finally:
                first.attachment_id.unlink()
                first.unlink()
                cr1.commit()

    def test_final_state_is_kept_when_a_late_receipt_arrives(self):
        """Test that a receipt after the PA's outcome is recorded but does not change the state."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        data, sdi_id = self._receipt("NE", file_name=name, outcome="EC02")
        self._import(data)
        data, _sdi = self._receipt("RC", file_name=name, sdi_id=sdi_id)
        late = self._import(data)
        self.assertEqual(late.state, "applied")
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "refused")

    def test_unmatched_receipt_is_kept_and_can_be_applied(self):
        """Test that a receipt matching no invoice is kept as unmatched and
        applies once an accountant picks its invoice."""
        data, _sdi_id = self._receipt("RC", file_name=self._unique_file_name())
        receipt = self._import(data)
        self.assertEqual(receipt.state, "unmatched")
        self.assertFalse(receipt.move_id)
        self.assertEqual(receipt.attachment_id.raw, data)
        self.assertIn(receipt, self.env["l10n_it.fatturapa.receipt"].search([("state", "=", "unmatched")]))

        move = self._sent_invoice()
        receipt.move_id = move
        receipt.action_apply()
        self.assertEqual(receipt.state, "applied")
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")
        with self.assertRaises(UserError):
            receipt.action_apply()

    def test_bad_receipt_files_give_a_clear_error_and_write_nothing(self):
        """Test that a file that is no SdI receipt, or breaks its schema, is
        refused with a clear error and nothing is written."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        good, _sdi_id = self._receipt("RC", file_name=name)
        bad_files = {
            "empty": (b"", "empty"),
            "not xml": (b"%PDF-1.4 not a receipt", "not a readable SdI receipt"),
            "an invoice": (INVOICE_SAMPLE.read_bytes(), "not a readable SdI receipt"),
            "wrong schema": (good.replace(b"<DataOraConsegna>", b"<DataOraConsegnaX>").replace(
                b"</DataOraConsegna>", b"</DataOraConsegnaX>"), "schema"),
            "no NS errors": (self._receipt("NS", file_name=name)[0].replace(
                b"<ListaErrori>", b"<!--").replace(b"</ListaErrori>", b"-->"), "ListaErrori"),
        }
        count = self._receipts_count()
        messages = move.message_ids
        for label, (data, words) in bad_files.items():
            with self.subTest(label), self.assertRaisesRegex(UserError, words):
                self._import(data, f"{label}.xml")
        self.assertEqual(self._receipts_count(), count)
        self.assertEqual(move.message_ids, messages)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")

    def test_upload_wizard_imports_receipts_and_refuses_a_bad_batch_whole(self):
        """Test that receipts uploaded together are all recorded, and that one
        bad file in the batch records none of them."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        good, _sdi_id = self._receipt("RC", file_name=name)
        Attachment = self.env["ir.attachment"]
        count = self._receipts_count()
        wizard = self.env["l10n_it.fatturapa.receipt.upload"].create({"attachment_ids": [
            Attachment.create({"name": "rc.xml", "raw": good}).id,
            Attachment.create({"name": "bad.xml", "raw": b"<nope/>"}).id,
        ]})
        with self.assertRaisesRegex(UserError, "bad.xml"):
            wizard.action_import()
        self.assertEqual(self._receipts_count(), count)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")

        wizard = self.env["l10n_it.fatturapa.receipt.upload"].create({"attachment_ids": [
            Attachment.create({"name": "rc.xml", "raw": good}).id]})
        action = wizard.action_import()
        receipt = self.env["l10n_it.fatturapa.receipt"].search(action["domain"])
        self.assertEqual(receipt.move_id, move)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "delivered")

    def test_rejected_invoice_is_sent_again_with_a_new_file(self):
        """Test that after a rejection the invoice is sent again with a newly
        built file whose name differs, and that the old name is refused."""
        name = self._unique_file_name()
        move = self._sent_invoice(file_name=name)
        data, _sdi_id = self._receipt("NS", file_name=name)
        self._import(data)
        self.assertTrue(move.show_reset_to_draft_button)

        self.next_file_name = name
        with self.assertRaisesRegex(UserError, "already received"):
            move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "rejected")

        built = len(self.built)
        move.action_l10n_it_fatturapa_sdi_send()
        self.assertEqual(len(self.built), built + 1, "the file is built anew")
        self.assertNotEqual(move.l10n_it_fatturapa_sdi_filename, name)
        self.assertEqual(move.l10n_it_fatturapa_sdi_state, "sent")
        self.assertFalse(move.l10n_it_fatturapa_sdi_errors)

    def test_invoice_at_the_sdi_cannot_be_sent_twice_nor_reset(self):
        """Test that a sent invoice is neither sent again nor reset to draft."""
        move = self._sent_invoice()
        with self.assertRaisesRegex(UserError, "already sent"):
            move.action_l10n_it_fatturapa_sdi_send()
        self.assertFalse(move.show_reset_to_draft_button)
        with self.assertRaisesRegex(UserError, "credit note"):
            move.button_draft()
        self.assertEqual(move.state, "posted")

    def test_reminder_lists_invoices_sent_long_ago_without_receipt(self):
        """Test that the daily reminder puts one activity on each invoice sent
        more days ago than the setting without a receipt, and only once."""
        self.company.l10n_it_fatturapa_reminder_days = 5
        late = self._sent_invoice()
        recent = self._sent_invoice()
        answered_name = self._unique_file_name()
        answered = self._sent_invoice(file_name=answered_name)
        self._import(self._receipt("MC", file_name=answered_name)[0])
        old = fields.Datetime.now() - timedelta(days=6)
        (late | answered).write({"l10n_it_fatturapa_sdi_sent_at": old})
        recent.l10n_it_fatturapa_sdi_sent_at = fields.Datetime.now() - timedelta(days=3)

        Move = self.env["account.move"]
        reminded = Move._l10n_it_fatturapa_sdi_remind(self.company)
        self.assertEqual(reminded, late)
        activity_type = self.env.ref("l10n_it_fatturapa_bridge.mail_activity_type_sdi_no_receipt")
        self.assertEqual(late.activity_ids.activity_type_id, activity_type)
        self.assertFalse(Move._l10n_it_fatturapa_sdi_remind(self.company), "reminded once")
        self.assertEqual(len(late.activity_ids), 1)
