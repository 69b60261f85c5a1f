# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The hosting platform as the sync engine sees it.

One adapter per billing platform (WHMCS today; HostBill, Blesta or
FOSSBilling would each be one more subclass). The engine only uses the
methods below, with the neutral records of :mod:`hosting_bridge.models`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from decimal import Decimal

from .models import Client, CreditEntry, Domain, Invoice, Page, Service


class Platform(ABC):
    """A billing platform holding clients, services, domains and credit.

    :param code: the name of this platform instance in Odoo: every platform
        id the bridge sends is unique per (company, code, id)
    """

    #: the adapter's name in the configuration (``kind = "whmcs"``)
    kind: str = ""

    def __init__(self, code: str):
        self.code = code

    # -- reading ------------------------------------------------------------

    @abstractmethod
    def check(self) -> dict:
        """Prove that the platform answers with these credentials.

        :return: a few facts for an operator (``clients``: how many)
        """

    @abstractmethod
    def client_pages(self) -> Iterator[Page[Client]]:
        """Every client, page by page, in a stable order."""

    @abstractmethod
    def get_client(self, client_id: int) -> Client:
        """One client with its details (currency, credit balance)."""

    @abstractmethod
    def service_pages(self, client_id: int | None = None) -> Iterator[Page[Service]]:
        """Every service (of one client when given), page by page."""

    @abstractmethod
    def get_service(self, service_id: int) -> Service:
        """One service."""

    @abstractmethod
    def domain_pages(self, client_id: int | None = None) -> Iterator[Page[Domain]]:
        """Every domain (of one client when given), page by page."""

    @abstractmethod
    def get_domain(self, domain_id: int) -> Domain:
        """One domain."""

    @abstractmethod
    def invoice_pages(self, status: str | None = None, client_id: int | None = None) -> Iterator[Page[Invoice]]:
        """Invoices without their lines, page by page."""

    @abstractmethod
    def get_invoice(self, invoice_id: int) -> Invoice:
        """One invoice with its lines."""

    @abstractmethod
    def credit_log(self, client_id: int) -> list[CreditEntry]:
        """The credit log of a client, oldest first."""

    # -- acting --------------------------------------------------------------

    @abstractmethod
    def suspend_service(self, service_id: int, reason: str = "") -> None:
        """Suspend a service (the platform runs its provisioning module)."""

    @abstractmethod
    def unsuspend_service(self, service_id: int) -> None:
        """Reactivate a suspended service."""

    @abstractmethod
    def terminate_service(self, service_id: int) -> None:
        """Terminate a service for good."""

    @abstractmethod
    def add_credit(self, client_id: int, amount: Decimal, description: str, *, remove: bool = False) -> Decimal:
        """Add (or remove) credit on the client's platform account.

        :param amount: positive amount
        :return: the new credit balance
        """

    @abstractmethod
    def renew_domain(self, domain_id: int, years: int | None = None) -> None:
        """Renew a domain at its registrar."""

    # -- helpers shared by every adapter ------------------------------------

    def iter_items(self, pages: Iterator[Page]) -> Iterator:
        """Flatten pages into their items."""
        for page in pages:
            yield from page.items

    def close(self) -> None:  # noqa: B027 - optional for adapters without connections
        """Release connections; the adapter may not be used afterwards."""
