"""The server paces itself from the API's `anthropic-ratelimit-*` headers, and the sandbox emulates
the per-organization request limit that sends them.

The limited sandboxes here hold 60 requests and refill them in 6 seconds (10 a second): the
rules of a per-minute limit, ten times faster, so that work crosses the bucket within seconds.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anthropic
import anyio
import httpx2
import pytest

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.request_limit import STATUS_PATH, RequestLimit
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.client import AdminApi
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.api.errors import ApiError
from claude_admin_mcp.server.cli import build_parser, main, runtime

from .conftest import TOKEN_CHANNEL, connect, make_server, sandbox_config, text_of

LIMIT, WINDOW = 60, 6.0
RATE = LIMIT / WINDOW
LONG_RANGE = "2026-08-20..2026-11-19"
"""92 days of Claude Code usage: one tool call, one request per day."""
HEADERS = (
    "anthropic-ratelimit-requests-limit",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-requests-reset",
)


@contextmanager
def limited(limit: int = LIMIT, window: float = WINDOW, **options: Any) -> Iterator[RunningSandbox]:
    config = sandbox_config(rate_limit=limit, rate_limit_window_seconds=window, **options)
    with start_sandbox(config) as running:
        yield running


def bucket(sandbox: RunningSandbox) -> RequestLimit:
    assert sandbox.state.request_limit is not None
    return sandbox.state.request_limit


def throughput(limit: RequestLimit) -> float:
    """Requests served from the first to the last, as a fraction of what the limit allowed in that
    span: the bucket's level at the first request plus its refill since."""
    status = limit.status()
    assert isinstance(status["first_tokens"], float) and isinstance(status["span_seconds"], float)
    return limit.served / (status["first_tokens"] + limit.rate * status["span_seconds"])


def implied_seconds(limit: RequestLimit) -> float:
    """The least time the served requests can take: what the first burst did not cover, refilled."""
    status = limit.status()
    assert isinstance(status["first_tokens"], float)
    return (limit.served - status["first_tokens"]) / limit.rate


def api_for(sandbox: RunningSandbox, **options: Any) -> AdminApi:
    return AdminApi(
        base_url=sandbox.base_url,
        credential=admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key),
        **options,
    )


def raw(sandbox: RunningSandbox) -> httpx2.Client:
    return httpx2.Client(
        base_url=sandbox.base_url,
        headers={"x-api-key": sandbox.config.admin_key, "anthropic-version": "2023-06-01"},
        timeout=30,
    )


# -- the server paces itself ------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_long_walk_crosses_the_limit_without_a_429_at_the_allowed_rate() -> None:
    with start_sandbox(sandbox_config()) as unlimited:
        async with connect(make_server(unlimited, toolsets=("all",))) as client:
            expected = await client.call_tool("get_claude_code_usage", {"range": LONG_RANGE})
    with limited() as sandbox:
        async with connect(make_server(sandbox, toolsets=("all",))) as client:
            started = time.monotonic()
            result = await client.call_tool("get_claude_code_usage", {"range": LONG_RANGE})
            elapsed = time.monotonic() - started
        limit = bucket(sandbox)
    assert not result.is_error, text_of(result)
    assert result.structured_content == expected.structured_content, "paced, the answer is the same"
    assert limit.served >= 92 and limit.refused == 0
    assert elapsed >= implied_seconds(limit) > 2.5, "the limit made it wait: it was paced"
    assert throughput(limit) >= 0.9, f"{throughput(limit):.2f} of the allowed rate"


@pytest.mark.anyio
async def test_concurrent_tool_calls_share_one_pace() -> None:
    ranges = [
        f"2026-{month:02}-{first:02}..2026-{month:02}-{first + 11:02}"
        for month in (5, 6, 7, 8)
        for first in (1, 13)
    ]
    with limited() as sandbox:
        async with connect(make_server(sandbox, toolsets=("all",))) as client:
            results: list[Any] = []

            async def report(days: str) -> None:
                results.append(await client.call_tool("get_claude_code_usage", {"range": days}))

            async def walk() -> None:
                cursor: str | None = None
                for _ in range(15):  # a cursor walk, page by page, beside the reports
                    arguments: dict[str, Any] = {"limit": 4, **({"cursor": cursor} if cursor else {})}
                    page = await client.call_tool("list_users", arguments)
                    results.append(page)
                    cursor = (page.structured_content or {}).get("next_cursor")

            started = time.monotonic()
            async with anyio.create_task_group() as group:
                for days in ranges:
                    group.start_soon(report, days)
                group.start_soon(walk)
            elapsed = time.monotonic() - started
        limit = bucket(sandbox)
    assert all(not r.is_error for r in results), [text_of(r) for r in results if r.is_error]
    assert len(results) == 8 + 15
    assert limit.served >= 8 * 12 + 15 and limit.refused == 0
    assert elapsed >= implied_seconds(limit) > 4
    assert throughput(limit) >= 0.9, f"{throughput(limit):.2f} of the allowed rate"


