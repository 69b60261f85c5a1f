# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""What the bridge moves between a platform and Odoo, independent of both.

Money is :class:`~decimal.Decimal`, dates are :class:`~datetime.date`.
``as_odoo()`` gives the dict of the integration contract (CONTRACT.md):
amounts as decimal strings (XML-RPC has no decimal type and a float would
round), dates in ISO format, absent values as ``False`` as Odoo does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")

#: Service and domain states, the same words for every platform.
SERVICE_STATES = ("pending", "active", "suspended", "terminated", "cancelled", "fraud")
DOMAIN_STATES = ("pending", "active", "expired", "transferred_away", "cancelled", "fraud")


def _odoo_value(value):
    if value is None:
        return False
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, tuple):
        return [_odoo_value(v) for v in value]
    return value


class _AsOdoo:
    #: Fields the contract leaves out (read by the bridge only).
    _local_fields: tuple[str, ...] = ()

    def as_odoo(self) -> dict:
        """The record as the integration contract sends it to Odoo."""
        return {
            f.name: _odoo_value(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in self._local_fields
        }


@dataclass(frozen=True)
class Client(_AsOdoo):
    """A customer account of the platform."""

    id: int
    email: str
    firstname: str = ""
    lastname: str = ""
    companyname: str = ""
    status: str = "Active"
    #: ISO code; None when the listing did not say (details not read)
    currency: str | None = None
    country: str | None = None
    #: the platform's own credit balance, the mirror of the Odoo wallet
    credit: Decimal | None = None
    created: date | None = None

    _local_fields = ("credit",)

    @property
    def name(self) -> str:
        """The name Odoo shows: the company, else the person."""
        person = " ".join(p for p in (self.firstname, self.lastname) if p)
        return self.companyname or person or self.email


@dataclass(frozen=True)
class Service(_AsOdoo):
    """A product a client holds on the platform (hosting, server, licence)."""

    id: int
    client_id: int
    product_id: int
    product_name: str
    status: str  # one of SERVICE_STATES
    group_name: str = ""
    domain: str = ""
    billing_cycle: str = ""
    recurring_amount: Decimal = Decimal("0")
    registration_date: date | None = None
    next_due_date: date | None = None
    suspension_reason: str = ""
    disk_usage_mb: Decimal = Decimal("0")
    bandwidth_usage_mb: Decimal = Decimal("0")
    usage_updated: datetime | None = None

    _local_fields = ("disk_usage_mb", "bandwidth_usage_mb", "usage_updated")


@dataclass(frozen=True)
class Domain(_AsOdoo):
    """A domain name a client holds through the platform."""

    id: int
    client_id: int
    name: str
    status: str  # one of DOMAIN_STATES
    registrar: str = ""
    registration_period: int = 1
    registration_date: date | None = None
    expiry_date: date | None = None
    next_due_date: date | None = None
    recurring_amount: Decimal = Decimal("0")
    auto_renew: bool = True


@dataclass(frozen=True)
class InvoiceItem:
    type: str
    description: str
    amount: Decimal
    rel_id: int = 0


@dataclass(frozen=True)
class Invoice(_AsOdoo):
    """A platform invoice; the bridge cares for paid add-funds invoices."""

    id: int
    client_id: int
    status: str
    total: Decimal
    subtotal: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    currency: str | None = None
    date: date | None = None
    date_paid: datetime | None = None
    items: tuple[InvoiceItem, ...] = ()

    @property
    def is_add_funds(self) -> bool:
        """True for an invoice whose every line adds funds to the account."""
        return bool(self.items) and all(item.type == "AddFunds" for item in self.items)

    def as_odoo(self) -> dict:
        # The credit is net of VAT, as every amount of the ledger is.
        return {
            "id": self.id,
            "client_id": self.client_id,
            "amount": str(self.subtotal),
            "currency": self.currency or False,
            "date_paid": _odoo_value(self.date_paid),
        }


@dataclass(frozen=True)
class CreditEntry:
    """A line of a client's credit log on the platform (signed amount)."""

    id: int
    date: date | None
    description: str
    amount: Decimal
    rel_id: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its items and where it stands in the whole."""

    items: tuple[T, ...]
    start: int
    total: int

    @property
    def end(self) -> int:
        return self.start + len(self.items)


@dataclass
class Counts:
    """What a batch did, record by record, in the words of the contract."""

    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.received += other.received
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.refused += other.refused
        self.errors.extend(other.errors)

    @classmethod
    def from_results(cls, results: list[dict]) -> Counts:
        """Count the per-record results an upsert method returns."""
        counts = cls(received=len(results))
        for result in results:
            status = result.get("status")
            if status in ("created", "updated", "unchanged"):
                setattr(counts, status, getattr(counts, status) + 1)
            else:
                counts.refused += 1
                counts.errors.append(f"{result.get('platform_id')}: {result.get('error') or status}")
        return counts
