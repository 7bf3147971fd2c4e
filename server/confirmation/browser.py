"""The page and url channels: the human decides on the server's approval page, in a browser.

- `url`: the client declared URL-mode elicitation; it is handed the page's URL (2025-11-25: an
  `elicitation/create` in URL mode, then `elicitation/complete` when decided; 2026-07-28: a
  URL-elicitation-required error the client shows).
- `page`: any other client. The server opens the page in the user's browser itself when it runs on
  the user's desktop (stdio), or hands the link to the agent to show the user.

Either way the tool call waits up to `approval_wait_seconds` with progress, then answers with the
outcome, or `pending_approval`; the same write called again, or `get_approval`, reports the outcome
later. The page's POST applies exactly the previewed change, once (the approval is claimed in the
claims store), or shows the new preview if the organization changed meanwhile.
"""

from __future__ import annotations

import logging
import time
import webbrowser
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import UrlElicitationRequiredError
from mcp.types import ElicitRequestURLParams

from .approvals import APPROVAL_TTL_SECONDS, Approval
from .form import typed_matches
from .tokens import preview_digest

log = logging.getLogger(__name__)

Decision = Literal["approve", "decline"]


async def open_in_browser(url: str) -> bool:
    """Ask the desktop to open `url` in the user's browser; False where there is none to ask."""
    try:
        return await anyio.to_thread.run_sync(webbrowser.open, url)
    except webbrowser.Error:
        return False


async def wait(approval: Approval, seconds: float, ctx: Context[Any, Any]) -> bool:
    """Wait for the human's decision, with progress about once a second; True once decided."""
    deadline = time.monotonic() + seconds
    while not approval.decided.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        with anyio.move_on_after(min(1.0, left)):
            await approval.decided.wait()
        waited = seconds - max(0.0, deadline - time.monotonic())
        await ctx.report_progress(waited, seconds, "waiting for the user's decision on the approval page")
    return True


def url_required(approval: Approval, url: str, message: str) -> UrlElicitationRequiredError:
    """2026-07-28: a request cannot wait for a push; the client is told to open the page."""
    params = ElicitRequestURLParams(message=message, url=url, elicitation_id=approval.id)
    return UrlElicitationRequiredError(
        [params], message="Open the approval page to approve or decline this change"
    )


async def decide(approval: Approval, decision: Decision, typed: str, approver: str | None) -> None:
    """The human's answer from the page: settles the approval (or, if the organization changed since
    the page was shown, refreshes its preview and leaves it pending). Never applies twice."""
    run = approval.run
    if approval.status != "pending" or approval.in_flight:
        return
    if approval.expired():
        approval.settle("expired", "Not applied: nobody decided within 5 minutes. Nothing changed.")
        await run.audit("expired", confirmation_id=approval.id)
        return
    if decision == "decline":
        approval.settle("declined", "Not applied: the user declined on the approval page. Nothing changed.")
        await run.audit("declined", via="page", confirmation_id=approval.id, approver=approver)
        return
    approval.in_flight = True
    try:
        fresh = await run.review()
        if preview_digest(fresh) != approval.digest:
            approval.preview, approval.digest, approval.changed = fresh, preview_digest(fresh), True
            if fresh.refusal is not None or fresh.nothing_to_do is not None:
                reason = fresh.refusal or fresh.nothing_to_do
                approval.settle(
                    "declined", f"Not applied: the organization changed: {reason}. Nothing changed."
                )
            return
        if fresh.confirm_text is not None and not typed_matches(typed, fresh.confirm_text):
            await run.audit(
                "mismatch", via="page", detail=f"typed {typed[:80]!r}", confirmation_id=approval.id
            )
            approval.message = (
                f"What was typed does not match {fresh.confirm_text!r}; nothing changed. Try again."
            )
            return
        if not await run.claim(approval.id, "page", APPROVAL_TTL_SECONDS + 60, approver=approver):
            return
        outcome = await run.send(fresh, "page", approver)
        content = outcome.structured_content or {}
        message = "\n".join(getattr(block, "text", "") for block in outcome.content)
        if outcome.is_error:
            approval.settle("failed", message)
        else:
            approval.settle(
                "applied",
                message,
                result=content.get("result"),
                request_id=content.get("request_id"),
                approver=approver,
            )
    finally:
        approval.in_flight = False


Opener = Callable[[str], Awaitable[bool]]
