"""What confirmation adds to a run's shared state: the audit log, the token key, previews in flight."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import Context

from ..catalog.preview import Preview
from ..runtime.state import RunState
from .audit import AuditLog
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
    previews: PreviewStash = field(default_factory=PreviewStash, kw_only=True)


def server_state(ctx: Context[Any, Any]) -> ServerState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, ServerState):
        raise RuntimeError("the server was started without its lifespan")
    return state
