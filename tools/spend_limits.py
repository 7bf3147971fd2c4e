"""Spend limits (`spl_…`), each member's effective limit, and spend-limit increase requests:
`/v1/organizations/spend_limits`, `/v1/organizations/spend_limit_increase_requests`.

The API counts money in cents (the minor unit of the billing currency) as decimal strings
("50000" is $500.00); the tools take US dollars (`amount_usd`) and show `$` text, and a preview
states the cents the API receives. A Claude Console organization caps total spend (`organization`)
and workspaces (monthly, always an amount); a Claude Enterprise organization sets per-member
`user` limits, and its members ask for more with increase requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from claude_admin_mcp.server.catalog.operation import Filter, FromItem, Label, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader
from claude_admin_mcp.server.catalog.time_range import iso

from .common import (
    ApiObject,
    Arguments,
    Deleted,
    IncreaseRequestId,
    SpendLimitId,
    UserId,
    WorkspaceId,
    organization_wide,
    scoped,
    who,
)
from .models import MEMBER, USERS, WORKSPACES, User, Workspace
from .sdk_models import IncreaseRequest, SpendLimit, SpendSummary

SPEND_LIMITS = "/v1/organizations/spend_limits"
EFFECTIVE = SPEND_LIMITS + "/effective"
INCREASE_REQUESTS = "/v1/organizations/spend_limit_increase_requests"
COST_REPORT = "/v1/organizations/cost_report"
READS_BETA = "spend-limit-reads-2026-09-26"
REPORT_LAG = timedelta(minutes=5)
"""How long cost takes to appear in the cost report."""
PAGE_MAX = 100
"""The API states no largest page for these lists: 100 stays within any it may have."""

READ = scoped("read:spend_limits")
WRITE = scoped("write:spend_limits")
NOT_ENABLED = (
    "The organization may not read, set or delete spend limits with an Admin API credential "
    "(spend_limits_admin_api_writes_not_enabled): this is an early-access preview for Console "
    "organizations; ask the Anthropic account team, or change limits in the Console."
)

Period = Literal["daily", "weekly", "monthly"]
ScopeType = Literal[
    "organization", "organization_service", "rbac_group", "seat_tier", "usage_tier", "user", "workspace"
]
Dollars = Annotated[Decimal, Field(ge=0, le=Decimal(10) ** 10, decimal_places=2)]
"""US dollars, to the cent."""
_CENT = Decimal("0.01")
_FIXED = ("usage_tier", "seat_tier", "rbac_group", "organization_service")
"""Limits the API neither sets nor deletes: Anthropic's usage-tier cap, claude.ai's defaults."""
_PERIOD_NOUN = {"daily": "today", "weekly": "this week", "monthly": "this month"}


class _Organization(ApiObject):
    id: str
    name: str


def cents_to_dollars(cents: Decimal) -> Decimal:
    return (cents / 100).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def money(cents: str | Decimal | None, currency: str = "USD") -> str:
    """ "$500.00" for "50000" cents; "no limit" for null."""
    if cents is None:
        return "no limit"
    dollars = cents_to_dollars(Decimal(str(cents)))
    return f"${dollars:,}" if currency == "USD" else f"{dollars:,} {currency}"


def _currency_of(item: Mapping[str, Any]) -> str:
    return str(item.get("currency") or "USD")


def _amount_text(item: Mapping[str, Any]) -> str:
    text = money(item.get("amount"), _currency_of(item))
    return text if item.get("is_enabled", True) else f"{text} (off: extra usage is switched off)"


_SCOPE_NAMES = {"rbac_group": "RBAC group", "seat_tier": "seat tier", "usage_tier": "usage tier"}


def _scope_text(scope: Mapping[str, Any]) -> str:
    """ "RBAC group rbac_group_…", "seat tier standard", "organization"."""
    kind = str(scope.get("type"))
    target = next((str(v) for k, v in scope.items() if k != "type" and v is not None), None)
    name = _SCOPE_NAMES.get(kind, kind.replace("_", " "))
    return name if target is None else f"{name} {target}"


def _source_text(source: Mapping[str, Any]) -> str:
    """Where a member's limit comes from, as the preview says it."""
    return "their own limit" if source.get("type") == "user" else _scope_text(source)


def _scope_kind(item: Mapping[str, Any]) -> str:
    """The scope's kind, with its target unless a labelled column shows it (workspace, user)."""
    scope = item.get("scope") or {}
    return str(scope.get("type")) if scope.get("type") in ("workspace", "user") else _scope_text(scope)


