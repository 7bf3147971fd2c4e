"""A write, from request to audit line: guard, preview, ask, apply once, record.

1. `decide` (the tool's resolver, run before the body on every round) reads current state into a
   `Preview` and applies the guards: the workspace allowlist, and refusals current state already
   shows. Then it either asks the human (an `Elicit` with the preview, in both protocol eras) or,
   for a client that cannot be asked, hands the body a `Gate` for the token path.
2. `run_write` (the tool body) acts on the answer: a wrong typed confirmation, a decline or a cancel
   changes nothing; a yes writes a `confirmed` audit line, sends the request (a non-idempotent one is
   never retried once it may have reached the API), and records `applied` or `failed`.

A retried confirmation cannot apply twice: a token is claimed once under the audit log's lock, and
an elicitation answer only counts for the exact preview shown, which a write changes.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mcp.server.mcpserver import AcceptedElicitation, CancelledElicitation, Context, Elicit
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from . import rendering
from .admin_api import ApiError, ApiUnreachable
from .confirmation import (
    TOKEN_TTL_SECONDS,
    TokenError,
    elicitation_message,
    elicitation_schema,
    preview_digest,
)
from .confirmation import typed_matches as _typed_matches
from .execution import call_api_response, check_shape
from .reader import ApiReader
from .redaction import redact
from .registry import Operation, Preview
from .round_trips import REQUEST_STATE_TTL_SECONDS, take_round_trip
from .state import AppState, app_state
from .tool_errors import api_error_text, unreachable_text

log = logging.getLogger(__name__)

Outcome = Literal[
    "applied", "needs_confirmation", "nothing_to_do", "declined", "cancelled", "mismatch", "refused"
]


@dataclass(frozen=True)
class Gate:
    """What `decide` hands the body when no question is put to the human."""

    kind: Literal["refused", "nothing_to_do", "token", "failed"]
    preview: Preview | None = None
    reason: str = ""


class PreviewStash:
    """Previews computed by the resolver, kept for the body of the same request (bounded)."""

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


def can_elicit(ctx: Context[Any, Any]) -> bool:
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    # A bare `elicitation: {}` (before modes existed) means form support; url-only does not.
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def _allowlist_refusal(state: AppState, preview: Preview) -> str | None:
    allowed = set(state.settings.allow_workspaces)
    if not allowed:
        return None
    if preview.creates_workspace:
        return "this server may only change the allowed workspaces, and a new workspace is not one of them"
    outside = sorted(preview.workspaces - allowed)
    if outside:
        allowed_text = ", ".join(sorted(allowed))
        return f"this server may only change workspaces {allowed_text}; this touches {', '.join(outside)}"
    return None


async def decide(op: Operation, args: BaseModel, ctx: Context[Any, Any]) -> Gate | Elicit[Any]:
    state = app_state(ctx)
    assert op.preview is not None
    try:
        preview = await op.preview(ApiReader(state.api, state.clock), args)
    except ApiError as exc:
        return Gate("failed", reason=api_error_text(op, exc, state.credential))
    except ApiUnreachable as exc:
        return Gate("failed", reason=unreachable_text(op, exc))
    if (refusal := _allowlist_refusal(state, preview) or preview.refusal) is not None:
        return Gate("refused", preview, refusal)
    if preview.nothing_to_do is not None:
        return Gate("nothing_to_do", preview, preview.nothing_to_do)
    if not can_elicit(ctx):
        return Gate("token", preview)
    organization = await state.organization()
    state.previews.put(ctx.request_id, preview)
    label = f"{organization.get('name', 'the organization')} ({organization.get('id', '?')})"
    return Elicit(elicitation_message(preview, label), elicitation_schema(preview))


async def audit_invalid(op: Operation, raw: dict[str, Any], message: str, ctx: Context[Any, Any]) -> None:
    """A write refused for its arguments is still a write attempt, and is recorded."""
    state = app_state(ctx)
    shown = {k: v for k, v in raw.items() if k != "confirmation_token"}
    text = json.dumps(shown, default=str, ensure_ascii=False)
    await state.audit.append(
        {
            "tool": op.name,
            "arguments": shown if len(text) <= 2000 else {"truncated": text[:2000]},
            "credential": state.credential.kind,
            "organization_id": (state._organization or {}).get("id"),
            "outcome": "invalid",
            "detail": message.split("\n", 1)[-1][:500],
        }
    )


def audit_arguments(args: BaseModel) -> dict[str, Any]:
    return args.model_dump(mode="json", exclude={"confirmation_token"}, exclude_none=True)


class WriteRun:
    """One write call's context: the state, what to audit, and how to answer."""

    def __init__(self, op: Operation, args: BaseModel, state: AppState) -> None:
        self.op, self.args, self.state = op, args, state
        self.arguments = audit_arguments(args)

    async def audit(self, outcome: str, **fields: Any) -> None:
        organization = await self.state.organization()
        entry = {
            "tool": self.op.name,
            "arguments": self.arguments,
            "credential": self.state.credential.kind,
            "organization_id": organization.get("id"),
            "outcome": outcome,
            **{k: v for k, v in fields.items() if v is not None},
        }
        try:
            await self.state.audit.append(entry)
        except OSError as exc:
            # Refuse to pretend: a write we cannot record is reported loudly.
            log.error("cannot write the audit log %s: %s", self.state.audit.path, exc)
            raise

    async def claim(self, confirmation_id: str, via: str, window: float) -> bool:
        """Record `confirmed` for this confirmation, unless it was already used (see AuditLog.claim)."""
        organization = await self.state.organization()
        entry = {
            "tool": self.op.name,
            "arguments": self.arguments,
            "credential": self.state.credential.kind,
            "organization_id": organization.get("id"),
            "outcome": "confirmed",
            "via": via,
        }
        return await self.state.audit.claim(confirmation_id, entry, window_seconds=window)

    def answer(
        self,
        outcome: Outcome,
        text: str,
        *,
        preview: Preview | None = None,
        result: dict[str, Any] | None = None,
        token: str | None = None,
        expires: int | None = None,
        request_id: str | None = None,
        error: bool = False,
    ) -> CallToolResult:
        structured = {
            "outcome": outcome,
            "applied": outcome == "applied",
            "message": text.split("\n", 1)[0],
            "preview": preview.text() if preview is not None else None,
            "result": result,
            "confirmation_token": token,
            "token_expires_at": (
                datetime.fromtimestamp(expires, UTC).isoformat().replace("+00:00", "Z") if expires else None
            ),
            "request_id": request_id,
        }
        return CallToolResult(
            content=[TextContent(type="text", text=redact(text))],
            structured_content=structured,
            is_error=error,
        )

    def failure(self, text: str) -> CallToolResult:
        return CallToolResult(content=[TextContent(type="text", text=redact(text))], is_error=True)


