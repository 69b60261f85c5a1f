# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The webhook receiver: platform events, signed, each taken once.

The platform plugin POSTs a JSON event ``{"id", "type", "occurred_at",
"data"}`` with two headers:

- ``X-Prepaid-Timestamp``: Unix time in seconds when it was sent;
- ``X-Prepaid-Signature``: hex HMAC-SHA256, keyed with the shared secret,
  of ``timestamp + "." + body`` (the body's bytes as sent).

A request whose signature is wrong is refused; a signed request older (or
newer) than the window is refused too, so a captured request cannot be
replayed later; inside the window an event id already taken is answered
``200 duplicate`` and not processed again. The ids are kept in memory for
twice the window (bounded): after a restart the Odoo-side keys still make
a replayed event harmless.

Answers: ``202`` accepted, ``200`` duplicate, ``400`` malformed, ``401``
bad signature or stale timestamp, ``404``/``405`` wrong path or method,
``413`` too large, ``422`` unknown event type, ``503`` queue full (with
``Retry-After``). ``GET /healthz`` reports the receiver's counters.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Prepaid-Signature"
TIMESTAMP_HEADER = "X-Prepaid-Timestamp"
EVENT_TYPES = frozenset({
    "client.added", "client.changed",
    "service.created", "service.suspended", "service.unsuspended", "service.terminated",
    "invoice.paid",
    "domain.registered", "domain.transferred", "domain.renewed",
})
MAX_BODY = 64 * 1024


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature of a request: hex HMAC-SHA256 of ``timestamp.body``.

    >>> sign("s3cret", 1700000000, b'{}')[:16]
    '97926816e98fbb41'
    """
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Event:
    """A platform event as received."""

    id: str
    type: str
    data: dict
    occurred_at: str = ""
    received_at: float = field(default=0.0, compare=False)


class Refused(Exception):
    """A request the receiver does not take: HTTP status and reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SeenEvents:
    """Event ids taken recently, forgotten after ``horizon`` seconds or
    beyond ``capacity`` ids (the oldest first)."""

    def __init__(self, horizon: float, capacity: int = 100_000):
        self.horizon = horizon
        self.capacity = capacity
        self._ids: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, event_id: str, now: float) -> bool:
        """Record ``event_id``; False when it was already there."""
        with self._lock:
            while self._ids:
                oldest, seen_at = next(iter(self._ids.items()))
                if seen_at >= now - self.horizon and len(self._ids) < self.capacity:
                    break
                del self._ids[oldest]
            if event_id in self._ids:
                return False
            self._ids[event_id] = now
            return True

    def discard(self, event_id: str) -> None:
        with self._lock:
            self._ids.pop(event_id, None)

    def __len__(self) -> int:
        return len(self._ids)


