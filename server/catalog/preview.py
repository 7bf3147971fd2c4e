"""What a write shows the human before it happens, and the read access previews have to build it.

Previews are written in `tools/` against `Reader`, a read-only view of the API that validates what
it reads into the area's own models, so a preview says `user.role`, never `user["role"]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class Reader(Protocol):
    """Read access to the Admin API for previews and filters: typed, and reading nothing twice
    within one call."""

    async def get(self, model: type[M], path: str, **query: Any) -> M:
        """One object; raises on API errors (a 404 included)."""
        ...

    async def find(self, model: type[M], path: str, **query: Any) -> M | None:
        """Like `get`, but None when the API says 404."""
        ...

    async def all(self, model: type[M], path: str, **query: Any) -> list[M]:
        """Every item of a list (either pagination style), walked page by page, bounded."""
        ...

    async def page(self, path: str, **query: Any) -> dict[str, Any]:
        """One raw response body, for the few reads that are not a list of one model (reports)."""
        ...

    def now(self) -> datetime:
        """The server's clock (UTC), for ranges such as "the last 30 days"."""
        ...

    def credential_details(self) -> Mapping[str, Any]:
        """Non-secret facts of the credential this server uses (e.g. the federation rule it
        authenticates through), so a preview can say when a change cuts off the server itself."""
        ...


@dataclass(frozen=True)
class Preview:
    """What a write would change, read from current state, shown to the human before it happens."""

    action: str
    """One line: what will happen, e.g. "Change ana@acme.com's org role: developer → billing"."""
    details: tuple[str, ...] = ()
    """The blast radius and context, one fact per line."""
    confirm_text: str | None = None
    """For destructive writes: what the human must type to confirm (an email or a name)."""
    workspaces: frozenset[str] = frozenset()
    """Workspaces the write touches, for the allowlist ("default" for the default workspace)."""
    creates_workspace: bool = False
    nothing_to_do: str | None = None
    """Set when the write would change nothing: the reason, and no confirmation is asked."""
    refusal: str | None = None
    """Set when current state shows the API would refuse: the reason, and no confirmation is asked."""

    def text(self) -> str:
        return "\n".join([self.action, *(f"- {line}" for line in self.details)])


PreviewFn = Callable[[Reader, Any], Awaitable[Preview]]
"""Reads current state through the `Reader` and describes the write its (validated) arguments ask."""
