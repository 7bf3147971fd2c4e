"""A plan over streamable HTTP with the server as a real process: killed mid-plan, started again,
the same plan applied again sends only what is left, and nothing is applied twice."""

from __future__ import annotations

import signal
import time
from typing import Any

import anyio
import pytest

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox

from .api import raw_all
from .processes import authorized, clean_env, free_port, running
from .test_plans import Agrees, _counts, _role

pytestmark = pytest.mark.e2e


def _server(sandbox: RunningSandbox, port: int) -> tuple[list[str], str, dict[str, str]]:
    url = f"http://127.0.0.1:{port}/mcp"
    env = clean_env(ANTHROPIC_BASE_URL=sandbox.base_url, ANTHROPIC_ADMIN_KEY=sandbox.config.admin_key)
    return ["--transport", "http", "--port", str(port), "--toolsets", "all"], url, env


def _role_updates(sandbox: RunningSandbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for activity in sandbox.state.activities:
        if activity.type == "user_role_updated":
            user = str(activity.fields["user_id"])
            counts[user] = counts.get(user, 0) + 1
    return counts


@pytest.mark.anyio
async def test_killed_mid_plan_then_applied_again_applies_the_rest_once(
    fresh_sandbox: RunningSandbox,
) -> None:
    members = [u for u in raw_all(fresh_sandbox, "/v1/organizations/users") if u["role"] == "developer"][:12]
    changes = [_role(u["id"], "user") for u in members]
    # Slow enough to stop it part way: each role change takes 0.3 s at the API.
    fresh_sandbox.state.faults.add(
        Fault("latency", method="POST", path="/users/user_", seconds=0.3, times=None)
    )
    args, url, env = _server(fresh_sandbox, free_port())
    outcome: dict[str, Any] = {}

    async def apply() -> None:
        try:
            async with authorized(url, elicitation_callback=Agrees()) as client:
                outcome["first"] = await client.call_tool("apply_changes", {"changes": changes})
        except Exception as exc:  # the server dies under the call: any transport error will do
            outcome["error"] = exc

    with running(args, url, env) as process:
        async with anyio.create_task_group() as group:
            group.start_soon(apply)
            deadline = time.monotonic() + 60
            while sum(_role_updates(fresh_sandbox).values()) < 4:
                assert time.monotonic() < deadline, "the plan did not start"
                await anyio.sleep(0.05)
            process.send_signal(signal.SIGKILL)
    assert "first" not in outcome, "the server was killed before the plan finished"
    done = _role_updates(fresh_sandbox)
    assert 4 <= sum(done.values()) < len(changes)

    await anyio.sleep(0.5)  # a request in flight at the kill lands (or not) before the restart
    with running(args, url, env):
        human = Agrees()
        async with authorized(url, elicitation_callback=human) as client:
            again = await client.call_tool("apply_changes", {"changes": changes})
    counts = _counts(again)
    assert counts.get("applied", 0) + counts.get("nothing_to_do", 0) == len(changes), counts
    assert counts.get("nothing_to_do", 0) >= 4 and "already so" in human.messages[0]
    assert all(fresh_sandbox.state.users[u["id"]].role == "user" for u in members)
    updates = _role_updates(fresh_sandbox)
    assert all(updates.get(u["id"]) == 1 for u in members), updates  # each applied exactly once
