# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""SdI file names: ``<country><IdCodice>_<progressive>.xml``.

The progressive part is five characters encoding a counter: by default in
base 36 (``0-9A-Z``, 60,466,175 names per transmitter), or in base 62
(``0-9A-Za-z``, 916,132,831 names) as Odoo's ``l10n_it_edi`` writes them, so
that a company moving from it continues its sequence without reusing a
name. The SdI rejects a file whose name it has already received (error
00002), even after a rejection, so the counter only moves forward: the
caller persists it (the Odoo addon in a database sequence per company; the
CLI in a counter file, see :class:`CounterFile`) and turns each value into
a name with the pure functions here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: The alphabet of Odoo's ``l10n_it_edi`` file names (its sequence starts at
#: 62**4, so its first name is ``10000``).
ALPHABET_62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
WIDTH = 5
MAX_COUNTER = len(ALPHABET) ** WIDTH - 1

_NAME = re.compile(
    r"^(?P<country>[A-Z]{2})(?P<code>[A-Za-z0-9]{1,28})_(?P<progressive>[A-Za-z0-9]{1,5})"
    r"\.(?P<ext>xml|xml\.p7m|zip)$"
)


def max_counter(alphabet: str = ALPHABET) -> int:
    """The last counter a five-character progressive can hold."""
    return len(alphabet) ** WIDTH - 1


def encode_counter(counter: int, alphabet: str = ALPHABET) -> str:
    """Encode a counter (1 .. base**5 - 1) as a five-character progressive.

    A bijection: distinct counters never give the same progressive, so a
    counter that never repeats gives names that never repeat.

    >>> encode_counter(1), encode_counter(36), encode_counter(MAX_COUNTER)
    ('00001', '00010', 'ZZZZZ')
    >>> encode_counter(62 ** 4, ALPHABET_62), encode_counter(62 ** 5 - 1, ALPHABET_62)
    ('10000', 'zzzzz')

    :param counter: the counter value.
    :param alphabet: :data:`ALPHABET` (base 36) or :data:`ALPHABET_62`.
    :raises ValueError: outside the range (0 is refused: ``00000`` looks
        like an unset counter to operators).
    """
    if isinstance(counter, bool) or not isinstance(counter, int):
        raise ValueError(f"the counter must be an integer, not {counter!r}")
    base = len(alphabet)
    if not 1 <= counter <= max_counter(alphabet):
        raise ValueError(f"the counter must be between 1 and {max_counter(alphabet)}, "
                         f"not {counter}")
    digits = []
    for _ in range(WIDTH):
        counter, rest = divmod(counter, base)
        digits.append(alphabet[rest])
    return "".join(reversed(digits))


def decode_counter(progressive: str, alphabet: str = ALPHABET) -> int:
    """Inverse of :func:`encode_counter`.

    :raises ValueError: for characters outside the alphabet (base 36 reads
        lower case as upper case; base 62 tells them apart).
    """
    if alphabet == ALPHABET:
        progressive = progressive.upper()
    value = 0
    for char in progressive:
        index = alphabet.find(char)
        if index < 0:
            raise ValueError(f"{progressive!r} is not a base-{len(alphabet)} progressive")
        value = value * len(alphabet) + index
    return value


def next_counter(progressives: Iterable[str], alphabet: str = ALPHABET) -> int:
    """The first counter after every progressive already used: where a new
    sequence starts so that no name is sent twice (e.g. after files sent by
    another program for the same transmitter).

    >>> next_counter(["0000A", "00009"]), next_counter([])
    (11, 1)

    :param progressives: progressives (or whole SdI file names) already used.
    :param alphabet: the alphabet they were written in.
    :raises ValueError: for a progressive outside the alphabet.
    """
    last = 0
    for item in progressives:
        if "_" in item:
            item = parse_file_name(item).progressive
        last = max(last, decode_counter(item, alphabet))
    return last + 1


def file_name(country: str, code: str, counter: int, ext: str = "xml",
              alphabet: str = ALPHABET) -> str:
    """Build the SdI file name for a transmitter and a counter value.

    :param country: IdPaese of the transmitter, e.g. ``IT``.
    :param code: IdCodice of the transmitter (VAT number or tax code).
    :param counter: the progressive counter, see :func:`encode_counter`.
    :param ext: ``xml``, ``xml.p7m`` or ``zip``.
    :param alphabet: of the progressive, see :func:`encode_counter`.
    :return: e.g. ``IT01234567890_0000A.xml``.
    :raises ValueError: for an invalid country, code or extension.
    """
    name = f"{country}{code}_{encode_counter(counter, alphabet)}.{ext}"
    if not _NAME.match(name):
        raise ValueError(f"cannot build a valid SdI file name from {country!r}, {code!r}, {ext!r}")
    return name


@dataclass(frozen=True, slots=True)
class FileName:
    """The parts of an SdI file name."""

    country: str
    code: str
    progressive: str
    ext: str


def parse_file_name(name: str) -> FileName:
    """Split an SdI file name (also receipts: ``..._RC_001.xml`` are not
    invoice names and are refused).

    :raises ValueError: when the name breaks the SdI naming rule.
    """
    match = _NAME.match(os.path.basename(name))
    if not match:
        raise ValueError(f"{name!r} is not a valid SdI invoice file name")
    return FileName(**match.groupdict())


class CounterFile:
    """A counter persisted in a small text file, safe across processes.

    Each :meth:`reserve` locks the file, reads the last value, writes the
    next one and flushes it to disk *before* returning it, so a name handed
    out is never handed out again even if the caller crashes afterwards.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @contextmanager
    def _locked(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # closing releases the lock

    def reserve(self, count: int = 1) -> list[int]:
        """Reserve ``count`` consecutive counter values.

        :return: the reserved values, in order.
        :raises ValueError: when the file is corrupt or the range is used up.
        """
        with self._locked() as fd:
            raw = os.read(fd, 64).decode("ascii", "replace").strip()
            try:
                last = int(raw) if raw else 0
            except ValueError:
                raise ValueError(f"counter file {self.path} is corrupt: {raw!r}") from None
            if last < 0 or last + count > MAX_COUNTER:
                raise ValueError(f"counter file {self.path}: no progressive left after {last}")
            values = list(range(last + 1, last + count + 1))
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, f"{values[-1]}\n".encode("ascii"))
            os.fsync(fd)
            return values

    def peek(self) -> int:
        """The last reserved value (0 when none)."""
        try:
            raw = self.path.read_text("ascii").strip()
        except FileNotFoundError:
            return 0
        return int(raw) if raw else 0
