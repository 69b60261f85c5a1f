# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import json

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

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
        before = self.Usage.search([]).read(["quantity", "source", "statement_id"])
        result = self.ingest(self.samples() + self.samples(1), at="2026-11-11 05:00:00")
        self.assertEqual(result, {"received": 4, "inserted": 0, "unchanged": 4})
        self.assertEqual(self.Usage.search([]).read(["quantity", "source", "statement_id"]), before)

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
        with self.assertRaises(ValidationError) as caught:
            self.ingest(batch)
        message = str(caught.exception)
        for expected in (
            "Record 0: unknown server nope",
            "Record 1: unknown meter gpu_hour",
            "Record 2: the quantity -1 is negative",
            "Record 3: the quantity must be a finite number",
            "Record 4: the hour 2026-11-10 10:30:00 is not on the hour",
            "Record 5: the hour 10/11/2026 is not a date and time",
            "Record 7: record 6 of this batch has 1.0",
            "Record 8: the hour 2030-01-01 00:00:00 is in the future",
            "Record 9: the quantity '3' is not a number",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Record 10", message)
        self.assertNotIn("Record 6:", message)
        self.assertFalse(self.Usage.search([]))

    def test_compact_rows_are_accepted_like_mappings(self):
        """Test that [server, meter, hour, quantity] rows store the same records as mappings."""
        result = self.ingest([["srv-1", "traffic_gb", f"{DAY} 07:00:00", 4.0], ("srv-1", "traffic_gb", f"{DAY} 08:00:00", 1)])
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
        with self.assertRaises(ValidationError) as caught:
            self.ingest(batch)
        message = str(caught.exception)
        for expected in (
            "Record 1: the quantity -1.0 is negative",
            "Record 2: the quantity must be a finite number",
            "Record 3: the quantity must be a finite number",
            "Record 4: the quantity True is not a number",
            "Record 5: the server reference is missing",
            "Record 6: the meter code is missing",
        ):
            self.assertIn(expected, message)
        self.assertNotIn("Record 0:", message)
        self.assertFalse(self.Usage.search([]))

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
                    '[["srv-1", "traffic_gb", "2026-11-10 09:00:00", 1], ["srv-1", "traffic_gb", "2026-11-10 10:00:00", NaN]]'
                )
        self.assertEqual(self.Usage.search_count([]), 1)

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
        self.assertFalse(self.Usage.search([]))
