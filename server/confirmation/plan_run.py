"""A plan through the write flow: previewed as one, approved once, applied change by change.

The plan's preview is built afresh from current state and from the plan's journal, so what the
human approves is what applying does: changes already so, refused, or applied by an earlier run of
the same plan are listed and not sent. Applying records each change in the journal before and after
its request, and writes one audit line per change, each carrying the plan's approval id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel

from ..api.errors import ApiError, ApiUnreachable
from ..catalog.operation import Operation
from ..catalog.plan import Task
from ..catalog.preview import Preview, one_line
from ..catalog.secrets import SecretSourceError
from ..runtime.failures import api_error_text
from ..runtime.plans import PlanInvalid, PlanItem, PlanPreview, compose, plan_key, previewed
from ..runtime.requests import send
from .flow import Outcome, WriteRun, apply_run, audit_entry, decide_run
from .journal import Entry, PlanJournal
from .state import ServerState, server_state

SHOWN_APPLIED = 10
"""Applied changes named in the answer's text (every one is in the audit log); others all shown."""


class PlanRun(WriteRun):
    def __init__(
        self, task: Task, args: BaseModel, state: ServerState, ctx: Context[Any, Any] | None
    ) -> None:
        super().__init__(task.name, args, state)
        self.task = task
        self.ctx = ctx
        self.plan = ""
        """The key of the plan being applied (set when applying starts)."""

    def journal(self, key: str) -> PlanJournal:
        return PlanJournal(self.state.settings.state_dir / "plans", key)

    async def review(self) -> PlanPreview:
        reader = self.state.reader()
        try:
            draft = await self.task.build(reader, self.args)
        except LookupError as exc:
            raise PlanInvalid(str(exc).strip("'\"")) from None
        items = await previewed(draft, self.state.operations, self.state.credential, reader)
        key = plan_key(self.name, self.arguments, (await self.state.organization()).id)
        journal = self.journal(key).read()
        return compose(draft, [_journaled(item, journal) for item in items], key)

    def failure_text(self, exc: ApiError | ApiUnreachable) -> str:
        if isinstance(exc, ApiError):
            rid = f" [request_id={exc.request_id}]" if exc.request_id else ""
            return (
                f"{self.name} could not read the organization to build the plan: {exc.error_type} "
                f"(HTTP {exc.status}): {exc.message}{rid}. Nothing changed."
            )
        return f"{self.name} could not reach the Admin API to build the plan: {exc.reason}. Nothing changed."

    async def send(self, preview: Preview, via: str, approver: str | None = None) -> CallToolResult:
        assert isinstance(preview, PlanPreview)
        on_failure = getattr(self.args, "on_failure", "stop")
        journal = self.journal(preview.key)
        self.plan = preview.key
        stopped = False
        outcomes: list[dict[str, Any]] = []
        total = len(preview.pending)
        done = 0
        for item in preview.items:
            if item.status != "change":
                outcome = {"already": "nothing_to_do", "refused": "refused", "done": "nothing_to_do"}.get(
                    item.status, "in_doubt"
                )
                outcomes.append(await self._settle(item, outcome, via, approver, message=item.note))
                continue
            if stopped:
                message = "not sent: an earlier change failed (on_failure=stop)"
                outcomes.append(await self._settle(item, "skipped", via, approver, message=message))
                continue
            outcomes.append(await self._apply(item, journal, via, approver))
            if outcomes[-1]["outcome"] == "failed" and on_failure == "stop":
                stopped = True
            done += 1
            if self.ctx is not None and via in ("form", "token"):
                await self.ctx.report_progress(done, total, f"{done} of {total} changes sent")
        return self._answer(preview, outcomes)

    async def _apply(
        self, item: PlanItem, journal: PlanJournal, via: str, approver: str | None
    ) -> dict[str, Any]:
        await journal.record(item.key, "sending")
        try:
            response = await send(item.op, item.args, self.state)
        except ApiError as exc:
            await journal.record(item.key, "failed", exc.request_id)
            message = api_error_text(item.op, exc, self.state.credential).split("\n", 1)[0]
            return await self._settle(
                item, "failed", via, approver, message=message, request_id=exc.request_id
            )
        except ApiUnreachable as exc:
            # The journal keeps "sending": whether it reached the API is unknown.
            message = f"outcome unknown: {exc.reason}"
            return await self._settle(item, "failed", via, approver, message=message)
        except SecretSourceError as exc:
            await journal.record(item.key, "failed")
            return await self._settle(item, "failed", via, approver, message=f"not sent: {exc}")
        await journal.record(item.key, "applied", response.request_id)
        kept = _kept(item.op, response.data)
        return await self._settle(
            item, "applied", via, approver, message=kept, request_id=response.request_id
        )

    async def _settle(
        self,
        item: PlanItem,
        outcome: str,
        via: str,
        approver: str | None,
        *,
        message: str = "",
        request_id: str | None = None,
    ) -> dict[str, Any]:
        entry = audit_entry(
            item.op.name,
            item.arguments,
            self.state,
            outcome,
            via=via,
            approver=approver,
            confirmation_id=self.confirmation_id,
            plan=self.plan,
            plan_tool=self.name,
            plan_item=item.number,
            request_id=request_id,
            detail=message[:500] or None,
        )
        await self.state.audit.append(entry)
        return {
            "number": item.number,
            "tool": item.op.name,
            "action": item.preview.action,
            "outcome": outcome,
            "message": message,
            "request_id": request_id,
        }

    def _answer(self, preview: PlanPreview, outcomes: list[dict[str, Any]]) -> CallToolResult:
        counts = Counter(o["outcome"] for o in outcomes)
        applied = counts.get("applied", 0)
        troubled = counts.get("failed", 0) + counts.get("skipped", 0) + counts.get("in_doubt", 0)
        overall: Outcome = "applied" if not troubled else "partial" if applied else "failed"
        said = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        lines = [
            f"{preview.title}: {applied} of {len(preview.pending)} changes applied ({said}). "
            f"Plan {preview.key}; every change has its line in the audit log."
        ]
        shown = 0
        for o in outcomes:
            if o["outcome"] == "applied" and not o["message"]:  # an applied change with news is always shown
                shown += 1
                if shown > SHOWN_APPLIED:
                    continue
            rid = f" [request_id={o['request_id']}]" if o["request_id"] else ""
            why = f": {one_line(o['message'], 300)}" if o["message"] else ""
            lines.append(f"{o['number']}. {o['outcome'].replace('_', ' ')}: {o['action']}{why}{rid}")
        if shown > SHOWN_APPLIED:
            lines.append(f"(+{shown - SHOWN_APPLIED} more applied)")
        if troubled:
            lines.append("Applying the same plan again sends only what is left.")
        result = {
            "plan": preview.key,
            "counts": dict(counts),
            "problems": [o for o in outcomes if o["outcome"] in ("failed", "skipped", "in_doubt")],
        }
        # The preview is not repeated: the human saw it, and a plan's is long.
        return self.answer(overall, "\n".join(lines), item=result, error=bool(troubled))