def _used(row: Mapping[str, Any]) -> Decimal | None:
    """The share of the limit spent, in percent (None when there is no limit)."""
    amount = row.get("amount")
    if amount is None:
        return None
    spent = Decimal(str(row.get("period_to_date_spend") or 0))
    return Decimal(100) if Decimal(amount) == 0 else spent * 100 / Decimal(amount)


def _used_text(row: Mapping[str, Any]) -> str:
    share = _used(row)
    return "-" if share is None else f"{share.quantize(Decimal(1))}%"


def _summary_text(item: Mapping[str, Any]) -> str:
    summary = item.get("spend_summary")
    if not isinstance(summary, Mapping):
        return "-"
    currency = str(summary.get("currency") or "USD")
    spent = money(str(summary.get("period_to_date_spend") or 0), currency)
    return f"{spent} of {money(summary.get('amount'), currency)}"


def _keep_used(row: Mapping[str, Any], minimum: Any) -> bool:
    share = _used(row)
    return share is not None and share >= Decimal(str(minimum))


WORKSPACE_NAME = Label(WORKSPACES, {"include_archived": True})
"""A workspace's name beside a limit's workspace id (no `none`: most limits have no workspace)."""
_SPEND_COLUMNS = ("id", "scope", "scope.workspace_id", "scope.user_id", "period", "amount", "updated_at")
_SPEND_FORMATS = {"scope": FromItem(_scope_kind), "amount": FromItem(_amount_text)}
_SPEND_LABELS = {"scope.workspace_id": WORKSPACE_NAME, "scope.user_id": MEMBER}
_REQUEST_COLUMNS = ("id", "actor.email_address", "actor.user_id", "period", "status", "spent", "created_at")
_REQUEST_FORMATS = {"spent": FromItem(_summary_text)}
_LIMIT_404 = "No spend limit has that id; list_spend_limits finds them."
_REQUEST_404 = "No increase request has that id; list_spend_increase_requests finds them."


class ListSpendLimits(Arguments):
    scope_types: list[ScopeType] | None = Field(
        None, serialization_alias="scope_type", description='Only these kinds, e.g. ["workspace"].'
    )
    workspace_id: WorkspaceId | None = Field(None, description="Only this workspace's limits.")


class GetSpendLimit(Arguments):
    spend_limit_id: SpendLimitId


class ListEffective(Arguments):
    periods: list[Period] | None = Field(None, serialization_alias="period")
    user_ids: list[UserId] | None = Field(None, max_length=100)
    min_percent_used: float | None = Field(
        None, ge=0, le=1000, description="Only rows at least this % spent, e.g. 80."
    )


class ListIncreaseRequests(Arguments):
    statuses: list[Literal["pending", "approved", "denied"]] | None = Field(
        None, serialization_alias="status"
    )
    user_ids: list[UserId] | None = Field(
        None, serialization_alias="actor_ids", description="Requests by these members."
    )


class GetIncreaseRequest(Arguments):
    spend_limit_increase_request_id: IncreaseRequestId


