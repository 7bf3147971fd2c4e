"""The usage and cost reports: paging, bucket arithmetic, grouping, filters, validation, and cost
being exactly the priced usage (the generative model is `sandbox/usage_model.py`)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.model_catalog import TOKEN_TYPES, cents_per_token, token_description
from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox

from ._sandbox_helpers import NOW, assert_error

USAGE = "/v1/organizations/usage_report/messages"
COST = "/v1/organizations/cost_report"
WORKSPACES = "/v1/organizations/workspaces"
FAST = {"anthropic-beta": "fast-mode-2026-02-01"}
DIMENSIONS = (
    "account_id",
    "api_key_id",
    "context_window",
    "inference_geo",
    "model",
    "service_account_id",
    "service_tier",
    "speed",
    "workspace_id",
)
TOKEN_FIELDS = ("uncached", "cache_5m", "cache_1h", "cache_read", "output", "web_search")


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def numbers(row: dict[str, Any]) -> tuple[int, ...]:
    """A usage result's six counts, in `TOKEN_FIELDS` order."""
    return (
        row["uncached_input_tokens"],
        row["cache_creation"]["ephemeral_5m_input_tokens"],
        row["cache_creation"]["ephemeral_1h_input_tokens"],
        row["cache_read_input_tokens"],
        row["output_tokens"],
        row["server_tool_use"]["web_search_requests"],
    )


def add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def total(results: list[dict[str, Any]]) -> tuple[int, ...]:
    out: tuple[int, ...] = (0,) * 6
    for row in results:
        out = add(out, numbers(row))
    return out


