# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Fixtures for the hosting_bridge tests: the fake platform, a client on it."""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# The package and the fake platform are imported from the worktree, uninstalled.
for path in (str(REPO_ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from fake_platform import FakeWhmcs  # noqa: E402

from hosting_bridge.whmcs import WhmcsPlatform  # noqa: E402


@pytest.fixture
def fake():
    with FakeWhmcs() as platform:
        yield platform


@pytest.fixture
def make_platform(fake):
    """A client of the fake platform; keyword arguments override its settings."""
    created = []

    def factory(**overrides):
        options = {"rate": 1000, "burst": 1000, "backoff": 0.01, "max_backoff": 0.05, "timeout": 5,
                   "connect_timeout": 2}
        options.update(overrides)
        platform = WhmcsPlatform(fake.url, fake.identifier, fake.secret, **options)
        created.append(platform)
        return platform

    yield factory
    for platform in created:
        platform.close()
