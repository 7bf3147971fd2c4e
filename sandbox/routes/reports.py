"""The Usage and Cost API: `GET /v1/organizations/usage_report/messages` and `/cost_report`.

Both are views of one generative model (`usage_model.py`): the cost report prices exactly the
tokens the usage report counts (`model_catalog.cents_per_token`), so over any range the cost of
the `standard` and `batch` tiers equals their priced usage to the last fraction of a cent.

Choices where the docs are silent (besides the range and bucket rules in `report_params.py`):

* Results inside a bucket are sorted by their grouping values (nulls first); groups with no
  usage in a bucket are left out, and a bucket with no usage at all has `results: []`.
* Filters are exact matches, except that `models[]` also accepts aliases (`claude-sonnet-4-5`
  matches `claude-sonnet-4-5-20250929`). Ids in the id filters must be well-formed for their kind
  (`user_`, `apikey_`, `svac_`, `wrkspc_`); well-formed ids that match nothing give empty buckets.
* `speed` (group or filter) needs `anthropic-beta: fast-mode-2026-02-01`, else 400; with that
  header every result carries a `speed` field, without it none does.
* Priority Tier usage (under a commitment) is in the usage report only; the cost report shows
  the `standard` and `batch` tiers, web search, and code execution (which the usage report does
  not show, as on the API). Cost descriptions look like `Claude Sonnet 4.6 Batch Usage - Input
  Tokens`, `Web Search Usage`, `Code Execution Usage`.
* `amount` is the exact decimal number of cents, at least two decimals, no trailing zeros beyond
  them (`"4120.55"`, `"0.0375"`, `"123.4567125"`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request
from ..model_catalog import (
    ALIASES,
    TOKEN_TYPES,
    PriceClass,
    token_description,
)
from ..models import format_ts
from ..params import Query, check_id
from ..pricing import CODE_EXEC_UNITS, WEB_SEARCH_UNITS, format_cents, unit_prices
from ..report_params import BucketPage, bucket_page, encode_page
from ..usage_model import API_SOURCES, CODE_EXEC, N_TOKEN_VALUES, WEB_SEARCH, Stream, data_cutoff
from ._common import betas, ok, sandbox

FAST_MODE_BETA: Final = "fast-mode-2026-02-01"
USAGE_GROUPS: Final = (
    "account_id",
    "api_key_id",
    "service_account_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
)
"""The grouping dimensions, in the order results list them."""
SERVICE_TIERS: Final = ("batch", "flex", "flex_discount", "priority", "priority_on_demand", "standard")
CONTEXT_WINDOWS: Final = ("0-200k", "200k-1M")
INFERENCE_GEOS: Final = ("global", "us", "not_available")
SPEEDS: Final = ("standard", "fast")
COST_GROUPS: Final = ("workspace_id", "description")
COSTED_TIERS: Final = ("standard", "batch")


# -- usage ---------------------------------------------------------------------------------------


def _id_filter(query: Query, name: str, prefix: str, noun: str) -> set[str]:
    values = query.array(name)
    for value in values:
        check_id(f"{name}[]", value, prefix, noun)
    return set(values)


def _usage_filter(query: Query, fast_mode: bool) -> Callable[[Stream], bool]:
    accounts = _id_filter(query, "account_ids", ids.USER, "user")
    keys = _id_filter(query, "api_key_ids", ids.API_KEY, "API key")
    service_accounts = _id_filter(query, "service_account_ids", "svac_", "service account")
    workspaces = _id_filter(query, "workspace_ids", ids.WORKSPACE, "workspace")
    models = {ALIASES.get(name, name) for name in query.array("models")}
    tiers = set(query.enum_array("service_tiers", SERVICE_TIERS))
    windows = set(query.enum_array("context_window", CONTEXT_WINDOWS))
    geos = set(query.enum_array("inference_geos", INFERENCE_GEOS))
    speeds = set(query.enum_array("speeds", SPEEDS))
    if speeds and not fast_mode:
        raise invalid_request(
            f"speeds[]: filtering by speed requires the header 'anthropic-beta: {FAST_MODE_BETA}'"
        )
    wanted: dict[str, set[str]] = {
        "account_id": accounts,
        "api_key_id": keys,
        "service_account_id": service_accounts,
        "workspace": workspaces,
        "model": models,
        "service_tier": tiers,
        "context_window": windows,
        "inference_geo": geos,
        "speed": speeds,
    }
    checks = [(attribute, values) for attribute, values in wanted.items() if values]
    return lambda stream: all(getattr(stream, attribute) in values for attribute, values in checks)


def _envelope(page: BucketPage, data: list[dict[str, object]]) -> JSONResponse:
    following = None if page.next_start is None else encode_page(page.next_start)
    return ok({"data": data, "has_more": following is not None, "next_page": following})


async def usage_messages(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    now = state.now_ts()
    fast_mode = FAST_MODE_BETA in betas(request)
    page = bucket_page(query, now)
    requested = query.enum_array("group_by", USAGE_GROUPS)
    if "speed" in requested and not fast_mode:
        raise invalid_request(
            f"group_by[]: grouping by speed requires the header 'anthropic-beta: {FAST_MODE_BETA}'"
        )
    grouped = [name for name in USAGE_GROUPS if name in requested]
    keep = _usage_filter(query, fast_mode)
    model = state.monitoring.usage_model(state.activities)
    selected = [
        index for index, stream in enumerate(model.streams) if stream.source in API_SOURCES and keep(stream)
    ]

    def group_of(stream: Stream) -> Hashable:
        return tuple(getattr(stream, name) for name in grouped)

    totals = model.aggregate(selected, group_of, page.buckets, data_cutoff(now))
    shown = [name for name in USAGE_GROUPS if name != "speed" or fast_mode]
    data: list[dict[str, object]] = []
    for (start, end), groups in zip(page.buckets, totals, strict=True):
        results = []
        for group in sorted(groups, key=_sort_key):
            values = groups[group]
            if not any(values[: WEB_SEARCH + 1]):
                continue
            assert isinstance(group, tuple)
            named = dict(zip(grouped, group, strict=True))
            row: dict[str, object] = {
                "uncached_input_tokens": values[0],
                "cache_creation": {
                    "ephemeral_1h_input_tokens": values[2],
                    "ephemeral_5m_input_tokens": values[1],
                },
                "cache_read_input_tokens": values[3],
                "output_tokens": values[4],
                "server_tool_use": {"web_search_requests": values[WEB_SEARCH]},
            }
            for name in shown:
                row[name] = named.get(name)
            results.append(row)
        data.append({"starting_at": format_ts(start), "ending_at": format_ts(end), "results": results})
    return _envelope(page, data)


def _sort_key(group: Hashable) -> tuple[str, ...]:
    assert isinstance(group, tuple)
    return tuple("" if value is None else str(value) for value in group)


# -- cost ----------------------------------------------------------------------------------------


@cache
def _description(price_class: PriceClass, token: int) -> dict[str, object]:
    model, tier, window, geo, speed = price_class
    token_type = TOKEN_TYPES[token]
    return {
        "description": token_description(
            model, token_type, service_tier=tier, context_window=window, inference_geo=geo, speed=speed
        ),
        "cost_type": "tokens",
        "model": model,
        "token_type": token_type,
        "service_tier": tier,
        "context_window": window,
        "inference_geo": geo,
    }


_NO_DESCRIPTION: Final[dict[str, object]] = dict.fromkeys(
    ("description", "cost_type", "model", "token_type", "service_tier", "context_window", "inference_geo")
)
_SERVER_TOOLS: Final[dict[int, dict[str, object]]] = {
    WEB_SEARCH: {**_NO_DESCRIPTION, "description": "Web Search Usage", "cost_type": "web_search"},
    CODE_EXEC: {**_NO_DESCRIPTION, "description": "Code Execution Usage", "cost_type": "code_execution"},
}


async def cost_report(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    now = state.now_ts()
    page = bucket_page(query, now, widths=("1d",))
    requested = set(query.enum_array("group_by", COST_GROUPS))
    by_workspace = "workspace_id" in requested
    by_description = "description" in requested
    model = state.monitoring.usage_model(state.activities)
    selected = [
        index
        for index, stream in enumerate(model.streams)
        if stream.source in API_SOURCES and stream.service_tier in COSTED_TIERS
    ]

    def group_of(stream: Stream) -> Hashable:
        return (stream.workspace_id if by_workspace else None, stream.price_class)

    totals = model.aggregate(selected, group_of, page.buckets, data_cutoff(now))
    data: list[dict[str, object]] = []
    for (start, end), groups in zip(page.buckets, totals, strict=True):
        rows: dict[tuple[str | None, object], int] = {}
        for group, values in groups.items():
            assert isinstance(group, tuple)
            workspace_id, price_class = group
            prices = unit_prices(price_class)
            lines: list[tuple[object, int]] = [
                ((price_class, token), values[token] * prices[token])
                for token in range(N_TOKEN_VALUES)
                if values[token]
            ]
            if values[WEB_SEARCH]:
                lines.append((WEB_SEARCH, values[WEB_SEARCH] * WEB_SEARCH_UNITS))
            if values[CODE_EXEC]:
                lines.append((CODE_EXEC, values[CODE_EXEC] * CODE_EXEC_UNITS))
            for line, units in lines:
                key = (workspace_id, line if by_description else None)
                rows[key] = rows.get(key, 0) + units
        results = []
        for (workspace_id, line), units in rows.items():
            if not units:
                continue
            if line is None:
                described = _NO_DESCRIPTION
            elif isinstance(line, int):
                described = _SERVER_TOOLS[line]
            else:
                assert isinstance(line, tuple)
                described = _description(line[0], line[1])
            results.append(
                {"amount": format_cents(units), "currency": "USD", "workspace_id": workspace_id, **described}
            )
        results.sort(key=lambda row: (str(row["workspace_id"] or ""), str(row["description"] or "")))
        data.append({"starting_at": format_ts(start), "ending_at": format_ts(end), "results": results})
    return _envelope(page, data)


ROUTES = [
    Route("/v1/organizations/usage_report/messages", usage_messages, methods=["GET"]),
    Route("/v1/organizations/cost_report", cost_report, methods=["GET"]),
]
