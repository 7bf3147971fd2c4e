"""A write, from request to audit line: guard, preview, ask, apply once, record.

1. `decide` (the tool's resolver, run before the body on every round) reads current state into a
   `Preview` and applies the guards: the workspace allowlist, and refusals current state already
   shows. Then it either asks the human (the form channel, in both protocol eras) or, for a client
   that cannot be asked, hands the body a `Gate` for the token channel.
2. `apply` (the tool body) acts on the answer: a wrong typed confirmation, a decline or a cancel
   changes nothing; a yes writes a `confirmed` audit line, sends the request (a non-idempotent one is
   never retried once it may have reached the API), and records `applied` or `failed`.

A retried confirmation cannot apply twice: a token is claimed once under the audit log's lock, and
an elicitation answer only counts for the exact preview shown, which a write changes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mcp.server.mcpserver import AcceptedElicitation, CancelledElicitation, Context, Elicit
from mcp.types import CallToolResult
from pydantic import BaseModel

from ..api.errors import ApiError, ApiUnreachable
from ..catalog.operation import Operation
from ..catalog.preview import Preview
from ..runtime import rendering
from ..runtime.failures import api_error_text, unreachable_text
from ..runtime.requests import checked, send
from ..runtime.results import failure, result
from .form import elicitation_message, elicitation_schema, typed_matches
from .guards import allowlist_refusal
from .round_trips import REQUEST_STATE_TTL_SECONDS, take_round_trip
from .state import ServerState, server_state
from .tokens import TOKEN_TTL_SECONDS, TokenError, preview_digest

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


def can_elicit(ctx: Context[Any, Any]) -> bool:
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    # A bare `elicitation: {}` (before modes existed) means form support; url-only does not.
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


async def decide(op: Operation, args: BaseModel, ctx: Context[Any, Any]) -> Gate | Elicit[Any]:
    state = server_state(ctx)
    assert op.preview is not None
    try:
        preview = await op.preview(state.reader(), args)
    except ApiError as exc:
        return Gate("failed", reason=api_error_text(op, exc, state.credential))
    except ApiUnreachable as exc:
        return Gate("failed", reason=unreachable_text(op, exc))
    if (refusal := allowlist_refusal(state.settings, preview) or preview.refusal) is not None:
        return Gate("refused", preview, refusal)
    if preview.nothing_to_do is not None:
        return Gate("nothing_to_do", preview, preview.nothing_to_do)
    if not can_elicit(ctx):
        return Gate("token", preview)
    organization = await state.organization()
    state.previews.put(ctx.request_id, preview)
    label = f"{organization.name} ({organization.id or '?'})"
    return Elicit(elicitation_message(preview, label), elicitation_schema(preview))


def write_arguments(args: BaseModel) -> dict[str, Any]:
    """A write's arguments as a token binds them and the audit log records them: no token itself."""
    return args.model_dump(mode="json", exclude={"confirmation_token"}, exclude_none=True)


def audit_entry(
    op: Operation, arguments: dict[str, Any], state: ServerState, outcome: str, **fields: Any
) -> dict[str, Any]:
    """The one shape of an audit line (the log adds the time and the chain)."""
    organization = state.known_organization
    shown = {key: value for key, value in arguments.items() if key != "confirmation_token"}
    text = json.dumps(shown, default=str, ensure_ascii=False)
    return {
        "tool": op.name,
        "arguments": shown if len(text) <= 2000 else {"truncated": text[:2000]},
        "credential": state.credential.kind,
        "organization_id": organization.id if organization is not None else None,
        "outcome": outcome,
        **{key: value for key, value in fields.items() if value is not None},
    }


async def audit_invalid(op: Operation, raw: dict[str, Any], message: str, ctx: Context[Any, Any]) -> None:
    """A write refused for its arguments is still a write attempt, and is recorded."""
    state = server_state(ctx)
    detail = message.split("\n", 1)[-1][:500]
    await state.audit.append(audit_entry(op, raw, state, "invalid", detail=detail))


