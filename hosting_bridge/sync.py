# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The flows between the platform and Odoo, each one safe to run again.

The engine keeps no state of its own: what a flow has done is known from
the keys on both sides (platform ids in Odoo, the Odoo movement id in the
platform's credit log, the platform invoice id in the Odoo key, the
command ids), so a crashed or repeated run converges without doubling.
The decisions are pure functions (:func:`plan_credit_mirror`,
:func:`diff_record`, :func:`read_usage_feed`...) that the tests drive
without either side.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import OdooError, PlatformAuthError, PlatformBusinessError, PlatformError, PlatformUnavailable
from .models import Counts, Page, Service
from .odoo import COMMAND_MODELS, KIND_MODELS, OdooGateway
from .platform import Platform

_logger = logging.getLogger(__name__)

MIRROR_CURSOR = "credit_mirror"
_MIRROR_TAG = re.compile(r"\[odoo:(\d+)\]")
#: command action -> the service state it leads to
COMMAND_TARGETS = {"suspend": "suspended", "unsuspend": "active", "terminate": "terminated"}


def _queue(command: dict) -> str:
    """The Odoo model a command came from, where it is acknowledged."""
    return command.get("model") or COMMAND_MODELS[0]


def server_ref(platform_code: str, service_id: int) -> str:
    """The reference of a platform service in Odoo (``whmcs:42``), as usage records carry it."""
    return f"{platform_code}:{service_id}"


def mirror_tag(movement_id: int) -> str:
    """The mark of an Odoo movement in a platform credit description."""
    return f"[odoo:{movement_id}]"


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Lists of at most ``size`` items, in order."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- pure decisions -----------------------------------------------------------------


@dataclass(frozen=True)
class CreditOp:
    """One AddCredit to send: positive ``amount``, ``remove`` to take it away."""

    client_id: int
    amount: Decimal
    remove: bool
    description: str
    movement_id: int


def plan_credit_mirror(platform_code: str, movements: list[dict], credit_logs: dict) -> list[CreditOp]:
    """The AddCredit calls that make the platform credit follow the Odoo ledger.

    The platform's credit cannot go below zero while an Odoo wallet can
    (usage debt): a movement changes the platform credit by the change of
    ``max(0, balance)`` it made, so the platform shows the spendable credit.
    A movement already in the client's credit log (its tag is in a
    description) is skipped, and so is a credit that came from this
    platform's own add-funds invoice, which the platform added itself.

    :param movements: ``platform_movements`` dicts (``id``, ``client_id``,
        ``amount`` and ``balance`` after it, ``reference``, ``origin``)
    :param credit_logs: client id -> its :class:`~hosting_bridge.models.CreditEntry` list
    """
    own_origin = f"platform:{platform_code}:"
    mirrored: dict[int, set[int]] = {
        client_id: {int(tag) for entry in log for tag in _MIRROR_TAG.findall(entry.description)}
        for client_id, log in credit_logs.items()
    }
    ops = []
    for movement in movements:
        client_id, movement_id = int(movement["client_id"]), int(movement["id"])
        if str(movement.get("origin") or "").startswith(own_origin):
            continue
        if movement_id in mirrored.get(client_id, ()):
            continue
        amount, after = Decimal(str(movement["amount"])), Decimal(str(movement["balance"]))
        change = max(Decimal(0), after) - max(Decimal(0), after - amount)
        if not change:
            continue
        description = f"Prepaid credit {movement.get('reference') or movement_id} {mirror_tag(movement_id)}"
        ops.append(CreditOp(client_id, abs(change), change < 0, description, movement_id))
    return ops


def _same(a, b) -> bool:
    empty = (None, False, "")
    if a in empty or b in empty:
        return a in empty and b in empty
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return str(a) == str(b)


