"""What confirmation adds to a run's shared state: the audit log, keys, claims, approvals in flight."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import Context

from ..catalog.preview import Preview
from ..runtime.state import RunState
from .approvals import ApprovalBook
from .audit import AuditLog
from .browser import open_in_browser
from .claims import Claims
from .tokens import ConfirmationTokens


class PreviewStash:
    """Previews computed by a write's resolver, kept for the body of the same request (bounded)."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[str, Preview] = OrderedDict()
        self._size = size

    def put(self, key: str, preview: Preview) -> None:
        self._items[key] = preview
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def take(self, key: str) -> Preview | None:
        return self._items.pop(key, None)


@dataclass
class ServerState(RunState):
    audit: AuditLog = field(kw_only=True)
    tokens: ConfirmationTokens = field(kw_only=True)
    claims: Claims = field(kw_only=True)
    approvals: ApprovalBook = field(kw_only=True)
    previews: PreviewStash = field(default_factory=PreviewStash, kw_only=True)

    open_page: Callable[[str], Awaitable[bool]] = field(default=open_in_browser, kw_only=True)
    """Opens the approval page in the user's browser (stdio); False where there is none."""


def server_state(ctx: Context[Any, Any]) -> ServerState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, ServerState):
        raise RuntimeError("the server was started without its lifespan")
    return state


def session_key(ctx: Context[Any, Any]) -> str:
    """Which MCP session asked: approvals are bound to it. Over HTTP in the 2025-11-25 era, the
    session id; a 2026-07-28 HTTP client has no session, and shares the server's bearer secret with
    every client; over stdio one client holds the process (in memory, the program that made it)."""
    request = ctx.request_context.request
    headers = getattr(request, "headers", None)
    if headers is not None:
        session = headers.get("mcp-session-id")
        return f"http:{session}" if session else "http"
    return "local"