@pytest.mark.anyio
async def test_a_plan_and_an_export_cross_the_limit_without_a_429(tmp_path: Path) -> None:
    with limited(users=400, workspaces=80) as sandbox:
        limit = bucket(sandbox)
        developers = [u.id for u in sandbox.state.users.values() if u.role == "developer"][:80]
        changes = [
            {"tool": "update_user_role", "arguments": {"user_id": user_id, "role": "user"}}
            for user_id in developers
        ]
        server = make_server(sandbox, toolsets=("all",), confirm_via=TOKEN_CHANNEL, exports_dir=tmp_path)
        async with connect(server) as client:
            preview = await client.call_tool("apply_changes", {"changes": changes})
            token = (preview.structured_content or {}).get("confirmation_token")
            assert token is not None, text_of(preview)
            applied = await client.call_tool(
                "apply_changes", {"changes": changes, "confirmation_token": token}
            )
            planned = (limit.served, limit.refused, throughput(limit))
            limit.reset()
            exported = await client.call_tool("export_list", {"list": "workspace_members"})
        assert all(sandbox.state.users[user_id].role == "user" for user_id in developers)
    assert (applied.structured_content or {}).get("outcome") == "applied", text_of(applied)
    assert planned[0] > LIMIT and planned[1] == 0 and planned[2] >= 0.9, planned
    assert not exported.is_error, text_of(exported)
    assert limit.served > LIMIT and limit.refused == 0, "the export crossed the bucket unrefused"
    assert throughput(limit) >= 0.9, f"{throughput(limit):.2f} of the allowed rate"


@pytest.mark.anyio
async def test_without_rate_limit_headers_nothing_waits() -> None:
    with start_sandbox(sandbox_config()) as sandbox:
        api = api_for(sandbox)
        try:

            async def worker() -> None:
                for _ in range(25):
                    await api.get("/v1/organizations/users", {"limit": 1})

            async with anyio.create_task_group() as group:
                for _ in range(8):
                    group.start_soon(worker)
        finally:
            await api.aclose()
        async with connect(make_server(sandbox, toolsets=("all",))) as client:
            started = time.monotonic()
            result = await client.call_tool("get_claude_code_usage", {"range": LONG_RANGE})
            elapsed = time.monotonic() - started
    assert api.pacer.waits == 0 and api.pacer.waited_seconds == 0.0
    assert not result.is_error, text_of(result)
    # The limited sandbox makes this call take at least (92 - 60) / 10 s; free, far less.
    assert elapsed < (92 - LIMIT) / RATE / 2


@pytest.mark.anyio
async def test_a_429_holds_every_request_until_its_retry_after() -> None:
    with start_sandbox(sandbox_config()) as sandbox:
        refused = sandbox.state.faults.add(
            Fault("status", path="/organizations/me$", status=429, retry_after=1, times=1)
        )
        api = api_for(sandbox)
        waited: list[float] = []
        try:

            async def other(path: str) -> None:
                started = time.monotonic()
                assert (await api.get(path)).status == 200
                waited.append(time.monotonic() - started)

            async with anyio.create_task_group() as group:
                group.start_soon(api.get, "/v1/organizations/me")
                while refused.fired == 0:
                    await anyio.sleep(0.01)
                await anyio.sleep(0.05)  # the 429 has reached the client
                group.start_soon(other, "/v1/organizations/users")
                group.start_soon(other, "/v1/organizations/workspaces")
        finally:
            await api.aclose()
    assert len(waited) == 2 and min(waited) >= 0.8, waited
    assert api.pacer.waits >= 2


@pytest.mark.anyio
async def test_a_hold_lasts_no_longer_than_the_retry_budget() -> None:
    with start_sandbox(sandbox_config()) as sandbox:
        sandbox.state.faults.add(
            Fault("status", path="/organizations/me$", status=429, retry_after=60, times=1)
        )
        api = api_for(sandbox, retry_budget=1.0)
        try:
            started = time.monotonic()
            with pytest.raises(ApiError) as refused:
                await api.get("/v1/organizations/me")
            assert time.monotonic() - started < 0.5, "a wait past the budget is not waited: a clear error"
            started = time.monotonic()
            assert (await api.get("/v1/organizations/users")).status == 200
            held = time.monotonic() - started
        finally:
            await api.aclose()
    assert (refused.value.status, refused.value.retry_after) == (429, 60)
    assert 0.9 <= held <= 1.6, "held for the budget, not the 60 s asked, then served"


