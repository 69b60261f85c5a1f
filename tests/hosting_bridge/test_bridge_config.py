# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Configuration loading and the structured logs."""

import io
import json
import logging

import pytest
from bridge_helpers import REPO_ROOT

from hosting_bridge import logs
from hosting_bridge.config import load
from hosting_bridge.errors import ConfigError

EXAMPLE = REPO_ROOT / "hosting_bridge" / "hosting-bridge.example.toml"
ENV = {
    "HOSTING_BRIDGE_PLATFORM_IDENTIFIER": "identifier",
    "HOSTING_BRIDGE_PLATFORM_SECRET": "secret",
    "HOSTING_BRIDGE_ODOO_API_KEY": "key",
    "HOSTING_BRIDGE_WEBHOOK_SECRET": "0123456789abcdef",
}


def test_the_example_file_loads_with_the_secrets_from_the_environment():
    """Test that the documented example is a valid configuration once the environment holds the secrets."""
    config = load(EXAMPLE, ENV)
    assert config.platform.url == "https://billing.example.com"
    assert config.platform.cloud_product_ids == [2, 3]
    assert config.platform.secret == "secret" and config.odoo.api_key == "key"
    assert config.platform.accesskey is None
    assert config.daemon.command_interval == 1.0
    assert config.usage.feed is None and config.usage.batch_size == 1000


def test_missing_secrets_are_each_named():
    """Test that each secret missing from the environment is reported by its variable."""
    with pytest.raises(ConfigError) as error:
        load(EXAMPLE, {})
    names = " ".join(error.value.problems)
    for variable in ENV:
        assert variable in names


def test_only_the_parts_a_command_needs_are_required(tmp_path):
    """Test that status needs no webhook secret while run does."""
    env = dict(ENV, HOSTING_BRIDGE_WEBHOOK_SECRET="")
    assert load(EXAMPLE, env, need=("platform", "odoo")).webhook.secret == ""
    with pytest.raises(ConfigError, match="HOSTING_BRIDGE_WEBHOOK_SECRET"):
        load(EXAMPLE, env)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[odoo]\napi_key = "k"\n', "[odoo] api_key: secrets are read from the environment"),
        ('[webhook]\nshared_secret = "k"\n', "[webhook] shared_secret: secrets are read from the environment"),
        ('[platform]\nrate_limit = -1\n', "[platform] rate_limit: expected a positive number"),
        ('[platform]\ncloud_product_ids = ["a"]\n', "[platform] cloud_product_ids: expected a list of whole"),
        ('[platform]\ncode = "Bad Code"\n', "[platform] code: 1 to 32"),
        ('[odoo]\nbatch_size = 5000\n', "[odoo] batch_size: 1 to 1000"),
        ('[daemons]\n', "[daemons]: unknown section"),
        ('[log]\nformat = "xml"\n', "[log] format: json or text"),
    ],
)
def test_bad_settings_are_refused_with_their_place(tmp_path, text, problem):
    """Test that secrets in the file, absurd values and unknown names are refused, each with its place."""
    base = EXAMPLE.read_text()
    path = tmp_path / "bridge.toml"
    # Later tables with the same name would be invalid TOML: append keys to a copy without that table.
    section = text.split("]")[0] + "]"
    kept = []
    skip = False
    for line in base.splitlines():
        if line.startswith("["):
            skip = line.strip() == section
        if not skip:
            kept.append(line)
    path.write_text("\n".join(kept) + "\n" + text)
    with pytest.raises(ConfigError) as error:
        load(path, ENV)
    assert any(problem in p for p in error.value.problems), error.value.problems


def test_json_logs_carry_the_extra_fields():
    """Test that a log line is one JSON object with the fields given in extra."""
    stream = io.StringIO()
    logs.setup("INFO", "json", stream)
    try:
        logging.getLogger("hosting_bridge.test").info("command failed", extra={"command_id": 7, "error": "x"})
    finally:
        logging.getLogger().handlers[:] = []
    line = json.loads(stream.getvalue())
    assert line["message"] == "command failed" and line["command_id"] == 7 and line["level"] == "INFO"
    assert line["time"].endswith("Z")
