"""A write, from request to audit line: guard, preview, ask through a channel, apply once, record.

1. `decide` (the tool's resolver, run before the body on every round) reports an approval this
   session already has for the same write; otherwise reads current state into a `Preview`, applies
   the guards (the allowlist, refusals current state already shows), and picks the first channel of
   `confirm_via` the client can use: `form` asks now (an `Elicit`, both protocol eras); `url`,
   `page` and `token` hand the body a `Gate`.
2. `apply` (the tool body) acts on it: a wrong typed confirmation, a decline or a cancel changes
   nothing; the browser channels wait for the page; the token channel checks its token. A yes is
   claimed once (the claims store), recorded `confirmed` with its channel and approver, sent (a
   non-idempotent request is never retried once it may have reached the API), and recorded
   `applied` or `failed`.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mcp.server.mcpserver import AcceptedElicitation, CancelledElicitation, Context, Elicit
from mcp.types import CallToolResult
from pydantic import BaseModel

from ..api.client import FilePart
from ..api.errors import ApiError, ApiUnreachable
from ..catalog.operation import Operation
from ..catalog.preview import Preview, one_line
from ..catalog.secrets import SecretSourceError
from ..runtime import rendering, uploads
from ..runtime.failures import api_error_text, unreachable_text
from ..runtime.plans import PlanInvalid
from ..runtime.requests import checked, send
from ..runtime.results import failure, result
from . import browser
from .approvals import Approval
from .form import elicitation_message, elicitation_schema, typed_matches
from .guards import allowlist_refusal
from .round_trips import REQUEST_STATE_TTL_SECONDS, take_round_trip
from .state import ServerState, server_state, session_key
from .tokens import TOKEN_TTL_SECONDS, TokenError, preview_digest

log = logging.getLogger(__name__)

Outcome = Literal[
    "applied",
    "needs_confirmation",
    "pending_approval",
    "nothing_to_do",
    "declined",
    "cancelled",
    "mismatch",
    "refused",
    "expired",
    "failed",
    "partial",
]
Channel = Literal["form", "url", "page", "token"]
_OUTCOMES: dict[str, Outcome] = {
    "applied": "applied",
    "declined": "declined",
    "expired": "expired",
    "failed": "failed",
}


@dataclass(frozen=True)
class Gate:
    """What `decide` hands the body when no question is put to the human right away."""

    kind: Literal["refused", "nothing_to_do", "token", "page", "url", "existing", "failed", "invalid"]
    preview: Preview | None = None
    reason: str = ""
    approval: Approval | None = None


def channel_for(confirm_via: tuple[str, ...], ctx: Context[Any, Any]) -> Channel | None:
    """The first channel of `confirm_via` this client can use."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    for channel in confirm_via:
        # A bare `elicitation: {}` (before modes existed) means form support; url-only does not.
        if channel == "form" and elicitation is not None and (elicitation.form or elicitation.url is None):
            return "form"
        if channel == "url" and elicitation is not None and elicitation.url is not None:
            return "url"
        if channel in ("page", "token"):
            return "page" if channel == "page" else "token"
    return None


async def decide(op: Operation, args: BaseModel, ctx: Context[Any, Any]) -> Gate | Elicit[Any]:
    return await decide_run(OperationRun(op, args, server_state(ctx)), ctx)


async def decide_run(run: WriteRun, ctx: Context[Any, Any]) -> Gate | Elicit[Any]:
    """Any write (one operation, or a plan of many): report an approval this session already has,
    else preview, guard, and ask through the first channel the client can use."""
    state = run.state
    existing = state.approvals.latest_for(session_key(ctx), run.name, run.arguments)
    if existing is not None and getattr(run.args, "confirmation_token", None) is None:
        return Gate("existing", existing.preview, approval=existing)
    try:
        preview = await run.review()
    except PlanInvalid as exc:
        return Gate("invalid", reason=f"Not applied: {run.name}: {exc}. Nothing changed.")
    except (ApiError, ApiUnreachable) as exc:
        return Gate("failed", reason=run.failure_text(exc))
    if (refusal := allowlist_refusal(state.settings, preview) or preview.refusal) is not None:
        return Gate("refused", preview, refusal)
    if preview.nothing_to_do is not None:
        return Gate("nothing_to_do", preview, preview.nothing_to_do)
    channel = channel_for(state.settings.confirm_via, ctx)
    if channel is None:
        reason = (
            f"no approval channel of confirm_via ({', '.join(state.settings.confirm_via)}) works with this "
            "client; an administrator can add page"
        )
        return Gate("refused", preview, reason)
    if channel != "form":
        return Gate(channel, preview)
    organization = await state.organization()
    state.previews.put(ctx.request_id, preview)
    label = f"{one_line(organization.name, 120)} ({organization.id or '?'})"
    return Elicit(elicitation_message(preview, label), elicitation_schema(preview))


