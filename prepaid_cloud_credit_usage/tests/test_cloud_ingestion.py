# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json
import re
import xmlrpc.client
from datetime import datetime, timedelta, timezone

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .cloud_common import DAY, CloudCommon


@tagged("post_install", "-at_install")
class TestCloudIngestion(CloudCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.make_server(cls)

    def samples(self, count=3, quantity=2.0):
        return [
            {"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY} {h:02d}:00:00", "quantity": quantity}
            for h in range(count)
        ]

    def assertBatchRefused(self, batch, errors, accepted):
        """Assert that ``batch`` is refused whole: nothing is stored, the error
        names every one of ``errors`` and no record of the indexes ``accepted``.
        """
        with self.assertRaises(ValidationError) as caught:
            self.ingest(batch)
        message = str(caught.exception)
        for expected in errors:
            self.assertIn(expected, message)
        for index in accepted:
            self.assertNotIn(f"Record {index}:", message)
        self.assertFalse(self.own_usage())

    def test_valid_batch_is_stored_with_its_source(self):
        """Test that a valid batch is stored as platform samples and counted."""
        result = self.ingest(self.samples())
        self.assertEqual(result, {"received": 3, "inserted": 3, "unchanged": 0})
        usage = self.Usage.search([("meter_id", "=", self.traffic.id)])
        self.assertEqual(len(usage), 3)
        self.assertEqual(set(usage.mapped("source")), {"metered"})
        self.assertEqual(usage.wallet_id, self.wallet)

    def test_identical_resubmission_changes_nothing(self):
        """Test that sending the same batch again is accepted and writes nothing."""
        self.ingest(self.samples())
        before = self.own_usage().read(["quantity", "source", "statement_id"])
        result = self.ingest(self.samples() + self.samples(1), at="2026-11-11 05:00:00")
        self.assertEqual(result, {"received": 4, "inserted": 0, "unchanged": 4})
        self.assertEqual(self.own_usage().read(["quantity", "source", "statement_id"]), before)

    def test_batch_with_stored_and_new_hours_inserts_only_the_new(self):
        """Test that a batch repeating stored hours and adding new ones stores the new ones only."""
        self.ingest(self.samples(2))
        result = self.ingest(self.samples(5))
        self.assertEqual(result, {"received": 5, "inserted": 3, "unchanged": 2})
        usage = self.Usage.search([("meter_id", "=", self.traffic.id)])
        self.assertEqual(sorted(usage.mapped("hour")), sorted({u.hour for u in usage}))
        self.assertEqual(len(usage), 5)

    def test_conflicting_resubmission_is_rejected_whole(self):
        """Test that a stored hour sent with another quantity rejects the batch, new hours included."""
        self.ingest(self.samples(2))
        batch = self.samples(4)
        batch[1]["quantity"] = 3.0
        with self.assertRaisesRegex(ValidationError, r"Record 1: a different quantity \(2.0\) is already stored"):
            self.ingest(batch)
        self.assertEqual(self.Usage.search_count([("meter_id", "=", self.traffic.id)]), 2)

    def test_invalid_batch_lists_every_error_and_writes_nothing(self):
        """Test that every error is reported with its index and nothing is stored."""
        good = {"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY} 05:00:00", "quantity": 1}
        batch = [
            dict(good, server="nope"),
            dict(good, meter="gpu_hour"),
            dict(good, quantity=-1),
            dict(good, quantity=float("nan")),
            dict(good, hour=f"{DAY} 10:30:00"),
            dict(good, hour="10/11/2026"),
            dict(good, hour=f"{DAY} 06:00:00", quantity=1),
            dict(good, hour=f"{DAY} 06:00:00", quantity=2),
            dict(good, hour="2030-01-01 00:00:00"),
            dict(good, quantity="3"),
            good,
        ]
        self.assertBatchRefused(batch, (
            "Record 0: unknown server nope",
            "Record 1: unknown meter gpu_hour",
            "Record 2: the quantity -1 is negative",
            "Record 3: the quantity must be a finite number",
            "Record 4: the hour 2026-11-10 10:30:00 is not on the hour",
            "Record 5: the hour 10/11/2026 is not a date and time",
            "Record 7: record 6 of this batch has 1.0",
            "Record 8: the hour 2030-01-01 00:00:00 is in the future",
            "Record 9: the quantity '3' is not a number",
        ), accepted=(6, 10))

    def test_compact_rows_are_accepted_like_mappings(self):
        """Test that [server, meter, hour, quantity] rows store the same records as mappings."""
        result = self.ingest(
            [["srv-1", "traffic_gb", f"{DAY} 07:00:00", 4.0], ("srv-1", "traffic_gb", f"{DAY} 08:00:00", 1)]
        )
        self.assertEqual(result["inserted"], 2)
        self.ingest([{"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY} 07:00:00", "quantity": 4.0}])
        with self.assertRaisesRegex(ValidationError, "Record 0: a record must be a mapping"):
            self.ingest([["srv-1", "traffic_gb", f"{DAY} 09:00:00"]])

    def test_compact_rows_repeating_a_valid_hour_are_still_checked(self):
        """Test that rows sharing the hour of a valid row get every other check too."""
        hour = f"{DAY} 05:00:00"
        batch = [
            ["srv-1", "traffic_gb", hour, 1.0],
            ["srv-1", "traffic_gb", hour, -1.0],
            ["srv-1", "traffic_gb", hour, float("nan")],
            ["srv-1", "traffic_gb", hour, float("inf")],
            ["srv-1", "traffic_gb", hour, True],
            [" ", "traffic_gb", hour, 1.0],
            ["srv-1", None, hour, 1.0],
        ]
        self.assertBatchRefused(batch, (
            "Record 1: the quantity -1.0 is negative",
            "Record 2: the quantity must be a finite number",
            "Record 3: the quantity must be a finite number",
            "Record 4: the quantity True is not a number",
            "Record 5: the server reference is missing",
            "Record 6: the meter code is missing",
        ), accepted=(0,))

    def test_json_payload_is_validated_like_records(self):
        """Test that a JSON batch stores its rows and rejects malformed JSON or bad rows whole."""
        payload = json.dumps([["srv-1", "traffic_gb", f"{DAY} 07:00:00", 4.0]])
        with freeze_time("2026-11-11 00:30:00"):
            usage = self.env["prepaid.cloud.usage"].with_user(self.integration_user)
            self.assertEqual(usage.ingest_json(payload)["inserted"], 1)
            with self.assertRaisesRegex(ValidationError, "not valid JSON"):
                usage.ingest_json("[[")
            with self.assertRaisesRegex(ValidationError, "Record 1: the quantity must be a finite number"):
                usage.ingest_json(
                    '[["srv-1", "traffic_gb", "2026-11-10 09:00:00", 1], '
                    '["srv-1", "traffic_gb", "2026-11-10 10:00:00", NaN]]'
                )
        self.assertEqual(len(self.own_usage()), 1)

    def test_identical_duplicates_within_a_batch_are_stored_once(self):
        """Test that the same record twice in a batch is one record."""
        result = self.ingest(self.samples(1) * 2)
        self.assertEqual(result, {"received": 2, "inserted": 1, "unchanged": 1})

    def test_hour_in_utc_with_offset_is_accepted_other_offsets_are_not(self):
        """Test that ISO hours in UTC are accepted and other time zones rejected."""
        self.ingest([{"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY}T04:00:00+00:00", "quantity": 1}])
        with self.assertRaisesRegex(ValidationError, "must be in UTC"):
            self.ingest([{"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY}T05:00:00+01:00", "quantity": 1}])

    def test_ingestion_is_refused_without_the_integration_group(self):
        """Test that an internal user without the integration group cannot ingest."""
        user = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk_cloud",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
        })
        with self.assertRaises(AccessError):
            self.ingest(self.samples(), user=user)
        self.assertFalse(self.own_usage())

    # ------------------------------------------------------------------
    # Bounds: one absurd record must never reach the rating
    # ------------------------------------------------------------------

    def test_quantity_above_the_meter_maximum_is_refused(self):
        """Test that a quantity above the meter's maximum per hour rejects the batch, nothing stored."""
        self.traffic.max_hourly_quantity = 500
        good = {"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY} 05:00:00", "quantity": 500}
        batch = [
            good,
            dict(good, hour=f"{DAY} 06:00:00", quantity=500.5),
            dict(good, hour=f"{DAY} 07:00:00", quantity=1e300),
            dict(good, hour=f"{DAY} 08:00:00", quantity=10 ** 400),
        ]
        with self.assertRaises(ValidationError) as caught:
            self.ingest(batch)
        message = str(caught.exception)
        self.assertIn(
            "Record 1: the quantity 500.5 is above the maximum of 500.0 per hour of the meter traffic_gb", message
        )
        self.assertIn("Record 2: the quantity 1e+300 is above the maximum of any meter", message)
        self.assertIn("Record 3: the quantity 1000000000000", message)
        self.assertNotIn("Record 0", message)
        self.assertFalse(self.own_usage())

    def test_hour_before_the_server_existed_is_refused(self):
        """Test that an hour before the server's first event rejects the batch, the creation hour included."""
        late = self.make_server(at=f"{DAY} 05:20:00", ref="srv-late")
        record = {"server": late.ref, "meter": "traffic_gb", "quantity": 1}
        with self.assertRaisesRegex(
            ValidationError, r"Record 0: the hour 2026-11-10 04:00:00 is before the server srv-late existed"
        ):
            self.ingest([dict(record, hour=f"{DAY} 04:00:00"), dict(record, hour=f"{DAY} 05:00:00")])
        self.assertFalse(self.own_usage())
        self.assertEqual(self.ingest([dict(record, hour=f"{DAY} 05:00:00")])["inserted"], 1)

    def test_hour_older_than_the_company_window_is_refused(self):
        """Test that records older than the company's window are refused and the window is a setting."""
        server = self.make_server(at="2026-10-01 00:00:00", ref="srv-old")
        record = {"server": server.ref, "meter": "traffic_gb", "quantity": 1}
        with self.assertRaisesRegex(ValidationError, r"Record 0: the hour 1900-01-01 00:00:00 is older than 30 days"):
            self.ingest([dict(record, hour="1900-01-01 00:00:00")])
        self.company.prepaid_usage_max_age_days = 2
        with self.assertRaisesRegex(ValidationError, r"Record 0: the hour 2026-11-08 00:00:00 is older than 2 days"):
            self.ingest([dict(record, hour="2026-11-08 00:00:00")])
        self.assertEqual(self.ingest([dict(record, hour="2026-11-09 01:00:00")])["inserted"], 1)
        self.assertEqual(len(self.own_usage()), 1)

    def test_usage_window_and_meter_maximum_settings_are_bounded(self):
        """Test that the window and the maximum per hour refuse zero and absurd values."""
        for days in (0, -1, 100000):
            with self.assertRaises(ValidationError):
                self.company.prepaid_usage_max_age_days = days
        for maximum in (0, -5, 1e300):
            with self.assertRaises(ValidationError):
                self.traffic.max_hourly_quantity = maximum

    def test_server_configuration_above_the_meter_maximum_is_refused(self):
        """Test that a server cannot be sized beyond its meters' maximum: derived hours stay bounded."""
        self.cpu.max_hourly_quantity = 1024
        # Odoo's assertRaises takes the refused write back.
        with self.assertRaises(ValidationError) as caught:
            self.server.vcpu = 1025
        self.assertIn("above the maximum of 1024.0", str(caught.exception))
        self.assertEqual(self.server.vcpu, 2)
        with self.assertRaisesRegex(ValidationError, "above the maximum"):
            self.make_server(ref="srv-huge", ram_gb=1e300)

    # ------------------------------------------------------------------
    # Malformed input: clear, translated errors, never a crash
    # ------------------------------------------------------------------

    def test_deeply_nested_json_gets_a_clear_error(self):
        """Test that a deeply nested JSON batch is refused with a message, not a RecursionError."""
        with freeze_time("2026-11-11 00:30:00"):
            usage = self.env["prepaid.cloud.usage"].with_user(self.integration_user)
            with self.assertRaisesRegex(ValidationError, "nested too deeply"):
                usage.ingest_json("[" * 100000 + "]" * 100000)
            nested = "[" * 50 + "1" + "]" * 50
            with self.assertRaisesRegex(ValidationError, r"Record 0: the quantity \[\[\[.*\]\]\] is not a number"):
                usage.ingest_json(f'[["srv-1", "traffic_gb", "{DAY} 01:00:00", {nested}]]')
        deep = 1.0
        for _level in range(100000):
            deep = [deep]
        with self.assertRaisesRegex(ValidationError, "Record 0: the quantity"):
            self.ingest([["srv-1", "traffic_gb", f"{DAY} 01:00:00", deep]])
        self.assertFalse(self.own_usage())

    def test_control_characters_and_lone_surrogates_are_refused(self):
        """Test that NUL, control characters and lone surrogates in references, codes and hours give
        clear errors that can be encoded, and nothing is written."""
        payload = json.dumps([
            ["srv-1\ud800", "traffic_gb", f"{DAY} 01:00:00", 1],
            ["srv-1", "traffic\u0000gb", f"{DAY} 02:00:00", 1],
            ["srv\n1", "traffic_gb", f"{DAY} 03:00:00", 1],
            ["srv-1", "traffic_gb", f"{DAY} 04:00:00\u0000", 1],
            ["srv-1", "traffic_gb", f"{DAY} 05:00:00\udfff", 1],
            {"server": "srv-1", "meter": "traffic_gb", "hour": f"{DAY} 06:00:00", "quantity": 1, "x\ud800": 1},
        ])
        with freeze_time("2026-11-11 00:30:00"):
            usage = self.env["prepaid.cloud.usage"].with_user(self.integration_user)
            with self.assertRaises(ValidationError) as caught:
                usage.ingest_json(payload)
        message = str(caught.exception)
        message.encode("utf-8")  # no lone surrogate left to break the XML-RPC answer
        self.assertNotIn("\x00", message)
        for expected in (
            r"Record 0: the server reference 'srv-1\ud800' holds a control or invalid character",
            r"Record 1: the meter code 'traffic\x00gb' holds a control or invalid character",
            r"Record 2: the server reference 'srv\n1' holds a control or invalid character",
            r"Record 3: the hour '2026-11-10 04:00:00\x00' holds a control or invalid character",
            r"Record 4: the hour '2026-11-10 05:00:00\udfff' holds a control or invalid character",
            r"Record 5: unknown keys 'x\ud800'",
        ):
            self.assertIn(expected, message)
        self.assertFalse(self.own_usage())

    def test_only_plain_numbers_are_quantities(self):
        """Test that texts read leniently as numbers, booleans, non-finite and absurd numbers are refused."""
        hour = f"{DAY} 05:00:00"
        values = ["9_50", "1_0", "1e300", "nan", "inf", True, float("inf"), float("nan"), None, [9.5], {"q": 1}]
        with self.assertRaises(ValidationError) as caught:
            self.ingest([["srv-1", "traffic_gb", hour, value] for value in values])
        message = str(caught.exception)
        for index, expected in enumerate((
            "the quantity '9_50' is not a number",
            "the quantity '1_0' is not a number",
            "the quantity '1e300' is not a number",
            "the quantity 'nan' is not a number",
            "the quantity 'inf' is not a number",
            "the quantity True is not a number",
            "the quantity must be a finite number",
            "the quantity must be a finite number",
            "the quantity None is not a number",
            "the quantity [9.5] is not a number",
            "the quantity {'q': 1} is not a number",
        )):
            self.assertIn(f"Record {index}: {expected}", message)
        with freeze_time("2026-11-11 00:30:00"):
            usage = self.env["prepaid.cloud.usage"].with_user(self.integration_user)
            for text, expected in (
                ("9_50", "not valid JSON"),
                ("1e400", "Record 0: the quantity must be a finite number"),
                ("1e300", "Record 0: the quantity 1e+300 is above the maximum of any meter"),
                ("Infinity", "Record 0: the quantity must be a finite number"),
                ("true", "Record 0: the quantity True is not a number"),
            ):
                with self.assertRaisesRegex(ValidationError, re.escape(expected)):
                    usage.ingest_json(f'[["srv-1", "traffic_gb", "{hour}", {text}]]')
        self.assertFalse(self.own_usage())

    def test_unhashable_hour_in_a_compact_row_gets_a_clear_error(self):
        """Test that a list given as the hour of a compact row is reported, not a TypeError."""
        self.ingest([["srv-1", "traffic_gb", f"{DAY} 05:00:00", 1]])
        with self.assertRaisesRegex(ValidationError, r"Record 1: the hour \['2026-11-10'\] is not a date and time"):
            self.ingest([["srv-1", "traffic_gb", f"{DAY} 06:00:00", 1], ["srv-1", "traffic_gb", [DAY], 1]])
        self.assertEqual(len(self.own_usage()), 1)

    def test_server_reference_with_a_control_character_is_refused(self):
        """Test that a server cannot be given a reference the platform could not send."""
        with self.assertRaisesRegex(ValidationError, "control character"):
            self.server.ref = "srv\x001"
        with self.assertRaisesRegex(ValidationError, "control character"):
            self.make_server(ref="srv\t2")


