"""Faults: the API and the network misbehave; the server recovers, or fails clearly and in bounded
time, never sends a write twice, keeps what a broken walk had, and keeps serving.

The server runs as a real stdio process against a sandbox whose faults the test sets. Every case
lands in a table (fault × operation × outcome) printed at the end of the test run.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox

from .conftest import sandbox_config, text_of
from .fault_table import record
from .processes import BIN, TOKEN_CHANNEL, clean_env

pytestmark = pytest.mark.e2e

TIMEOUT, RETRIES, RETRY_BUDGET = 1.5, 2, 4.0
BOUND = TIMEOUT * (RETRIES + 1) + RETRY_BUDGET + 3.0
"""The longest any call may take, whatever the fault: every try timed out, every wait spent."""

FAULTS: dict[str, dict[str, Any]] = {
    "latency 0.3 s": {"kind": "latency", "seconds": 0.3, "times": None},
    "latency 4 s (over the timeout)": {"kind": "latency", "seconds": 4.0, "times": None},
    "429, retry-after 0.2 s": {"kind": "status", "status": 429, "retry_after": 0.2, "times": 1},
    "429, retry-after 60 s": {"kind": "status", "status": 429, "retry_after": 60, "times": None},
    "500 once": {"kind": "status", "status": 500, "times": 1},
    "500 always": {"kind": "status", "status": 500, "times": None},
    "529 once": {"kind": "status", "status": 529, "times": 1},
    "malformed JSON once": {"kind": "malformed", "times": 1},
    "truncated body once": {"kind": "truncated", "times": 1},
    "dropped connection once": {"kind": "drop", "times": 1},
    "slow drip 0.6 s": {"kind": "drip", "seconds": 0.6, "times": None},
}


@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningSandbox]:
    with start_sandbox(sandbox_config(users=2_500, workspaces=20)) as running:
        yield running


@asynccontextmanager
async def server(sandbox: RunningSandbox, audit: Path) -> AsyncIterator[Client]:
    env = clean_env(
        ANTHROPIC_BASE_URL=sandbox.base_url,
        ANTHROPIC_ADMIN_KEY=sandbox.config.admin_key,
        CLAUDE_ADMIN_MCP_TIMEOUT_SECONDS=str(TIMEOUT),
        CLAUDE_ADMIN_MCP_MAX_RETRIES=str(RETRIES),
        CLAUDE_ADMIN_MCP_RETRY_BUDGET_SECONDS=str(RETRY_BUDGET),
        **TOKEN_CHANNEL,
        CLAUDE_ADMIN_MCP_AUDIT_LOG=str(audit),
        CLAUDE_ADMIN_MCP_LOG_LEVEL="WARNING",
    )
    async with Client(StdioServerParameters(command=str(BIN), args=["--toolsets", "all"], env=env)) as client:
        yield client


def _fault(spec: dict[str, Any], **where: Any) -> Fault:
    return Fault(**{**spec, **where})


async def _timed(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[Any, float]:
    start = time.monotonic()
    result = await client.call_tool(tool, arguments)
    return result, time.monotonic() - start


def _describe(result: Any, elapsed: float) -> str:
    if result.is_error:
        first = text_of(result).split("\n", 1)[0]
        return f"clear error in {elapsed:.1f} s: {first[:70]}"
    return f"ok in {elapsed:.1f} s"


async def _still_serving(client: Client, sandbox: RunningSandbox) -> None:
    sandbox.state.faults.clear()
    result = await client.call_tool("get_organization", {})
    assert not result.is_error, "the server keeps serving after a fault"


async def read_one(client: Client, faulty: RunningSandbox, fault: str) -> None:
    spec = FAULTS[fault]
    faulty.state.faults.add(_fault(spec, path="/organizations/me$"))
    result, elapsed = await _timed(client, "get_organization", {})
    assert elapsed <= BOUND
    if result.is_error:
        text = text_of(result)
        assert "failed" in text and "Traceback" not in text
    record(fault, "read (get_organization)", _describe(result, elapsed))
    recoverable = spec.get("times") == 1 or fault in ("latency 0.3 s", "slow drip 0.6 s")
    assert result.is_error is not recoverable, text_of(result)


async def walk(client: Client, faulty: RunningSandbox, fault: str) -> None:
    spec = FAULTS[fault]
    others = [
        u.email.rpartition("@")[2] for u in faulty.state.users.values() if not u.email.endswith("@acme.com")
    ]
    arguments = {"email_domain": max(set(others), key=others.count), "fields": ["id"], "limit": 1000}
    whole, _ = await _timed(client, "list_users", arguments)
    expected = [u["id"] for u in whole.structured_content["items"]]
    assert whole.structured_content["next_cursor"] is None and len(expected) > 100
    # Fail from the second page on: the walk has items in hand when it breaks.
    faulty.state.faults.add(_fault(spec, path="/organizations/users$", after=1))
    result, elapsed = await _timed(client, "list_users", arguments)
    assert elapsed <= BOUND
    assert not result.is_error, "a walk that had items returns them"
    content: dict[str, Any] = result.structured_content or {}
    got = [u["id"] for u in content["items"]]
    outcome = _describe(result, elapsed)
    if content["note"] and "Interrupted" in content["note"]:
        faulty.state.faults.clear()
        resume = {**arguments, "limit": 1000 - len(got), "cursor": content["next_cursor"]}
        rest, _ = await _timed(client, "list_users", resume)
        got += [u["id"] for u in (rest.structured_content or {})["items"]]
        outcome = f"partial ({len(content['items'])} items) + cursor in {elapsed:.1f} s; resumed"
    assert got == expected, "no item lost or repeated"
    record(fault, "list walk (fault from page 2)", outcome)


async def _token_write(
    client: Client, tool: str, arguments: dict[str, Any], sandbox: RunningSandbox, fault: Fault
) -> tuple[Any, float]:
    """Preview (no fault), then apply with the token while `fault` hits the write itself."""
    preview = await client.call_tool(tool, arguments)
    token = preview.structured_content["confirmation_token"]
    sandbox.state.faults.add(fault)
    return await _timed(client, tool, {**arguments, "confirmation_token": token})


async def create(client: Client, faulty: RunningSandbox, fault: str) -> None:
    spec = FAULTS[fault]
    name = "Fault " + "".join(ch for ch in fault if ch.isalnum() or ch == " ")[:30]
    counter = _fault(spec, method="POST", path="/organizations/workspaces$")
    result, elapsed = await _token_write(client, "create_workspace", {"name": name}, faulty, counter)
    assert elapsed <= BOUND
    created = [w for w in faulty.state.workspaces.values() if w.name == name]
    if spec["kind"] == "status" and spec["status"] in (429, 529):
        assert counter.fired <= RETRIES + 1, "turned away before it was acted on, so it may be resent"
    else:
        assert counter.fired == 1, "a create that may have reached the API is never sent again"
    assert len(created) <= 1
    assert "Traceback" not in text_of(result)
    if created and result.is_error:  # applied, but the answer was lost: the agent must look, not resend
        assert "may or may not have been applied" in text_of(result)
    outcome = f"fault hit {counter.fired}×, {len(created)} created; " + _describe(result, elapsed)
    record(fault, "create_workspace (not idempotent)", outcome)


async def update(client: Client, faulty: RunningSandbox, fault: str) -> None:
    spec = FAULTS[fault]
    user = next(u for u in faulty.state.users.values() if u.role in ("developer", "user"))
    role = "billing" if user.role != "billing" else "user"
    counter = _fault(spec, method="POST", path=f"/organizations/users/{user.id}$")
    result, elapsed = await _token_write(
        client, "update_user_role", {"user_id": user.id, "role": role}, faulty, counter
    )
    assert elapsed <= BOUND and counter.fired <= RETRIES + 1
    if not result.is_error:
        assert faulty.state.users[user.id].role == role
    record(
        fault, "update_user_role (idempotent)", f"fault hit {counter.fired}×; " + _describe(result, elapsed)
    )


@pytest.mark.anyio
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_fault(faulty: RunningSandbox, fault: str, tmp_path: Path) -> None:
    """One server process meets one kind of fault on a read, a walk, a create and an update, and
    keeps serving after each."""
    async with server(faulty, tmp_path / "audit.jsonl") as client:
        await client.call_tool("get_organization", {})  # the organization is read once, before faults
        for operation in (read_one, walk, create, update):
            faulty.state.faults.clear()
            await operation(client, faulty, fault)
            await _still_serving(client, faulty)
