# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The hosting platform bridge: a WHMCS-style billing platform joined to the
Prepaid Cloud Credit addons of Odoo. Pure Python; it never imports Odoo.

Odoo holds the state (partners, wallets, services, domains, the command
queue); the bridge is a stateless adapter: every flow is keyed so that it
can run again, after a crash or in several processes, without doubling.
"""

from .errors import (
    BridgeError,
    ConfigError,
    OdooError,
    PlatformAuthError,
    PlatformBusinessError,
    PlatformError,
    PlatformProtocolError,
    PlatformUnavailable,
)
from .models import Client, CreditEntry, Domain, Invoice, InvoiceItem, Page, Service
from .platform import Platform
from .whmcs import WhmcsPlatform

__all__ = [
    "BridgeError", "ConfigError", "OdooError", "PlatformAuthError", "PlatformBusinessError", "PlatformError",
    "PlatformProtocolError", "PlatformUnavailable", "Client", "CreditEntry", "Domain", "Invoice", "InvoiceItem",
    "Page", "Service", "Platform", "WhmcsPlatform",
]
