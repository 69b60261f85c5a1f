# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The WHMCS adapter: its documented API, ``POST <url>/includes/api.php``.

Every request carries ``action``, the API credential pair (``identifier``,
``secret``, and ``accesskey`` where the platform requires it instead of an
allowed address) and ``responsetype=json``. An answer with
``result=error`` is the platform refusing the request
(:class:`~hosting_bridge.errors.PlatformBusinessError`), never retried.

Network errors, 429 and 5xx answers are retried with exponential backoff and
jitter, but only where a retry cannot apply an action twice: reading actions
always; actions that change something only when the request surely never
reached the platform (connection refused, connect timeout, 429, 503). The
flows that call them check the platform's state before acting again, so a
doubtful write is settled there, not by a blind retry here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import requests
import urllib3

from .errors import (
    PlatformAuthError,
    PlatformBusinessError,
    PlatformError,
    PlatformProtocolError,
    PlatformUnavailable,
)
from .models import Client, CreditEntry, Domain, Invoice, InvoiceItem, Page, Service
from .platform import Platform
from .ratelimit import TokenBucket

_logger = logging.getLogger(__name__)

#: Actions that only read: safe to send again after any failure.
READ_ACTIONS = frozenset({
    "GetClients", "GetClientsDetails", "GetClientsProducts", "GetClientsDomains",
    "GetInvoices", "GetInvoice", "GetCredits", "GetCurrencies",
})

#: Answers that say nothing was processed: any action may be sent again.
_NOT_PROCESSED = frozenset({429, 503})

#: ``result=error`` messages that are about the credentials, not the request.
_AUTH_MESSAGES = ("authentication failed", "invalid ip", "invalid access key", "invalid permissions")

SERVICE_STATUS = {
    "Pending": "pending", "Active": "active", "Suspended": "suspended", "Terminated": "terminated",
    "Cancelled": "cancelled", "Fraud": "fraud", "Completed": "terminated",
}
DOMAIN_STATUS = {
    "Pending": "pending", "Pending Registration": "pending", "Pending Transfer": "pending",
    "Active": "active", "Grace": "expired", "Redemption": "expired", "Expired": "expired",
    "Transferred Away": "transferred_away", "Cancelled": "cancelled", "Fraud": "fraud",
}


def _not_sent(exc: requests.exceptions.RequestException) -> bool:
    """Whether the request surely never reached the platform."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _describe(exc: Exception) -> str:
    """A one-line account of a network error, without urllib3's object reprs."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    text = str(reason)
    if "object at 0x" in text:
        text = text.split(">: ", 1)[-1].rstrip("')")
    return f"{type(exc).__name__}: {text}"


def _items(container, key: str) -> list[dict]:
    """The records of a listing: ``{"clients": {"client": [...]}}``.

    WHMCS answers an empty string or an empty list when nothing matches,
    and a lone record may come as a mapping rather than a list of one.
    """
    if not container:
        return []
    if isinstance(container, dict):
        container = container.get(key) or []
    if isinstance(container, dict):
        return [container]
    if not isinstance(container, list):
        raise ValueError(f"a list of {key} records was expected")
    return container


def _int(value, default: int = 0) -> int:
    if value in (None, ""):
        return default
    return int(value)


def _money(value) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount


def _date(value) -> date | None:
    if not value or str(value).startswith("0000-00-00"):
        return None
    return date.fromisoformat(str(value)[:10])


def _datetime(value) -> datetime | None:
    if not value or str(value).startswith("0000-00-00"):
        return None
    text = str(value)
    return datetime.fromisoformat(text) if len(text) > 10 else datetime.fromisoformat(text + " 00:00:00")


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "on", "true", "yes")


