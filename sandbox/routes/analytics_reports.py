"""The Usage and Cost Analytics API and the legacy Claude Enterprise reports:

* `GET /v1/organizations/analytics/usage` and `/cost` (beta `analytics-usage-cost-2026-08-24`,
  else 400): one row per combination of the `group_by[]` dimensions (and time bucket, with
  `time_bucket_width`) that has usage, ranked by `order_by`, `limit` rows a page (cost's
  `cost_type`/`token_type` fan-out rows do not count toward it);
* the legacy `usage_report` and `cost_report` (time buckets of `results`, at most the top 100 groups
  a bucket) and `user_usage_report` and `user_cost_report` (one row per member, split by
  `group_by[]` and the bucket).

What each sees and how it is attributed is in `analytics_usage.py`; ranges in `analytics_params.py`.
Choices where the docs are silent:

* Rows with equal `order_by` values are ordered by their group's values, then by time; every query
  is answered from the same data on each page, so walking the pages returns every row once.
* Without a bucket width, `usage` and `cost` rows cover the range with both ends rounded down to
  the hour (as documented); the per-member reports cover it to the minute.
* `exclude_deleted_users` needs `group_by[]=actor` on the new endpoints (else 400).
* The id filters are checked for their form (`actor_ids[]`: `user_`, `svac_` or `apikey_` ids;
  `api_key_ids[]`: `apikey_` ids or an empty entry for usage no key made; `workspace_ids[]`:
  `wrkspc_`; `session_ids[]`: `sesn_`; `user_profile_ids[]`: `uprof_`; `user_ids[]`: `user_`).
* `data_refreshed_at` is when the served data ends: usage appears 5 minutes after the minute it
  happened in, as in the Admin API's reports.
* Access: the real endpoints take a Claude Enterprise key with `read:analytics` (a configured
  scoped key, `SandboxConfig.scoped_keys`), and the sandbox's admin key stands in for one too.
  `usage` and `cost` also take Admin API credentials, so the OAuth token (`org:admin`) reads them;
  the legacy reports and the activity endpoints refuse it with 403 "Missing required scopes".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..analytics_params import WIDTHS, ReportRange, buckets_of, page_of, report_range, scope_of, tagged
from ..analytics_usage import (
    MEMBER_SOURCES,
    Attribution,
    CostLine,
    Group,
    Selection,
    attribute,
    by_dimension,
    by_models,
    cost_by_group,
    nothing,
    usage_by_group,
)
from ..errors import invalid_request, permission_denied
from ..models import SeedSnapshot, format_ts
from ..params import Query
from ..pricing import format_cents
from ..report_params import bucket_limit, offset_of, offset_token
from ..store import SandboxState
from ..usage_model import data_cutoff
from ._common import betas, caller, ok, sandbox

BETA: Final = "analytics-usage-cost-2026-08-24"
USAGE_GROUPS: Final = (
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "user_profile_id",
    "workspace_id",
)
FAN_OUT: Final = ("cost_type", "token_type")
COST_GROUPS: Final = tuple(sorted((*USAGE_GROUPS, *FAN_OUT)))
LEGACY_GROUPS: Final = (
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "inference_geo",
    "model",
    "product",
    "rbac_group_id",
    "slack_channel_id",
    "speed",
)
LEGACY_COST_GROUPS: Final = tuple(sorted((*LEGACY_GROUPS, *FAN_OUT)))
PRODUCTS: Final = (
    "chat",
    "chat_cowork_unified",
    "claude_code",
    "claude_console",
    "claude_design",
    "claude_in_chrome",
    "claude_tag",
    "cowork",
    "managed_agents_api",
    "message_batches_api",
    "messages_api",
    "office_agent",
)
LEGACY_PRODUCTS: Final = (
    "chat",
    "chat_cowork_unified",
    "claude-tag",
    "claude_code",
    "claude_design",
    "claude_in_chrome",
    "cowork",
    "office_agent",
)
ACTOR_TYPES: Final = ("api_actor", "federated_actor", "service_account_actor", "user_actor")
TAG_CATEGORIES: Final = ("dm", "engaged", "monitoring", "proactive", "scheduled")
CONTEXT_WINDOWS: Final = ("0-200k", "200k-1M")
GEOS: Final = ("global", "not_available", "us")
TIERS: Final = ("batch", "flex", "flex_discount", "priority", "priority_on_demand", "standard")
SPEEDS: Final = ("fast", "standard")
BUCKET_LIMITS: Final = {86_400: (7, 31), 3_600: (24, 168), 60: (60, 256)}
"""(default, maximum) buckets a page of the legacy bucketed reports, per width."""
TOP_GROUPS: Final = 100
MAX_GROUP_BY: Final = 5


# -- parameters ------------------------------------------------------------------------------------


def _ids(query: Query, name: str, prefixes: Sequence[str], noun: str, *, empty: bool = False) -> list[str]:
    values = query.array(name)
    for value in values:
        if not (empty and value == "") and not any(tagged(value, prefix) for prefix in prefixes):
            expected = " or ".join(f"{prefix}..." for prefix in prefixes)
            raise invalid_request(f"{name}[]: {value[:60]!r} is not a valid {noun} id (expected {expected})")
    return values


def _plain(query: Query, name: str) -> list[str]:
    values = query.array(name)
    for value in values:
        if not value or len(value) > 200:
            raise invalid_request(f"{name}[]: values must be 1 to 200 characters")
    return values


def _selection(query: Query, *, legacy: bool) -> Selection:
    """The streams the request's filters keep (OR within a filter, AND across filters)."""
    selection = Selection([])
    if legacy:
        selection.add(lambda stream, _: stream.source in MEMBER_SOURCES)
    if models := query.array("models"):
        selection.add(by_models(models))
    if products := query.enum_array("products", LEGACY_PRODUCTS if legacy else PRODUCTS):
        selection.add(by_dimension("product", products))
    if windows := query.enum_array("context_windows", CONTEXT_WINDOWS):
        selection.add(by_dimension("context_window", windows))
    if geos := query.enum_array("inference_geos", GEOS):
        selection.add(by_dimension("inference_geo", geos, unset="not_available"))
    if speeds := query.enum_array("speeds", SPEEDS):
        selection.add(by_dimension("speed", speeds))
    # Nothing in this organization has an RBAC group, a Slack channel or a Claude Tag category.
    unmodeled = [
        query.array("rbac_group_ids"),
        _plain(query, "slack_channel_ids"),
        query.enum_array("claude_tag_categories", TAG_CATEGORIES),
        _plain(query, "claude_tag_user_ids"),
    ]
    for value in query.array("rbac_group_ids"):
        if not (tagged(value, "rbac_group_") or len(value) == 36):
            raise invalid_request(f"rbac_group_ids[]: {value[:60]!r} is not an RBAC group id or UUID")
    if legacy:
        if users := _ids(query, "user_ids", ("user_",), "user"):
            selection.add(by_dimension("actor", users))
    else:
        if actors := _ids(query, "actor_ids", ("user_", "svac_", "apikey_"), "actor"):
            selection.add(by_dimension("actor", actors))
        if kinds := query.enum_array("actor_types", ACTOR_TYPES):
            selection.add(by_dimension("actor_type", kinds))
        if keys := _ids(query, "api_key_ids", ("apikey_",), "API key", empty=True):
            wanted = set(keys)
            selection.add(lambda stream, _: (stream.api_key_id or "") in wanted)
        if workspaces := _ids(query, "workspace_ids", ("wrkspc_",), "workspace"):
            chosen = set(workspaces)
            selection.add(
                lambda stream, _: stream.source not in ("chat", "cowork") and stream.workspace in chosen
            )
        if tiers := query.enum_array("service_tiers", TIERS):
            selection.add(by_dimension("service_tier", tiers))
        # No Managed Agents, user profiles or child organizations here.
        unmodeled += [
            _plain(query, "agent_ids"),
            _plain(query, "deployment_ids"),
            _plain(query, "environment_ids"),
            _plain(query, "organization_ids"),
            _ids(query, "session_ids", ("sesn_",), "session"),
            _ids(query, "user_profile_ids", ("uprof_",), "user profile"),
        ]
    if any(unmodeled):
        selection.add(nothing)
    return selection