class WriteRun:
    """One write call's context: the state, what to audit, and how to answer."""

    def __init__(self, op: Operation, args: BaseModel, state: ServerState) -> None:
        self.op, self.args, self.state = op, args, state
        self.arguments = write_arguments(args)

    async def audit(self, outcome: str, **fields: Any) -> None:
        await self.state.organization()  # audit lines carry the organization's id
        try:
            await self.state.audit.append(audit_entry(self.op, self.arguments, self.state, outcome, **fields))
        except OSError as exc:
            # Refuse to pretend: a write we cannot record is reported loudly.
            log.error("cannot write the audit log %s: %s", self.state.audit.path, exc)
            raise

    async def claim(self, confirmation_id: str, via: str, window: float) -> bool:
        """Record `confirmed` for this confirmation, unless it was already used (see AuditLog.claim)."""
        await self.state.organization()
        entry = audit_entry(self.op, self.arguments, self.state, "confirmed", via=via)
        return await self.state.audit.claim(confirmation_id, entry, window_seconds=window)

    def answer(
        self,
        outcome: Outcome,
        text: str,
        *,
        preview: Preview | None = None,
        item: dict[str, Any] | None = None,
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
            "result": item,
            "confirmation_token": token,
            "token_expires_at": (
                datetime.fromtimestamp(expires, UTC).isoformat().replace("+00:00", "Z") if expires else None
            ),
            "request_id": request_id,
        }
        return result(text, structured, error=error)


async def apply(op: Operation, args: BaseModel, decision: Any, ctx: Context[Any, Any]) -> CallToolResult:
    state = server_state(ctx)
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
        return await _run_gate(run, decision.data)
    preview = state.previews.take(ctx.request_id)
    if preview is None:
        return failure(f"{op.name}: the preview of this change was lost; call again to be asked afresh.")
    answer = decision.data
    if preview.confirm_text is not None:
        typed = str(getattr(answer, "confirm", ""))
        if not typed_matches(typed, preview.confirm_text):
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
        return failure(
            "Not applied: this confirmation was already used (the same answer was sent twice). "
            "Call again to be asked afresh."
        )
    return await _send(run, preview)


async def _run_gate(run: WriteRun, gate: Gate) -> CallToolResult:
    if gate.kind == "failed":
        await run.audit("failed", detail=gate.reason.split("\n", 1)[0])
        return failure(gate.reason)
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
    if token is None:
        return await _ask_for_token(run, preview, digest, "")
    try:
        claims = run.state.tokens.verify(token, run.op.name, run.arguments)
    except TokenError as exc:
        await run.audit("token_rejected", detail=str(exc))
        return failure(f"Not applied: {exc}. Nothing changed.")
    if claims.preview != digest:
        await run.audit(
            "token_rejected", detail="the organization changed since the preview", token_nonce=claims.nonce
        )
        lead = "The organization changed since that preview, so the token no longer applies. "
        return await _ask_for_token(run, preview, digest, lead)
    if not await run.claim(claims.nonce, "token", TOKEN_TTL_SECONDS + 60):
        await run.audit("token_rejected", detail="already used", confirmation_id=claims.nonce)
        return failure("Not applied: that confirmation_token was already used; a token applies once.")
    return await _send(run, preview)


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


async def _send(run: WriteRun, preview: Preview) -> CallToolResult:
    op = run.op
    try:
        response = await send(op, run.args, run.state)
    except ApiError as exc:
        await run.audit("failed", request_id=exc.request_id, detail=f"{exc.error_type} (HTTP {exc.status})")
        return failure(api_error_text(op, exc, run.state.credential))
    except ApiUnreachable as exc:
        await run.audit("failed", detail=f"unknown outcome: {exc.reason}")
        return failure(unreachable_text(op, exc, change_sent=True))
    item = checked(op, response.data) if response.data is not None else None
    await run.audit("applied", request_id=response.request_id)
    rid = f" [request_id={response.request_id}]" if response.request_id else ""
    text = f"Applied: {preview.action}.{rid}"
    if item is not None:
        text += "\n" + rendering.fields(item, op.columns, op.formats)
    return run.answer("applied", text, preview=preview, item=item, request_id=response.request_id)
