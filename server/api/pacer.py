"""Client-side pacing, so that long work stays within the organization's request limit.

The Admin API limits each organization's requests with a token bucket (about 100 a minute,
refilled continuously) and says on every response where it stands:
`anthropic-ratelimit-requests-limit` (the capacity L), `-remaining` (whole requests left, R) and
`-reset` (when the bucket is full again, T, read against the response's `date`). One `Pacer` per
`AdminApi` keeps a model of that bucket, shared by every request of the server, concurrent ones
included:

* `take()`, before each request, spends one token of the model. While more than `MARGIN` tokens
  are left it returns at once, so a full bucket lets a burst through. Once the bucket is near
  empty, callers queue (first come, first served) and each waits until the model has refilled one
  token: requests are spread at the refill rate, so throughput stays at the limit instead of
  bursting, stalling until reset and bursting again.
* `learn()`, after each response, re-anchors the model on what the API said: tokens = R minus the
  requests sent after this one (spent at the API after R was counted, or before it: then the model
  is low, the safe side). Only the newest response anchors, so a late answer cannot give back
  tokens that were spent since. The refill rate is (L - R) / (T - now), never below L / 60 (a
  per-minute limit); it is read once a quarter of the bucket is used, as a whole-second reset says
  little about a nearly full bucket.
* Mistakes correct themselves at the next response: a rate guessed too high meets the `MARGIN`
  token kept in reserve, one too low shows up as a fuller bucket, and the queue moves on.
* A 429 empties the model and holds every request, not only the refused one, until its
  `retry-after` has passed, or at most `max_hold` seconds (the client's retry budget: a request
  would not wait longer for its own retry, so others do not either).
* Without those headers (an API that sends none, the sandbox without a limit) nothing is known
  and `take()` never waits.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Mapping
from datetime import datetime

import anyio

log = logging.getLogger(__name__)

MARGIN = 1.0
"""Tokens kept in reserve against a refill rate guessed a little high (or a clock a little off)."""
PER_MINUTE = 60.0
NOTICEABLE = 0.001
"""A turn taken within a millisecond (the queue's own bookkeeping) is not counted as a wait."""


def _integer(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def _epoch(value: str | None) -> float | None:
    """An RFC 3339 time (`2026-12-01T10:00:05Z`, fractions allowed) as epoch seconds."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _http_date(value: str | None) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None


class Pacer:
    """The request limit as this server sees it; see the module docstring for how it paces."""

    def __init__(self, max_hold: float = 30.0) -> None:
        self.max_hold = max_hold
        self._limit: int | None = None
        """The bucket's capacity, once a response has told it."""
        self._rate = 0.0
        self._tokens = 0.0
        self._at = 0.0
        self._sent = 0
        self._anchor = 0
        """The ticket of the response the model was last anchored on."""
        self._hold_until = 0.0
        self._queue = anyio.Lock()
        self._news = anyio.Event()
        self.waits = 0
        """Requests that had to wait, and for how long in all: for tests and logs."""
        self.waited_seconds = 0.0

    async def take(self) -> int:
        """Waits for the request's turn and spends its token; returns its ticket for `learn`."""
        if self._limit is None and time.monotonic() >= self._hold_until and not self._queue.locked():
            self._sent += 1
            return self._sent
        started = time.monotonic()
        async with self._queue:
            now = time.monotonic()
            while (delay := self._delay(now)) > 0:
                self._news = anyio.Event()
                with anyio.move_on_after(delay):
                    await self._news.wait()  # a response may bring tokens sooner
                now = time.monotonic()
            if now - started > NOTICEABLE:
                self.waits += 1
                self.waited_seconds += now - started
                log.debug("paced a request by %.3f s (%.1f tokens left)", now - started, self._tokens)
            if self._limit is not None:
                self._tokens -= 1
            self._sent += 1
            return self._sent

    def learn(
        self, ticket: int, status: int, headers: Mapping[str, str], retry_after: float | None = None
    ) -> None:
        """Takes in the API's answer to the request `ticket` (its rate-limit headers, and for a 429
        its `retry-after`)."""
        now = time.monotonic()
        if status == 429:
            self._tokens, self._at = min(self._tokens, 0.0), now
            hold = min(retry_after, self.max_hold) if retry_after is not None else 0.0
            if now + hold > self._hold_until:
                self._hold_until = now + hold
                log.debug("rate limited: holding every request for %.1f s", hold)
        limit = _integer(headers, "anthropic-ratelimit-requests-limit")
        remaining = _integer(headers, "anthropic-ratelimit-requests-remaining")
        if limit is not None and remaining is not None and limit >= 1 and 0 <= remaining <= limit:
            if limit != self._limit:
                self._limit, self._rate = limit, limit / PER_MINUTE
            full_at = _epoch(headers.get("anthropic-ratelimit-requests-reset"))
            if full_at is not None and limit - remaining >= max(2.0, limit / 4):
                # Against the API's own `date` where it sends one: a local clock that is off then
                # does not matter (and `date`, cut to the second, can only make the rate look lower).
                full_in = full_at - (_http_date(headers.get("date")) or time.time())
                if full_in > 0:
                    self._rate = max(limit / PER_MINUTE, min((limit - remaining) / full_in, float(limit)))
            if ticket >= self._anchor:
                self._anchor = ticket
                self._tokens = float(remaining - (self._sent - ticket))
                self._at = now
        self._news.set()

    def _delay(self, now: float) -> float:
        """Seconds until the next request may go (0: now)."""
        if now < self._hold_until:
            return self._hold_until - now
        if self._limit is None:
            return 0.0
        self._tokens = min(float(self._limit), self._tokens + (now - self._at) * self._rate)
        self._at = now
        short = min(1.0 + MARGIN, float(self._limit)) - self._tokens
        return short / self._rate if short > 0 else 0.0
