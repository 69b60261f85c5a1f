# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The Odoo side, reached with ``odoo-client-lib`` over XML-RPC.

Only the integration methods of CONTRACT.md are called, as the integration
user with an API key. Every call translates Odoo's fault into an
:class:`~hosting_bridge.errors.OdooError` carrying Odoo's own (translated)
message, and says whether trying again later may help.
"""

from __future__ import annotations

import http.client
import json
import xmlrpc.client
from urllib.parse import urlsplit

import odoolib
import requests
from odoolib.rpc import XmlRPCConnector
from odoolib.tools import AuthenticationError

from .errors import OdooError

#: kind -> (model, upsert method, read method), see CONTRACT.md
KINDS = {
    "clients": ("res.partner", "platform_upsert_clients", "platform_read_clients"),
    "servers": ("prepaid.cloud.server", "platform_upsert_servers", "platform_read_servers"),
    "services": ("prepaid.renewal.service", "platform_upsert_services", "platform_read_services"),
    "domains": ("prepaid.domain", "platform_upsert_domains", "platform_read_domains"),
}
#: the command queues the bridge takes from, each when its addon is installed:
#: cloud servers (``prepaid_cloud_credit_usage``), renewable services
#: (``prepaid_cloud_credit_renewal``); see CONTRACT.md
COMMAND_MODELS = ("prepaid.cloud.command", "prepaid.renewal.command")
#: the model each kind needs on the Odoo side
KIND_MODELS = {kind: model for kind, (model, _upsert, _read) in KINDS.items()}
MAX_BATCH = 1000
# Odoo's XML-RPC fault codes (odoo/addons/base/controllers/rpc.py).
_FAULT_APPLICATION_ERROR = 1
_FAULT_ACCESS = (3, 4)


class _TimeoutConnector(XmlRPCConnector):
    """odoolib's XML-RPC connector, with a timeout and the ``/xmlrpc/2`` routes.

    odoolib opens its ServerProxy without a timeout (a daemon would hang on a
    stuck server) and uses the legacy routes, whose faults carry a string
    code; ``/xmlrpc/2`` gives the numeric codes read below.
    """

    def __init__(self, base_url: str, timeout: float):
        self.url = f"{base_url}/xmlrpc/2"
        self.timeout = timeout

    def send(self, service_name, method, *args):
        transport_class = xmlrpc.client.SafeTransport if self.url.startswith("https") else xmlrpc.client.Transport
        timeout = self.timeout

        class Transport(transport_class):
            def make_connection(self, host):
                connection = super().make_connection(host)
                connection.timeout = timeout
                return connection

        proxy = xmlrpc.client.ServerProxy(f"{self.url}/{service_name}", transport=Transport(), allow_none=True)
        return getattr(proxy, method)(*args)


def _fault_message(fault: xmlrpc.client.Fault) -> str:
    text = str(fault.faultString or fault.faultCode).strip()
    if fault.faultCode == _FAULT_APPLICATION_ERROR:
        # A traceback: its last line names the error.
        lines = [line for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else text
    return text


class OdooGateway:
    """The Odoo database the bridge feeds.

    :param url: Odoo's base URL (``https://erp.example.com`` or ``http://localhost:8069``)
    :param database: the database name
    :param login: the integration user's login
    :param api_key: an API key of that user (never its password)
    :param timeout: seconds to wait for any call
    """

    def __init__(self, url: str, database: str, login: str, api_key: str, *, timeout: float = 60.0):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.url = url.rstrip("/")
        self.database = database
        self.login = login
        self._api_key = api_key
        self.timeout = timeout
        port = parts.port or (443 if parts.scheme == "https" else 80)
        self.connection = odoolib.get_connection(
            hostname=parts.hostname, protocol="xmlrpcs" if parts.scheme == "https" else "xmlrpc", port=port,
            database=database, login=login, password=api_key,
        )
        self.connection.connector = _TimeoutConnector(f"{parts.scheme}://{parts.hostname}:{port}", timeout)
        self._models: frozenset[str] | None = None

    # -- transport -------------------------------------------------------------

    def _guard(self, name: str, call):
        try:
            return call()
        except xmlrpc.client.Fault as fault:
            if fault.faultCode in _FAULT_ACCESS:
                raise OdooError(name, _fault_message(fault), fatal=True) from None
            raise OdooError(name, _fault_message(fault),
                            retryable="serializ" in str(fault.faultString).lower()) from None
        except AuthenticationError:
            raise OdooError(name, f"login refused for {self.login!r} on {self.database!r} (check the API key)",
                            fatal=True) from None
        except xmlrpc.client.ProtocolError as error:
            raise OdooError(name, f"HTTP {error.errcode} {error.errmsg}", retryable=error.errcode >= 500) from None
        except (OSError, http.client.HTTPException) as error:
            raise OdooError(name, f"{type(error).__name__}: {error}", retryable=True) from None

    def execute(self, model: str, method: str, *args, **kwargs):
        """Call ``model.method(*args, **kwargs)`` as the integration user."""
        model_proxy = self.connection.get_model(model)
        return self._guard(f"{model}.{method}", lambda: getattr(model_proxy, method)(*args, **kwargs))

    def check(self) -> dict:
        """Prove the server answers, the key logs in and the addon is there."""
        version = self._guard("version", lambda: self.connection.get_service("common").version())
        self._guard("login", lambda: self.connection.check_login(force=True))
        self.execute("prepaid.wallet", "search_count", [("id", "=", 0)])
        return {"url": self.url, "database": self.database, "uid": self.connection.user_id,
                "server_version": version.get("server_version")}

    def installed_models(self) -> frozenset[str]:
        """Which of the models the bridge may call exist in this database.

        Asked once (``prepaid.wallet.platform_models``) and kept: the addons
        of a database change only with an upgrade, after which the bridge is
        restarted.
        """
        if self._models is None:
            wanted = sorted({model for model in KIND_MODELS.values() if model.startswith("prepaid.")}
                            | set(COMMAND_MODELS))
            self._models = frozenset(self.execute("prepaid.wallet", "platform_models", wanted)) | {"res.partner"}
        return self._models

    def has_model(self, model: str) -> bool:
        """Whether ``model`` exists in this database (see :meth:`installed_models`)."""
        return model in self.installed_models()

    def command_models(self) -> list[str]:
        """The command queues of this database, in the order they are taken."""
        return [model for model in COMMAND_MODELS if self.has_model(model)]

    # -- the contract ------------------------------------------------------------

    @staticmethod
    def _batch(records: list) -> list:
        if len(records) > MAX_BATCH:
            raise ValueError(f"a batch holds at most {MAX_BATCH} records, not {len(records)}")
        return records

    def upsert(self, kind: str, platform_code: str, records: list[dict]) -> list[dict]:
        """Create or update platform records of ``kind`` (see :data:`KINDS`)."""
        model, method, _read = KINDS[kind]
        return self.execute(model, method, platform_code, self._batch(records))

    def read(self, kind: str, platform_code: str, platform_ids: list[int]) -> list[dict]:
        """The stored side of platform records of ``kind``."""
        model, _upsert, method = KINDS[kind]
        return self.execute(model, method, platform_code, self._batch(platform_ids))

    def credit_invoices(self, platform_code: str, invoices: list[dict]) -> list[dict]:
        return self.execute("prepaid.wallet", "platform_credit_invoices", platform_code, self._batch(invoices))

    def movements(self, platform_code: str, after: int, limit: int = 500) -> dict:
        return self.execute("prepaid.wallet", "platform_movements", platform_code, after=after, limit=limit)

    def get_cursor(self, platform_code: str, name: str) -> int:
        return int(self.execute("prepaid.wallet", "platform_get_cursor", platform_code, name) or 0)

    def set_cursor(self, platform_code: str, name: str, value: int) -> int:
        return int(self.execute("prepaid.wallet", "platform_set_cursor", platform_code, name, value) or 0)

    def ledger_batch(self, movements: list[dict]) -> list[dict]:
        return self.execute("prepaid.wallet", "ledger_batch", self._batch(movements))

    def fetch_commands(self, platform_code: str, limit: int = 100) -> list[dict]:
        """Take the due commands of every queue (up to ``limit`` from each).

        Each dict gains ``"model"``, the queue it came from, where it is
        acknowledged.
        """
        commands = []
        for model in self.command_models():
            taken = self.execute(model, "fetch_pending", limit=limit, platform_code=platform_code)
            commands.extend({**command, "model": model} for command in taken)
        return commands

    def acknowledge(self, command_ids: list[int], success: bool, message: str | None = None,
                    retry: bool = False, model: str = COMMAND_MODELS[0]) -> int:
        """Record the platform's outcome of commands of the queue ``model``."""
        if model not in COMMAND_MODELS:
            raise ValueError(f"not a command queue: {model!r}")
        return self.execute(model, "acknowledge", command_ids, success=success, message=message or False,
                            retry=retry)

    def command_counts(self) -> dict[str, int]:
        """Commands per state over every queue, for ``status``."""
        models = self.command_models()
        return {
            state: sum(self.execute(model, "search_count", [("state", "=", state)]) for model in models)
            for state in ("pending", "sent", "failed")
        }

    def ingest_usage_json(self, payload: str) -> dict:
        return self.execute("prepaid.cloud.usage", "ingest_json", payload)

    def tld_pricing(self, partner_id: int | None = None, currency: str | None = None) -> dict:
        """A customer's domain prices from the ``GetTLDPricing``-shaped endpoint."""
        params = {key: value for key, value in (("clientid", partner_id), ("currency", currency)) if value}
        try:
            response = requests.get(f"{self.url}/prepaid/api/tld-pricing", params=params, timeout=self.timeout,
                                    headers={"Authorization": f"Bearer {self._api_key}"})
        except requests.RequestException as error:
            raise OdooError("tld-pricing", str(error), retryable=True) from None
        try:
            payload = response.json()
        except json.JSONDecodeError:
            raise OdooError("tld-pricing", f"HTTP {response.status_code}: not JSON",
                            retryable=response.status_code >= 500) from None
        if response.status_code != 200 or payload.get("result") != "success":
            raise OdooError("tld-pricing", str(payload.get("message") or f"HTTP {response.status_code}"))
        return payload