OPERATIONS = [
    Operation(
        name="list_spend_limits",
        title="List spend limits",
        description="Spend caps (spl_…) per period, by scope: organization, workspace, member, RBAC group, "
        "seat tier, usage tier. Amounts are cents.",
        toolset="spend_limits",
        method="GET",
        path=SPEND_LIMITS,
        input=ListSpendLimits,
        output=SpendLimit,
        pagination="page_token",
        page_size=PAGE_MAX,
        beta=READS_BETA,
        columns=_SPEND_COLUMNS,
        formats=_SPEND_FORMATS,
        labels=_SPEND_LABELS,
        access=READ,
    ),
    Operation(
        name="get_spend_limit",
        title="Get spend limit",
        description="One spend limit by id (spl_…).",
        toolset="spend_limits",
        method="GET",
        path=SPEND_LIMITS + "/{spend_limit_id}",
        input=GetSpendLimit,
        output=SpendLimit,
        columns=_SPEND_COLUMNS,
        formats=_SPEND_FORMATS,
        labels=_SPEND_LABELS,
        not_found_hint=_LIMIT_404,
        forbidden_hint=NOT_ENABLED,
        access=READ,
    ),
    Operation(
        name="list_effective_spend_limits",
        title="List members' effective spend limits",
        description="Each member's limit per period, where it comes from and spend so far: who is near "
        "their cap (min_percent_used=80). Enterprise.",
        toolset="spend_limits",
        method="GET",
        path=EFFECTIVE,
        input=ListEffective,
        output=SpendSummary,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="spend_limit_id",
        filters={"min_percent_used": Filter(_keep_used)},
        columns=("actor.email_address", "actor.user_id", "period", "amount", "spent", "used", "source"),
        formats={
            "amount": FromItem(lambda row: money(row.get("amount"), _currency_of(row))),
            "spent": FromItem(lambda row: money(row.get("period_to_date_spend") or "0", _currency_of(row))),
            "used": FromItem(_used_text),
            "source": FromItem(lambda row: _scope_text(row.get("source") or {})),
        },
        access=READ,
    ),
    Operation(
        name="list_spend_increase_requests",
        title="List spend-limit increase requests",
        description="Members' requests for a higher spend limit, newest first; a pending one has their "
        "spend against the current limit.",
        toolset="spend_limits",
        method="GET",
        path=INCREASE_REQUESTS,
        input=ListIncreaseRequests,
        output=IncreaseRequest,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_REQUEST_COLUMNS,
        formats=_REQUEST_FORMATS,
        access=READ,
    ),
    Operation(
        name="get_spend_increase_request",
        title="Get spend-limit increase request",
        description="One increase request by id: who asked, status, spend against the limit.",
        toolset="spend_limits",
        method="GET",
        path=INCREASE_REQUESTS + "/{spend_limit_increase_request_id}",
        input=GetIncreaseRequest,
        output=IncreaseRequest,
        columns=(*_REQUEST_COLUMNS, "resolved_at"),
        formats=_REQUEST_FORMATS,
        not_found_hint=_REQUEST_404,
        access=READ,
    ),
]


# -- writes ---------------------------------------------------------------------------------------


def _cents(dollars: Any) -> str:
    return str(int(Decimal(str(dollars)) * 100))


class SetSpendLimit(Arguments):
    scope: Literal["organization", "workspace", "user"] = Field(
        description="organization: total spend; workspace: one workspace; user: one member."
    )
    workspace_id: WorkspaceId | None = None
    user_id: UserId | None = None
    amount_usd: Dollars | None = Field(None, description="The cap in US dollars, e.g. 500 for $500.00.")
    no_limit: bool = Field(False, description="user scope: explicitly no cap for this period.")
    period: Period = "monthly"

    @model_validator(mode="after")
    def _coherent(self) -> SetSpendLimit:
        needs = {"workspace": "workspace_id", "user": "user_id"}.get(self.scope)
        for name in ("workspace_id", "user_id"):
            if name == needs and getattr(self, name) is None:
                raise ValueError(f"scope {self.scope} needs {name}")
            if name != needs and getattr(self, name) is not None:
                raise ValueError(f"{name} is only for scope {name.removesuffix('_id')}")
        if (self.amount_usd is None) == (not self.no_limit):
            raise ValueError("give amount_usd, or no_limit=true (not both)")
        if self.scope != "user" and (self.no_limit or self.period != "monthly"):
            raise ValueError(
                f"{self.scope} limits are monthly and always have an amount (delete_spend_limit removes one)"
            )
        return self


def _set_body(values: dict[str, Any]) -> dict[str, Any]:
    scope = {"type": values.pop("scope")}
    for name in ("workspace_id", "user_id"):
        if name in values:
            scope[name] = values.pop(name)
    dollars = values.pop("amount_usd", None)
    no_limit = values.pop("no_limit", False)
    return {**values, "scope": scope, "amount": None if no_limit else _cents(dollars)}


class _CostBucket(BaseModel):
    results: list[dict[str, Any]] = []


async def month_to_date(api: Reader, workspace_id: str | None) -> Decimal:
    """Cents spent since the 1st of this UTC month (one workspace's, or everything), from the cost report."""
    now = api.now()
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    if now - start < REPORT_LAG:
        # Nothing is reported yet; and a clock slightly ahead of the API's would ask for the future.
        return Decimal(0)
    buckets = await api.all(
        _CostBucket,
        COST_REPORT,
        starting_at=iso(start),
        ending_at=iso(now),
        bucket_width="1d",
        group_by=["workspace_id"],
    )
    return sum(
        (
            Decimal(str(result.get("amount") or 0))
            for bucket in buckets
            for result in bucket.results
            if workspace_id is None or result.get("workspace_id") == workspace_id
        ),
        Decimal(0),
    )