async def decide(task: Task, args: BaseModel, ctx: Context[Any, Any]) -> Any:
    return await decide_run(PlanRun(task, args, server_state(ctx), ctx), ctx)


async def apply(task: Task, args: BaseModel, decision: Any, ctx: Context[Any, Any]) -> CallToolResult:
    return await apply_run(PlanRun(task, args, server_state(ctx), ctx), decision, ctx)


def _journaled(item: PlanItem, journal: Mapping[str, Entry]) -> PlanItem:
    """The item as the plan's journal leaves it: never sent twice."""
    entry = journal.get(item.key)
    if entry is None or item.status != "change":
        return item
    if entry.step == "applied":
        rid = f" [request_id={entry.request_id}]" if entry.request_id else ""
        return replace(item, status="done", note=f"{item.preview.action}{rid}")
    if entry.step == "sending" and not item.op.is_idempotent:
        note = (
            f"{item.preview.action}: sent before the server stopped, outcome unknown; check it, and "
            "apply it on its own if it did not happen"
        )
        return replace(item, status="in_doubt", note=note)
    return item  # failed before, or idempotent: sending it again cannot change anything twice


def _kept(op: Operation, data: Any) -> str:
    """Where a secret the API returned once went (its file), for the plan's answer; "" if none."""
    spec = op.secret_returned
    if spec is None or not isinstance(data, dict):
        return ""
    noun = spec.field.replace("_", " ")
    path = data.get(f"{spec.field}_file")
    if path:
        return f"its {noun} is in {path} (mode 0600, only the user reads it; never shown)"
    return f"its {noun}: {data.get(f'{spec.field}_error') or 'not returned'}"