def write_arguments(args: BaseModel) -> dict[str, Any]:
    """A write's arguments as a token binds them and the audit log records them: no token itself."""
    return args.model_dump(mode="json", exclude={"confirmation_token"}, exclude_none=True)


def audit_entry(
    tool: str, arguments: dict[str, Any], state: ServerState, outcome: str, **fields: Any
) -> dict[str, Any]:
    """The one shape of an audit line (the log adds the time and the chain)."""
    organization = state.known_organization
    shown = {key: value for key, value in arguments.items() if key != "confirmation_token"}
    text = json.dumps(shown, default=str, ensure_ascii=False)
    return {
        "tool": tool,
        "arguments": shown if len(text) <= 2000 else {"truncated": text[:2000]},
        "credential": state.credential.kind,
        "organization_id": organization.id if organization is not None else None,
        "outcome": outcome,
        **({"sandbox": True} if state.settings.sandbox else {}),
        **{key: value for key, value in fields.items() if value is not None},
    }


async def audit_invalid(
    tool: str, raw: dict[str, Any], message: str, ctx: Context[Any, Any], outcome: str = "invalid"
) -> None:
    """A write refused for its arguments (or its approval's answer) is still a write attempt, and is
    recorded."""
    state = server_state(ctx)
    detail = message.split("\n", 1)[-1][:500]
    await state.audit.append(audit_entry(tool, raw, state, outcome, detail=detail))


class WriteRun:
    """One write call's context: the state, what to audit, how to preview, apply and answer.

    `OperationRun` is one operation's write; a plan's run applies many (`plan_run.PlanRun`)."""

    def __init__(self, name: str, args: BaseModel, state: ServerState) -> None:
        self.name, self.args, self.state = name, args, state
        self.arguments = write_arguments(args)
        self.confirmation_id: str | None = None
        """The approval this write was applied under, once claimed (plans stamp every item with it)."""

    async def audit(self, outcome: str, **fields: Any) -> None:
        await self.state.organization()  # audit lines carry the organization's id
        try:
            entry = audit_entry(self.name, self.arguments, self.state, outcome, **fields)
            await self.state.audit.append(entry)
        except OSError as exc:
            # Refuse to pretend: a write we cannot record is reported loudly.
            log.error("cannot write the audit log %s: %s", self.state.audit.path, exc)
            raise

    async def claim(self, confirmation_id: str, via: str, window: float, **fields: Any) -> bool:
        """Record `confirmed` for this confirmation unless it was already used: one claim each."""
        if not await self.state.claims.claim(confirmation_id, window):
            await self.audit(
                "token_rejected", detail="already used", confirmation_id=confirmation_id, via=via
            )
            return False
        self.confirmation_id = confirmation_id
        await self.audit("confirmed", via=via, confirmation_id=confirmation_id, **fields)
        return True

    async def review(self) -> Preview:
        """The preview read from current state (again, when a browser approval is decided later)."""
        raise NotImplementedError

    async def send(self, preview: Preview, via: str, approver: str | None = None) -> CallToolResult:
        """Apply what `preview` shows, once approved; audit and answer."""
        raise NotImplementedError

    def failure_text(self, exc: ApiError | ApiUnreachable) -> str:
        raise NotImplementedError

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
        approval_id: str | None = None,
        approval_url: str | None = None,
        error: bool = False,
    ) -> CallToolResult:
        structured = {
            "outcome": outcome,
            "applied": outcome == "applied",
            "message": text.split("\n", 1)[0],
            "preview": preview.text() if preview is not None else None,
            "result": item,
            "confirmation_token": token,
            "token_expires_at": _stamp(expires),
            "request_id": request_id,
            "approval_id": approval_id,
            "approval_url": approval_url,
        }
        # What does not apply is left out (the output schema declares those fields without null).
        return result(text, {k: v for k, v in structured.items() if v is not None}, error=error)


