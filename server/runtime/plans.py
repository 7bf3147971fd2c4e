"""A plan's changes, checked and previewed as one: what the human approves before any is applied.

Every change is validated as its own tool would validate it (name, credential, arguments), then
previewed by its own operation's preview against current state, all through one reader: the lists
the changes share are read once (a walk of the members for fifty role changes, not fifty reads).
What is already so, or what the API would refuse, is said up front and never sent.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from ..api.client import fill_path
from ..api.credentials.base import Credential
from ..api.errors import ApiError
from ..catalog.operation import Operation
from ..catalog.plan import PLAN_MAX, Change, Draft
from ..catalog.preview import Preview, one_line
from .reader import ApiReader

Status = Literal["change", "already", "refused", "done", "in_doubt"]
"""change: will be sent; already: current state already matches; refused: the API would refuse it;
done: this plan applied it before; in_doubt: this plan sent it and stopped before the answer came
(never sent twice unless repeating it cannot change anything twice)."""

WARM_MIN = 3
"""From this many changes on one kind of object, their list is walked once instead of reading each."""

_NOUNS = {
    "user_id": ("member", "members"),
    "api_key_id": ("API key", "API keys"),
    "invite_id": ("invite", "invites"),
    "workspace_id": ("workspace", "workspaces"),
    "service_account_id": ("service account", "service accounts"),
}


class PlanInvalid(ValueError):
    """The plan cannot be previewed as asked (its changes are wrong); nothing was sent."""


@dataclass(frozen=True)
class PlanItem:
    number: int
    """1-based, in the order the plan applies."""
    op: Operation
    args: BaseModel
    arguments: dict[str, Any]
    preview: Preview
    key: str
    """Stable for the same tool and arguments: what the plan's journal records."""
    status: Status = "change"
    note: str = ""
    """Why it is not sent (already so, refused, done, in doubt)."""

    def line(self) -> str:
        if self.status == "change":
            return f"{self.number}. {self.preview.action}"
        label = {
            "already": "already so",
            "refused": "refused, not sent",
            "done": "applied earlier by this plan",
            "in_doubt": "not sent again",
        }[self.status]
        return f"{self.number}. {label}: {self.note}"


@dataclass(frozen=True)
class PlanPreview(Preview):
    """The whole plan as one preview: its lines are the changes, so approving it approves each."""

    items: tuple[PlanItem, ...] = field(default=(), compare=False)
    title: str = ""
    key: str = ""
    """The plan's identity (its journal's name)."""

    def __post_init__(self) -> None:
        # A plan shows every change (a person approves each); lines are made one visible line.
        object.__setattr__(self, "action", one_line(self.action))
        object.__setattr__(self, "details", tuple(one_line(line) for line in self.details))
        for name in ("nothing_to_do", "refusal"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, one_line(value))

    @property
    def pending(self) -> tuple[PlanItem, ...]:
        return tuple(item for item in self.items if item.status == "change")


