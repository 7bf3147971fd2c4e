"""The per-organization request limit, emulated as the real API enforces its rate limits.

Off unless configured (`SandboxConfig.rate_limit`, `claude-admin-mcp sandbox --rate-limit N`):
then `state.request_limit` is a token bucket of N requests that refills continuously, N per
`window` seconds (60: the limit is per minute; tests shorten it to cross the bucket quickly).
Every authenticated Admin API response carries

    anthropic-ratelimit-requests-limit      N
    anthropic-ratelimit-requests-remaining  whole requests left after this one
    anthropic-ratelimit-requests-reset      RFC 3339 UTC time, whole seconds rounded up, when full

and a request that finds the bucket empty gets 429 `rate_limit_error` with `retry-after` (whole
seconds, rounded up) and the same headers, without reaching its route. The bucket runs on real
time, not on `state.clock`: the data's clock may be pinned, pacing happens in the present (the
`date` header is real time too).

`served`/`refused` count what passed and what got 429. For tests and benchmarks that run the
sandbox as a process, `GET /sandbox/request-limit` (any valid credential; not itself limited)
returns them, and `DELETE` on it fills the bucket and zeroes them, to measure a run from its start
(`DELETE ...?tokens=K` leaves K requests in it instead: an organization whose other traffic spent
the rest of the minute).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import rate_limited

STATUS_PATH = "/sandbox/request-limit"
UNLIMITED_PATHS = frozenset({"/v1/oauth/token", STATUS_PATH})
"""The token exchange is not the Admin API; the status endpoint is the sandbox's own."""


class RequestLimit:
    """A continuously refilling token bucket: `limit` requests, `limit / window` per second."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError("rate_limit must be at least 1 request")
        if not window > 0:
            raise ValueError("rate_limit_window_seconds must be positive")
        self.limit = limit
        self.window = window
        self.rate = limit / window
        self._clock = clock
        self._tokens = float(limit)
        self._at = clock()
        self.served = 0
        self.refused = 0
        self.first_tokens: float | None = None
        """The bucket's level when the first request was served (the burst it allowed)."""
        self.first_at: float | None = None
        self.last_at: float | None = None

    def reset(self, tokens: float | None = None) -> None:
        """A full bucket (or `tokens` in it) and no history, as if the sandbox had just started."""
        level = self.limit if tokens is None else max(0.0, min(float(self.limit), tokens))
        self._tokens, self._at = float(level), self._clock()
        self.served = self.refused = 0
        self.first_tokens = self.first_at = self.last_at = None

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(float(self.limit), self._tokens + (now - self._at) * self.rate)
        self._at = now
        return now

    def take(self) -> tuple[bool, dict[str, str]]:
        """Spends one request if the bucket has one: (allowed, the headers to send either way)."""
        now = self._refill()
        allowed = self._tokens >= 1
        if allowed:
            if self.first_at is None:
                self.first_tokens, self.first_at = self._tokens, now
            self._tokens -= 1
            self.served += 1
            self.last_at = now
        else:
            self.refused += 1
        full = datetime.now(UTC).timestamp() + (self.limit - self._tokens) / self.rate
        headers = {
            "anthropic-ratelimit-requests-limit": str(self.limit),
            "anthropic-ratelimit-requests-remaining": str(math.floor(self._tokens)),
            "anthropic-ratelimit-requests-reset": datetime.fromtimestamp(math.ceil(full), UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        }
        if not allowed:
            headers["retry-after"] = str(max(1, math.ceil((1 - self._tokens) / self.rate)))
        return allowed, headers

    def status(self) -> dict[str, object]:
        self._refill()
        span = None if self.first_at is None or self.last_at is None else self.last_at - self.first_at
        return {
            "limit": self.limit,
            "window_seconds": self.window,
            "remaining": math.floor(self._tokens),
            "served": self.served,
            "refused": self.refused,
            "first_tokens": self.first_tokens,
            "span_seconds": span,
        }


class RequestLimitMiddleware:
    """Inside authentication: spends a request of the caller's organization, or answers 429."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit: RequestLimit | None = (
            scope["app"].state.sandbox.request_limit if scope["type"] == "http" else None
        )
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] == STATUS_PATH:
            if limit is not None and scope["method"] == "DELETE":
                given = parse_qs(scope.get("query_string", b"").decode()).get("tokens")
                try:
                    limit.reset(float(given[0]) if given else None)
                except ValueError:
                    limit.reset()
            body = json.dumps(limit.status() if limit is not None else {"limit": None}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
        elif limit is None or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
        else:
            allowed, headers = limit.take()
            if not allowed:
                error = rate_limited(
                    f"Number of requests has exceeded your per-organization rate limit "
                    f"({limit.limit} requests per {limit.window:g} seconds); retry after "
                    f"{headers['retry-after']} seconds",
                    int(headers["retry-after"]),
                )
                error.headers.update(headers)
                request_id = str(scope.get("state", {}).get("request_id", ""))
                await error.response(request_id)(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message).update(headers)
                await send(message)

            await self.app(scope, receive, send_with_headers)
