# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Configuration: a TOML file for the settings, the environment for secrets.

A secret (API secret, API key, shared secret) written in the file is refused:
files get copied, committed and backed up; the environment of a service is
not. Every problem of a file is reported at once, each with its place.
See ``hosting-bridge.example.toml`` for every setting.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import ConfigError

ENV_PLATFORM_IDENTIFIER = "HOSTING_BRIDGE_PLATFORM_IDENTIFIER"
ENV_PLATFORM_SECRET = "HOSTING_BRIDGE_PLATFORM_SECRET"
ENV_PLATFORM_ACCESSKEY = "HOSTING_BRIDGE_PLATFORM_ACCESSKEY"
ENV_ODOO_API_KEY = "HOSTING_BRIDGE_ODOO_API_KEY"
ENV_WEBHOOK_SECRET = "HOSTING_BRIDGE_WEBHOOK_SECRET"
DEFAULT_PATH = "hosting-bridge.toml"
ENV_CONFIG = "HOSTING_BRIDGE_CONFIG"

_SECRET_KEYS = re.compile(r"(secret|password|api_?key|access_?key|token)$", re.IGNORECASE)
_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")


@dataclass
class PlatformSettings:
    kind: str = "whmcs"
    code: str = "whmcs"
    url: str = ""
    connect_timeout: float = 5.0
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    rate_limit: float = 10.0
    burst: int = 20
    page_size: int = 250
    client_details: bool = True
    cloud_product_ids: list[int] = field(default_factory=list)
    identifier: str = ""
    secret: str = ""
    accesskey: str | None = None


@dataclass
class OdooSettings:
    url: str = ""
    database: str = ""
    login: str = ""
    timeout: float = 60.0
    batch_size: int = 500
    api_key: str = ""


@dataclass
class WebhookSettings:
    enabled: bool = True
    listen: str = "127.0.0.1"
    port: int = 8765
    path: str = "/webhook"
    tolerance: int = 300
    secret: str = ""


@dataclass
class DaemonSettings:
    command_interval: float = 1.0
    command_batch: int = 50
    mirror_interval: float = 60.0
    reconcile_interval: float = 3600.0
    usage_interval: float = 3600.0
    invoice_days: int = 7


@dataclass
class UsageSettings:
    feed: str | None = None
    disk_meter: str | None = None
    bandwidth_meter: str | None = None
    batch_size: int = 1000


@dataclass
class LogSettings:
    level: str = "INFO"
    format: str = "json"


@dataclass
class Config:
    path: Path
    platform: PlatformSettings
    odoo: OdooSettings
    webhook: WebhookSettings
    daemon: DaemonSettings
    usage: UsageSettings
    log: LogSettings


_SECTIONS = {
    "platform": PlatformSettings, "odoo": OdooSettings, "webhook": WebhookSettings,
    "daemon": DaemonSettings, "usage": UsageSettings, "log": LogSettings,
}
_FROM_ENV = {("platform", "identifier"), ("platform", "secret"), ("platform", "accesskey"),
             ("odoo", "api_key"), ("webhook", "secret")}