def change_key(tool: str, arguments: Mapping[str, Any]) -> str:
    text = json.dumps([tool, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def plan_key(task: str, arguments: Mapping[str, Any], organization: str | None = None) -> str:
    """One plan, whoever asks for it again: the organization, the task and its arguments (not how
    failures are handled)."""
    kept = {k: v for k, v in arguments.items() if k not in ("on_failure", "confirmation_token")}
    return change_key(f"{organization}:{task}", kept)


def target_of(args: BaseModel) -> tuple[str, tuple[str, ...]]:
    """What a change acts on: the values of its id arguments (`user_id`, `workspace_id`, ...), and
    the kind of the last of them (a member added to a workspace is a member)."""
    names = [name for name in type(args).model_fields if name.endswith("_id") or name == "email"]
    present = [name for name in names if getattr(args, name) is not None]
    return (present[-1] if present else ""), tuple(str(getattr(args, name)) for name in present)


def checked_changes(
    changes: Sequence[Change], operations: Mapping[str, Operation], credential: Credential
) -> list[tuple[Operation, BaseModel, dict[str, Any]]]:
    """Each change as its tool would take it, or PlanInvalid saying every problem at once."""
    if not changes:
        raise PlanInvalid("the plan has no changes")
    if len(changes) > PLAN_MAX:
        raise PlanInvalid(
            f"the plan has {len(changes)} changes; one plan takes at most {PLAN_MAX} (split it, and "
            "approve each part)"
        )
    problems: list[str] = []
    checked: list[tuple[Operation, BaseModel, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    targets: dict[tuple[str, tuple[str, ...]], int] = {}
    for number, change in enumerate(changes, 1):
        op = operations.get(change.tool)
        if op is None or op.read_only:
            problems.append(f"change {number}: {one_line(change.tool, 60)!r} is not a write tool")
            continue
        if op.upload is not None:
            problems.append(f"change {number} ({op.name}) sends local files: call it on its own")
            continue
        refusal = credential.refusal(op)
        if refusal is not None:
            problems.append(f"change {number} ({op.name}): {refusal.reason}: {refusal.explanation}")
            continue
        try:
            args = op.input.model_validate(change.arguments)
        except ValidationError as exc:
            said = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()[:3]
            )
            problems.append(f"change {number} ({op.name}): {said}")
            continue
        arguments = args.model_dump(mode="json", exclude_none=True)
        key = change_key(op.name, arguments)
        if key in seen:
            problems.append(f"change {number} repeats change {seen[key]}")
            continue
        seen[key] = number
        _, ids = target_of(args)
        target = (op.name, ids)
        if ids and target in targets:
            problems.append(
                f"changes {targets[target]} and {number} both apply {op.name} to "
                f"{', '.join(target[1])}: keep one"
            )
            continue
        targets[target] = number
        checked.append((op, args, arguments))
    if problems:
        shown = problems[:10] + ([f"(+{len(problems) - 10} more)"] if len(problems) > 10 else [])
        raise PlanInvalid("; ".join(shown))
    return checked


async def warm(reader: ApiReader, checked: Iterable[tuple[Operation, BaseModel, dict[str, Any]]]) -> None:
    """Reads once, as lists, the objects many changes' previews would each read by id."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for op, args, _ in checked:
        if not op.path_params:
            continue
        last = op.path_params[-1]
        head, _, tail = op.path.rpartition("/")
        if tail != "{" + last + "}":
            continue  # e.g. /users/{user_id}/sign_out: the object is the one before the verb
        collection = fill_path(head, {name: str(getattr(args, name)) for name in op.path_params[:-1]})
        wanted[collection].add(str(getattr(args, last)))
    for collection, ids in wanted.items():
        if len(ids) >= WARM_MIN and reader.lists(collection):
            await reader.index(collection, ids)


async def previewed(
    draft: Draft, operations: Mapping[str, Operation], credential: Credential, reader: ApiReader
) -> list[PlanItem]:
    checked = checked_changes(draft.changes, operations, credential)
    await warm(reader, checked)
    items = []
    for number, (op, args, arguments) in enumerate(checked, 1):
        assert op.preview is not None
        try:
            preview = await op.preview(reader, args)
        except ApiError as exc:
            if exc.status != 404:
                raise
            # Gone since it was planned (another admin, an earlier change): said, never sent.
            said = ", ".join(f"{name} {value}" for name, value in arguments.items())
            preview = Preview(f"{op.title}: {said}", refusal=f"not found ({exc.message})")
        item = PlanItem(number, op, args, arguments, preview, change_key(op.name, arguments))
        if preview.refusal is not None:
            item = replace(item, status="refused", note=f"{preview.action} ({preview.refusal})")
        elif preview.nothing_to_do is not None:
            item = replace(item, status="already", note=preview.nothing_to_do)
        items.append(item)
    return items


def compose(draft: Draft, items: Sequence[PlanItem], key: str = "") -> PlanPreview:
    """The plan's one preview: a headline with totals, a line per change, what each destructive
    change takes with it, and the union of what the allowlist checks."""
    pending = [item for item in items if item.status == "change"]
    kinds = Counter(item.op.title for item in pending)
    totals = ", ".join(f"{count} × {title}" for title, count in kinds.items()) or "nothing to apply"
    others = Counter(item.status for item in items if item.status != "change")
    said = {"already": "already so", "refused": "refused", "done": "applied earlier", "in_doubt": "in doubt"}
    rest = "".join(f"; {count} {said[status]}" for status, count in others.items())
    action = f"{draft.title}: {len(pending)} change{'s' if len(pending) != 1 else ''} ({totals}){rest}"
    details: list[str] = []
    for item in items:
        details.append(item.line())
        if item.status == "change" and item.op.destructive:
            details.extend(f"   {line}" for line in item.preview.details)
    details.extend(draft.notes)
    touched = [item.preview for item in pending]
    workspaces = frozenset().union(*(p.workspaces for p in touched)) if touched else frozenset()
    refusal = nothing = None
    if not pending:
        if others.get("refused") and len(others) == 1:
            refusal = "every change of the plan would be refused"
        else:
            nothing = "every change of the plan is already so or cannot be sent"
    return PlanPreview(
        action=action,
        details=tuple(details),
        confirm_text=draft.confirm_text or scale(pending),
        workspaces=workspaces,
        creates_workspace=any(p.creates_workspace for p in touched),
        organization_wide=any(p.organization_wide for p in touched),
        all_workspaces=any(p.all_workspaces for p in touched),
        nothing_to_do=nothing,
        refusal=refusal,
        items=tuple(items),
        title=draft.title,
        key=key,
    )


def scale(pending: Sequence[PlanItem]) -> str:
    """What the human types: how many of what the plan changes, e.g. "23 members"."""
    targets = [target_of(item.args) for item in pending]
    kinds = {kind for kind, _ in targets}
    if len(kinds) == 1 and (kind := kinds.pop()) in _NOUNS:
        singular, plural = _NOUNS[kind]
        count = len({ids[-1] for _, ids in targets})
    else:
        singular, plural = "change", "changes"
        count = len(pending)
    return f"{count} {singular if count == 1 else plural}"