@tagged("post_install", "-at_install")
class TestCloudIngestionXmlRpc(CloudCommon, HttpCase):
    """The platform's way in: real XML-RPC, hours relative to the real clock."""

    def call(self, method, *args):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, self.integration_user.id, "bridge-pw-123", "prepaid.cloud.usage", method, list(args)
        )

    def test_malformed_batches_get_clear_faults_over_xmlrpc(self):
        """Test that a deeply nested batch, a lone surrogate, a NUL and an absurd quantity sent over XML-RPC
        get a fault with the clear message (not a server error), and a good batch is then stored."""
        now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0, tzinfo=None)
        self.make_server(at=now - timedelta(days=1), ref="srv-rpc")
        self.integration_user.password = "bridge-pw-123"
        hour = (now - timedelta(hours=2)).strftime("%Y-%m-%d %H:00:00")
        for payload, expected in (
            ("[" * 100000 + "]" * 100000, "nested too deeply"),
            (json.dumps([["srv-rpc\ud800", "traffic_gb", hour, 1]]), r"'srv-rpc\ud800' holds a control"),
            (json.dumps([["srv-rpc", "traffic\x00gb", hour, 1]]), r"'traffic\x00gb' holds a control"),
            (json.dumps([["srv-rpc", "traffic_gb", hour, 1e300]]), "above the maximum of any meter"),
        ):
            with self.assertRaises(xmlrpc.client.Fault) as caught:
                self.call("ingest_json", payload)
            self.assertIn(expected, caught.exception.faultString)
            self.assertNotIn("Traceback", caught.exception.faultString)
        self.assertFalse(self.own_usage())
        self.assertEqual(self.call("ingest_json", json.dumps([["srv-rpc", "traffic_gb", hour, 2.5]]))["inserted"], 1)
        self.assertEqual(self.call("ingest", [["srv-rpc", "traffic_gb", hour, 2.5]])["unchanged"], 1)