class WhmcsPlatform(Platform):
    """A WHMCS installation reached through its API.

    :param url: the root URL of the installation (``https://billing.example.com``)
    :param identifier: API credential identifier
    :param secret: API credential secret
    :param accesskey: the ``$api_access_key`` of its configuration, if used
    :param connect_timeout: seconds to open the connection
    :param timeout: seconds to wait for an answer
    :param retries: further attempts after a failure that may pass
    :param backoff: first wait before a retry, doubled each time (jittered)
    :param max_backoff: the longest wait between two attempts
    :param rate: requests per second at most (token bucket)
    :param burst: requests sent at once before the rate applies
    :param page_size: records asked per page (``limitnum``)
    :param client_details: read each client's details (currency, credit)
        while listing clients; one more request per client
    :param bucket: a rate limit shared with other clients of the same
        platform (the daemon's threads); its own one when omitted
    """

    kind = "whmcs"

    def __init__(self, url: str, identifier: str, secret: str, *, code: str = "whmcs", accesskey: str | None = None,
                 connect_timeout: float = 5.0, timeout: float = 30.0, retries: int = 4, backoff: float = 0.5,
                 max_backoff: float = 30.0, rate: float = 10.0, burst: int = 20, page_size: int = 250,
                 client_details: bool = True, session: requests.Session | None = None, sleep=time.sleep,
                 bucket: TokenBucket | None = None):
        super().__init__(code)
        self.url = url.rstrip("/")
        self.endpoint = f"{self.url}/includes/api.php"
        self._credentials = {"identifier": identifier, "secret": secret}
        if accesskey:
            self._credentials["accesskey"] = accesskey
        self.timeout = (connect_timeout, timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.page_size = page_size
        self.client_details = client_details
        self._bucket = bucket or TokenBucket(rate, burst, sleep=sleep)
        self._sleep = sleep
        self._session = session or requests.Session()
        #: requests sent, retries included (read by ``status`` and the bench)
        self.requests_sent = 0

    # -- transport -------------------------------------------------------------

    def call(self, action: str, **params) -> dict:
        """Send one API action and return its decoded answer.

        :param params: the action's parameters; ``None`` values are left out
        :raise PlatformBusinessError: the platform answered ``result=error``
        :raise PlatformAuthError: credentials or address refused
        :raise PlatformUnavailable: network error, timeout or 5xx after retries
        :raise PlatformProtocolError: the answer is not the API's JSON
        """
        data = {key: value for key, value in params.items() if value is not None}
        data.update(self._credentials, action=action, responsetype="json")
        reading = action in READ_ACTIONS
        attempt = 0
        while True:
            attempt += 1
            self._bucket.acquire()
            self.requests_sent += 1
            try:
                response = self._session.post(self.endpoint, data=data, timeout=self.timeout)
            except requests.exceptions.RequestException as exc:
                failure = _describe(exc)
                may_retry = reading or _not_sent(exc)
            else:
                if response.status_code in (401, 403):
                    raise PlatformAuthError(action, self._message(response) or f"HTTP {response.status_code}")
                if response.status_code >= 500 or response.status_code == 429:
                    failure = f"HTTP {response.status_code}"
                    may_retry = reading or response.status_code in _NOT_PROCESSED
                elif response.status_code != 200:
                    raise PlatformProtocolError(
                        action, f"HTTP {response.status_code} from {self.endpoint}: is the URL the platform's root?"
                    )
                else:
                    return self._decode(action, response)
            if not may_retry or attempt > self.retries:
                raise PlatformUnavailable(action, f"{failure} (after {attempt} attempts)")
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
            _logger.warning(
                "platform call failed, retrying",
                extra={"action": action, "attempt": attempt, "error": failure, "retry_in": round(delay, 3)},
            )
            self._sleep(delay)

    @staticmethod
    def _message(response) -> str:
        try:
            payload = response.json()
        except ValueError:
            return ""
        return str(payload.get("message") or "") if isinstance(payload, dict) else ""

    def _decode(self, action: str, response) -> dict:
        try:
            payload = response.json()
        except ValueError:
            raise PlatformProtocolError(action, "the answer is not JSON (is responsetype=json supported?)") from None
        if not isinstance(payload, dict) or "result" not in payload:
            raise PlatformProtocolError(action, "the answer has no result")
        if payload["result"] != "success":
            message = str(payload.get("message") or "unknown error")
            if message.lower().startswith(_AUTH_MESSAGES):
                raise PlatformAuthError(action, message)
            raise PlatformBusinessError(action, message)
        return payload

    def _parse(self, action: str, parser, raw):
        try:
            return parser(raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise PlatformProtocolError(action, f"unexpected record {raw!r}: {exc}") from None

    def _pages(self, action: str, container: str, key: str, parser, **params) -> Iterator[Page]:
        start = 0
        while True:
            payload = self.call(action, limitstart=start, limitnum=self.page_size, **params)
            try:
                raw = _items(payload.get(container), key)
                total = _int(payload.get("totalresults"))
            except ValueError as exc:
                raise PlatformProtocolError(action, str(exc)) from None
            yield Page(tuple(self._parse(action, parser, r) for r in raw), start, total)
            start += len(raw)
            if not raw or start >= total:
                return

    def _one(self, action: str, container: str, key: str, parser, record_id: int, label: str, **params):
        """The record ``record_id`` of a list call asked for that one record
        (``params``), parsed; refused as the platform refuses an unknown id."""
        payload = self.call(action, **params)
        found = [r for r in _items(payload.get(container), key) if _int(r.get("id")) == record_id]
        if not found:
            raise PlatformBusinessError(action, f"{label} ID Not Found: {record_id}")
        return self._parse(action, parser, found[0])

    # -- records ---------------------------------------------------------------

    @staticmethod
    def _client(raw: dict) -> Client:
        return Client(
            id=_int(raw.get("id", raw.get("userid"))),
            email=str(raw.get("email") or ""),
            firstname=str(raw.get("firstname") or ""),
            lastname=str(raw.get("lastname") or ""),
            companyname=str(raw.get("companyname") or ""),
            status=str(raw.get("status") or "Active"),
            currency=raw.get("currency_code") or None,
            country=raw.get("countrycode") or raw.get("country") or None,
            credit=_money(raw["credit"]) if raw.get("credit") not in (None, "") else None,
            created=_date(raw.get("datecreated")),
        )

    @staticmethod
    def _service(raw: dict) -> Service:
        return Service(
            id=_int(raw["id"]),
            client_id=_int(raw["clientid"]),
            product_id=_int(raw.get("pid")),
            product_name=str(raw.get("name") or ""),
            group_name=str(raw.get("groupname") or ""),
            status=SERVICE_STATUS.get(raw.get("status"), "pending"),
            domain=str(raw.get("domain") or ""),
            billing_cycle=str(raw.get("billingcycle") or ""),
            recurring_amount=_money(raw.get("recurringamount")),
            registration_date=_date(raw.get("regdate")),
            next_due_date=_date(raw.get("nextduedate")),
            suspension_reason=str(raw.get("suspensionreason") or ""),
            disk_usage_mb=_money(raw.get("diskusage")),
            bandwidth_usage_mb=_money(raw.get("bwusage")),
            usage_updated=_datetime(raw.get("lastupdate")),
        )

    @staticmethod
    def _domain(raw: dict) -> Domain:
        return Domain(
            id=_int(raw["id"]),
            client_id=_int(raw["userid"]),
            name=str(raw["domainname"]).lower(),
            status=DOMAIN_STATUS.get(raw.get("status"), "pending"),
            registrar=str(raw.get("registrar") or ""),
            registration_period=_int(raw.get("regperiod"), 1),
            registration_date=_date(raw.get("regdate")),
            expiry_date=_date(raw.get("expirydate")),
            next_due_date=_date(raw.get("nextduedate")),
            recurring_amount=_money(raw.get("recurringamount")),
            auto_renew=not _flag(raw.get("donotrenew")),
        )

    @staticmethod
    def _invoice(raw: dict) -> Invoice:
        items = tuple(
            InvoiceItem(
                type=str(item.get("type") or ""),
                description=str(item.get("description") or ""),
                amount=_money(item.get("amount")),
                rel_id=_int(item.get("relid")),
            )
            for item in _items(raw.get("items"), "item")
        )
        return Invoice(
            id=_int(raw.get("id", raw.get("invoiceid"))),
            client_id=_int(raw["userid"]),
            status=str(raw.get("status") or ""),
            subtotal=_money(raw.get("subtotal")),
            tax=_money(raw.get("tax")),
            total=_money(raw.get("total")),
            currency=raw.get("currencycode") or None,
            date=_date(raw.get("date")),
            date_paid=_datetime(raw.get("datepaid")),
            items=items,
        )

    @staticmethod
    def _credit(raw: dict) -> CreditEntry:
        return CreditEntry(
            id=_int(raw["id"]),
            date=_date(raw.get("date")),
            description=str(raw.get("description") or ""),
            amount=_money(raw.get("amount")),
            rel_id=_int(raw.get("relid")),
        )

    # -- Platform --------------------------------------------------------------

    def check(self) -> dict:
        payload = self.call("GetClients", limitstart=0, limitnum=1)
        return {"url": self.url, "clients": _int(payload.get("totalresults"))}

    def client_pages(self) -> Iterator[Page[Client]]:
        for page in self._pages("GetClients", "clients", "client", self._client, sorting="ASC"):
            if self.client_details and page.items:
                page = Page(tuple(self.get_client(c.id) for c in page.items), page.start, page.total)
            yield page

    def get_client(self, client_id: int) -> Client:
        payload = self.call("GetClientsDetails", clientid=client_id, stats="false")
        return self._parse("GetClientsDetails", self._client, payload.get("client") or payload)

    def service_pages(self, client_id: int | None = None) -> Iterator[Page[Service]]:
        return self._pages("GetClientsProducts", "products", "product", self._service, clientid=client_id)

    def get_service(self, service_id: int) -> Service:
        return self._one("GetClientsProducts", "products", "product", self._service, service_id, "Service",
                         serviceid=service_id)

    def domain_pages(self, client_id: int | None = None) -> Iterator[Page[Domain]]:
        return self._pages("GetClientsDomains", "domains", "domain", self._domain, clientid=client_id)

    def get_domain(self, domain_id: int) -> Domain:
        return self._one("GetClientsDomains", "domains", "domain", self._domain, domain_id, "Domain",
                         domainid=domain_id)

    def invoice_pages(self, status: str | None = None, client_id: int | None = None) -> Iterator[Page[Invoice]]:
        return self._pages("GetInvoices", "invoices", "invoice", self._invoice, status=status, userid=client_id)

    def get_invoice(self, invoice_id: int) -> Invoice:
        payload = self.call("GetInvoice", invoiceid=invoice_id)
        return self._parse("GetInvoice", self._invoice, payload)

    def credit_log(self, client_id: int) -> list[CreditEntry]:
        payload = self.call("GetCredits", clientid=client_id)
        return [self._parse("GetCredits", self._credit, raw) for raw in _items(payload.get("credits"), "credit")]

    def suspend_service(self, service_id: int, reason: str = "") -> None:
        self.call("ModuleSuspend", accountid=service_id, suspendreason=reason or None)

    def unsuspend_service(self, service_id: int) -> None:
        self.call("ModuleUnsuspend", accountid=service_id)

    def terminate_service(self, service_id: int) -> None:
        self.call("ModuleTerminate", accountid=service_id)

    def add_credit(self, client_id: int, amount: Decimal, description: str, *, remove: bool = False) -> Decimal:
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
            raise ValueError(f"a credit amount must be a positive Decimal, not {amount!r}")
        payload = self.call(
            "AddCredit", clientid=client_id, description=description, amount=str(amount),
            type="remove" if remove else "add",
        )
        try:
            return _money(payload.get("newbalance"))
        except ValueError as exc:
            raise PlatformProtocolError("AddCredit", str(exc)) from None

    def renew_domain(self, domain_id: int, years: int | None = None) -> None:
        self.call("DomainRenew", domainid=domain_id, regperiod=years)

    def close(self) -> None:
        self._session.close()


__all__ = ["WhmcsPlatform", "PlatformError", "READ_ACTIONS"]