def _group_by(query: Query, allowed: Sequence[str], *, counted: int | None) -> list[str]:
    chosen = query.enum_array("group_by", allowed)
    named = [name for name in allowed if name in chosen]
    if counted is not None and len([name for name in named if name not in FAN_OUT]) > counted:
        extra = " (not counting cost_type and token_type)" if "cost_type" in allowed else ""
        raise invalid_request(f"group_by[]: at most {counted} dimensions{extra}")
    return named


SCOPE: Final = "read:analytics"


def require_analytics_scope(request: Request) -> None:
    """403 for a credential without `read:analytics`: tokens (`org:admin`); the admin key stands in
    for an Analytics key, and a scoped key's scopes were checked on the way in (`scoped_keys.py`)."""
    if caller(request).kind not in ("admin_api_key", "scoped_key"):
        raise permission_denied(f"Missing required scopes. Got: ['org:admin'] Needed: ['{SCOPE}']")


def _require_beta(request: Request) -> None:
    if BETA not in betas(request):
        raise invalid_request(f"this endpoint is in beta: send the header 'anthropic-beta: {BETA}'")


# -- the shapes --------------------------------------------------------------------------------------


class Actors:
    """Actor objects for the tagged ids in groups: members with their email and name (as seeded)
    and whether they have since been removed; keys as `api_actor`."""

    def __init__(self, snapshot: SeedSnapshot, state: SandboxState) -> None:
        self.people = {user.id: user for user in snapshot.users}
        self.state = state

    def user(self, user_id: str) -> dict[str, object]:
        person = self.people.get(user_id)
        return {
            "type": "user_actor",
            "user_id": user_id,
            "email_address": None if person is None else person.email,
            "name": None if person is None else person.name or None,
            "deleted": user_id not in self.state.users,
        }

    def __call__(self, actor: str | None) -> dict[str, object] | None:
        if actor is None:
            return None
        if actor.startswith("user_"):
            return self.user(actor)
        return {"type": "api_actor", "api_key_id": actor}

    def deleted(self, actor: str | None) -> bool:
        return actor is not None and actor.startswith("user_") and actor not in self.state.users


