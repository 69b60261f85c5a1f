# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""A token bucket: the request rate a platform accepts, shared by threads."""

from __future__ import annotations

import threading
import time


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, ``burst`` at once.

    >>> bucket = TokenBucket(rate=1000, burst=2)
    >>> bucket.acquire(), bucket.acquire()
    (0.0, 0.0)

    :param rate: tokens added per second (> 0)
    :param burst: capacity of the bucket (>= 1), full at start
    """

    def __init__(self, rate: float, burst: int = 1, *, clock=time.monotonic, sleep=time.sleep):
        if not rate > 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting for it if needed.

        :return: the seconds waited
        """
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            # The token is reserved now even when it is not there yet: the
            # next caller waits behind this one, so the order is kept.
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait:
            self._sleep(wait)
        return wait