def walk(http: httpx2.Client, path: str, params: dict[str, Any], **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every page of a page-token report, checking the envelope on the way."""
    page: str | None = None
    while True:
        response = http.get(path, params={**params, **({"page": page} if page else {})}, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"data", "has_more", "next_page"}
        yield body
        if not body["has_more"]:
            assert body["next_page"] is None
            return
        assert isinstance(body["next_page"], str) and body["next_page"].startswith("page_")
        page = body["next_page"]


def buckets(http: httpx2.Client, path: str, params: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    return [bucket for body in walk(http, path, params, **kwargs) for bucket in body["data"]]


# -- paging and buckets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "start", "end", "small", "seconds"),
    [
        ("1d", "2026-08-20T13:45:12Z", "2026-09-30T00:00:00Z", 7, 86_400),
        ("1h", "2026-09-27T05:20:00Z", "2026-09-30T00:00:00Z", 24, 3_600),
        ("1m", "2026-09-30T10:00:30Z", "2026-09-30T13:31:00Z", 60, 60),
    ],
)
def test_walking_pages_equals_one_shot(
    shared_http: httpx2.Client, width: str, start: str, end: str, small: int, seconds: int
) -> None:
    params = {"starting_at": start, "ending_at": end, "bucket_width": width, "group_by[]": "model"}
    pages = list(walk(shared_http, USAGE, {**params, "limit": small}))
    walked = [bucket for body in pages for bucket in body["data"]]
    assert all(len(body["data"]) == small for body in pages[:-1]) and len(pages) > 1
    one_shot = buckets(shared_http, USAGE, {**params, "limit": {"1d": 31, "1h": 168, "1m": 1440}[width]})
    assert walked == one_shot
    # Snapped to the width in UTC, contiguous, and covering the range (a bucket starts before ending_at).
    first = datetime.fromisoformat(walked[0]["starting_at"])
    requested = datetime.fromisoformat(start)
    assert first <= requested < first + timedelta(seconds=seconds)
    assert first.timestamp() % seconds == 0
    for before, after in itertools.pairwise(walked):
        assert before["ending_at"] == after["starting_at"]
    last_end = datetime.fromisoformat(walked[-1]["ending_at"])
    assert last_end - timedelta(seconds=seconds) < datetime.fromisoformat(end) <= last_end
    assert any(bucket["results"] for bucket in walked)


def test_widths_add_up(shared_http: httpx2.Client) -> None:
    """A day is the sum of its hours and an hour the sum of its minutes, group by group."""

    def by_model(bucket: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        return {row["model"]: numbers(row) for row in bucket["results"]}

    def summed(bucket_list: list[dict[str, Any]]) -> dict[str, tuple[int, ...]]:
        out: dict[str, tuple[int, ...]] = {}
        for bucket in bucket_list:
            for model, values in by_model(bucket).items():
                out[model] = add(out.get(model, (0,) * 6), values)
        return out

    day = {"starting_at": "2026-09-24T00:00:00Z", "ending_at": "2026-09-25T00:00:00Z", "group_by[]": "model"}
    daily = buckets(shared_http, USAGE, {**day, "bucket_width": "1d"})
    hourly = buckets(shared_http, USAGE, {**day, "bucket_width": "1h"})
    assert len(daily) == 1 and len(hourly) == 24
    assert summed(hourly) == by_model(daily[0]) != {}
    hour = {"starting_at": "2026-09-24T15:00:00Z", "ending_at": "2026-09-24T16:00:00Z", "group_by[]": "model"}
    minutes = buckets(shared_http, USAGE, {**hour, "bucket_width": "1m", "limit": 60})
    assert len(minutes) == 60
    assert summed(minutes) == by_model(hourly[15]) != {}


def test_empty_buckets_before_the_organization_existed(shared_http: httpx2.Client) -> None:
    params = {"starting_at": "2025-09-20T00:00:00Z", "ending_at": "2025-09-27T00:00:00Z"}
    data = buckets(shared_http, USAGE, params)
    assert [bucket["starting_at"] for bucket in data] == [f"2025-09-{day}T00:00:00Z" for day in range(20, 27)]
    assert all(bucket["results"] == [] for bucket in data)


def test_fresh_data_only_and_the_last_page(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    """Nothing for the last 5 minutes, nothing in the future; the last page says so."""
    pinned = NOW + timedelta(minutes=30, seconds=20)
    sandbox.state.clock = lambda: pinned
    start = _ts(pinned - timedelta(minutes=15))
    body = http.get(USAGE, params={"starting_at": start, "bucket_width": "1m"}).json()
    data = body["data"]
    assert body["has_more"] is False and body["next_page"] is None
    assert data[0]["starting_at"] == "2026-10-01T12:15:00Z"
    assert data[-1]["starting_at"] == "2026-10-01T12:30:00Z"  # the minute in progress, empty
    filled = [bucket["starting_at"] for bucket in data if bucket["results"]]
    assert filled and max(filled) <= "2026-10-01T12:24:00Z"  # 12:25 ends less than 5 minutes ago
    assert all(bucket["results"] == [] for bucket in data if bucket["starting_at"] >= "2026-10-01T12:25:00Z")
    # A future ending_at changes nothing: the range stops now.
    later = http.get(
        USAGE, params={"starting_at": start, "ending_at": "2027-01-01T00:00:00Z", "bucket_width": "1m"}
    )
    assert later.json() == body
    # The day in progress is one bucket, filled to the cutoff.
    today = http.get(USAGE, params={"starting_at": "2026-10-01T00:00:00Z"}).json()
    assert [bucket["starting_at"] for bucket in today["data"]] == ["2026-10-01T00:00:00Z"]
    hours = buckets(http, USAGE, {"starting_at": "2026-10-01T00:00:00Z", "bucket_width": "1h"})
    assert total(today["data"][0]["results"]) == total([row for bucket in hours for row in bucket["results"]])


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "blamed"),
    [
        ({"bucket_width": "1d", "limit": 32}, "limit"),
        ({"bucket_width": "1h", "limit": 169}, "limit"),
        ({"bucket_width": "1m", "limit": 1441}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "seven"}, "limit"),
        ({"bucket_width": "2d"}, "bucket_width"),
        ({"starting_at": None}, "starting_at"),
        ({"starting_at": "2026-09-01"}, "starting_at"),
        ({"starting_at": "2026-09-01T00:00:00"}, "starting_at"),
        ({"starting_at": "2026-09-31T00:00:00Z"}, "starting_at"),
        ({"starting_at": "yesterday"}, "starting_at"),
        ({"ending_at": "2026-08-31T00:00:00Z"}, "ending_at"),
        ({"ending_at": "2026-09-01T00:00:00Z"}, "ending_at"),
        ({"starting_at": "2026-10-02T00:00:00Z"}, "starting_at"),
        ({"starting_at": "2025-08-01T00:00:00Z"}, "starting_at"),
        (
            {
                "bucket_width": "1h",
                "starting_at": "2026-08-20T00:00:00Z",
                "ending_at": "2026-09-30T00:00:00Z",
            },
            "ending_at",
        ),
        ({"bucket_width": "1m", "ending_at": "2026-09-02T00:00:01Z"}, "ending_at"),
        ({"group_by[]": "project"}, "group_by[]"),
        ({"group_by[]": "speed"}, "group_by[]"),
        ({"speeds[]": "fast"}, "speeds[]"),
        ({"service_tiers[]": "turbo"}, "service_tiers[]"),
        ({"context_window[]": "1M"}, "context_window[]"),
        ({"inference_geos[]": "eu"}, "inference_geos[]"),
        ({"workspace_ids[]": "apikey_01abc"}, "workspace_ids[]"),
        ({"api_key_ids[]": "key-1"}, "api_key_ids[]"),
        ({"account_ids[]": "wrkspc_01x"}, "account_ids[]"),
        ({"page": "page_bm90IGEgZGF0ZQ=="}, "page"),
        ({"page": "page_MjAyNi0wOS0wMVQxMjowMDowMFo="}, "page"),
        ({"page": "garbage"}, "page"),
    ],
)
def test_usage_validation(shared_http: httpx2.Client, params: dict[str, Any], blamed: str) -> None:
    query = {"starting_at": "2026-09-01T00:00:00Z", **params}
    query = {key: value for key, value in query.items() if value is not None}
    message = assert_error(shared_http.get(USAGE, params=query), 400, "invalid_request_error")
    assert message.startswith(blamed + ":"), message


@pytest.mark.parametrize(
    ("params", "blamed"),
    [
        ({"bucket_width": "1h"}, "bucket_width"),
        ({"limit": 32}, "limit"),
        ({"group_by[]": "model"}, "group_by[]"),
        ({"starting_at": "2026-09-01"}, "starting_at"),
    ],
)
def test_cost_validation(shared_http: httpx2.Client, params: dict[str, Any], blamed: str) -> None:
    query = {"starting_at": "2026-09-01T00:00:00Z", **params}
    message = assert_error(shared_http.get(COST, params=query), 400, "invalid_request_error")
    assert message.startswith(blamed + ":"), message


# -- grouping and filters --------------------------------------------------------------------------

RANGES = (
    {"starting_at": "2026-09-20T00:00:00Z", "ending_at": "2026-09-27T00:00:00Z", "bucket_width": "1d"},
    {"starting_at": "2026-09-29T20:00:00Z", "ending_at": "2026-09-30T08:00:00Z", "bucket_width": "1h"},
)


def test_every_grouping_sums_to_the_total(shared_http: httpx2.Client) -> None:
    for window in RANGES:
        totals = [total(bucket["results"]) for bucket in buckets(shared_http, USAGE, window)]
        assert any(any(values) for values in totals)
        combos = [(d,) for d in DIMENSIONS] + list(itertools.combinations(DIMENSIONS, 2))
        for combo in combos:
            data = buckets(shared_http, USAGE, {**window, "group_by[]": list(combo)}, headers=FAST)
            assert [total(bucket["results"]) for bucket in data] == totals, combo
            for bucket in data:
                keys = [tuple(row[d] for d in combo) for row in bucket["results"]]
                assert len(keys) == len(set(keys)), combo  # one row per group
                for row in bucket["results"]:
                    for other in DIMENSIONS:
                        if other not in combo:
                            assert row[other] is None, (combo, other)


def test_groups_hold_real_ids_and_nulls_where_documented(
    shared_http: httpx2.Client, shared_sandbox: RunningSandbox
) -> None:
    state = shared_sandbox.state
    params = {**RANGES[0], "group_by[]": ["api_key_id", "account_id", "workspace_id", "service_account_id"]}
    rows = [row for bucket in buckets(shared_http, USAGE, params) for row in bucket["results"]]
    assert {row["api_key_id"] for row in rows} - {None} <= set(state.api_keys)
    assert {row["account_id"] for row in rows} - {None} <= set(state.users)
    assert {row["workspace_id"] for row in rows} - {None} <= set(state.workspaces)
    assert {row["service_account_id"] for row in rows} == {None}
    # Key usage is never attributed to an account; OAuth usage has no key; Workbench usage neither.
    assert all(row["account_id"] is None for row in rows if row["api_key_id"] is not None)
    assert any(row["account_id"] is not None and row["api_key_id"] is None for row in rows)
    assert any(row["account_id"] is None and row["api_key_id"] is None for row in rows)
    # The default workspace is null, as on the API.
    default_keys = {k.id for k in state.api_keys.values() if k.workspace_id == state.default_workspace_id}
    assert all(row["workspace_id"] is None for row in rows if row["api_key_id"] in default_keys)
    assert state.default_workspace_id not in {row["workspace_id"] for row in rows}


def test_keys_that_stopped_have_no_recent_usage(
    shared_http: httpx2.Client, shared_sandbox: RunningSandbox
) -> None:
    keys = {
        key["id"]: key
        for key in shared_http.get("/v1/organizations/api_keys", params={"limit": 1000}).json()["data"]
    }
    recent = {
        "starting_at": "2026-09-29T12:00:00Z",
        "ending_at": "2026-10-01T12:00:00Z",
        "bucket_width": "1h",
    }
    used = {
        row["api_key_id"]
        for b in buckets(shared_http, USAGE, {**recent, "group_by[]": "api_key_id"})
        for row in b["results"]
    }
    used.discard(None)
    assert used and all(keys[key_id]["status"] == "active" for key_id in used)
    month = {"starting_at": "2026-09-01T00:00:00Z", "group_by[]": "api_key_id", "limit": 31}
    used_in_month = {row["api_key_id"] for b in buckets(shared_http, USAGE, month) for row in b["results"]}
    unused_active = [
        key_id for key_id, key in keys.items() if key["status"] == "active" and key_id not in used_in_month
    ]
    assert unused_active, "some active key nobody has used for 30 days"


def test_filters_narrow(shared_http: httpx2.Client) -> None:
    window = RANGES[0]

    def grouped(dimension: str) -> dict[str | None, list[tuple[int, ...]]]:
        out: dict[str | None, list[tuple[int, ...]]] = {}
        data = buckets(shared_http, USAGE, {**window, "group_by[]": dimension}, headers=FAST)
        for position, bucket in enumerate(data):
            for row in bucket["results"]:
                out.setdefault(row[dimension], [(0,) * 6] * len(data))[position] = numbers(row)
        return out

    def filtered(name: str, values: list[str]) -> list[tuple[int, ...]]:
        data = buckets(shared_http, USAGE, {**window, f"{name}[]": values}, headers=FAST)
        return [total(bucket["results"]) for bucket in data]

    for dimension, name in (
        ("workspace_id", "workspace_ids"),
        ("api_key_id", "api_key_ids"),
        ("account_id", "account_ids"),
        ("model", "models"),
        ("service_tier", "service_tiers"),
        ("context_window", "context_window"),
        ("inference_geo", "inference_geos"),
        ("speed", "speeds"),
    ):
        groups = {key: series for key, series in grouped(dimension).items() if key is not None}
        assert groups, dimension
        picked = sorted(groups)[:2]
        expected = [
            tuple(sum(column) for column in zip(*rows, strict=True))
            for rows in zip(*(groups[key] for key in picked), strict=True)
        ]
        assert filtered(name, picked) == expected, dimension
    # An alias filters like the model id; a well-formed id that matches nothing gives empty buckets.
    assert filtered("models", ["claude-haiku-4-5"]) == filtered("models", ["claude-haiku-4-5-20251001"])
    assert all(values == (0,) * 6 for values in filtered("service_account_ids", ["svac_01NoSuchAccount"]))


# -- cost ------------------------------------------------------------------------------------------


def priced_usage(
    http: httpx2.Client, window: dict[str, Any], extra: list[str]
) -> list[dict[tuple[Any, ...], Decimal]]:
    """Per bucket: (extra dims..., description) -> exact cents, computed from the usage report."""
    params = {
        **window,
        "group_by[]": [*extra, "model", "service_tier", "context_window", "inference_geo", "speed"],
        "service_tiers[]": ["standard", "batch"],
    }
    out = []
    for bucket in buckets(http, USAGE, params, headers=FAST):
        lines: dict[tuple[Any, ...], Decimal] = {}
        for row in bucket["results"]:
            cls = {name: row[name] for name in ("service_tier", "context_window", "inference_geo", "speed")}
            head = tuple(row[name] for name in extra)
            for token_type, count in zip(TOKEN_TYPES, numbers(row)[:5], strict=True):
                if count:
                    key = (*head, token_description(row["model"], token_type, **cls))
                    lines[key] = lines.get(key, Decimal(0)) + count * cents_per_token(
                        row["model"], token_type, **cls
                    )
            if row["server_tool_use"]["web_search_requests"]:
                key = (*head, "Web Search Usage")
                lines[key] = lines.get(key, Decimal(0)) + row["server_tool_use"]["web_search_requests"]
        out.append(lines)
    return out


def test_cost_is_exactly_the_priced_usage(shared_http: httpx2.Client) -> None:
    window = {"starting_at": "2026-09-10T00:00:00Z", "ending_at": "2026-09-24T00:00:00Z", "limit": 14}
    expected = priced_usage(shared_http, window, ["workspace_id"])
    cost = buckets(shared_http, COST, {**window, "group_by[]": ["workspace_id", "description"]})
    assert len(cost) == len(expected) == 14
    float_mismatch = False
    for lines, bucket in zip(expected, cost, strict=True):
        rows = bucket["results"]
        assert all(row["currency"] == "USD" and isinstance(row["amount"], str) for row in rows)
        got = {
            (row["workspace_id"], row["description"]): Decimal(row["amount"])
            for row in rows
            if row["cost_type"] != "code_execution"
        }
        assert got == lines  # line by line, to the last fraction of a cent
        exact = sum(got.values(), Decimal(0))
        float_mismatch |= sum(
            float(row["amount"]) for row in rows if row["cost_type"] != "code_execution"
        ) != float(exact)
    assert float_mismatch, "amounts carry fractions of a cent that floats do not add up exactly"
    # Every grouping of the cost report adds up to the same totals, code execution included.
    ungrouped = buckets(shared_http, COST, window)
    by_workspace = buckets(shared_http, COST, {**window, "group_by[]": "workspace_id"})
    by_both = cost
    for plain, workspaces, both in zip(ungrouped, by_workspace, by_both, strict=True):
        assert len(plain["results"]) == 1
        assert plain["results"][0]["description"] is None and plain["results"][0]["workspace_id"] is None
        amount = Decimal(plain["results"][0]["amount"])
        assert sum((Decimal(r["amount"]) for r in workspaces["results"]), Decimal(0)) == amount
        assert sum((Decimal(r["amount"]) for r in both["results"]), Decimal(0)) == amount


def test_cost_rows_follow_the_null_rules(shared_http: httpx2.Client) -> None:
    window = {"starting_at": "2026-09-01T00:00:00Z", "ending_at": "2026-09-30T00:00:00Z", "limit": 31}
    rows = [
        row
        for b in buckets(shared_http, COST, {**window, "group_by[]": "description"})
        for row in b["results"]
    ]
    described = (
        "description",
        "cost_type",
        "model",
        "token_type",
        "service_tier",
        "context_window",
        "inference_geo",
    )
    kinds = {row["cost_type"] for row in rows}
    assert kinds == {"tokens", "web_search", "code_execution"}
    for row in rows:
        assert row["workspace_id"] is None  # not grouped by workspace
        if row["cost_type"] == "tokens":
            assert all(row[name] is not None for name in described)
            assert row["service_tier"] in ("standard", "batch")
            assert row["description"].startswith(("Claude Opus", "Claude Sonnet", "Claude Haiku"))
        else:
            assert row["description"] in ("Web Search Usage", "Code Execution Usage")
            assert all(row[name] is None for name in described[2:])
    by_workspace = [
        row
        for b in buckets(shared_http, COST, {**window, "group_by[]": "workspace_id"})
        for row in b["results"]
    ]
    assert all(all(row[name] is None for name in described) for row in by_workspace)
    # Priority Tier is in the usage report only.
    priority = buckets(shared_http, USAGE, {**window, "limit": 31, "service_tiers[]": "priority"})
    assert any(bucket["results"] for bucket in priority)


# -- determinism and speed -------------------------------------------------------------------------


def test_same_seed_same_reports(shared_http: httpx2.Client) -> None:
    with (
        start_sandbox(SandboxConfig(users=150, now=NOW)) as twin,
        httpx2.Client(base_url=twin.base_url, headers={"x-api-key": twin.config.admin_key}) as other,
    ):
        cases: list[tuple[str, dict[str, Any]]] = [
            (USAGE, {**RANGES[1], "group_by[]": ["api_key_id", "model"]}),
            (
                COST,
                {
                    "starting_at": "2026-09-01T00:00:00Z",
                    "ending_at": "2026-09-08T00:00:00Z",
                    "group_by[]": "description",
                },
            ),
            ("/v1/organizations/usage_report/claude_code", {"starting_at": "2026-09-28", "limit": 1000}),
            ("/v1/organizations/rate_limits", {}),
        ]
        for path, params in cases:
            assert other.get(path, params=params).json() == shared_http.get(path, params=params).json()
    with (
        start_sandbox(SandboxConfig(users=150, now=NOW, seed=2)) as stranger,
        httpx2.Client(base_url=stranger.base_url, headers={"x-api-key": stranger.config.admin_key}) as other,
    ):
        params = {**RANGES[0]}
        assert other.get(USAGE, params=params).json() != shared_http.get(USAGE, params=params).json()


def test_a_month_of_daily_cost_for_200_workspaces_is_fast() -> None:
    with (
        start_sandbox(SandboxConfig(users=2000, workspaces=200, now=NOW)) as big,
        httpx2.Client(base_url=big.base_url, headers={"x-api-key": big.config.admin_key}) as http,
    ):
        month = {"starting_at": "2026-09-01T00:00:00Z", "ending_at": "2026-10-01T00:00:00Z"}
        figures = []
        runs: list[tuple[str, str, dict[str, Any]]] = [
            (
                "cost by workspace, 1 page of 30 days",
                COST,
                {**month, "limit": 31, "group_by[]": "workspace_id"},
            ),
            ("same again (cached days)", COST, {**month, "limit": 31, "group_by[]": "workspace_id"}),
            (
                "usage by workspace, 1 page of 30 days",
                USAGE,
                {**month, "limit": 31, "group_by[]": "workspace_id"},
            ),
            ("usage ungrouped, 7-day page", USAGE, {**month, "limit": 7}),
        ]
        for label, path, params in runs:
            started = time.perf_counter()
            response = http.get(path, params=params)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            figures.append(f"{label}: {elapsed * 1000:.0f} ms, {len(response.content) / 1e6:.2f} MB")
            assert elapsed < 1.0, figures[-1]
            data = response.json()["data"]
            if path == COST:
                assert len({row["workspace_id"] for b in data for row in b["results"]}) > 100
        print("\n" + "\n".join(figures))


def test_writes_stop_usage_from_then_on(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    """Deactivating a key, archiving a workspace or removing a user stops their usage at that
    moment; what came before is unchanged."""
    state = sandbox.state
    moment = NOW + timedelta(hours=3)
    state.clock = lambda: moment
    window = {
        "starting_at": "2026-10-01T13:00:00Z",
        "ending_at": "2026-10-01T15:00:00Z",
        "bucket_width": "1m",
        "limit": 1440,
    }

    def usage(name: str, value: str) -> list[tuple[int, ...]]:
        return [total(b["results"]) for b in buckets(http, USAGE, {**window, f"{name}[]": value})]

    def busiest(dimension: str, allowed: set[str]) -> str:
        used: dict[str, int] = {}
        for bucket in buckets(http, USAGE, {**window, "group_by[]": dimension}):
            for row in bucket["results"]:
                if row[dimension] in allowed:
                    used[row[dimension]] = used.get(row[dimension], 0) + sum(numbers(row))
        return max(sorted(used), key=used.__getitem__)

    # The archived workspace's keys and Workbench stop too: take a workspace with usage.
    workspaces = {w.id for w in state.workspaces.values() if not w.is_default and w.archived_at is None}
    workspace_id = busiest("workspace_id", workspaces)
    others = {k.id for k in state.api_keys.values() if k.workspace_id != workspace_id}
    key_id = busiest("api_key_id", others)
    account_id = busiest("account_id", {u.id for u in state.users.values() if u.role != "admin"})
    targets = (("api_key_ids", key_id), ("account_ids", account_id), ("workspace_ids", workspace_id))
    before = [usage(name, value) for name, value in targets]
    assert all(any(map(any, series)) for series in before)
    moment = NOW.replace(hour=14)  # the writes happen at 14:00, minute 60 of the window
    assert http.post(f"/v1/organizations/api_keys/{key_id}", json={"status": "inactive"}).status_code == 200
    assert http.delete(f"/v1/organizations/users/{account_id}").status_code == 200
    assert http.post(f"{WORKSPACES}/{workspace_id}/archive").status_code == 200
    moment = NOW + timedelta(hours=3)
    for (name, value), series in zip(targets, before, strict=True):
        after = usage(name, value)
        assert after[:60] == series[:60], name
        assert any(map(any, series[60:])) and not any(map(any, after[60:])), name