class WebhookReceiver:
    """An HTTP server in a thread taking signed events, and a worker thread
    handing them, one at a time, to ``handler``.

    :param secret: the shared secret (also set in the platform plugin)
    :param handler: called with each new :class:`Event`; an exception is
        logged and counted, the event is not retried (the periodic
        reconciliation catches up what an event missed)
    :param tolerance: seconds a timestamp may differ from this machine's clock
    """

    def __init__(self, secret: str, handler: Callable[[Event], None], *, host: str = "127.0.0.1", port: int = 0,
                 path: str = "/webhook", tolerance: float = 300, capacity: int = 100_000,
                 queue_size: int = 10_000, clock: Callable[[], float] = time.time):
        if not secret:
            raise ValueError("the webhook needs a shared secret")
        self.secret = secret
        self.handler = handler
        self.host = host
        self.port = port
        self.path = path
        self.tolerance = tolerance
        self.clock = clock
        self.seen = SeenEvents(2 * tolerance, capacity)
        self.queue: queue.Queue = queue.Queue(queue_size)
        self.stats = {"accepted": 0, "duplicates": 0, "refused": 0, "processed": 0, "failed": 0}
        self.started_at = None
        self._stats_lock = threading.Lock()
        self._server = None
        self._threads: list[threading.Thread] = []

    def _count(self, key: str) -> None:
        with self._stats_lock:
            self.stats[key] += 1

    # -- the checks ------------------------------------------------------------

    def receive(self, headers, body: bytes) -> tuple[int, dict]:
        """Check one POSTed event and queue it.

        :param headers: a mapping with case-insensitive lookup
        :return: HTTP status and JSON answer
        """
        try:
            event = self._check(headers, body)
        except Refused as refused:
            self._count("refused")
            _logger.warning("webhook refused", extra={"status": refused.status, "reason": refused.reason})
            return refused.status, {"status": "refused", "reason": refused.reason}
        if not self.seen.add(event.id, event.received_at):
            self._count("duplicates")
            return 200, {"status": "duplicate", "id": event.id}
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            # Not taken: the platform may send it again.
            self.seen.discard(event.id)
            self._count("refused")
            return 503, {"status": "refused", "reason": "too many events waiting; retry later"}
        self._count("accepted")
        _logger.info("webhook event accepted", extra={"event_id": event.id, "event_type": event.type})
        return 202, {"status": "accepted", "id": event.id}

    def _check(self, headers, body: bytes) -> Event:
        if len(body) > MAX_BODY:
            raise Refused(413, f"the body exceeds {MAX_BODY} bytes")
        timestamp = headers.get(TIMESTAMP_HEADER)
        signature = headers.get(SIGNATURE_HEADER)
        if not timestamp or not signature:
            raise Refused(400, f"the {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers are required")
        expected = sign(self.secret, timestamp, body)
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise Refused(401, "invalid signature")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise Refused(400, "the timestamp is not a whole number of seconds") from None
        now = self.clock()
        if abs(now - sent_at) > self.tolerance:
            raise Refused(401, f"timestamp outside the {int(self.tolerance)} s window (replay or clock skew)")
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused(400, "the body is not JSON") from None
        if not isinstance(payload, dict):
            raise Refused(400, "the body is not a JSON object")
        event_id, event_type, data = payload.get("id"), payload.get("type"), payload.get("data")
        if not isinstance(event_id, str) or not 0 < len(event_id) <= 128:
            raise Refused(400, "the event needs an id (a string of at most 128 characters)")
        if not isinstance(data, dict):
            raise Refused(400, "the event needs a data object")
        if event_type not in EVENT_TYPES:
            raise Refused(422, f"unknown event type {event_type!r}")
        return Event(event_id, event_type, data, str(payload.get("occurred_at") or ""), now)

    def health(self) -> dict:
        with self._stats_lock:
            stats = dict(self.stats)
        return {"status": "ok", "started_at": self.started_at, "queued": self.queue.qsize(), **stats}

    # -- life --------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            event = self.queue.get()
            if event is None:
                return
            try:
                self.handler(event)
            except Exception:
                self._count("failed")
                _logger.exception("webhook event failed", extra={"event_id": event.id, "event_type": event.type})
            else:
                self._count("processed")

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(_Handler):
            pass

        Handler.receiver = receiver
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                             name="webhook-http", daemon=True),
            threading.Thread(target=self._work, name="webhook-worker", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        _logger.info("webhook receiver listening", extra={"host": self.host, "port": self.port, "path": self.path})
        return self

    def stop(self, timeout: float = 10) -> None:
        """Stop taking requests, finish the event in hand, and return.

        Events still queued are dropped: they were acknowledged to the
        platform, and the next reconciliation applies what they said.
        """
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        dropped = 0
        while True:
            try:
                self.queue.get_nowait()
                dropped += 1
            except queue.Empty:
                break
        self.queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._server = None
        if dropped:
            _logger.warning("webhook events dropped at stop", extra={"dropped": dropped})

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    receiver: WebhookReceiver
    protocol_version = "HTTP/1.1"
    server_version = "hosting-bridge"

    def log_message(self, *args):  # requests are logged by the receiver, as JSON
        pass

    def _answer(self, status: int, payload: dict, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        receiver = self.receiver
        if self.path.split("?")[0] != receiver.path:
            return self._answer(404, {"status": "refused", "reason": "not found"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return self._answer(400, {"status": "refused", "reason": "invalid Content-Length"})
        if length > MAX_BODY:
            # Not read: the connection is closed instead.
            self.close_connection = True
            return self._answer(413, {"status": "refused", "reason": f"the body exceeds {MAX_BODY} bytes"})
        body = self.rfile.read(length)
        status, payload = receiver.receive(self.headers, body)
        self._answer(status, payload, {"Retry-After": "5"} if status == 503 else None)

    def do_GET(self):
        if self.path.split("?")[0] == "/healthz":
            return self._answer(200, self.receiver.health())
        if self.path.split("?")[0] == self.receiver.path:
            return self._answer(405, {"status": "refused", "reason": "POST only"}, {"Allow": "POST"})
        return self._answer(404, {"status": "refused", "reason": "not found"})
