"""Password checks of the dev issuer: a bounded executor of their own, and failure backoff.

scrypt is deliberately slow (tens of milliseconds of CPU per check). Run on the shared thread
pool, a flood of wrong passwords filled it and every sync route of the same server (the web
API's ``/api/sessions``) waited behind the hashes. So:

* checks run on a small executor of their own (1-2 threads) with a bounded queue; when it is
  full an attempt is refused at once (:class:`Throttled`, HTTP 429) instead of queueing;
* consecutive failures are counted per username and per client address; after
  ``user_failures`` (``address_failures``) of them the key is locked for ``lock_s`` seconds,
  doubling with every further failure up to ``max_lock_s``. A locked attempt is refused
  without hashing, even with the right password. A success clears the username's count (not
  the address's: one valid account must not reset an address that is guessing at others).
"""

from __future__ import annotations

import asyncio
import base64
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from ._directory import DevUser

__all__ = ["FailureBackoff", "LoginThrottle", "PasswordChecker", "Throttled"]

_MAX_KEY_LEN = 128
# Compared against when the username is unknown, so timing does not reveal which users exist.
_DUMMY_USER = DevUser(
    username="-",
    name="-",
    email="-",
    salt=base64.b64encode(b"\x00" * 16).decode(),
    password_hash=base64.b64encode(b"\x00" * 32).decode(),
)


def _default_workers() -> int:
    # One thread per two cores, at most two: hashing must never take the whole machine.
    return max(1, min(2, (os.cpu_count() or 1) // 2))


@dataclass(kw_only=True, frozen=True)
class LoginThrottle:
    """Limits on password checks (see the module docstring). ``workers=0``: 1-2 by CPU count."""

    workers: int = 0
    queue: int = 8
    user_failures: int = 5
    address_failures: int = 20
    lock_s: float = 1.0
    max_lock_s: float = 300.0
    forget_after_s: float = 900.0
    max_tracked: int = 10_000


class Throttled(Exception):
    """A password check refused without hashing; retry after ``retry_after`` seconds."""

    def __init__(self, wait_s: float, message: str) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(wait_s))
        self.message = message


@dataclass
class _Failures:
    count: int
    last: float
    locked_until: float = 0.0


class FailureBackoff:
    """Consecutive failures per key, locking a key for exponentially growing periods.

    Memory is bounded: at most ``max_tracked`` keys, the least recently failed dropped first.
    """

    def __init__(
        self,
        *,
        threshold: int,
        lock_s: float,
        max_lock_s: float,
        forget_after_s: float,
        max_tracked: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = max(1, threshold)
        self._lock_s = lock_s
        self._max_lock_s = max_lock_s
        self._forget_after_s = forget_after_s
        self._max_tracked = max(1, max_tracked)
        self._clock = clock
        self._entries: OrderedDict[str, _Failures] = OrderedDict()
        self._mutex = threading.Lock()

    def _current(self, key: str, now: float) -> _Failures | None:
        entry = self._entries.get(key)
        if entry is not None and now - entry.last > self._forget_after_s:
            del self._entries[key]
            return None
        return entry

    def locked_for(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it is not locked)."""
        key = key[:_MAX_KEY_LEN]
        with self._mutex:
            now = self._clock()
            entry = self._current(key, now)
            return max(0.0, entry.locked_until - now) if entry is not None else 0.0

    def failed(self, key: str) -> None:
        """Count one failure of ``key``; lock it once the threshold is reached."""
        key = key[:_MAX_KEY_LEN]
        with self._mutex:
            now = self._clock()
            entry = self._current(key, now) or _Failures(count=0, last=now)
            entry.count += 1
            entry.last = now
            if entry.count >= self._threshold:
                doublings = min(entry.count - self._threshold, 30)
                entry.locked_until = now + min(self._lock_s * 2**doublings, self._max_lock_s)
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_tracked:
                self._entries.popitem(last=False)

    def reset(self, key: str) -> None:
        """Forget ``key``'s failures (after a success)."""
        with self._mutex:
            self._entries.pop(key[:_MAX_KEY_LEN], None)


class PasswordChecker:
    """Checks passwords on a bounded executor of its own, behind per-user/address backoff."""

    def __init__(self, throttle: LoginThrottle | None = None) -> None:
        limits = throttle or LoginThrottle()
        workers = limits.workers or _default_workers()
        self._capacity = workers + max(0, limits.queue)
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="podium-idp-password"
        )
        self._in_flight = 0
        self._mutex = threading.Lock()
        self.users = self._backoff(limits, limits.user_failures)
        self.addresses = self._backoff(limits, limits.address_failures)

    @staticmethod
    def _backoff(limits: LoginThrottle, threshold: int) -> FailureBackoff:
        return FailureBackoff(
            threshold=threshold,
            lock_s=limits.lock_s,
            max_lock_s=limits.max_lock_s,
            forget_after_s=limits.forget_after_s,
            max_tracked=limits.max_tracked,
        )

    def _release(self, _: Future[bool]) -> None:
        with self._mutex:
            self._in_flight -= 1

    async def check(self, user: DevUser | None, username: str, password: str, address: str) -> bool:
        """True if ``user`` exists and ``password`` is its password.

        Raises:
            Throttled: ``username`` or ``address`` is locked, or the executor's queue is full.
        """
        wait = max(self.users.locked_for(username), self.addresses.locked_for(address))
        if wait > 0:
            raise Throttled(wait, "too many failed sign-in attempts")
        with self._mutex:
            if self._in_flight >= self._capacity:
                raise Throttled(1, "too many sign-in attempts at once")
            self._in_flight += 1
        try:
            future = self._executor.submit((user or _DUMMY_USER).check_password, password)
        except RuntimeError:  # executor shut down (interpreter exit)
            self._release(Future())
            raise
        # Released when the hash is done, not when the request is: a client that hangs up
        # must not free a slot while its hash still runs.
        future.add_done_callback(self._release)
        ok = await asyncio.wrap_future(future)
        if ok and user is not None:
            self.users.reset(username)
            return True
        self.users.failed(username)
        self.addresses.failed(address)
        return False
