# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""Problems found by validation, and the exceptions of the package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: an SdI error code (``00200`` for schema violations, as
    the SdI reports them), the element path and a readable message.

    ``severity`` is ``error`` (the SdI would reject the file) or ``warning``.
    """

    code: str
    path: str
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        """True when the SdI would reject the file for this problem."""
        return self.severity == "error"

    def __str__(self) -> str:
        return f"[{self.code}] {self.path}: {self.message}"


class FatturaPAError(Exception):
    """Base class of the errors raised by this package."""


class InvoiceRejected(FatturaPAError):
    """Rendering refused: the file would be rejected by the SdI."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error]
        first = errors[0] if errors else None
        super().__init__(
            f"{len(errors)} problem(s) the SdI would reject, first: {first}"
        )


class ParseError(FatturaPAError):
    """The input is not a readable FatturaPA document (or receipt)."""


class UnsupportedVersion(ParseError):
    """The input is XML, but not a FatturaPA version this package handles."""


class SchemaNotFound(FatturaPAError):
    """The official XSD files are not installed where they are looked up."""
