# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""A stateful stand-in for a WHMCS installation, for the tests and the bench.

It speaks the documented API (``POST /includes/api.php``, form-encoded
``action`` with the credential pair, ``responsetype=json``) for the actions
the bridge uses, with the documented answer shapes and error messages, and
keeps clients, services, domains, invoices and credit logs in memory.

Switches for the failure tests: :meth:`FakeWhmcs.down` (connection refused,
or ``503`` to every request) and :meth:`FakeWhmcs.up`, :attr:`fail_next`
(the next N requests get a given HTTP status), :attr:`delay` (seconds before
answering), :attr:`module_errors` (a provisioning module refusing a service).

Usage::

    with FakeWhmcs() as fake:
        fake.populate(clients=100)
        platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret)
"""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

API_PATH = "/includes/api.php"
_PRODUCTS = [(1, "Starter", "Shared Hosting"), (2, "Cloud S", "Cloud Servers"), (3, "Cloud M", "Cloud Servers"),
             (4, "Plesk licence", "Licences")]
_TLDS = ["com", "it", "net", "eu", "org"]


class _ApiError(Exception):
    def __init__(self, message, status=200):
        super().__init__(message)
        self.message = message
        self.status = status


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


class FakeWhmcs:
    """The fake platform: start it, fill it, point a client at :attr:`url`."""

    def __init__(self, identifier: str = "bridge-identifier", secret: str = "bridge-secret",
                 accesskey: str | None = None, host: str = "127.0.0.1", port: int = 0):
        self.identifier = identifier
        self.secret = secret
        self.accesskey = accesskey
        self.host = host
        self.port = port
        self.clients: dict[int, dict] = {}
        self.services: dict[int, dict] = {}
        self.domains: dict[int, dict] = {}
        self.invoices: dict[int, dict] = {}
        self.credits: dict[int, list[dict]] = {}
        #: every request received: (monotonic time, action, parameters)
        self.requests: list[tuple[float, str, dict]] = []
        #: the next N requests answer ``fail_status`` before any processing
        self.fail_next = 0
        self.fail_status = 503
        #: seconds to wait before answering each request
        self.delay = 0.0
        #: service id -> message: the provisioning module refuses that service
        self.module_errors: dict[int, str] = {}
        self._mode = "up"
        self._ids = {"client": 0, "service": 0, "domain": 0, "invoice": 0, "credit": 0}
        self._lock = threading.RLock()
        self._server = None
        self._thread = None

    # -- life ----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeWhmcs:
        fake = self

        class Handler(_Handler):
            platform = fake

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._mode = "up"
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def down(self, mode: str = "refuse") -> None:
        """Go down: ``refuse`` closes the port, ``503`` answers every request with 503."""
        if mode == "refuse":
            self.stop()
        elif mode != "503":
            raise ValueError(mode)
        self._mode = mode

    def up(self) -> None:
        """Come back on the same port with the same data."""
        if self._server is None:
            self.start()
        self._mode = "up"

    def __enter__(self) -> FakeWhmcs:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def actions(self) -> list[str]:
        """The actions received so far, in order."""
        return [action for _t, action, _p in self.requests]

    # -- data ------------------------------------------------------------------

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def add_client(self, email: str | None = None, *, firstname: str = "Ada", lastname: str = "Lovelace",
                   companyname: str = "", currency: str = "EUR", country: str = "IT", credit="0",
                   status: str = "Active") -> int:
        with self._lock:
            client_id = self._next("client")
            self.clients[client_id] = {
                "id": client_id, "firstname": firstname, "lastname": lastname, "companyname": companyname,
                "email": email or f"client{client_id}@example.com", "datecreated": "2026-01-15", "groupid": 0,
                "status": status, "currency_code": currency, "countrycode": country, "credit": _money(credit),
            }
            self.credits[client_id] = []
            return client_id

    def add_service(self, client_id: int, *, pid: int = 2, domain: str = "", status: str = "Active",
                    amount="12.95", billingcycle: str = "Monthly", nextduedate: str = "2026-12-25",
                    diskusage: int = 0, bwusage: int = 0, lastupdate: str = "0000-00-00 00:00:00") -> int:
        with self._lock:
            service_id = self._next("service")
            _pid, name, group = next(p for p in _PRODUCTS if p[0] == pid)
            self.services[service_id] = {
                "id": str(service_id), "qty": "1", "clientid": str(client_id), "orderid": str(service_id),
                "pid": str(pid), "regdate": "2026-01-20", "name": name, "translated_name": name,
                "groupname": group, "translated_groupname": group, "domain": domain or f"srv{service_id}.example.net",
                "dedicatedip": "", "serverid": "1", "servername": "Saturn", "serverip": "192.0.2.1",
                "serverhostname": "saturn.example.com", "suspensionreason": "", "firstpaymentamount": _money(amount),
                "recurringamount": _money(amount), "paymentmethod": "banktransfer",
                "paymentmethodname": "Bank Transfer", "billingcycle": billingcycle, "nextduedate": nextduedate,
                "status": status, "username": f"user{service_id}", "password": "xxxxxxxx", "subscriptionid": "",
                "promoid": "0", "overideautosuspend": "", "overidesuspenduntil": "0000-00-00", "ns1": "", "ns2": "",
                "assignedips": "", "notes": "", "diskusage": str(diskusage), "disklimit": "0",
                "bwusage": str(bwusage), "bwlimit": "0", "lastupdate": lastupdate,
                "customfields": {"customfield": []}, "configoptions": {"configoption": []},
            }
            return service_id

    def add_domain(self, client_id: int, name: str | None = None, *, status: str = "Active",
                   expirydate: str = "2027-03-01", regperiod: int = 1, amount="9.90", donotrenew: bool = False) -> int:
        with self._lock:
            domain_id = self._next("domain")
            self.domains[domain_id] = {
                "id": str(domain_id), "userid": str(client_id), "orderid": str(domain_id), "regtype": "Register",
                "domainname": name or f"domain{domain_id}.{_TLDS[domain_id % len(_TLDS)]}",
                "registrar": "enom", "regperiod": str(regperiod), "firstpaymentamount": _money(amount),
                "recurringamount": _money(amount), "paymentmethod": "banktransfer",
                "paymentmethodname": "Bank Transfer", "regdate": "2026-03-01", "expirydate": expirydate,
                "nextduedate": expirydate, "status": status, "subscriptionid": "", "promoid": "0",
                "dnsmanagement": "0", "emailforwarding": "0", "idprotection": "0",
                "donotrenew": "1" if donotrenew else "0", "notes": "",
            }
            return domain_id

    def add_invoice(self, client_id: int, items: list[tuple[str, str]], *, status: str = "Unpaid",
                    datepaid: str = "0000-00-00 00:00:00") -> int:
        """An invoice with ``(type, amount)`` lines; ``("AddFunds", "50.00")`` adds funds."""
        with self._lock:
            invoice_id = self._next("invoice")
            subtotal = sum(Decimal(amount) for _type, amount in items)
            self.invoices[invoice_id] = {
                "id": str(invoice_id), "userid": str(client_id), "invoicenum": "", "date": "2026-11-20",
                "duedate": "2026-11-27", "datepaid": datepaid, "subtotal": _money(subtotal), "credit": "0.00",
                "tax": "0.00", "tax2": "0.00", "total": _money(subtotal), "taxrate": "0.00", "taxrate2": "0.00",
                "status": status, "paymentmethod": "banktransfer", "notes": "",
                "items": [
                    {"id": str(n), "type": type_, "relid": "0",
                     "description": "Add Funds" if type_ == "AddFunds" else "Service", "amount": _money(amount),
                     "taxed": "0"}
                    for n, (type_, amount) in enumerate(items, 1)
                ],
            }
            return invoice_id

    def pay_invoice(self, invoice_id: int) -> None:
        """Mark an invoice paid; an add-funds invoice adds its amount to the client's credit."""
        with self._lock:
            invoice = self.invoices[invoice_id]
            invoice["status"] = "Paid"
            invoice["datepaid"] = "2026-11-21 10:00:00"
            if all(item["type"] == "AddFunds" for item in invoice["items"]):
                self._credit(int(invoice["userid"]), Decimal(invoice["subtotal"]), f"Invoice #{invoice_id} funds")

    def _credit(self, client_id: int, amount: Decimal, description: str) -> Decimal:
        client = self.clients[client_id]
        balance = Decimal(client["credit"]) + amount
        client["credit"] = _money(balance)
        self.credits[client_id].append({
            "id": str(self._next("credit")), "date": "2026-11-21", "description": description,
            "amount": _money(amount), "relid": "0",
        })
        return balance

    def populate(self, clients: int = 10, services: int = 3, domains: int = 2, *, seed: int = 16,
                 currencies: tuple[str, ...] = ("EUR", "EUR", "USD")) -> None:
        """Add ``clients`` clients with ``services`` services and ``domains`` domains each."""
        rnd = random.Random(seed)
        start = date(2026, 12, 1)
        for n in range(clients):
            client_id = self.add_client(
                firstname=f"First{n}", lastname=f"Last{n}", companyname=f"Company {n}" if n % 3 == 0 else "",
                currency=currencies[n % len(currencies)],
            )
            for _s in range(services):
                self.add_service(client_id, pid=rnd.choice(_PRODUCTS)[0],
                                 amount=f"{rnd.randint(3, 90)}.{rnd.randint(0, 99):02d}")
            for _d in range(domains):
                expiry = start + timedelta(days=rnd.randint(0, 700))
                self.add_domain(client_id, expirydate=expiry.isoformat())

    # -- API ---------------------------------------------------------------------

    def handle(self, params: dict) -> dict:
        action = params.get("action", "")
        self.requests.append((time.monotonic(), action, params))
        identifier = params.get("identifier", params.get("username"))
        secret = params.get("secret", params.get("password"))
        if identifier != self.identifier or secret != self.secret:
            raise _ApiError("Authentication Failed", 403)
        if self.accesskey and params.get("accesskey") != self.accesskey:
            raise _ApiError("Invalid Access Key", 403)
        method = getattr(self, f"_api_{action}", None)
        if method is None:
            raise _ApiError("Command Not Found")
        with self._lock:
            return method(params)

    @staticmethod
    def _page(params: dict, rows: list[dict], container: str, key: str) -> dict:
        start = int(params.get("limitstart") or 0)
        limit = int(params.get("limitnum") or 25)
        chunk = rows[start:start + limit]
        return {"totalresults": len(rows), "startnumber": start, "numreturned": len(chunk),
                container: {key: chunk}}

    def _client_or_error(self, params: dict, message: str = "Client ID Not Found") -> dict:
        try:
            return self.clients[int(params.get("clientid") or 0)]
        except (KeyError, ValueError):
            raise _ApiError(message) from None

    def _api_GetClients(self, params):
        rows = [
            {k: c[k] for k in ("id", "firstname", "lastname", "companyname", "email", "datecreated", "groupid",
                               "status")}
            for c in sorted(self.clients.values(), key=lambda c: c["id"],
                            reverse=params.get("sorting") == "DESC")
        ]
        search = (params.get("search") or "").lower()
        if search:
            rows = [r for r in rows if any(str(r[k]).lower().startswith(search)
                                           for k in ("email", "firstname", "lastname", "companyname"))]
        return self._page(params, rows, "clients", "client")

    def _api_GetClientsDetails(self, params):
        if not params.get("clientid") and not params.get("email"):
            raise _ApiError("Either clientid Or email Is Required")
        if params.get("clientid"):
            client = self._client_or_error(params, "Client Not Found")
        else:
            client = next((c for c in self.clients.values() if c["email"] == params["email"]), None)
            if client is None:
                raise _ApiError("Client Not Found")
        details = dict(client, userid=client["id"], client_id=client["id"], fullname=(
            f"{client['firstname']} {client['lastname']}"), country=client["countrycode"])
        # The documented answer repeats the client's fields at the top level.
        return dict(details, client=details)

    def _filtered(self, rows, params, filters):
        for param, field in filters:
            if params.get(param):
                rows = [r for r in rows if str(r[field]).lower() == str(params[param]).lower()]
        return rows

    def _api_GetClientsProducts(self, params):
        rows = self._filtered(list(self.services.values()), params, [
            ("clientid", "clientid"), ("serviceid", "id"), ("pid", "pid"), ("domain", "domain"),
            ("username2", "username")])
        answer = self._page(params, rows, "products", "product")
        answer.update(clientid=params.get("clientid"), serviceid=params.get("serviceid"),
                      pid=params.get("pid"), domain=params.get("domain"))
        return answer

    def _api_GetClientsDomains(self, params):
        rows = self._filtered(list(self.domains.values()), params, [
            ("clientid", "userid"), ("domainid", "id"), ("domain", "domainname")])
        answer = self._page(params, rows, "domains", "domain")
        answer.update(clientid=params.get("clientid"), domainid=params.get("domainid"))
        return answer

    def _invoice_row(self, invoice):
        client = self.clients[int(invoice["userid"])]
        row = {k: v for k, v in invoice.items() if k != "items"}
        row.update(firstname=client["firstname"], lastname=client["lastname"], companyname=client["companyname"],
                   currencycode=client["currency_code"], currencyprefix="", currencysuffix=client["currency_code"])
        return row

    def _api_GetInvoices(self, params):
        rows = self._filtered(list(self.invoices.values()), params, [("userid", "userid"), ("status", "status")])
        return self._page(params, [self._invoice_row(i) for i in rows], "invoices", "invoice")

    def _api_GetInvoice(self, params):
        try:
            invoice = self.invoices[int(params.get("invoiceid") or 0)]
        except (KeyError, ValueError):
            raise _ApiError("Invoice ID Not Found") from None
        answer = {k: v for k, v in invoice.items() if k not in ("id", "items")}
        answer.update(invoiceid=invoice["id"], balance="0.00" if invoice["status"] == "Paid" else invoice["total"],
                      ccgateway="", items={"item": invoice["items"]}, transactions="")
        return answer

    def _api_GetCredits(self, params):
        client = self._client_or_error(params)
        rows = self.credits[client["id"]]
        return {"totalresults": len(rows), "clientid": client["id"], "credits": {"credit": list(rows)}}

    def _api_AddCredit(self, params):
        client = self._client_or_error(params)
        if not params.get("description"):
            raise _ApiError("No Description Provided")
        try:
            amount = Decimal(params.get("amount") or "0")
        except ArithmeticError:
            amount = Decimal("0")
        if not amount.is_finite() or amount <= 0:
            raise _ApiError("No Amount Provided")
        if params.get("type", "add") not in ("add", "remove"):
            raise _ApiError("Invalid Type. Must be one of 'add' or 'remove'")
        if params.get("type") == "remove":
            if amount > Decimal(client["credit"]):
                raise _ApiError("Insufficient Credit Balance")
            amount = -amount
        balance = self._credit(client["id"], amount, params["description"])
        return {"newbalance": _money(balance)}

    def _module(self, params, status):
        try:
            service = self.services[int(params.get("accountid") or 0)]
        except (KeyError, ValueError):
            raise _ApiError("Service ID Not Found") from None
        error = self.module_errors.get(int(service["id"]))
        if error:
            raise _ApiError(error)
        service["status"] = status
        service["suspensionreason"] = params.get("suspendreason", "") if status == "Suspended" else ""
        return {}

    def _api_ModuleSuspend(self, params):
        return self._module(params, "Suspended")

    def _api_ModuleUnsuspend(self, params):
        return self._module(params, "Active")

    def _api_ModuleTerminate(self, params):
        return self._module(params, "Terminated")

    def _api_DomainRenew(self, params):
        domain = None
        if params.get("domainid"):
            domain = self.domains.get(int(params["domainid"]))
        elif params.get("domain"):
            domain = next((d for d in self.domains.values() if d["domainname"] == params["domain"]), None)
        if domain is None:
            raise _ApiError("Domain Not Found")
        years = int(params.get("regperiod") or domain["regperiod"])
        expiry = date.fromisoformat(domain["expirydate"])
        domain["expirydate"] = domain["nextduedate"] = expiry.replace(year=expiry.year + years).isoformat()
        domain["status"] = "Active"
        return {}


class _Handler(BaseHTTPRequestHandler):
    platform: FakeWhmcs
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the body
    # waits for the client's delayed ACK, 40 ms on every keep-alive request.
    disable_nagle_algorithm = True

    def log_message(self, *args):  # the tests read the request log, not stderr
        pass

    def _send(self, status: int, payload: dict | None) -> None:
        body = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        fake = self.platform
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        if self.path.split("?")[0] != API_PATH:
            return self._send(404, None)
        if fake.delay:
            time.sleep(fake.delay)
        if fake._mode == "503":
            fake.requests.append((time.monotonic(), "", {}))
            return self._send(503, None)
        with fake._lock:
            failing = fake.fail_next > 0
            if failing:
                fake.fail_next -= 1
                fake.requests.append((time.monotonic(), "", {}))
        if failing:
            return self._send(fake.fail_status, None)
        params = {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}
        try:
            answer = fake.handle(params)
        except _ApiError as error:
            return self._send(error.status, {"result": "error", "message": error.message})
        return self._send(200, {"result": "success", **answer})

    def do_GET(self):
        self._send(405, {"result": "error", "message": "POST only"})