def _fields(names: Sequence[str], group: Group, shown: Sequence[str], actors: Actors) -> dict[str, object]:
    out: dict[str, object] = dict.fromkeys(shown)
    for name, value in zip(names, group, strict=True):
        out[name] = actors(value) if name == "actor" else value
    return out


def _usage_numbers(values: Sequence[int]) -> dict[str, object]:
    return {
        "cache_creation": {"ephemeral_1h_input_tokens": values[2], "ephemeral_5m_input_tokens": values[1]},
        "cache_read_input_tokens": values[3],
        "output_tokens": values[4],
        "requests": None,
        "server_tool_use": {"web_search_requests": values[5]},
        "uncached_input_tokens": values[0],
    }


def _total(values: Sequence[int]) -> int:
    return sum(values[:5])


Split = tuple[str | None, str | None]
"""A row's (cost_type, token_type), null where not grouped by."""


def _fan_out(lines: Mapping[CostLine, int], by_cost: bool, by_token: bool) -> list[tuple[Split, int]]:
    """A group's cost lines split as `cost_type`/`token_type` ask: one row per token type (cost_type
    `tokens`) and, with cost_type, one per other component; without either, one row."""
    rows: dict[Split, int] = {}
    for (cost_type, token_type), units in lines.items():
        key: Split = (None, None)
        if cost_type == "tokens" and by_token:
            key = ("tokens", token_type)
        elif by_cost:
            key = (cost_type, None)
        rows[key] = rows.get(key, 0) + units
    return sorted(((key, units) for key, units in rows.items() if units), key=lambda item: str(item[0]))


def _money(units: int) -> dict[str, object]:
    amount = format_cents(units)
    return {"amount": amount, "currency": "USD", "list_amount": amount, "requests": None}


def _sort_text(group: Group) -> tuple[str, ...]:
    return tuple("" if value is None else value for value in group)


def _envelope(data: list[dict[str, object]], following: str | None, cutoff: int) -> JSONResponse:
    return ok(
        {
            "data": data,
            "has_more": following is not None,
            "next_page": following,
            "data_refreshed_at": format_ts(cutoff),
        }
    )


class Context:
    """One request's state, model, attribution and cutoff."""

    def __init__(self, request: Request) -> None:
        self.state = sandbox(request)
        self.query = Query(request.query_params)
        self.now = self.state.now_ts()
        self.cutoff = data_cutoff(self.now)
        self.model = self.state.monitoring.usage_model(self.state.activities)
        self.snapshot = self.state.monitoring.snapshot
        self.attributions: list[Attribution] = attribute(self.model, self.snapshot)
        self.actors = Actors(self.snapshot, self.state)

    def selected(self, *, legacy: bool) -> list[int]:
        return _selection(self.query, legacy=legacy).matching(self.model, self.attributions)