class OperationRun(WriteRun):
    """One operation's write: its preview, its one request."""

    def __init__(self, op: Operation, args: BaseModel, state: ServerState) -> None:
        super().__init__(op.name, args, state)
        self.op = op

    async def review(self) -> Preview:
        assert self.op.preview is not None
        reader = self.state.reader()
        upload = self.op.upload
        if upload is None:
            return await self.op.preview(reader, self.args)
        given = str(getattr(self.args, upload.field))
        try:
            payload = await uploads.load(upload, given, self.state.settings.transport)
        except uploads.UploadError as exc:
            return Preview(f"{self.op.title} from {one_line(given, 200)}", refusal=str(exc))
        reader.uploading = payload.sent
        preview = await self.op.preview(reader, self.args)
        if preview.refusal is not None:  # nothing is sent, so nothing of what the path holds is said
            return preview
        return uploads.shown(preview, payload.sent)

    def failure_text(self, exc: ApiError | ApiUnreachable) -> str:
        if isinstance(exc, ApiError):
            return api_error_text(self.op, exc, self.state.credential)
        return unreachable_text(self.op, exc)

    async def _files(self, preview: Preview) -> tuple[FilePart, ...] | str:
        """An upload's parts as approved, or why nothing may be sent (the file changed or went)."""
        upload = self.op.upload
        if upload is None:
            return ()
        given = str(getattr(self.args, upload.field))
        try:
            payload = await uploads.load(upload, given, self.state.settings.transport)
        except uploads.UploadError as exc:
            return str(exc)
        if payload.sent.sha256 != preview.upload_sha256:
            return (
                f"{payload.sent.path} changed since the preview was approved (SHA-256 now "
                f"{payload.sent.sha256}); call again to preview what it holds now"
            )
        return payload.parts

    async def send(self, preview: Preview, via: str, approver: str | None = None) -> CallToolResult:
        op = self.op
        files = await self._files(preview)
        if isinstance(files, str):
            await self.audit("failed", detail=f"not sent: {files}"[:500])
            return failure(f"Not applied: {op.name}: {files}. Nothing was sent.")
        try:
            response = await send(op, self.args, self.state, files)
        except ApiError as exc:
            await self.audit(
                "failed", request_id=exc.request_id, detail=f"{exc.error_type} (HTTP {exc.status})"
            )
            return failure(api_error_text(op, exc, self.state.credential))
        except ApiUnreachable as exc:
            await self.audit("failed", detail=f"unknown outcome: {exc.reason}")
            return failure(unreachable_text(op, exc, change_sent=True))
        except SecretSourceError as exc:  # gone or changed since the preview read it
            await self.audit("failed", detail=f"not sent: {exc}")
            return failure(f"Not applied: {op.name}: {exc}. Nothing was sent.")
        item = checked(op, response.data) if response.data is not None else None
        await self.audit("applied", request_id=response.request_id, via=via, approver=approver)
        rid = f" [request_id={response.request_id}]" if response.request_id else ""
        text = f"Applied: {preview.action}.{rid}"
        if item is not None:
            text += "\n" + rendering.fields(item, op.columns, op.formats)
        return self.answer("applied", text, preview=preview, item=item, request_id=response.request_id)