async def run_write(op: Operation, args: BaseModel, decision: Any, ctx: Context[Any, Any]) -> CallToolResult:
    state = app_state(ctx)
    run = WriteRun(op, args, state)
    if isinstance(decision, CancelledElicitation):
        state.previews.take(ctx.request_id)
        await run.audit("cancelled")
        return run.answer("cancelled", "Not applied: the confirmation was cancelled. Nothing changed.")
    if not isinstance(decision, AcceptedElicitation):
        state.previews.take(ctx.request_id)
        await run.audit("declined")
        return run.answer("declined", "Not applied: the user declined. Nothing changed.")
    if isinstance(decision.data, Gate):
        return await _run_gate(run, decision.data, ctx)
    preview = state.previews.take(ctx.request_id)
    if preview is None:
        return run.failure(f"{op.name}: the preview of this change was lost; call again to be asked afresh.")
    answer = decision.data
    if preview.confirm_text is not None:
        typed = str(getattr(answer, "confirm", ""))
        if not _typed_matches(typed, preview.confirm_text):
            await run.audit("mismatch", detail=f"typed {typed[:80]!r}")
            return run.answer(
                "mismatch",
                f"Not applied: the confirmation typed ({typed[:80]!r}) does not match "
                f"{preview.confirm_text!r}. Nothing changed.",
                preview=preview,
            )
    elif not getattr(answer, "approve", False):
        await run.audit("declined")
        return run.answer(
            "declined", "Not applied: the user did not approve. Nothing changed.", preview=preview
        )
    round_trip = take_round_trip()
    if round_trip is None:
        # Handshake era: the question was asked within this very call, so it cannot be a resend.
        await run.audit("confirmed", via="elicitation")
    elif not await run.claim(round_trip, "elicitation", REQUEST_STATE_TTL_SECONDS + 60):
        await run.audit("token_rejected", detail="a resent confirmation round", confirmation_id=round_trip)
        return run.failure(
            "Not applied: this confirmation was already used (the same answer was sent twice). "
            "Call again to be asked afresh."
        )
    return await _apply(run, preview)


