# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""``hosting-bridge run``: the webhook receiver, the command loop and the
periodic flows, until SIGTERM or SIGINT.

Three kinds of threads: the receiver's (HTTP and one worker applying events
in order), the command loop (polls Odoo every ``command_interval`` seconds,
so a suspension decided in Odoo reaches the platform within about that
delay), and the periodic loop (credit mirror, usage, reconciliation). Each
loop has its own platform and Odoo connections. A failing task waits
longer after each consecutive failure (at most five minutes) and never
stops the others.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from .config import Config
from .errors import OdooError
from .sync import SyncEngine, read_usage_feed
from .webhook import WebhookReceiver

_logger = logging.getLogger(__name__)
MAX_BACKOFF = 300.0


class _Task:
    def __init__(self, name: str, interval: float, run: Callable[[], object], first: float = 0.0):
        self.name = name
        self.interval = interval
        self.run = run
        self.due = time.monotonic() + first
        self.failures = 0


class Daemon:
    """The long-running bridge.

    :param engine_factory: makes a :class:`SyncEngine` with its own connections
    """

    def __init__(self, config: Config, engine_factory: Callable[[], SyncEngine]):
        self.config = config
        self.engine_factory = engine_factory
        self.stop_event = threading.Event()
        self.receiver: WebhookReceiver | None = None
        self._threads: list[threading.Thread] = []
        self._feed_pushed: float | None = None

    def _loop(self, name: str, tasks: list[_Task]) -> None:
        while not self.stop_event.is_set():
            for task in tasks:
                if self.stop_event.is_set() or task.due > time.monotonic():
                    continue
                try:
                    task.run()
                except Exception as error:  # a loop must outlive any failure
                    task.failures += 1
                    wait = min(MAX_BACKOFF, task.interval * 2 ** task.failures)
                    fatal = isinstance(error, OdooError) and error.fatal
                    _logger.log(
                        logging.CRITICAL if fatal else logging.ERROR, "task failed",
                        extra={"task": task.name, "error": str(error), "failures": task.failures, "retry_in": wait},
                        exc_info=not isinstance(error, OdooError) and task.failures == 1,
                    )
                    task.due = time.monotonic() + wait
                else:
                    task.failures = 0
                    task.due = time.monotonic() + task.interval
            wait = min(task.due for task in tasks) - time.monotonic()
            self.stop_event.wait(max(0.05, wait))
        _logger.info("loop stopped", extra={"loop": name})

    def _usage(self, engine: SyncEngine) -> None:
        feed = self.config.usage.feed
        if feed:
            # The feed is sent again only when it changed; sending it twice
            # would insert nothing anyway.
            changed = os.stat(feed).st_mtime
            if changed != self._feed_pushed:
                totals = engine.push_usage(read_usage_feed(feed))
                self._feed_pushed = changed
                _logger.info("usage feed sent", extra={"feed": feed, **totals})
        if engine.disk_meter or engine.bandwidth_meter:
            totals = engine.push_usage(engine.platform_usage())
            _logger.info("platform usage sent", extra=totals)

    def start(self) -> Daemon:
        settings = self.config.daemon
        if self.config.webhook.enabled:
            events = self.engine_factory()
            hook = self.config.webhook
            self.receiver = WebhookReceiver(hook.secret, events.handle_event, host=hook.listen, port=hook.port,
                                            path=hook.path, tolerance=hook.tolerance).start()
        commands = self.engine_factory()
        periodic = self.engine_factory()
        loops = {
            "commands": [_Task("commands", settings.command_interval,
                               lambda: commands.run_commands(settings.command_batch))],
            "periodic": [
                _Task("credit_mirror", settings.mirror_interval, periodic.mirror_credit),
                _Task("usage", settings.usage_interval, lambda: self._usage(periodic)),
                _Task("reconcile", settings.reconcile_interval,
                      lambda: periodic.reconcile(invoice_days=settings.invoice_days)),
            ],
        }
        for name, tasks in loops.items():
            thread = threading.Thread(target=self._loop, args=(name, tasks), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        _logger.info("bridge running", extra={"platform": commands.code,
                                               "webhook_port": self.receiver.port if self.receiver else None})
        return self

    def stop(self, timeout: float = 15.0) -> bool:
        """Stop every loop after its current task; True when all stopped in time."""
        self.stop_event.set()
        if self.receiver:
            self.receiver.stop(timeout)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        clean = not any(thread.is_alive() for thread in self._threads)
        _logger.info("bridge stopped", extra={"clean": clean})
        return clean