def _coerce(section: str, key: str, value, default, problems: list[str]):
    place = f"[{section}] {key}"
    expected = type(default)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.append(f"{place}: expected true or false, got {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            problems.append(f"{place}: expected a positive number, got {value!r}")
            return default
        return float(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{place}: expected a whole number >= 0, got {value!r}")
            return default
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            problems.append(f"{place}: expected a list of whole numbers, got {value!r}")
            return default
        return value
    if default is None or expected is str:
        if not isinstance(value, str):
            problems.append(f"{place}: expected text, got {value!r}")
            return default
        return value
    return value


def _check_url(place: str, url: str, problems: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(f"{place}: expected an http(s) URL, got {url!r}")


def load(path: str | os.PathLike | None = None, environ: dict | None = None, *, need: tuple[str, ...] = (
        "platform", "odoo", "webhook")) -> Config:
    """Read the configuration file and the secrets of the environment.

    :param path: the TOML file; ``$HOSTING_BRIDGE_CONFIG`` or
        ``./hosting-bridge.toml`` when omitted
    :param need: the parts whose settings and secrets must be complete
    :raise ConfigError: with every problem found
    """
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get(ENV_CONFIG) or DEFAULT_PATH)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file (give --config or set {ENV_CONFIG})"]) from None
    except OSError as error:
        raise ConfigError([f"{path}: cannot read: {error.strerror}"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None

    problems: list[str] = []
    sections = {}
    for name, cls in _SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            problems.append(f"[{name}]: expected a table")
            raw = {}
        settings = cls()
        defaults = vars(cls())
        for key, value in raw.items():
            if _SECRET_KEYS.search(key) or (name, key) in _FROM_ENV:
                problems.append(f"[{name}] {key}: secrets are read from the environment, never from the file")
                continue
            if key not in defaults:
                problems.append(f"[{name}] {key}: unknown setting")
                continue
            setattr(settings, key, _coerce(name, key, value, defaults[key], problems))
        sections[name] = settings
    for name in data:
        if name not in _SECTIONS:
            problems.append(f"[{name}]: unknown section")

    platform, odoo, webhook = sections["platform"], sections["odoo"], sections["webhook"]
    platform.identifier = environ.get(ENV_PLATFORM_IDENTIFIER, "")
    platform.secret = environ.get(ENV_PLATFORM_SECRET, "")
    platform.accesskey = environ.get(ENV_PLATFORM_ACCESSKEY) or None
    odoo.api_key = environ.get(ENV_ODOO_API_KEY, "")
    webhook.secret = environ.get(ENV_WEBHOOK_SECRET, "")

    if "platform" in need:
        if platform.kind != "whmcs":
            problems.append(f"[platform] kind: unknown platform {platform.kind!r} (known: whmcs)")
        if not _CODE.match(platform.code):
            problems.append(f"[platform] code: 1 to 32 of a-z, 0-9, _ and -, got {platform.code!r}")
        if not platform.url:
            problems.append("[platform] url: required")
        else:
            _check_url("[platform] url", platform.url, problems)
        if platform.rate_limit <= 0 or platform.burst < 1 or not 1 <= platform.page_size <= 1000:
            problems.append("[platform] rate_limit > 0, burst >= 1 and page_size 1 to 1000 are required")
        for env, value in ((ENV_PLATFORM_IDENTIFIER, platform.identifier), (ENV_PLATFORM_SECRET, platform.secret)):
            if not value:
                problems.append(f"{env}: not set in the environment")
    if "odoo" in need:
        for key in ("url", "database", "login"):
            if not getattr(odoo, key):
                problems.append(f"[odoo] {key}: required")
        if odoo.url:
            _check_url("[odoo] url", odoo.url, problems)
        if not 1 <= odoo.batch_size <= 1000:
            problems.append(f"[odoo] batch_size: 1 to 1000, got {odoo.batch_size}")
        if not odoo.api_key:
            problems.append(f"{ENV_ODOO_API_KEY}: not set in the environment")
    if "webhook" in need and webhook.enabled:
        if not 0 < webhook.port < 65536:
            problems.append(f"[webhook] port: 1 to 65535, got {webhook.port}")
        if not webhook.path.startswith("/"):
            problems.append(f"[webhook] path: must start with /, got {webhook.path!r}")
        if len(webhook.secret) < 16:
            problems.append(f"{ENV_WEBHOOK_SECRET}: not set in the environment, or shorter than 16 characters")
    usage = sections["usage"]
    if not 1 <= usage.batch_size <= 1000:
        problems.append(f"[usage] batch_size: 1 to 1000, got {usage.batch_size}")
    log = sections["log"]
    if log.format not in ("json", "text"):
        problems.append(f"[log] format: json or text, got {log.format!r}")
    if log.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"[log] level: DEBUG, INFO, WARNING or ERROR, got {log.level!r}")
    if problems:
        raise ConfigError([f"{path}: {problem}" if problem.startswith("[") else problem for problem in problems])
    return Config(path=path, **sections)