Row = tuple[int, Group, Sequence[int]]
"""(bucket position, group, values)."""


def _ordered(rows: list[Row], key: Callable[[Row], int], *, descending: bool, by_time: bool) -> list[Row]:
    def sort_key(row: Row) -> tuple[object, ...]:
        metric = key(row)
        if by_time:
            return (-row[0] if descending else row[0], -metric, _sort_text(row[1]))
        return (-metric if descending else metric, _sort_text(row[1]), row[0])

    return sorted(rows, key=sort_key)


# -- the new endpoints -------------------------------------------------------------------------------


def _report_order(query: Query, metrics: Sequence[str], default: str) -> tuple[str, bool]:
    order_by = query.enum("order_by", metrics) or default
    return order_by, (query.enum("order", ("asc", "desc")) or "desc") == "desc"


def _exclude_deleted(query: Query, grouped: Sequence[str], *, needs_actor: bool) -> bool:
    exclude = query.boolean("exclude_deleted_users", False)
    if exclude and needs_actor and "actor" not in grouped:
        raise invalid_request("exclude_deleted_users: requires group_by[]=actor")
    return exclude


async def analytics_usage(request: Request) -> JSONResponse:
    _require_beta(request)
    context = Context(request)
    query = context.query
    span = report_range(query, context.now, width_param="time_bucket_width", default_width=None)
    grouped = _group_by(query, USAGE_GROUPS, counted=MAX_GROUP_BY)
    order_by, descending = _report_order(
        query, ("output_tokens", "requests", "time", "total_tokens", "uncached_input_tokens"), "total_tokens"
    )
    exclude = _exclude_deleted(query, grouped, needs_actor=True)
    buckets = buckets_of(span, context.now)
    totals = usage_by_group(
        context.model, context.attributions, context.selected(legacy=False), grouped, buckets, context.cutoff
    )
    rows = _usage_rows(totals, grouped, context.actors, exclude)
    metric = _usage_metric(order_by)
    rows = _ordered(
        rows, metric, descending=descending, by_time=order_by == "time" and span.width is not None
    )
    offset, end, following = page_of(query, len(rows), scope_of(query), default=20)
    data: list[dict[str, object]] = [
        {
            "starting_at": format_ts(buckets[position][0]),
            "ending_at": format_ts(buckets[position][1]),
            "group": _fields(grouped, group, USAGE_GROUPS, context.actors),
            "usage": {**_usage_numbers(values), "total_tokens": _total(values)},
        }
        for position, group, values in rows[offset:end]
    ]
    return _envelope(data, following, context.cutoff)


def _usage_rows(
    totals: Sequence[Mapping[Group, Sequence[int]]], grouped: Sequence[str], actors: Actors, exclude: bool
) -> list[Row]:
    at = grouped.index("actor") if "actor" in grouped else None
    rows: list[Row] = []
    for position, groups in enumerate(totals):
        for group, values in groups.items():
            if not any(values[:6]) or (exclude and at is not None and actors.deleted(group[at])):
                continue
            rows.append((position, group, values))
    return rows


def _usage_metric(order_by: str) -> Callable[[Row], int]:
    index = {"output_tokens": 4, "uncached_input_tokens": 0}.get(order_by)
    if index is not None:
        return lambda row: row[2][index]
    if order_by == "requests":
        return lambda row: 0
    return lambda row: _total(row[2])


