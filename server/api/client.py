"""The Admin API over HTTP: one shared `httpx2.AsyncClient`, authentication, bounded retries.

Retries cover 408/409/429/5xx/529 and connection failures, honour `retry-after` (and
`retry-after-ms`, and `x-should-retry`), and stop at a count and a total time budget. A request is
retried only when repeating it cannot change anything twice: every GET, and a write only when the
caller says it is idempotent *and* it never reached the API. Every attempt first takes its turn
from the pacer (`pacer.py`), which keeps the server within the organization's request limit.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import anyio
import httpx2

from .. import __version__
from .credentials.base import Credential
from .errors import ApiError, ApiUnreachable, MethodNotAllowed
from .pacer import Pacer

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
REFUSED_BEFORE_ACTING = frozenset({429, 529})
"""Rate limited or overloaded: the API answers these before doing anything."""
MAX_BACKOFF_SECONDS = 8.0

QueryValue = str | int | float | bool | None | Iterable[str]
FilePart = tuple[str, tuple[str, bytes, str]]
"""One part of a multipart body: (part name, (file name, content, content type))."""
ERROR_BODY_MAX = 64 * 1024
"""The most of an error body read when the success body would have gone to a file."""


@dataclass(frozen=True)
class ApiResponse:
    status: int
    data: Any
    request_id: str | None
    media_type: str | None = None
    """For a body written to a file (`sink`): its content type; `data` is then its size in bytes."""


class Sink(Protocol):
    """Where a file body goes: emptied before each attempt, then written a chunk at a time."""

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def truncate(self, size: int | None = None, /) -> int: ...

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


class BodyTooLarge(ApiUnreachable):
    """A file body went past its limit: nothing of it is kept."""


def encode_query(params: Mapping[str, QueryValue]) -> list[tuple[str, str | int | float | bool | None]]:
    """The Admin API's query encoding: lists as repeated `name[]=v`, booleans as true/false."""
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif isinstance(value, str | int | float):
            pairs.append((name, str(value)))
        else:
            pairs.extend((f"{name}[]", str(item)) for item in value)
    return pairs


def fill_path(template: str, values: Mapping[str, str]) -> str:
    """Substitute path parameters, percent-encoding each so no value can add a path segment."""
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def _retry_after(response: httpx2.Response) -> float | None:
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def _error_from(response: httpx2.Response, retries: int) -> ApiError:
    request_id = response.headers.get("request-id")
    error_type, message = "api_error", ""
    details: Any = {}
    try:
        body = response.json()
        error = body.get("error", {}) if isinstance(body, dict) else {}
        error_type = str(error.get("type") or error_type)
        message = str(error.get("message") or "")
        details = error.get("details") or {}
        request_id = request_id or body.get("request_id")
    except ValueError:
        message = "(the error body was not JSON)"
    return ApiError(
        response.status_code,
        error_type,
        message or response.reason_phrase,
        request_id=request_id,
        retries=retries,
        retry_after=_retry_after(response),
        details=details if isinstance(details, dict) else {},
    )


