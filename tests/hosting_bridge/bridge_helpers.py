# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Paths and helpers shared by the hosting_bridge tests (a module of its own:
``conftest`` is a name every test folder uses)."""

import socket
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