class _Target(BaseModel):
    """What a limit applies to, as the human reads it, and what they type to confirm."""

    text: str
    confirm: str
    workspace: str | None = None
    refusal: str | None = None


async def _target(api: Reader, scope: Mapping[str, Any]) -> _Target:
    kind = scope.get("type")
    if kind == "workspace":
        workspace = await api.get(Workspace, f"{WORKSPACES}/{scope['workspace_id']}")
        refusal = f"workspace {workspace.name} is archived" if workspace.archived_at else None
        return _Target(
            text=f"workspace {workspace.name} ({workspace.id})",
            confirm=workspace.name,
            workspace=workspace.id,
            refusal=refusal,
        )
    if kind == "user":
        user = await api.get(User, f"{USERS}/{scope['user_id']}")
        return _Target(text=who(user), confirm=user.email)
    organization = await api.get(_Organization, "/v1/organizations/me")
    if kind == "organization":
        return _Target(text=f"the organization {organization.name}", confirm=organization.name)
    return _Target(text=_scope_text(scope), confirm=organization.name)


def _at(target: _Target, action: str, **fields: Any) -> Preview:
    """A preview placed where the limit applies: its workspace, or the organization as a whole."""
    if target.workspace is not None:
        return Preview(action, workspaces=frozenset({target.workspace}), **fields)
    return Preview(action, organization_wide=True, **fields)


def _scope_key(scope: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in scope.items() if value is not None}


def _currency(limits: list[SpendLimit]) -> str | None:
    """Why `amount_usd` cannot be used here (limits in another currency), or None."""
    other = next((limit.currency for limit in limits if limit.currency != "USD"), None)
    if other is None:
        return None
    return f"this organization's limits are in {other}; amount_usd sets US dollars only (the Console can)"


async def _member_row(api: Reader, user_id: str, period: str) -> SpendSummary | None:
    rows = await api.all(SpendSummary, EFFECTIVE, user_ids=[user_id], period=[period])
    return next((row for row in rows if row.period == period), None)


async def _preview_set(api: Reader, args: SetSpendLimit) -> Preview:
    scope: dict[str, Any] = {"type": args.scope}
    scope.update({name: getattr(args, name) for name in ("workspace_id", "user_id") if getattr(args, name)})
    target = await _target(api, scope)
    cents = None if args.no_limit else _cents(args.amount_usd)
    new = money(cents)
    limits = await api.all(SpendLimit, SPEND_LIMITS)
    same = [limit for limit in limits if limit.period == args.period]
    existing = next((limit for limit in same if _scope_key(limit.scope) == scope), None)
    if existing is None:
        action = f"Set a {args.period} spend limit of {new} on {target.text}"
    else:
        action = f"Change the {args.period} spend limit of {target.text}: {money(existing.amount)} → {new}"
    refusal = target.refusal or _currency(limits)
    if refusal is not None:
        return _at(target, action, refusal=refusal)
    if existing is not None and existing.amount == cents:
        return _at(target, action, nothing_to_do=f"the limit is already {new}")
    details = [f"The API receives amount {'null (no limit)' if cents is None else cents} (cents, USD)."]
    spent: Decimal | None = None
    # What capped this scope before: its own limit, or for a member what they inherit (None: nothing).
    before = existing.amount if existing is not None else None
    if args.scope == "user":
        row = await _member_row(api, str(args.user_id), args.period)
        if existing is None and row is not None:
            before = row.amount
        if row is not None:
            spent = Decimal(row.period_to_date_spend)
            source = _source_text(row.source)
            details.append(
                f"Now: {money(row.amount)} {args.period} (from {source}); spent {money(spent)} "
                f"{_PERIOD_NOUN[args.period]}."
            )
        details.append("A member's own limit overrides their RBAC groups' and seat tier's.")
    else:
        spent = await month_to_date(api, args.workspace_id)
        details.append(f"Spent this month so far: {money(spent)} (cost report).")
        if args.scope == "workspace":
            org = next((lim for lim in limits if lim.scope.get("type") == "organization"), None)
            cap = money(org.amount) if org is not None else "none"
            details.append(f"The organization's own monthly cap still applies over it: {cap}.")
    tighter = cents is not None and (before is None or int(cents) < int(before))
    over = spent is not None and cents is not None and spent >= Decimal(cents)
    if over:
        details.append(
            f"That is already spent: usage it covers is refused until the period resets "
            f"({_PERIOD_NOUN[args.period]} ends)."
        )
    confirm = target.confirm if tighter or over else None
    return _at(target, action, details=tuple(details), confirm_text=confirm)