def _stamp(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z") if epoch else None


async def apply(op: Operation, args: BaseModel, decision: Any, ctx: Context[Any, Any]) -> CallToolResult:
    return await apply_run(OperationRun(op, args, server_state(ctx)), decision, ctx)


async def apply_run(run: WriteRun, decision: Any, ctx: Context[Any, Any]) -> CallToolResult:
    state = run.state
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
        return failure(f"{run.name}: the preview of this change was lost; call again to be asked afresh.")
    answer = decision.data
    if preview.confirm_text is not None:
        typed = str(getattr(answer, "confirm", ""))
        if not typed_matches(typed, preview.confirm_text):
            await run.audit("mismatch", detail=f"typed {typed[:80]!r}")
            return run.answer(
                "mismatch",
                f"Not applied: the confirmation typed ({one_line(typed, 80)!r}) does not match "
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
        run.confirmation_id = secrets.token_urlsafe(12)
        await run.audit("confirmed", via="form", confirmation_id=run.confirmation_id)
    elif not await run.claim(round_trip, "form", REQUEST_STATE_TTL_SECONDS + 60):
        return failure(
            "Not applied: this confirmation was already used (the same answer was sent twice). "
            "Call again to be asked afresh."
        )
    return await run.send(preview, "form")


async def _run_gate(run: WriteRun, gate: Gate, ctx: Context[Any, Any]) -> CallToolResult:
    if gate.kind in ("failed", "invalid"):
        await run.audit(gate.kind, detail=gate.reason.split("\n", 1)[0])
        return failure(gate.reason)
    if gate.kind == "existing":
        assert gate.approval is not None
        return await _report(run, gate.approval, "")
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
    if gate.kind in ("page", "url"):
        return await _by_browser(run, preview, "page" if gate.kind == "page" else "url", ctx)
    return await _by_token(run, preview)


async def _by_browser(
    run: WriteRun, preview: Preview, channel: Literal["page", "url"], ctx: Context[Any, Any]
) -> CallToolResult:
    state = run.state
    organization = await state.organization()
    approval = state.approvals.open(
        tool=run.name,
        arguments=run.arguments,
        preview=preview,
        digest=preview_digest(preview),
        organization=f"{organization.name} ({organization.id or '?'})",
        credential=f"{state.credential.kind} from {state.credential.source}",
        session=session_key(ctx),
        channel=channel,
        run=run,
    )
    url = await state.approvals.url(approval)
    await run.audit("pending", via=channel, detail="approval page opened", confirmation_id=approval.id)
    message = f"Approve or decline on the approval page: {one_line(preview.action)}"
    handed = url
    if channel == "url":
        if ctx.protocol_version is not None and ctx.session.can_send_request:
            accepted = await ctx.elicit_url(message, url, approval.id)
            if accepted.action != "accept":
                approval.settle(
                    "declined", "Not applied: the user did not open the approval page. Nothing changed."
                )
                await run.audit("declined", via="url", confirmation_id=approval.id)
                return await _report(run, approval, "")
            handed = ""
        else:
            raise browser.url_required(approval, url, message)
    elif state.settings.transport == "stdio" and state.settings.approval_open_browser:
        handed = "" if await state.open_page(url) else url
    if await browser.wait(approval, state.settings.approval_wait_seconds, ctx) and channel == "url":
        await ctx.session.send_elicit_complete(approval.id)
    return await _report(run, approval, handed)


async def _report(run: WriteRun, approval: Approval, handed_url: str) -> CallToolResult:
    """The approval's outcome for the agent, once; or that it is still pending."""
    fresh = run.state.approvals.get(approval.id) or approval
    if fresh.status == "pending":
        where = (
            f"Show the user this link to the approval page: {handed_url}"
            if handed_url
            else "The approval page is open in the user's browser."
        )
        text = (
            f"Waiting for the user's decision: {fresh.preview.action}.\n{where}\n"
            f"Nothing is applied until they approve there (within 5 minutes). get_approval with "
            f"approval_id {fresh.id} (or this same call) tells the outcome; do not ask again meanwhile."
        )
        return run.answer(
            "pending_approval",
            text,
            preview=fresh.preview,
            approval_id=fresh.id,
            approval_url=handed_url or None,
        )
    fresh.reported = True
    return run.answer(
        _OUTCOMES.get(fresh.status, "failed"),
        fresh.message,
        preview=fresh.preview,
        item=fresh.result,
        request_id=fresh.request_id,
        approval_id=fresh.id,
        error=fresh.status == "failed",
    )


async def _by_token(run: WriteRun, preview: Preview) -> CallToolResult:
    token = getattr(run.args, "confirmation_token", None)
    digest = preview_digest(preview)
    if token is None:
        return await _ask_for_token(run, preview, digest, "")
    try:
        claims = run.state.tokens.verify(token, run.name, run.arguments)
    except TokenError as exc:
        await run.audit("token_rejected", detail=str(exc))
        return failure(f"Not applied: {exc}. Nothing changed.")
    if claims.preview != digest:
        await run.audit(
            "token_rejected", detail="the organization changed since the preview", token_nonce=claims.nonce
        )
        lead = "The organization changed since that preview, so the token no longer applies. "
        return await _ask_for_token(run, preview, digest, lead)
    # Only the administrator's opt-in lets a token through: the line says no human was checked.
    if not await run.claim(claims.nonce, "token", TOKEN_TTL_SECONDS + 60, human_check=False):
        return failure("Not applied: that confirmation_token was already used; a token applies once.")
    return await run.send(preview, "token")


async def _ask_for_token(run: WriteRun, preview: Preview, digest: str, lead: str) -> CallToolResult:
    token, claims = run.state.tokens.issue(run.name, run.arguments, digest)
    await run.audit("pending", via="token", detail="confirmation token issued", confirmation_id=claims.nonce)
    minutes = TOKEN_TTL_SECONDS // 60
    text = (
        f"Not applied yet: {lead}this change needs the user's approval.\n{preview.text()}\n"
        f"Show the user this preview. Only if they approve, call {run.name} again with the same arguments "
        f'plus confirmation_token="{token}" (single use, expires in {minutes} minutes).'
    )
    return run.answer("needs_confirmation", text, preview=preview, token=token, expires=claims.expires)
