"""Approvals waiting for a human in a browser (the page and url channels).

An approval is one previewed write, for one MCP session, decided on the approval page within five
minutes: its id (192 random bits) is in the page's URL, and is the only handle on it; the page's
form carries a CSRF token that also travels in a SameSite=Strict cookie. Nothing the agent is given
(the id, the URL, a tool result) can decide it: deciding takes a browser that loaded the page, and
with `approval_factor = "passkey"` an enrolled approver's passkey too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import anyio
from mcp.types import CallToolResult

from ..catalog.preview import Preview

APPROVAL_TTL_SECONDS = 300
"""How long a page approval may be decided (and a confirmation token used)."""
_KEEP = 512
"""Approvals remembered (decided ones are kept so that their outcome can still be reported)."""

Status = Literal["pending", "applied", "declined", "expired", "failed"]


class Run(Protocol):
    """The write an approval stands for, as the page needs it (a `flow.WriteRun`)."""

    async def audit(self, outcome: str, **fields: Any) -> None: ...

    async def claim(self, confirmation_id: str, via: str, window: float, **fields: Any) -> bool: ...

    async def review(self) -> Preview:
        """The preview read afresh from the organization's current state."""
        ...

    async def send(self, preview: Preview, via: str, approver: str | None = None) -> CallToolResult: ...


@dataclass
class Approval:
    id: str
    tool: str
    """The write tool (one operation's, or a plan's)."""
    arguments: dict[str, Any]
    preview: Preview
    digest: str
    organization: str
    credential: str
    session: str
    channel: Literal["page", "url"]
    run: Run = field(repr=False)
    created: float
    expires: float
    page_secret: str = field(repr=False, default_factory=lambda: secrets.token_urlsafe(32))
    challenge: bytes | None = field(repr=False, default=None)
    """The current passkey challenge, when the factor is on."""
    status: Status = "pending"
    message: str = ""
    """What happened, in a sentence (for the page and for the agent)."""
    result: dict[str, Any] | None = None
    request_id: str | None = None
    approver: str | None = None
    changed: bool = False
    """The organization changed since the page was shown: the page shows the new preview."""
    reported: bool = False
    """The agent has been told the final outcome."""
    decided: anyio.Event = field(default_factory=anyio.Event, repr=False)
    in_flight: bool = False

    def csrf(self) -> str:
        """The page's CSRF token: bound to this approval, useless for any other."""
        return hmac.new(self.page_secret.encode(), b"csrf:" + self.id.encode(), hashlib.sha256).hexdigest()

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) > self.expires

    def settle(self, status: Status, message: str, **outcome: Any) -> None:
        self.status, self.message = status, message
        for name, value in outcome.items():
            setattr(self, name, value)
        self.decided.set()


class ApprovalBook:
    """This server's approvals, in memory (an approval lives five minutes, and dies with the process).

    `url_base` gives the approval page's base URL, starting its listener on first need (stdio), or
    naming the HTTP server's own (streamable HTTP)."""

    def __init__(self, ttl: float = APPROVAL_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._approvals: OrderedDict[str, Approval] = OrderedDict()
        self.listing_key = secrets.token_urlsafe(24)
        """In the URL of the page listing pending approvals (only approval pages link to it)."""
        self.url_base: Callable[[], Awaitable[str]] | None = None

    def open(self, **fields: Any) -> Approval:
        now = time.time()
        approval = Approval(id=secrets.token_urlsafe(24), created=now, expires=now + self.ttl, **fields)
        self._approvals[approval.id] = approval
        while len(self._approvals) > _KEEP:
            self._approvals.popitem(last=False)
        return approval

    def get(self, approval_id: str) -> Approval | None:
        approval = self._approvals.get(approval_id)
        if approval is not None and approval.status == "pending" and approval.expired():
            approval.settle("expired", "Not applied: nobody decided within 5 minutes. Nothing changed.")
        return approval

    def latest_for(self, session: str, tool: str, arguments: dict[str, Any]) -> Approval | None:
        """The newest approval of this session for this exact write whose outcome the agent has not
        been told: calling the same write again reports it rather than asking twice."""
        for approval in reversed(self._approvals.values()):
            if approval.session == session and approval.tool == tool and approval.arguments == arguments:
                current = self.get(approval.id)
                return current if current is not None and not current.reported else None
        return None

    def pending(self) -> list[Approval]:
        return [a for a in list(self._approvals.values()) if (self.get(a.id) or a).status == "pending"]

    async def url(self, approval: Approval) -> str:
        if self.url_base is None:
            raise RuntimeError("the approval page has no listener")
        return f"{await self.url_base()}/approve/{approval.id}"

    async def listing_url(self) -> str:
        if self.url_base is None:
            raise RuntimeError("the approval page has no listener")
        return f"{await self.url_base()}/approvals/{self.listing_key}"
