# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The hosting bridge end to end, for the features' tests: the fake WHMCS
platform, the bridge's sync engine, and this Odoo over real XML-RPC on the
test server's port, as the integration user with an API key.

A feature's test class inherits :class:`HostingBridgeCommon` and sets
:attr:`~HostingBridgeCommon.cloud_product_ids`, the platform products that
are cloud servers for the bridge. The bridge's package and the fake platform
are found in the repository (``hosting_bridge/``, ``tests/hosting_bridge/``).
"""

import sys
from datetime import timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.tests import HttpCase
from odoo.tools import config

from .common import PrepaidCommon

_REPO = Path(__file__).resolve().parents[2]
for _path in (_REPO, _REPO / "tests" / "hosting_bridge"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from fake_platform import FakeWhmcs  # noqa: E402

from hosting_bridge.errors import OdooError  # noqa: E402
from hosting_bridge.odoo import OdooGateway  # noqa: E402
from hosting_bridge.sync import SyncEngine  # noqa: E402
from hosting_bridge.whmcs import WhmcsPlatform  # noqa: E402

__all__ = ["HostingBridgeCommon", "OdooError", "OdooGateway"]


class HostingBridgeCommon(PrepaidCommon, HttpCase):
    """A fake platform started for each test, the bridge's engine on it and
    on this Odoo (``self.fake``, ``self.platform``, ``self.odoo``,
    ``self.engine``), logged in as ``self.bot``, an integration user."""

    #: The platform products that the bridge syncs as cloud servers.
    cloud_product_ids = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.USD").active = True
        cls.env.ref("base.EUR").active = True
        cls.bot = cls.create_integration_user("hosting_bridge_bot", "Hosting bridge")
        cls.api_key = cls.env["res.users.apikeys"].with_user(cls.bot)._generate(
            None, "hosting bridge", fields.Datetime.now() + timedelta(days=30)
        )

    def setUp(self):
        super().setUp()
        self.fake = FakeWhmcs().start()
        self.addCleanup(self.fake.stop)
        self.platform = WhmcsPlatform(self.fake.url, self.fake.identifier, self.fake.secret, rate=10000,
                                      burst=10000, backoff=0.01, max_backoff=0.05, retries=2, timeout=10)
        self.addCleanup(self.platform.close)
        self.odoo = self.gateway(self.bot, self.api_key, timeout=120)
        self.engine = SyncEngine(self.platform, self.odoo, cloud_product_ids=self.cloud_product_ids,
                                 batch_size=100, sleep=lambda _s: None)

    def gateway(self, user, key, **kwargs):
        """Return the bridge's client of this Odoo, logged in as ``user`` with the API key ``key``."""
        return OdooGateway(f"http://127.0.0.1:{config['http_port']}", self.env.cr.dbname, user.login, key,
                           **kwargs)

    def plain_user_gateway(self, login):
        """Return the bridge's client of this Odoo, logged in as a new internal
        user outside the integration group, with an API key."""
        user = self.env["res.users"].create({
            "name": "Curious", "login": login, "company_id": self.company.id,
            "company_ids": [Command.set(self.company.ids)],
            "groups_id": [Command.set([self.env.ref("base.group_user").id])],
        })
        key = self.env["res.users.apikeys"].with_user(user)._generate(None, "k", fields.Datetime.now() + timedelta(1))
        return self.gateway(user, key)

    def link(self, client_id):
        """Return the link of the platform client ``client_id`` in the test company, read afresh."""
        self.env.invalidate_all()
        return self.env["prepaid.platform.client"].sudo().search([
            ("company_id", "=", self.company.id), ("platform_code", "=", "whmcs"), ("platform_id", "=", client_id),
        ])

    def assertSuspensionRunsOnce(self, command, service_id):
        """Assert that the bridge's next run suspends the platform service
        ``service_id`` once, as ``command`` asks, and acknowledges it, and
        that a run after it takes nothing."""
        self.assertEqual(self.engine.run_commands(), {"fetched": 1, "done": 1, "failed": 0})
        self.assertEqual(self.fake.services[service_id]["status"], "Suspended")
        self.assertEqual(self.fake.actions().count("ModuleSuspend"), 1)
        command.invalidate_recordset()
        self.assertEqual(command.state, "acknowledged")
        self.assertEqual(self.engine.run_commands(), {"fetched": 0, "done": 0, "failed": 0})

    def assertSuspensionWaitsForThePlatform(self, command, service_id):
        """Assert that while the platform is down the suspension ``command``
        is put back with an attempt counted and a delay, and that once the
        platform is back and the delay over it runs and is acknowledged.

        :return: the log lines of the failed run
        """
        self.fake.down("503")
        with self.assertLogs("hosting_bridge.sync", "ERROR") as logs:
            self.assertEqual(self.engine.run_commands()["failed"], 1)
        command.invalidate_recordset()
        self.assertEqual((command.state, command.attempts), ("pending", 1))
        self.assertGreater(command.next_attempt_date, fields.Datetime.now())
        self.assertEqual(self.engine.run_commands()["fetched"], 0, "not due before its delay")
        self.fake.up()
        command.sudo().next_attempt_date = fields.Datetime.now() - timedelta(seconds=1)
        self.env.flush_all()
        self.assertEqual(self.engine.run_commands()["done"], 1)
        command.invalidate_recordset()
        self.assertEqual(command.state, "acknowledged")
        self.assertEqual(self.fake.services[service_id]["status"], "Suspended")
        return logs.output