async def _preview_delete(api: Reader, args: GetSpendLimit) -> Preview:
    limit = await api.get(SpendLimit, f"{SPEND_LIMITS}/{args.spend_limit_id}")
    kind = limit.scope.get("type")
    target = await _target(api, limit.scope)
    action = f"Delete the {limit.period} spend limit of {target.text} ({money(limit.amount, limit.currency)})"
    if kind in _FIXED:
        return _at(
            target,
            action,
            refusal=f"a {kind} limit cannot be deleted through the API (usage tier: set by Anthropic; "
            "group and seat-tier defaults: claude.ai admin settings)",
        )
    details: list[str] = []
    if kind == "user":
        row = await _member_row(api, str(limit.scope.get("user_id")), limit.period)
        spent = money(row.period_to_date_spend) if row is not None else "unknown"
        if limit.amount is None:
            details.append("It is their explicit 'no limit': their groups' or seat tier's cap applies again.")
        else:
            details.append(
                f"They are no longer capped by their own limit; their groups' or seat tier's {limit.period} "
                "limit applies instead, if any."
            )
        details.append(f"Spent {_PERIOD_NOUN.get(limit.period, 'this period')}: {spent}.")
    else:
        spent_now = await month_to_date(api, target.workspace)
        others = await api.all(SpendLimit, SPEND_LIMITS)
        if kind == "workspace":
            org = next((lim for lim in others if lim.scope.get("type") == "organization"), None)
            over = f"the organization's monthly cap ({money(org.amount)})" if org else "no organization cap"
            details.append(f"{target.confirm} is no longer capped on its own: only {over} applies to it.")
        else:
            tier = next((lim for lim in others if lim.scope.get("type") == "usage_tier"), None)
            cap = f"the usage-tier cap set by Anthropic ({money(tier.amount)} a month)" if tier else "nothing"
            details.append(f"Total spend is no longer capped by you: only {cap} limits it.")
        details.append(f"Spent this month so far: {money(spent_now)}.")
    return _at(target, action, details=tuple(details), confirm_text=target.confirm)


class ApproveIncrease(Arguments):
    spend_limit_increase_request_id: IncreaseRequestId
    amount_usd: Dollars = Field(description="Their new limit in US dollars, e.g. 300.")
    period: Period | None = Field(None, description="Default: the period they were blocked on.")
    suppress_notification: bool = Field(False, description="Do not email them the decision.")


class DenyIncrease(Arguments):
    spend_limit_increase_request_id: IncreaseRequestId
    suppress_notification: bool = Field(False, description="Do not email them the decision.")


def _approve_body(values: dict[str, Any]) -> dict[str, Any]:
    dollars = values.pop("amount_usd")
    return {**values, "amount": _cents(dollars)}


def _requester(request: IncreaseRequest) -> str:
    actor = request.actor
    email, name = actor.get("email_address"), actor.get("name")
    if actor.get("type") != "user_actor":
        return f"API key {actor.get('scoped_api_key_id')}"
    shown = str(email or actor.get("user_id"))
    return f"{shown} ({name})" if name and name != email else shown


def _decided(request: IncreaseRequest) -> str | None:
    if request.status == "pending":
        return None
    return f"it was already {request.status} on {(request.resolved_at or '?')[:10]}"


def _standing(summary: SpendSummary | None, period: str) -> str:
    if summary is None:
        return f"No {period} limit applies to them now."
    return (
        f"Now: {money(summary.amount, summary.currency)} {period} (from {_source_text(summary.source)}); "
        f"spent {money(summary.period_to_date_spend, summary.currency)} {_PERIOD_NOUN.get(period, '')}."
    )


def _told(suppress: bool) -> str:
    return "They are not emailed." if suppress else "Anthropic emails them the decision."