async def analytics_cost(request: Request) -> JSONResponse:
    _require_beta(request)
    context = Context(request)
    query = context.query
    span = report_range(query, context.now, width_param="time_bucket_width", default_width=None)
    grouped = _group_by(query, COST_GROUPS, counted=MAX_GROUP_BY)
    order_by, descending = _report_order(query, ("amount", "list_amount", "time"), "amount")
    exclude = _exclude_deleted(query, grouped, needs_actor=True)
    base = [name for name in grouped if name not in FAN_OUT]
    buckets = buckets_of(span, context.now)
    costs = cost_by_group(
        context.model, context.attributions, context.selected(legacy=False), base, buckets, context.cutoff
    )
    rows = _cost_rows(costs, base, context.actors, exclude)
    rows = _ordered(
        rows,
        lambda row: sum(row[2]),
        descending=descending,
        by_time=order_by == "time" and span.width is not None,
    )
    offset, end, following = page_of(query, len(rows), scope_of(query), default=20)
    data: list[dict[str, object]] = []
    for position, group, _ in rows[offset:end]:
        lines = costs[position][group]
        for (cost_type, token_type), units in _fan_out(
            lines, "cost_type" in grouped, "token_type" in grouped
        ):
            fields = _fields(base, group, COST_GROUPS, context.actors)
            fields |= {"cost_type": cost_type, "token_type": token_type}
            data.append(
                {
                    "starting_at": format_ts(buckets[position][0]),
                    "ending_at": format_ts(buckets[position][1]),
                    "group": fields,
                    "cost": _money(units),
                }
            )
    return _envelope(data, following, context.cutoff)


def _cost_rows(
    costs: Sequence[Mapping[Group, Mapping[CostLine, int]]],
    grouped: Sequence[str],
    actors: Actors,
    exclude: bool,
) -> list[Row]:
    """One row per (bucket, group) whose single value is the group's whole cost (for ranking)."""
    at = grouped.index("actor") if "actor" in grouped else None
    rows: list[Row] = []
    for position, groups in enumerate(costs):
        for group, lines in groups.items():
            if exclude and at is not None and actors.deleted(group[at]):
                continue
            rows.append((position, group, (sum(lines.values()),)))
    return rows


# -- the legacy Claude Enterprise reports ------------------------------------------------------------


def _bucket_page(query: Query, span: ReportRange, now: int) -> tuple[list[tuple[int, int]], str | None]:
    """This page's buckets (`limit` buckets, as the width allows) and the next page's token."""
    assert span.width is not None
    buckets = buckets_of(span, now)
    default, maximum = BUCKET_LIMITS[span.width]
    name = next(name for name, seconds in WIDTHS.items() if seconds == span.width)
    limit = bucket_limit(query, name, default=default, maximum=maximum)
    scope = scope_of(query)
    offset = offset_of(query, scope, len(buckets))
    end = min(len(buckets), offset + limit)
    return buckets[offset:end], offset_token(scope, end) if end < len(buckets) else None


async def usage_report(request: Request) -> JSONResponse:
    require_analytics_scope(request)
    context = Context(request)
    query = context.query
    span = report_range(query, context.now, width_param="bucket_width", default_width="1d")
    grouped = _group_by(query, LEGACY_GROUPS, counted=None)
    buckets, following = _bucket_page(query, span, context.now)
    totals = usage_by_group(
        context.model, context.attributions, context.selected(legacy=True), grouped, buckets, context.cutoff
    )
    data: list[dict[str, object]] = []
    for (start, end), groups in zip(buckets, totals, strict=True):
        ranked = sorted(groups.items(), key=lambda item: (-_total(item[1]), _sort_text(item[0])))
        results = [
            {**_usage_numbers(values), **_fields(grouped, group, LEGACY_GROUPS, context.actors)}
            for group, values in ranked[:TOP_GROUPS]
            if any(values[:6])
        ]
        data.append({"starting_at": format_ts(start), "ending_at": format_ts(end), "results": results})
    return _envelope(data, following, context.cutoff)


async def cost_report(request: Request) -> JSONResponse:
    require_analytics_scope(request)
    context = Context(request)
    query = context.query
    span = report_range(query, context.now, width_param="bucket_width", default_width="1d")
    grouped = _group_by(query, LEGACY_COST_GROUPS, counted=None)
    base = [name for name in grouped if name not in FAN_OUT]
    buckets, following = _bucket_page(query, span, context.now)
    costs = cost_by_group(
        context.model, context.attributions, context.selected(legacy=True), base, buckets, context.cutoff
    )
    data: list[dict[str, object]] = []
    for (start, end), groups in zip(buckets, costs, strict=True):
        ranked = sorted(groups.items(), key=lambda item: (-sum(item[1].values()), _sort_text(item[0])))
        results: list[dict[str, object]] = []
        for group, lines in ranked[:TOP_GROUPS]:
            for (cost_type, token_type), units in _fan_out(
                lines, "cost_type" in grouped, "token_type" in grouped
            ):
                fields = _fields(base, group, LEGACY_COST_GROUPS, context.actors)
                fields |= {"cost_type": cost_type, "token_type": token_type}
                results.append({**_money(units), **fields})
        data.append({"starting_at": format_ts(start), "ending_at": format_ts(end), "results": results})
    return _envelope(data, following, context.cutoff)


