"""What one server run shares between tool calls: settings, credential, API client, audit, tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context

from .admin_api import AdminApi, ApiError, ApiUnreachable
from .audit import AuditLog
from .config import Settings
from .confirmation import ConfirmationTokens
from .credentials import Credential

if TYPE_CHECKING:
    from .writes import PreviewStash

log = logging.getLogger(__name__)


@dataclass
class AppState:
    settings: Settings
    credential: Credential
    api: AdminApi
    audit: AuditLog
    tokens: ConfirmationTokens
    previews: PreviewStash
    item_costs: dict[tuple[str, tuple[str, ...]], float] = field(default_factory=dict)
    """Typical size of one item per list tool and column choice, learned from results."""
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """Names of ids shown beside report rows (workspace, key, member), read once per run."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """Now, in UTC: what relative report ranges ("last 7 days") are relative to."""
    _organization: dict[str, Any] | None = field(default=None, repr=False)

    async def organization(self) -> dict[str, Any]:
        """The organization (`/v1/organizations/me`), read once per run; audit lines carry its id."""
        if self._organization is None:
            try:
                response = await self.api.get("/v1/organizations/me")
                data = response.data if isinstance(response.data, dict) else {}
                self._organization = {"id": data.get("id"), "name": data.get("name")}
            except (ApiError, ApiUnreachable) as exc:
                log.warning("cannot read the organization: %s", exc)
                return {"id": None, "name": "the organization"}
        return self._organization


def app_state(ctx: Context[Any, Any]) -> AppState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, AppState):
        raise RuntimeError("the server was started without its lifespan")
    return state
