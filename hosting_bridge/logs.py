# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Structured logs: one JSON object a line, on stderr.

The fields given with ``extra=`` (``action``, ``event_id``, ``command_id``...)
become keys of the object, so a log collector can filter on them.
"""

from __future__ import annotations

import json
import logging
import sys
import time

# The attributes every LogRecord has; anything else came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line with its ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def setup(level: str = "INFO", fmt: str = "json", stream=None) -> None:
    """Send the bridge's logs (and its libraries') to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # One line per HTTP connection is noise next to the bridge's own lines.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
