"""Claude Code analytics: real actors, every documented field, stable pages, the one-hour delay,
and tokens that are exactly the usage report's for the same users and day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import NOW, assert_error

REPORT = "/v1/organizations/usage_report/claude_code"
USAGE = "/v1/organizations/usage_report/messages"
DAY = "2026-09-29"


def walk(http: httpx2.Client, day: str, limit: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    page: str | None = None
    while True:
        params: dict[str, Any] = {"starting_at": day, "limit": limit}
        if page:
            params["page"] = page
        body = http.get(REPORT, params=params).json()
        assert set(body) == {"data", "has_more", "next_page"}
        assert len(body["data"]) <= limit
        records += body["data"]
        if not body["has_more"]:
            assert body["next_page"] is None
            return records
        page = body["next_page"]


def test_records_have_every_field_and_real_actors(
    shared_http: httpx2.Client, shared_sandbox: RunningSandbox
) -> None:
    state = shared_sandbox.state
    records = walk(shared_http, DAY, 1000)
    assert len(records) > 20
    allowed = {u.email for u in state.users.values() if u.role in ("developer", "claude_code_user", "admin")}
    key_names = {key.name for key in state.api_keys.values()}
    kinds = set()
    for record in records:
        assert set(record) == {
            "date", "actor", "organization_id", "customer_type", "subscription_type", "terminal_type",
            "is_remote", "core_metrics", "tool_actions", "model_breakdown",
        }  # fmt: skip
        assert record["date"] == f"{DAY}T00:00:00Z"
        assert record["organization_id"] == state.organization.id
        assert record["customer_type"] == "api" and record["subscription_type"] is None
        actor = record["actor"]
        kinds.add(actor["type"])
        if actor["type"] == "user_actor":
            assert set(actor) == {"type", "email_address"} and actor["email_address"] in allowed
        else:
            assert set(actor) == {"type", "api_key_name"} and actor["api_key_name"] in key_names
            assert actor["api_key_name"].startswith("claude-code")
        assert isinstance(record["is_remote"], bool) and isinstance(record["terminal_type"], str)
        core = record["core_metrics"]
        assert set(core) == {
            "num_sessions",
            "lines_of_code",
            "commits_by_claude_code",
            "pull_requests_by_claude_code",
        }
        assert core["num_sessions"] >= 1 and set(core["lines_of_code"]) == {"added", "removed"}
        assert set(record["tool_actions"]) == {
            "edit_tool",
            "multi_edit_tool",
            "write_tool",
            "notebook_edit_tool",
        }
        for decisions in record["tool_actions"].values():
            assert set(decisions) == {"accepted", "rejected"}
        assert record["model_breakdown"]
        for entry in record["model_breakdown"]:
            assert set(entry) == {"model", "tokens", "estimated_cost"}
            assert set(entry["tokens"]) == {"input", "output", "cache_read", "cache_creation"}
            assert entry["estimated_cost"]["currency"] == "USD"
            assert isinstance(entry["estimated_cost"]["amount"], int | float)
    assert kinds == {"user_actor", "api_actor"}
    assert any(record["is_remote"] for record in records)
    # One row per actor, except a remote row next to the local one.
    keys = [(str(r["actor"]), r["is_remote"]) for r in records]
    assert len(keys) == len(set(keys))


def test_pages_are_stable(shared_http: httpx2.Client) -> None:
    everything = walk(shared_http, DAY, 1000)
    assert walk(shared_http, DAY, 7) == everything
    assert walk(shared_http, DAY, 1) == everything
    assert walk(shared_http, DAY, 20) == everything


@pytest.mark.parametrize(
    ("params", "blamed"),
    [
        ({}, "starting_at"),
        ({"starting_at": "2026-09-29T00:00:00Z"}, "starting_at"),
        ({"starting_at": "2026-9-29"}, "starting_at"),
        ({"starting_at": "2026-02-30"}, "starting_at"),
        ({"starting_at": "29-09-2026"}, "starting_at"),
        ({"starting_at": DAY, "limit": 1001}, "limit"),
        ({"starting_at": DAY, "limit": 0}, "limit"),
        ({"starting_at": DAY, "page": "page_nope"}, "page"),
        ({"starting_at": DAY, "page": "page_MjAyNi0wOS0yODo1"}, "page"),  # 2026-09-28:5, another day
    ],
)
def test_validation(shared_http: httpx2.Client, params: dict[str, Any], blamed: str) -> None:
    message = assert_error(shared_http.get(REPORT, params=params), 400, "invalid_request_error")
    assert message.startswith(blamed + ":"), message


def test_a_day_appears_once_it_is_an_hour_old(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    at = NOW.replace(hour=0, minute=59)
    state.clock = lambda: at
    assert http.get(REPORT, params={"starting_at": "2026-09-30"}).json() == {
        "data": [],
        "has_more": False,
        "next_page": None,
    }
    assert http.get(REPORT, params={"starting_at": "2026-10-05"}).json()["data"] == []
    at = NOW.replace(hour=1, minute=0)
    assert http.get(REPORT, params={"starting_at": "2026-09-30"}).json()["data"]
    assert http.get(REPORT, params={"starting_at": "2026-10-01"}).json()["data"] == []
    at = at + timedelta(days=1)
    assert http.get(REPORT, params={"starting_at": "2026-10-01"}).json()["data"]


def test_tokens_match_the_usage_report(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    """A user's Claude Code tokens are their OAuth usage (`account_id`) of that day, model by model."""
    by_email = {user.email: user.id for user in shared_sandbox.state.users.values()}
    expected: dict[tuple[str, str], list[int]] = {}
    for record in walk(shared_http, DAY, 1000):
        if record["actor"]["type"] != "user_actor":
            continue
        user_id = by_email[record["actor"]["email_address"]]
        for entry in record["model_breakdown"]:
            tokens = entry["tokens"]
            known = expected.setdefault((user_id, entry["model"]), [0, 0, 0, 0])
            for position, name in enumerate(("input", "output", "cache_read", "cache_creation")):
                known[position] += tokens[name]
    params = {
        "starting_at": f"{DAY}T00:00:00Z",
        "ending_at": "2026-09-30T00:00:00Z",
        "group_by[]": ["account_id", "model"],
    }
    rows = shared_http.get(USAGE, params=params).json()["data"][0]["results"]
    usage = {
        (row["account_id"], row["model"]): [
            row["uncached_input_tokens"],
            row["output_tokens"],
            row["cache_read_input_tokens"],
            row["cache_creation"]["ephemeral_5m_input_tokens"]
            + row["cache_creation"]["ephemeral_1h_input_tokens"],
        ]
        for row in rows
        if row["account_id"] is not None
    }
    assert expected and usage == expected
