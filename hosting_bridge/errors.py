# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The errors of the bridge, one class per way a call can fail.

The difference that matters to a caller is whether trying again can help:
:class:`PlatformUnavailable` (network, 5xx) may pass on a later try, a
:class:`PlatformBusinessError` (``result=error``) will not.
"""

from __future__ import annotations


class BridgeError(Exception):
    """Base class of every error the bridge raises on purpose."""


class ConfigError(BridgeError):
    """The configuration is unusable; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class PlatformError(BridgeError):
    """A platform call failed.

    :param action: the API action (``GetClients``...)
    :param message: what the platform or the network said
    """

    retryable = False

    def __init__(self, action: str, message: str):
        self.action = action
        self.message = message
        super().__init__(f"{action}: {message}")


class PlatformBusinessError(PlatformError):
    """The platform answered ``result=error``: the request itself is refused
    (unknown client, registrar error...). Sending it again changes nothing."""


class PlatformAuthError(PlatformError):
    """The platform refused the API credentials or this machine's address."""


class PlatformProtocolError(PlatformError):
    """The platform answered something that is not its API's JSON."""


class PlatformUnavailable(PlatformError):
    """Network error, timeout or 5xx, still failing after the retries."""

    retryable = True


class OdooError(BridgeError):
    """An Odoo call failed; ``message`` is Odoo's (translated) error text.

    ``retryable``: a network error or a conflict, worth another try;
    ``fatal``: login or access refused, no flow can go on.
    """

    def __init__(self, method: str, message: str, *, retryable: bool = False, fatal: bool = False):
        self.method = method
        self.message = message
        self.retryable = retryable
        self.fatal = fatal
        super().__init__(f"{method}: {message}")