async def _run_gate(run: WriteRun, gate: Gate, ctx: Context[Any, Any]) -> CallToolResult:
    op = run.op
    if gate.kind == "failed":
        await run.audit("failed", detail=gate.reason.split("\n", 1)[0])
        return run.failure(gate.reason)
    assert gate.preview is not None
    preview = gate.preview
    if gate.kind == "refused":
        await run.audit("refused", detail=gate.reason)
        return run.answer(
            "refused",
            f"Refused: {gate.reason}. Nothing changed.\n{preview.text()}",
            preview=preview,
            error=True,
        )
    if gate.kind == "nothing_to_do":
        await run.audit("nothing_to_do", detail=gate.reason)
        return run.answer("nothing_to_do", f"Nothing to do: {gate.reason}. Nothing changed.", preview=preview)
    token = getattr(run.args, "confirmation_token", None)
    digest = preview_digest(preview)
    tokens = run.state.tokens
    if token is None:
        return await _ask_for_token(run, preview, digest, "")
    try:
        claims = tokens.verify(token, op.name, run.arguments)
    except TokenError as exc:
        await run.audit("token_rejected", detail=str(exc))
        return run.failure(f"Not applied: {exc}. Nothing changed.")
    if claims.preview != digest:
        await run.audit(
            "token_rejected", detail="the organization changed since the preview", token_nonce=claims.nonce
        )
        return await _ask_for_token(
            run,
            preview,
            digest,
            "The organization changed since that preview, so the token no longer applies. ",
        )
    if not await run.claim(claims.nonce, "token", TOKEN_TTL_SECONDS + 60):
        await run.audit("token_rejected", detail="already used", confirmation_id=claims.nonce)
        return run.failure("Not applied: that confirmation_token was already used; a token applies once.")
    return await _apply(run, preview)


async def _ask_for_token(run: WriteRun, preview: Preview, digest: str, lead: str) -> CallToolResult:
    token, claims = run.state.tokens.issue(run.op.name, run.arguments, digest)
    await run.audit("pending", detail="confirmation token issued", confirmation_id=claims.nonce)
    minutes = TOKEN_TTL_SECONDS // 60
    text = (
        f"Not applied yet: {lead}this change needs the user's approval.\n{preview.text()}\n"
        f"Show the user this preview. Only if they approve, call {run.op.name} again with the same arguments "
        f'plus confirmation_token="{token}" (single use, expires in {minutes} minutes).'
    )
    return run.answer("needs_confirmation", text, preview=preview, token=token, expires=claims.expires)


async def _apply(run: WriteRun, preview: Preview) -> CallToolResult:
    op = run.op
    try:
        response = await call_api_response(op, run.args, run.state)
    except ApiError as exc:
        await run.audit("failed", request_id=exc.request_id, detail=f"{exc.error_type} (HTTP {exc.status})")
        return run.failure(api_error_text(op, exc, run.state.credential))
    except ApiUnreachable as exc:
        await run.audit("failed", detail=f"unknown outcome: {exc.reason}")
        return run.failure(unreachable_text(op, exc, change_sent=True))
    result = check_shape(op, response.data) if response.data is not None else None
    await run.audit("applied", request_id=response.request_id)
    rid = f" [request_id={response.request_id}]" if response.request_id else ""
    text = f"Applied: {preview.action}.{rid}"
    if result is not None:
        text += "\n" + rendering.fields(result, op.columns, op.formats)
    return run.answer("applied", text, preview=preview, result=result, request_id=response.request_id)