def diff_record(sent: dict, stored: dict | None) -> dict:
    """The fields where Odoo's copy differs from the platform's record.

    :return: ``{field: (stored, platform)}``; ``{"*": (None, "missing")}`` when
        Odoo does not have the record at all
    """
    if stored is None:
        return {"*": (None, "missing")}
    return {key: (stored.get(key), value) for key, value in sent.items() if not _same(stored.get(key), value)}


def read_usage_feed(path: str | Path) -> Iterator[list]:
    """Read a usage feed file into ``[server_ref, meter, hour, quantity]`` rows.

    A CSV with the header ``server,meter,hour,quantity``, or JSON lines (an
    array or an object with those keys per line). The whole file is checked
    before a row is given: any bad line raises ``ValueError`` listing every
    bad line, and nothing is sent.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    rows, errors = [], []
    first = text.lstrip()[:1]
    if first in ("[", "{"):
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        raw = []
        for number, line in lines:
            try:
                raw.append((number, json.loads(line)))
            except ValueError:
                errors.append(f"line {number}: not JSON")
    else:
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["server", "meter", "hour",
                                                                                     "quantity"]:
            raise ValueError(f"{path}: the CSV header must be server,meter,hour,quantity")
        raw = [(n, row) for n, row in enumerate(reader, 2)]
    for number, item in raw:
        if isinstance(item, dict):
            item = [item.get(k) for k in ("server", "meter", "hour", "quantity")]
        if not isinstance(item, list) or len(item) != 4:
            errors.append(f"line {number}: expected server, meter, hour and quantity")
            continue
        server, meter, hour, quantity = item
        problems = []
        if not server or not isinstance(server, str):
            problems.append("no server")
        if not meter or not isinstance(meter, str):
            problems.append("no meter")
        try:
            moment = datetime.fromisoformat(str(hour).replace("Z", "+00:00"))
            if moment.minute or moment.second or moment.microsecond:
                problems.append(f"hour {hour} is not the start of an hour")
            hour = moment.strftime("%Y-%m-%d %H:00:00")
        except ValueError:
            problems.append(f"hour {hour!r} is not a date and time")
        try:
            quantity = float(quantity)
            if not math.isfinite(quantity) or quantity < 0:
                problems.append(f"quantity {quantity} must be finite and >= 0")
        except (TypeError, ValueError):
            problems.append(f"quantity {quantity!r} is not a number")
        if problems:
            errors.append(f"line {number}: " + ", ".join(problems))
        else:
            rows.append([server.strip(), meter.strip(), hour, quantity])
    if errors:
        raise ValueError(f"{path}: " + "; ".join(errors))
    return iter(rows)


# -- the engine -----------------------------------------------------------------------


@dataclass
class Drift:
    """A record whose Odoo copy differs from the platform (``field: (odoo, platform)``)."""

    kind: str
    platform_id: int
    fields: dict


@dataclass
class Summary:
    """What a run did, per kind of record."""

    counts: dict[str, Counts] = field(default_factory=dict)
    drift: list[Drift] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0

    def kind(self, name: str) -> Counts:
        return self.counts.setdefault(name, Counts())

    @property
    def received(self) -> int:
        return sum(c.received for c in self.counts.values())

    @property
    def refused(self) -> int:
        return sum(c.refused for c in self.counts.values())

    def finish(self) -> Summary:
        self.elapsed = time.monotonic() - self.started
        return self


class SyncEngine:
    """Every flow between one platform and one Odoo database.

    :param platform: the platform adapter
    :param odoo: the Odoo gateway
    :param cloud_product_ids: platform product ids that are cloud servers;
        other services are renewable services
    :param batch_size: records per Odoo call (at most 1,000)
    :param progress: show progress bars (tqdm) on stderr
    """

    def __init__(self, platform: Platform, odoo: OdooGateway, *, cloud_product_ids: Iterable[int] = (),
                 batch_size: int = 500, usage_batch: int = 1000, progress: bool = False,
                 disk_meter: str | None = None, bandwidth_meter: str | None = None,
                 odoo_retries: int = 3, sleep: Callable[[float], None] = time.sleep):
        self.platform = platform
        self.odoo = odoo
        self.code = platform.code
        self.cloud_product_ids = frozenset(cloud_product_ids)
        self.batch_size = batch_size
        self.usage_batch = usage_batch
        self.progress = progress
        self.disk_meter = disk_meter
        self.bandwidth_meter = bandwidth_meter
        self.odoo_retries = odoo_retries
        self._sleep = sleep

    # -- helpers ------------------------------------------------------------------

    def _odoo(self, call: Callable, *args, **kwargs):
        """Call Odoo, again after a network error (every contract call is idempotent)."""
        for attempt in range(self.odoo_retries + 1):
            try:
                return call(*args, **kwargs)
            except OdooError as error:
                if not error.retryable or attempt == self.odoo_retries:
                    raise
                _logger.warning("odoo call failed, retrying", extra={"method": error.method, "error": error.message,
                                                                      "attempt": attempt + 1})
                self._sleep(min(30, 2 ** attempt))

    def service_kind(self, service: Service) -> str:
        """``servers`` for a cloud server product, ``services`` (renewable
        services: hosting plans, licences) otherwise."""
        return "servers" if service.product_id in self.cloud_product_ids else "services"

    def _upsert(self, kind: str, records: list[dict], summary: Summary) -> list[dict]:
        counts = summary.kind(kind)
        model = KIND_MODELS[kind]
        if not self._odoo(self.odoo.has_model, model):
            # Hosting plans and licences are renewable services: without the
            # renewal addon Odoo has nowhere to keep them.
            message = f"{model} is not installed in Odoo: {kind} are not synced"
            counts.received += len(records)
            counts.refused += len(records)
            if message not in counts.errors:
                counts.errors.append(message)
                _logger.warning("kind not synced", extra={"kind": kind, "model": model})
            return []
        try:
            results = self._odoo(self.odoo.upsert, kind, self.code, records)
        except OdooError as error:
            if error.fatal:
                raise
            # One bad batch never stops the others: counted, logged, next.
            counts.received += len(records)
            counts.refused += len(records)
            counts.errors.append(error.message)
            _logger.error("batch refused by odoo", extra={"kind": kind, "records": len(records),
                                                          "error": error.message})
            return []
        counts.add(Counts.from_results(results))
        return results

    def _bar(self, desc: str):
        from tqdm import tqdm

        return tqdm(desc=desc, unit="rec", disable=not self.progress, leave=True, dynamic_ncols=True)

    # -- full sync -------------------------------------------------------------------

    def full_sync(self, kinds: Iterable[str] = ("clients", "services", "domains")) -> Summary:
        """Clients, then services, then domains, page by page, into Odoo.

        Running it again sends the same records and changes nothing; a run
        killed in the middle is simply run again.
        """
        summary = Summary()
        sources = {
            "clients": (self.platform.client_pages, lambda item: "clients"),
            "services": (self.platform.service_pages, self.service_kind),
            "domains": (self.platform.domain_pages, lambda item: "domains"),
        }
        for name in kinds:
            pages, kind_of = sources[name]
            self._sync_pages(name, pages(), kind_of, summary)
        return summary.finish()

    def _sync_pages(self, name: str, pages: Iterator[Page], kind_of: Callable, summary: Summary) -> None:
        buffers: dict[str, list[dict]] = {}
        with self._bar(name) as bar:
            for page in pages:
                bar.total = page.total
                for item in page.items:
                    kind = kind_of(item)
                    buffer = buffers.setdefault(kind, [])
                    buffer.append(item.as_odoo())
                    if len(buffer) >= self.batch_size:
                        self._upsert(kind, buffer, summary)
                        buffers[kind] = []
                bar.update(len(page.items))
            for kind, buffer in buffers.items():
                if buffer:
                    self._upsert(kind, buffer, summary)
        _logger.info("synced", extra={"kind": name, "received": {k: c.received for k, c in summary.counts.items()}})

    # -- events ------------------------------------------------------------------------

    def handle_event(self, event) -> None:
        """Apply one webhook event: read the record it names from the platform
        (the event is a hint; the platform's current state is the truth, so
        events arriving late or twice converge) and send it to Odoo."""
        data, kind = event.data, event.type.split(".")[0]
        summary = Summary()
        if kind == "client":
            self._upsert("clients", [self.platform.get_client(int(data["client_id"])).as_odoo()], summary)
        elif kind == "service":
            service = self.platform.get_service(int(data["service_id"]))
            self._upsert_owned(self.service_kind(service), service.as_odoo(), service.client_id, summary)
        elif kind == "domain":
            domain = self.platform.get_domain(int(data["domain_id"]))
            self._upsert_owned("domains", domain.as_odoo(), domain.client_id, summary)
        elif kind == "invoice":
            self.credit_invoices([int(data["invoice_id"])], summary)
        _logger.info("event applied", extra={"event_id": event.id, "event_type": event.type,
                                             "refused": summary.refused})

    def _upsert_owned(self, kind: str, record: dict, client_id: int, summary: Summary) -> None:
        results = self._upsert(kind, [record], Summary())
        if results and results[0].get("status") == "refused":
            # Most often the client is not in Odoo yet: send it, then again.
            self._upsert("clients", [self.platform.get_client(client_id).as_odoo()], summary)
            results = self._upsert(kind, [record], summary)
        else:
            summary.kind(kind).add(Counts.from_results(results))

    def credit_invoices(self, invoice_ids: Iterable[int], summary: Summary | None = None) -> Summary:
        """Credit the paid add-funds invoices among ``invoice_ids`` in Odoo, once each."""
        summary = summary or Summary()
        counts = summary.kind("invoices")
        records, clients = [], {}
        for invoice_id in invoice_ids:
            invoice = self.platform.get_invoice(invoice_id)
            if invoice.status != "Paid" or not invoice.is_add_funds:
                continue
            if invoice.client_id not in clients:
                clients[invoice.client_id] = self.platform.get_client(invoice.client_id)
            record = invoice.as_odoo()
            record["currency"] = invoice.currency or clients[invoice.client_id].currency or False
            records.append(record)
        if clients:
            self._upsert("clients", [c.as_odoo() for c in clients.values()], summary)
        for batch in chunks(records, self.batch_size):
            try:
                results = self._odoo(self.odoo.credit_invoices, self.code, batch)
            except OdooError as error:
                counts.received += len(batch)
                counts.refused += len(batch)
                counts.errors.append(error.message)
                continue
            for result in results:
                counts.received += 1
                if result.get("status") == "done":
                    counts.created += 1
                elif result.get("status") == "replayed":
                    counts.unchanged += 1
                else:
                    counts.refused += 1
                    counts.errors.append(f"invoice {result.get('platform_id')}: {result.get('error')}")
        return summary

    # -- reconciliation -------------------------------------------------------------------

    def reconcile(self, *, repair: bool = True, invoice_days: int = 7) -> Summary:
        """Compare every platform record with Odoo's copy and report the drift.

        With ``repair`` the drifted records are sent again (the platform is
        the source of its clients, services and domains). The clients'
        platform credit is compared with the Odoo balance and reported: the
        credit mirror, not this, moves money. Paid add-funds invoices of the
        last ``invoice_days`` days are credited (again harmlessly).
        """
        summary = Summary()
        for pages, kind_of in (
            (self.platform.client_pages, lambda item: "clients"),
            (self.platform.service_pages, self.service_kind),
            (self.platform.domain_pages, lambda item: "domains"),
        ):
            for page in pages():
                by_kind: dict[str, list] = {}
                for item in page.items:
                    by_kind.setdefault(kind_of(item), []).append(item)
                for kind, items in by_kind.items():
                    self._reconcile_items(kind, items, summary, repair)
        since = datetime.now() - timedelta(days=invoice_days)
        recent = [invoice.id for invoice in self.platform.iter_items(self.platform.invoice_pages(status="Paid"))
                  if invoice.date_paid and invoice.date_paid >= since]
        self.credit_invoices(recent, summary)
        for drift in summary.drift:
            _logger.warning("drift", extra={"kind": drift.kind, "platform_id": drift.platform_id,
                                            "fields": {k: [str(a), str(b)] for k, (a, b) in drift.fields.items()}})
        return summary.finish()

    def _reconcile_items(self, kind: str, items: list, summary: Summary, repair: bool) -> None:
        if not self._odoo(self.odoo.has_model, KIND_MODELS[kind]):
            return
        stored = {int(r["id"]): r for r in self._odoo(self.odoo.read, kind, self.code, [i.id for i in items])}
        drifted = []
        for item in items:
            sent = item.as_odoo()
            fields = diff_record(sent, stored.get(item.id))
            credit = getattr(item, "credit", None)
            if kind == "clients" and credit is not None and item.id in stored:
                balance = max(Decimal(0), Decimal(str(stored[item.id].get("balance") or 0)))
                if credit != balance:
                    fields["credit"] = (str(balance), str(credit))
            if fields:
                summary.drift.append(Drift(kind, item.id, fields))
                if set(fields) != {"credit"}:
                    drifted.append(sent)
        if repair and drifted:
            for batch in chunks(drifted, self.batch_size):
                self._upsert(kind, batch, summary)

    # -- suspension commands -------------------------------------------------------------

    def run_commands(self, limit: int = 50) -> dict:
        """Take the pending commands from Odoo, run them on the platform and
        acknowledge each with the platform's answer.

        The commands come from every queue Odoo has (cloud servers, renewable
        services) and each is acknowledged on its own queue. The service's
        state is read first: a command whose effect is already there (a run
        that died after acting, before acknowledging) is acknowledged without
        acting twice. A refusal or an outage is acknowledged as a failure to
        retry; Odoo counts the attempts and marks the command failed after
        its maximum.
        """
        commands = self._odoo(self.odoo.fetch_commands, self.code, limit)
        outcome = {"fetched": len(commands), "done": 0, "failed": 0}
        done: dict[tuple[str, str], list[int]] = {}
        for index, command in enumerate(commands):
            try:
                message = self._apply_command(command)
            except (PlatformUnavailable, PlatformAuthError) as error:
                # The platform is out of reach: the rest would fail the same way.
                rest: dict[str, list[int]] = {}
                for other in commands[index:]:
                    rest.setdefault(_queue(other), []).append(other["id"])
                for model, ids in rest.items():
                    self._odoo(self.odoo.acknowledge, ids, False, error.message, retry=True, model=model)
                outcome["failed"] += len(commands) - index
                _logger.error("commands postponed", extra={"commands": rest, "error": error.message})
                break
            except (PlatformError, ValueError, KeyError) as error:
                text = getattr(error, "message", None) or str(error)
                unknown_action = isinstance(error, ValueError)
                self._odoo(self.odoo.acknowledge, [command["id"]], False, text, retry=not unknown_action,
                           model=_queue(command))
                outcome["failed"] += 1
                _logger.warning("command failed", extra={"command_id": command["id"], "queue": _queue(command),
                                                         "error": text})
            else:
                done.setdefault((_queue(command), message), []).append(command["id"])
                outcome["done"] += 1
        for (model, message), ids in done.items():
            self._odoo(self.odoo.acknowledge, ids, True, message, model=model)
        if commands:
            _logger.info("commands run", extra=outcome)
        return outcome

    def _apply_command(self, command: dict) -> str:
        action = command.get("action")
        if action not in COMMAND_TARGETS:
            raise ValueError(f"unknown command action {action!r}")
        service_id = int(command["platform_id"])
        service = self.platform.get_service(service_id)
        if service.status == COMMAND_TARGETS[action]:
            return f"already {service.status} on the platform"
        if action == "suspend":
            self.platform.suspend_service(service_id, command.get("reason") or "Prepaid credit exhausted")
        elif action == "unsuspend":
            self.platform.unsuspend_service(service_id)
        else:
            self.platform.terminate_service(service_id)
        return f"{action} done on the platform"

    # -- credit mirror -----------------------------------------------------------------

    def mirror_credit(self, limit: int = 500) -> dict:
        """Make each client's platform credit follow its Odoo wallet.

        The Odoo movements since the cursor kept in Odoo are applied with
        AddCredit, each description carrying the movement's tag; the client's
        credit log is read first, so a movement already there (a run that died
        before moving the cursor) is not added twice.
        """
        cursor = self._odoo(self.odoo.get_cursor, self.code, MIRROR_CURSOR)
        outcome = {"movements": 0, "applied": 0, "skipped": 0, "errors": 0}
        while True:
            answer = self._odoo(self.odoo.movements, self.code, cursor, limit)
            movements = answer.get("movements") or []
            if not movements:
                break
            logs, lost = {}, set()
            for client_id in sorted({int(m["client_id"]) for m in movements}):
                try:
                    logs[client_id] = self.platform.credit_log(client_id)
                except PlatformBusinessError as error:
                    # A client deleted on the platform: nothing to mirror there.
                    lost.add(client_id)
                    outcome["errors"] += 1
                    _logger.error("credit mirror: client unknown", extra={"client_id": client_id,
                                                                          "error": error.message})
            usable = [m for m in movements if int(m["client_id"]) not in lost]
            ops = {op.movement_id: op for op in plan_credit_mirror(self.code, usable, logs)}
            reached = cursor
            try:
                for movement in movements:
                    op = ops.get(int(movement["id"]))
                    if op:
                        try:
                            self.platform.add_credit(op.client_id, op.amount, op.description, remove=op.remove)
                            outcome["applied"] += 1
                        except PlatformBusinessError as error:
                            # Drift (credit spent on the platform): reported, the
                            # reconciliation shows it; the others go on.
                            outcome["errors"] += 1
                            _logger.error("credit mirror refused", extra={"movement_id": op.movement_id,
                                                                          "client_id": op.client_id,
                                                                          "error": error.message})
                    else:
                        outcome["skipped"] += 1
                    outcome["movements"] += 1
                    reached = int(movement["id"])
            finally:
                if reached != cursor:
                    cursor = self._odoo(self.odoo.set_cursor, self.code, MIRROR_CURSOR, reached)
            if not answer.get("more"):
                break
        return outcome

    # -- usage -------------------------------------------------------------------------

    def platform_usage(self) -> Iterator[list]:
        """Usage rows from the platform's services: disk and bandwidth (GB)
        as last measured, at the hour of the measure, for the meters set."""
        meters = [(m, attr) for m, attr in ((self.disk_meter, "disk_usage_mb"),
                                             (self.bandwidth_meter, "bandwidth_usage_mb")) if m]
        if not meters:
            return
        for service in self.platform.iter_items(self.platform.service_pages()):
            if self.service_kind(service) != "servers" or not service.usage_updated:
                continue
            hour = service.usage_updated.strftime("%Y-%m-%d %H:00:00")
            for meter, attr in meters:
                quantity = float(getattr(service, attr) / 1024)
                yield [server_ref(self.code, service.id), meter, hour, quantity]

    def push_usage(self, rows: Iterable[list]) -> dict:
        """Send usage rows to Odoo's JSON ingestion, 1,000 a call by default.

        Sending the same rows again inserts nothing, so a failed run is sent
        again whole.
        """
        totals = {"received": 0, "inserted": 0, "unchanged": 0, "batches": 0}
        for batch in chunks(rows, self.usage_batch):
            result = self._odoo(self.odoo.ingest_usage_json, json.dumps(batch, separators=(",", ":")))
            totals["batches"] += 1
            for key in ("received", "inserted", "unchanged"):
                totals[key] += int(result.get(key, 0))
        return totals
