"""Rate limits: the organization's (`/v1/organizations/rate_limits`) and per-workspace overrides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import ApiObject, Arguments, WorkspaceId
from .models import WORKSPACES, Workspace

GroupType = Literal["model_group", "batch", "token_count", "files", "skills", "web_search"]
LimiterType = Literal[
    "requests_per_minute",
    "input_tokens_per_minute",
    "output_tokens_per_minute",
    "input_tokens_per_minute_cache_aware",
    "tokens_per_minute",
    "tokens_per_day",
    "tool_uses_per_second",
    "fast_itpmca",
    "fast_otpm",
]


class RateLimit(ApiObject):
    id: str | None = None
    group_type: str | None = None
    models: list[str] | None = None
    limits: list[dict[str, Any]]


class WorkspaceRateLimit(ApiObject):
    rate_limit_id: str
    workspace_id: str
    group_type: str | None = None
    models: list[str] | None = None
    limits: list[dict[str, Any]]


class ListRateLimits(Arguments):
    group_type: GroupType | None = None
    model: str | None = Field(None, description="Only the group holding this model id or alias.")


class ListWorkspaceRateLimits(Arguments):
    workspace_id: WorkspaceId
    group_type: GroupType | None = None
    include_inherited: bool = Field(False, description="Also the org limits the workspace inherits.")


class LimitValue(Arguments):
    type: LimiterType
    value: int | None = Field(ge=0, le=2**53 - 1, description="null clears the override.")


class UpdateWorkspaceRateLimit(Arguments):
    workspace_id: WorkspaceId
    rate_limit_id: str = Field(pattern=r"^rl_[A-Za-z0-9]+$", description="id from list_rate_limits")
    limits: list[LimitValue] = Field(min_length=1, max_length=16)


def limits_text(limits: list[dict[str, Any]]) -> str:
    """ "requests_per_minute 4,000 (org 4,000), …": each limiter with the org limit beside it."""
    parts = []
    for limit in limits:
        value = limit.get("value")
        text = f"{limit.get('type')} {value:,}" if isinstance(value, int) else f"{limit.get('type')} -"
        if isinstance(limit.get("org_limit"), int) and limit.get("org_limit") != value:
            text += f" (org {limit['org_limit']:,})"
        parts.append(text)
    return ", ".join(parts)


def models_text(models: list[str]) -> str:
    return ", ".join(models[:4]) + (f" (+{len(models) - 4})" if len(models) > 4 else "")


_FORMATS: dict[str, Callable[[Any], str]] = {"limits": limits_text, "models": models_text}


def _value(limits: list[dict[str, Any]], kind: str, key: str = "value") -> Any:
    return next((limit.get(key) for limit in limits if limit.get("type") == kind), None)


async def _preview_update(api: Reader, args: UpdateWorkspaceRateLimit) -> Preview:
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    entries = await api.all(
        WorkspaceRateLimit, f"{WORKSPACES}/{args.workspace_id}/rate_limits", include_inherited=True
    )
    entry = next((e for e in entries if e.rate_limit_id == args.rate_limit_id), None)
    scope = frozenset({workspace.id})
    group = (entry.model_extra or {}).get("group") if entry is not None else None
    label = (group or {}).get("display_name") or (entry.group_type if entry else None) or args.rate_limit_id
    action = f"Set rate limits of {label} in workspace {workspace.name}"
    if workspace.archived_at:
        return Preview(action, refusal="the workspace is archived", workspaces=scope)
    if entry is None:
        return Preview(
            action, refusal=f"no rate-limit group {args.rate_limit_id}; list_rate_limits shows them"
        )
    current = entry.limits
    changes, tighter = [], False
    for limit in args.limits:
        before = _value(current, limit.type)
        org = _value(current, limit.type, "org_limit")
        source = (_value(current, limit.type, "source") or {}).get("type")
        shown_before = f"{before:,}" if isinstance(before, int) else "no limit"
        inherited = " (inherited)" if source == "organization" else ""
        after = "org limit" if limit.value is None else f"{limit.value:,}"
        if limit.value is not None and isinstance(org, int) and limit.value > org:
            after += f" (above the org limit {org:,}, which still applies)"
        changes.append(f"{limit.type}: {shown_before}{inherited} → {after}")
        effective_before = before if isinstance(before, int) else org
        if limit.value is not None and (
            not isinstance(effective_before, int) or limit.value < effective_before
        ):
            tighter = True
    details = [*changes, "Changes take effect within about an hour."]
    if tighter:
        details.append("This lowers what the workspace may use: requests over it will get 429 errors.")
    return Preview(
        action,
        details=tuple(details),
        confirm_text=workspace.name if tighter else None,
        workspaces=scope,
    )


OPERATIONS = [
    Operation(
        name="list_rate_limits",
        title="List organization rate limits",
        description="The organization's rate limits per group (model family, batch, files, …), with "
        "models and limits (requests/tokens per minute…). model= finds the group for one model.",
        toolset="rate_limits",
        method="GET",
        path="/v1/organizations/rate_limits",
        input=ListRateLimits,
        output=RateLimit,
        pagination="page_token",
        columns=("id", "group.display_name", "group_type", "models", "limits"),
        formats=_FORMATS,
        not_found_hint="No rate-limit group holds that model; list without model= to see them all.",
    ),
    Operation(
        name="list_workspace_rate_limits",
        title="List workspace rate limits",
        description="A workspace's rate-limit overrides, each with the org limit beside it "
        "(include_inherited adds the org limits it inherits).",
        toolset="rate_limits",
        method="GET",
        path=WORKSPACES + "/{workspace_id}/rate_limits",
        input=ListWorkspaceRateLimits,
        output=WorkspaceRateLimit,
        pagination="page_token",
        columns=("rate_limit_id", "group.display_name", "group_type", "limits"),
        empty_hint="No overrides: the workspace inherits the organization's limits (list_rate_limits shows "
        "them; include_inherited=true lists them here).",
        formats=_FORMATS,
        not_found_hint="No workspace has that id; list_workspaces finds them.",
    ),
    Operation(
        name="update_workspace_rate_limit",
        title="Set workspace rate limits",
        description="Cap or raise a workspace's rate limits (requests or tokens per minute) for one group, "
        "e.g. Sonnet (rate_limit_id from list_rate_limits); null clears. Lowering a limit: the "
        "user types the workspace name.",
        toolset="rate_limits",
        method="POST",
        path=WORKSPACES + "/{workspace_id}/rate_limits/{rate_limit_id}",
        input=UpdateWorkspaceRateLimit,
        output=WorkspaceRateLimit,
        destructive=True,
        idempotent=True,
        preview=_preview_update,
        columns=("rate_limit_id", "workspace_id", "limits"),
        formats=_FORMATS,
        not_found_hint="The workspace or the rate-limit group does not exist; list_rate_limits shows groups.",
    ),
]