# -- the sandbox's limit, as the API answers it --------------------------------------------------


def test_the_sandbox_sends_the_limit_headers_and_a_429_when_spent() -> None:
    with limited(limit=5, window=60) as sandbox, raw(sandbox) as http:
        user = next(u for u in sandbox.state.users.values() if u.role == "developer")
        remaining = []
        for _ in range(4):
            response = http.get("/v1/organizations/users", params={"limit": 1})
            assert response.status_code == 200
            assert response.headers["anthropic-ratelimit-requests-limit"] == "5"
            remaining.append(int(response.headers["anthropic-ratelimit-requests-remaining"]))
            reset = response.headers["anthropic-ratelimit-requests-reset"]
            full_at = datetime.strptime(reset, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
            assert time.time() < full_at <= time.time() + 60 + 1, reset
        missing = http.get("/v1/organizations/users/user_011CZ00000000000000000000")
        assert missing.status_code == 404, "errors count and carry the headers too"
        assert missing.headers["anthropic-ratelimit-requests-remaining"] == "0"
        refused = http.post(f"/v1/organizations/users/{user.id}", json={"role": "billing"})
        assert remaining == [4, 3, 2, 1]
        assert refused.status_code == 429
        body = refused.json()
        assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
        assert "rate limit" in body["error"]["message"]
        assert body["request_id"] == refused.headers["request-id"]
        retry_after = int(refused.headers["retry-after"])
        assert 1 <= retry_after <= 12  # one request refills in 60 / 5 s
        assert all(name in refused.headers for name in HEADERS)
        assert refused.headers["anthropic-ratelimit-requests-remaining"] == "0"
        assert sandbox.state.users[user.id].role == "developer", "a refused write changes nothing"
        status = http.get(STATUS_PATH).json()
        assert (status["limit"], status["served"], status["refused"]) == (5, 5, 1)
        assert http.get(STATUS_PATH).json()["refused"] == 1, "the status is not itself limited"
        afresh = http.delete(STATUS_PATH).json()
        assert (afresh["served"], afresh["refused"], afresh["remaining"]) == (0, 0, 5)
        assert http.get("/v1/organizations/me").headers["anthropic-ratelimit-requests-remaining"] == "4"


def test_without_a_limit_the_sandbox_sends_no_limit_headers(sandbox: RunningSandbox) -> None:
    with raw(sandbox) as http:
        response = http.get("/v1/organizations/users", params={"limit": 1})
        assert response.status_code == 200
        assert not any(name in response.headers for name in HEADERS)
        assert http.get(STATUS_PATH).json() == {"limit": None}


def test_the_official_sdk_reads_the_sandbox_429_as_a_rate_limit_error() -> None:
    with limited(limit=2, window=60) as sandbox:
        sdk = anthropic.Anthropic(
            api_key=sandbox.config.admin_key,
            base_url=sandbox.base_url,
            max_retries=0,
            _strict_response_validation=True,
        )
        sdk.beta.organization.retrieve()
        sdk.beta.organization.retrieve()
        with pytest.raises(anthropic.RateLimitError) as refused:
            sdk.beta.organization.retrieve()
    assert refused.value.status_code == 429
    assert int(refused.value.response.headers["retry-after"]) >= 1


# -- configuration --------------------------------------------------------------------------------


def test_sandbox_rate_limit_setting_limits_the_in_process_sandbox() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        ns = build_parser().parse_args(["check", "--sandbox", "--sandbox-rate-limit", "7"])
        with runtime(ns, quiet=True) as (settings, credential), httpx2.Client() as http:
            response = http.get(
                settings.base_url + "/v1/organizations/me", headers=anyio.run(credential.headers)
            )
    finally:
        root.handlers[:], root.level = handlers, level
    assert response.status_code == 200
    assert response.headers["anthropic-ratelimit-requests-limit"] == "7"
    assert response.headers["anthropic-ratelimit-requests-remaining"] == "6"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate-limit", "0"], "--rate-limit: must be at least 1"),
        (["--rate-limit", "5", "--rate-limit-window", "0"], "--rate-limit-window: must be a positive"),
    ],
)
def test_a_bad_sandbox_rate_limit_is_refused_before_serving(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--port", "0", *args]) == 2
    assert message in capsys.readouterr().err


def test_the_status_endpoint_needs_a_credential() -> None:
    with limited() as sandbox:
        response = httpx2.get(sandbox.base_url + STATUS_PATH)
        assert response.status_code == 401
        assert json.loads(response.text)["error"]["type"] == "authentication_error"
        assert bucket(sandbox).served == 0