async def _preview_approve(api: Reader, args: ApproveIncrease) -> Preview:
    request = await api.get(IncreaseRequest, f"{INCREASE_REQUESTS}/{args.spend_limit_increase_request_id}")
    person = _requester(request)
    period = args.period or request.period
    cents = _cents(args.amount_usd)
    summary = request.spend_summary if period == request.period else None
    user_id = str(request.actor.get("user_id") or "")
    if summary is None and request.status == "pending" and user_id:
        summary = await _member_row(api, user_id, period)
    current = money(summary.amount) if summary is not None else "none"
    action = f"Approve {person}'s spend increase: {period} limit {current} → {money(cents)}"
    if (decided := _decided(request)) is not None:
        return Preview(action, refusal=f"{decided}; only a pending request can be approved")
    details = [f"Asked on {request.created_at[:10]} ({request.period} limit).", _standing(summary, period)]
    details.append(f"Writes their own {period} limit: {money(cents)} (the API receives {cents} cents).")
    if summary is not None and summary.amount is not None and int(cents) <= int(summary.amount):
        details.append("That is not more than their current limit.")
    if summary is not None and Decimal(summary.period_to_date_spend) >= Decimal(cents):
        details.append("They already spent that much: they stay blocked until the period resets.")
    details.append(_told(args.suppress_notification))
    return Preview(action, details=tuple(details))


async def _preview_deny(api: Reader, args: DenyIncrease) -> Preview:
    request = await api.get(IncreaseRequest, f"{INCREASE_REQUESTS}/{args.spend_limit_increase_request_id}")
    action = f"Deny {_requester(request)}'s request for a higher {request.period} spend limit"
    if request.status == "denied":
        return Preview(action, nothing_to_do=_decided(request))
    if request.status == "approved":
        return Preview(action, refusal=f"{_decided(request)}; an approved request cannot be denied")
    details = (
        f"Asked on {request.created_at[:10]}.",
        _standing(request.spend_summary, request.period),
        "Their limit stays as it is.",
        _told(args.suppress_notification),
    )
    return Preview(action, details=details)


OPERATIONS += [
    Operation(
        name="set_spend_limit",
        title="Set spend limit",
        description="Cap spending in US dollars per period: the organization's or a workspace's total "
        "(Console), or one member's (Enterprise). Replaces that scope's limit for the period; when it lowers "
        "the cap, the user types the name.",
        toolset="spend_limits",
        method="POST",
        path=SPEND_LIMITS,
        input=SetSpendLimit,
        output=SpendLimit,
        reshape=_set_body,
        destructive=True,
        idempotent=True,
        preview=_preview_set,
        columns=_SPEND_COLUMNS,
        formats=_SPEND_FORMATS,
        not_found_hint="The workspace or member does not exist; list_workspaces and list_users find them.",
        forbidden_hint=NOT_ENABLED,
        access=WRITE,
    ),
    Operation(
        name="delete_spend_limit",
        title="Delete spend limit",
        description="Remove an organization, workspace or member limit (spl_…); what else caps it stays. "
        "The user types the workspace, email or organization name.",
        toolset="spend_limits",
        method="DELETE",
        path=SPEND_LIMITS + "/{spend_limit_id}",
        input=GetSpendLimit,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=_preview_delete,
        columns=("id", "type"),
        not_found_hint=_LIMIT_404,
        forbidden_hint=NOT_ENABLED,
        access=WRITE,
    ),
    Operation(
        name="approve_spend_increase",
        title="Approve spend-limit increase",
        description="Approve a member's pending request for a higher spend limit: sets their own limit, in "
        "US dollars (amount_usd), for their period unless period is given. Emails them unless "
        "suppress_notification.",
        toolset="spend_limits",
        method="POST",
        path=INCREASE_REQUESTS + "/{spend_limit_increase_request_id}/approve",
        input=ApproveIncrease,
        output=IncreaseRequest,
        reshape=_approve_body,
        idempotent=False,
        preview=organization_wide(_preview_approve),
        columns=_REQUEST_COLUMNS,
        formats=_REQUEST_FORMATS,
        not_found_hint=_REQUEST_404,
        access=WRITE,
    ),
    Operation(
        name="deny_spend_increase",
        title="Deny spend-limit increase",
        description="Deny a pending increase request; their limit stays. Emails them unless "
        "suppress_notification.",
        toolset="spend_limits",
        method="POST",
        path=INCREASE_REQUESTS + "/{spend_limit_increase_request_id}/deny",
        input=DenyIncrease,
        output=IncreaseRequest,
        idempotent=True,
        preview=organization_wide(_preview_deny),
        columns=_REQUEST_COLUMNS,
        formats=_REQUEST_FORMATS,
        not_found_hint=_REQUEST_404,
        access=WRITE,
    ),
]
