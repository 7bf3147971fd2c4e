"""What a write shows the human before it happens, and the read access previews have to build it.

Previews are written in `tools/` against `Reader`, a read-only view of the API that validates what
it reads into the area's own models, so a preview says `user.role`, never `user["role"]`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from .files import SentFiles

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

    async def index(self, path: str, ids: set[str], **query: Any) -> dict[str, dict[str, Any]]:
        """The items of a list whose ids are in `ids`, by id, walking it only as far as needed (one
        request a page, not one per item); ids it did not reach are left out."""
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

    def secret_names(self, file: str | None, env: Mapping[str, str] | None) -> list[str]:
        """The names of the secret values the human left for the server (`file` in its secrets
        folder, `env` {name: variable}), never the values; `SecretSourceError` says what is wrong."""
        ...

    def sent_files(self) -> SentFiles | None:
        """What an upload write read from its local path (None for every other write)."""
        ...


LINE_MAX = 400
"""The longest line a preview shows; the rest of a value is cut, never allowed to push lines away."""
DETAILS_MAX = 40
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": " "}


def one_line(text: str, limit: int = LINE_MAX) -> str:
    """`text` as one visible line: line breaks and other control characters escaped, bidi overrides
    and zero-width characters shown as escapes (they could reorder or hide what a human reads), and
    cut at `limit`. API data and model-chosen arguments pass through here wherever a human reads them."""
    if text.isprintable() and len(text) <= limit:
        return text
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable() and unicodedata.category(ch) != "Cf":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    cleaned = "".join(out)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def invisible_free(text: str) -> str:
    """`text` without the characters a human cannot see or type (format characters)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


@dataclass(frozen=True)
class Preview:
    """What a write would change, read from current state, shown to the human before it happens.

    Every line is made one visible line when the preview is made (`one_line`), so no value in it,
    from the API or from the model, can forge a line of its own or push the real change out of sight.
    """

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
    organization_wide: bool = False
    """The write changes the organization as a whole (a member's org role, an invite, a removal, a
    sign-out, a service account), not one workspace: an allowlist must name `org` for it."""
    all_workspaces: bool = False
    """The write reaches every workspace (a federation rule for all workspaces)."""
    upload_sha256: str | None = None
    """An upload's SHA-256 as read for this preview: the files are sent only if they still hash so."""

    def __post_init__(self) -> None:
        details = [one_line(line) for line in self.details[:DETAILS_MAX]]
        if len(self.details) > DETAILS_MAX:
            details.append(f"(+{len(self.details) - DETAILS_MAX} more lines)")
        object.__setattr__(self, "action", one_line(self.action))
        object.__setattr__(self, "details", tuple(details))
        for name in ("nothing_to_do", "refusal"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, one_line(value))

    def text(self) -> str:
        return "\n".join([self.action, *(f"- {line}" for line in self.details)])


PreviewFn = Callable[[Reader, Any], Awaitable[Preview]]
"""Reads current state through the `Reader` and describes the write its (validated) arguments ask."""