class AdminApi:
    """A client for one organization's Admin API, shared by every tool call of a server run."""

    def __init__(
        self,
        *,
        base_url: str,
        credential: Credential,
        anthropic_version: str = "2023-06-01",
        timeout: float = 30.0,
        max_retries: int = 3,
        retry_budget: float = 30.0,
        allowed_methods: frozenset[str] = frozenset({"GET", "POST", "DELETE"}),
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.credential = credential
        self.max_retries = max_retries
        self.retry_budget = retry_budget
        self.allowed_methods = allowed_methods
        self.pacer = Pacer(max_hold=retry_budget)
        """Shared by every request of this client, concurrent ones included (`pacer.py`)."""
        self._options: dict[str, Any] = {
            "base_url": base_url,
            "timeout": httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
            "headers": {
                "anthropic-version": anthropic_version,
                "user-agent": f"claude-admin-mcp/{__version__}",
                "accept": "application/json",
            },
            "transport": transport,
            "trust_env": False,
        }
        self._client: httpx2.AsyncClient | None = None

    @property
    def _http(self) -> httpx2.AsyncClient:
        # Made on the first request: its TLS context (the CA bundle read and parsed) would otherwise
        # be a tenth of the server's start-up, paid before the first tools/list.
        if self._client is None:
            self._client = httpx2.AsyncClient(**self._options)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def get(self, path: str, query: Mapping[str, QueryValue] | None = None) -> ApiResponse:
        return await self.request("GET", path, query=query)

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
        beta: str | None = None,
        idempotent: bool | None = None,
        files: Sequence[FilePart] = (),
        sink: Sink | None = None,
        max_bytes: int | None = None,
    ) -> ApiResponse:
        """Send one request, retrying what is safe to retry; raise ApiError or ApiUnreachable.

        With `files`, the body is `multipart/form-data`: those parts, and `body`'s values as form
        fields. With `sink`, a successful body is streamed into that binary file (emptied before
        each attempt) up to `max_bytes`, and `data` is its size."""
        if method not in self.allowed_methods:
            raise MethodNotAllowed(
                f"{method} is not allowed in this tier (only {sorted(self.allowed_methods)})"
            )
        retry_writes = bool(idempotent) if method != "GET" else True
        params = encode_query(query or {})
        deadline: float | None = None
        attempt = 0
        refreshed = False
        while True:
            ticket = await self.pacer.take()
            if deadline is None:  # from the first turn on: waiting for a turn is not retrying
                deadline = time.monotonic() + self.retry_budget
            headers = await self.credential.headers()  # after the wait, so a renewed token is fresh
            if beta:
                existing = headers.get("anthropic-beta")
                headers["anthropic-beta"] = f"{beta},{existing}" if existing else beta
            try:
                if sink is not None:
                    response, received = await self._stream(method, path, params, headers, sink, max_bytes)
                elif files:
                    form = {name: str(value) for name, value in (body or {}).items()}
                    response = await self._http.request(
                        method, path, params=params, data=form, files=list(files), headers=headers
                    )
                else:
                    response = await self._http.request(
                        method, path, params=params, json=body, headers=headers
                    )
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                # Never connected: nothing reached the API, so even a write may go again.
                reason = f"cannot connect to {self._http.base_url}: {type(exc).__name__}"
                wait = self._backoff(attempt, None, deadline)
                if attempt >= self.max_retries or wait is None:
                    raise ApiUnreachable(reason, retries=attempt) from None
            except httpx2.TransportError as exc:
                # Sent, then lost (timeout, dropped connection): a write may have been applied.
                reason = f"{method} {path} failed in transit: {type(exc).__name__}"
                wait = self._backoff(attempt, None, deadline) if retry_writes else None
                if attempt >= self.max_retries or wait is None:
                    raise ApiUnreachable(reason, retries=attempt) from None
            else:
                retry_after = _retry_after(response) if response.status_code == 429 else None
                self.pacer.learn(ticket, response.status_code, response.headers, retry_after)
                log.debug(
                    "%s %s -> %s (request-id %s)",
                    method,
                    path,
                    response.status_code,
                    response.headers.get("request-id"),
                )
                if response.status_code == 401 and not refreshed and await self.credential.invalidate():
                    refreshed = True
                    continue
                if response.is_success and sink is not None:
                    media_type = response.headers.get("content-type", "").split(";")[0].strip() or None
                    return ApiResponse(
                        response.status_code, received, response.headers.get("request-id"), media_type
                    )
                if response.is_success:
                    try:
                        return self._parse(response, attempt)
                    except ApiUnreachable:
                        # A garbled success: a read can simply be asked again; a write happened,
                        # so it must not be sent twice.
                        wait = self._backoff(attempt, None, deadline) if method == "GET" else None
                        if attempt >= self.max_retries or wait is None:
                            raise
                        attempt += 1
                        await anyio.sleep(wait)
                        continue
                error = _error_from(response, attempt)
                should = response.headers.get("x-should-retry")
                # 429 and 529 turn a request away before it is acted on, so even a create may go again.
                refused_unseen = response.status_code in REFUSED_BEFORE_ACTING
                retryable = (
                    should == "true" or (should != "false" and response.status_code in RETRY_STATUSES)
                ) and (retry_writes or refused_unseen)
                wait = self._backoff(attempt, error.retry_after, deadline) if retryable else None
                if attempt >= self.max_retries or wait is None:
                    raise error
            attempt += 1
            await anyio.sleep(wait)

    async def _stream(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str | int | float | bool | None]],
        headers: dict[str, str],
        sink: Sink,
        max_bytes: int | None,
    ) -> tuple[httpx2.Response, int]:
        """One attempt whose success body goes to `sink` a chunk at a time (memory holds one chunk);
        an error body is read into the response (at most `ERROR_BODY_MAX`) to be parsed as usual."""
        request = self._http.build_request(method, path, params=params, headers=headers)
        response = await self._http.send(request, stream=True)
        received = 0
        try:
            if not response.is_success:
                kept = b""
                async for chunk in response.aiter_bytes():
                    kept += chunk
                    if len(kept) >= ERROR_BODY_MAX:
                        break
                response = httpx2.Response(
                    response.status_code, headers=response.headers, content=kept[:ERROR_BODY_MAX]
                )
                return response, 0
            sink.seek(0)
            sink.truncate()
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if max_bytes is not None and received > max_bytes:
                    raise BodyTooLarge(
                        f"{method} {path} answered more than {max_bytes:,} bytes; nothing was kept"
                    )
                sink.write(chunk)
            sink.flush()
            return response, received
        finally:
            await response.aclose()

    def _backoff(self, attempt: int, retry_after: float | None, deadline: float) -> float | None:
        """Seconds to wait before the next try, or None when the time budget cannot cover it."""
        if retry_after is not None:
            wait = retry_after
        else:
            wait = min(0.5 * 2**attempt, MAX_BACKOFF_SECONDS) * (1 - 0.25 * random.random())
        return wait if time.monotonic() + wait <= deadline else None

    @staticmethod
    def _parse(response: httpx2.Response, retries: int) -> ApiResponse:
        request_id = response.headers.get("request-id")
        if not response.content:
            return ApiResponse(response.status_code, None, request_id)
        try:
            data = response.json()
        except ValueError:
            raise ApiUnreachable(
                f"the API answered {response.status_code} with a body that is not JSON", retries=retries
            ) from None
        return ApiResponse(response.status_code, data, request_id)
