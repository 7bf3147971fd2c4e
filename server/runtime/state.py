"""What one server run shares between tool calls: settings, credential, API client, inventory."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mcp.server.mcpserver import Context

from ..api.client import AdminApi
from ..api.credentials.base import Credential
from ..api.errors import ApiError, ApiUnreachable
from ..catalog.inventory import Inventory
from ..catalog.operation import Operation
from ..config import Settings
from .reader import ApiReader, ListStyles
from .secret_files import folder_of

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Organization:
    id: str | None
    name: str


@dataclass
class RunState:
    settings: Settings
    credential: Credential
    api: AdminApi
    inventory: Inventory
    styles: ListStyles
    """How each list path pages, for readers."""
    operations: Mapping[str, Operation] = field(default_factory=dict)
    """Every operation by tool name (a plan's changes name them)."""
    clock: Callable[[], datetime] = _utc_now
    """Now, in UTC: what relative report ranges ("last 7 days") are relative to."""
    item_costs: dict[tuple[str, tuple[str, ...]], float] = field(default_factory=dict)
    """Typical size of one item per list tool and column choice, learned from results."""
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """Names of ids shown beside report rows (workspace, key, member), read once per run."""
    known_organization: Organization | None = field(default=None, repr=False)
    """The organization, once read (audit lines carry its id)."""

    def reader(self) -> ApiReader:
        """A reader for one tool call (it remembers what it read until the call ends)."""
        return ApiReader(self.api, self.styles, self.clock, folder_of(self.settings.state_dir))

    async def organization(self) -> Organization:
        """The organization (`/v1/organizations/me`), read once per run."""
        if self.known_organization is None:
            try:
                data = (await self.api.get("/v1/organizations/me")).data
            except (ApiError, ApiUnreachable) as exc:
                log.warning("cannot read the organization: %s", exc)
                return Organization(None, "the organization")
            data = data if isinstance(data, dict) else {}
            self.known_organization = Organization(data.get("id"), str(data.get("name") or "?"))
        return self.known_organization


def run_state(ctx: Context[Any, Any]) -> RunState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, RunState):
        raise RuntimeError("the server was started without its lifespan")
    return state