def _member_span(span: ReportRange, now: int) -> list[tuple[int, int]]:
    if span.width is not None:
        return buckets_of(span, now)
    start, end = span.start - span.start % 60, min(span.end, now)
    end -= end % 60
    return [(start, end)] if end > start else []


def _times(span: ReportRange, bucket: tuple[int, int]) -> dict[str, object]:
    if span.width is None:
        return {"starting_at": None, "ending_at": None}
    return {"starting_at": format_ts(bucket[0]), "ending_at": format_ts(bucket[1])}


async def user_usage_report(request: Request) -> JSONResponse:
    require_analytics_scope(request)
    context = Context(request)
    query = context.query
    span = report_range(query, context.now, width_param="bucket_width", default_width=None)
    grouped = _group_by(query, LEGACY_GROUPS, counted=None)
    order_by, descending = _report_order(
        query, ("output_tokens", "requests", "total_tokens", "uncached_input_tokens"), "total_tokens"
    )
    exclude = _exclude_deleted(query, grouped, needs_actor=False)
    buckets = _member_span(span, context.now)
    dimensions = ["actor", *grouped]
    totals = usage_by_group(
        context.model,
        context.attributions,
        context.selected(legacy=True),
        dimensions,
        buckets,
        context.cutoff,
    )
    rows = _ordered(
        _usage_rows(totals, dimensions, context.actors, exclude),
        _usage_metric(order_by),
        descending=descending,
        by_time=False,
    )
    offset, end, following = page_of(query, len(rows), scope_of(query), default=20)
    data: list[dict[str, object]] = [
        {
            "actor": context.actors.user(str(group[0])),
            **_usage_numbers(values),
            "total_tokens": _total(values),
            **_fields(grouped, group[1:], LEGACY_GROUPS, context.actors),
            **_times(span, buckets[position]),
        }
        for position, group, values in rows[offset:end]
    ]
    return _envelope(data, following, context.cutoff)


async def user_cost_report(request: Request) -> JSONResponse:
    require_analytics_scope(request)
    context = Context(request)
    query = context.query
    span = report_range(query, context.now, width_param="bucket_width", default_width=None)
    grouped = _group_by(query, LEGACY_COST_GROUPS, counted=None)
    _, descending = _report_order(query, ("amount", "list_amount"), "amount")
    exclude = _exclude_deleted(query, grouped, needs_actor=False)
    base = ["actor", *(name for name in grouped if name not in FAN_OUT)]
    buckets = _member_span(span, context.now)
    costs = cost_by_group(
        context.model, context.attributions, context.selected(legacy=True), base, buckets, context.cutoff
    )
    rows = _ordered(
        _cost_rows(costs, base, context.actors, exclude),
        lambda row: sum(row[2]),
        descending=descending,
        by_time=False,
    )
    offset, end, following = page_of(query, len(rows), scope_of(query), default=20)
    data: list[dict[str, object]] = []
    for position, group, _ in rows[offset:end]:
        for (cost_type, token_type), units in _fan_out(
            costs[position][group], "cost_type" in grouped, "token_type" in grouped
        ):
            fields = _fields(base[1:], group[1:], LEGACY_COST_GROUPS, context.actors)
            fields |= {"cost_type": cost_type, "token_type": token_type}
            data.append(
                {
                    "actor": context.actors.user(str(group[0])),
                    **_money(units),
                    **fields,
                    **_times(span, buckets[position]),
                }
            )
    return _envelope(data, following, context.cutoff)


ROUTES = [
    Route("/v1/organizations/analytics/usage", analytics_usage, methods=["GET"]),
    Route("/v1/organizations/analytics/cost", analytics_cost, methods=["GET"]),
    Route("/v1/organizations/analytics/usage_report", usage_report, methods=["GET"]),
    Route("/v1/organizations/analytics/user_usage_report", user_usage_report, methods=["GET"]),
    Route("/v1/organizations/analytics/cost_report", cost_report, methods=["GET"]),
    Route("/v1/organizations/analytics/user_cost_report", user_cost_report, methods=["GET"]),
]
