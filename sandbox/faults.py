"""Fault injection: make the sandbox misbehave the way a real API and network sometimes do.

A `FaultPlan` (on `state.faults`) holds faults; each applies to requests whose path matches its
regex (and method, if given) until it has fired `times` times (None = forever). Kinds:

- `status`: answer with an API error (`status`, the matching error type, optional `retry-after`).
- `latency`: wait `seconds`, then serve normally.
- `malformed`: answer 200 with a body that is not JSON.
- `truncated`: announce the full body, send half of it, close the connection.
- `drop`: send the status line and headers, then close without a body.
- `drip`: serve normally but trickle the body out over `seconds`.
- `observe`: change nothing; count the requests (`fired`) and the list items served (`items`).

Tests add faults directly (`sandbox.state.faults.add(Fault("status", status=529, times=2))`); the
`claude-admin-mcp sandbox --fault SPEC` option takes the same fields as `kind=status,status=529,...`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError
from .ids import new_request_id

FaultKind = Literal["status", "latency", "malformed", "truncated", "drop", "drip", "observe"]
_KINDS = get_args(FaultKind)


@dataclass
class Fault:
    kind: FaultKind
    path: str = ""
    """Regex searched in the request path; empty matches every path."""
    method: str | None = None
    status: int = 500
    message: str = "injected fault"
    retry_after: float | None = None
    seconds: float = 0.0
    times: int | None = 1
    """How many requests it affects; None = every matching request."""
    after: int = 0
    """Let this many matching requests through first (e.g. fail the second page of a walk)."""
    fired: int = field(default=0, compare=False)
    passed: int = field(default=0, compare=False)
    items: int = field(default=0, compare=False)
    """`observe`: list items served so far."""
    seen: list[str] = field(default_factory=list, compare=False)
    """`observe`: the method and path (with query) of every request it saw."""

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """`kind=status,status=529,path=/users,times=3` → a Fault (for the CLI)."""
        values: dict[str, Any] = {}
        known = {f.name: f for f in fields(cls) if f.name not in ("fired", "passed", "items", "seen")}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, _, raw = part.partition("=")
            if name not in known:
                raise ValueError(f"unknown fault field {name!r}; fields: {', '.join(known)}")
            if name in ("status", "times", "after"):
                values[name] = None if raw in ("", "none") else int(raw)
            elif name in ("retry_after", "seconds"):
                values[name] = float(raw)
            else:
                values[name] = raw
        if values.get("kind") not in _KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(_KINDS)}")
        return cls(**values)


class FaultPlan:
    """The faults in force. Thread-safe: tests add faults from outside the server's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str, query: str = "") -> Fault | None:
        """The first fault that applies to this request, counted as fired."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.passed < fault.after:
                        fault.passed += 1
                        continue
                    fault.fired += 1
                    if fault.kind == "observe":
                        fault.seen.append(f"{method} {path}{'?' + query if query else ''}")
                    return fault
        return None


class FaultMiddleware:
    """Outermost layer of the sandbox app: applies `state.faults` before anything else runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        plan: FaultPlan = scope["app"].state.sandbox.faults
        fault = plan.take(scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"))
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "status":
            await _error(fault, send)
        elif fault.kind == "latency":
            await anyio.sleep(fault.seconds)
            await self.app(scope, receive, send)
        elif fault.kind == "malformed":
            await _respond(send, 200, b'{"data": [ {"id": ', {"content-type": "application/json"})
        else:
            await self.app(scope, receive, _Mangler(fault, send))


async def _respond(
    send: Send, status: int, body: bytes, headers: dict[str, str], request_id: str = ""
) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    raw += [
        (b"content-length", str(len(body)).encode()),
        (b"request-id", (request_id or new_request_id()).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _error(fault: Fault, send: Send) -> None:
    request_id = new_request_id()  # the same in the header and the body, as on every error
    body = ApiError(fault.status, fault.message).body(request_id)
    headers = {"content-type": "application/json"}
    if fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after:g}"
    await _respond(send, fault.status, json.dumps(body).encode(), headers, request_id)


class _Mangler:
    """Wraps `send` to cut, drop or trickle the response body."""

    def __init__(self, fault: Fault, send: Send) -> None:
        self.fault, self.send = fault, send
        self.start: Message | None = None
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body"):
            return
        assert self.start is not None
        headers = [(k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await self.send({**self.start, "headers": headers})
        kind = self.fault.kind
        if kind == "observe":
            try:
                data = json.loads(self.body).get("data")
                self.fault.items += len(data) if isinstance(data, list) else 0
            except (ValueError, AttributeError):
                pass
            await self.send({"type": "http.response.body", "body": self.body})
            return
        if kind == "drop":
            raise ConnectionAbortedError("injected fault: connection dropped")
        if kind == "truncated":
            await self.send(
                {"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True}
            )
            raise ConnectionAbortedError("injected fault: body truncated")
        chunks = max(1, min(20, len(self.body)))
        step = -(-len(self.body) // chunks)
        for offset in range(0, len(self.body), step):
            await anyio.sleep(self.fault.seconds / chunks)
            more = offset + step < len(self.body)
            await self.send(
                {"type": "http.response.body", "body": self.body[offset : offset + step], "more_body": more}
            )
