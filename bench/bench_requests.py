"""Admin API requests for a fixed list of tasks: the MCP server against a hand-written script.

Each side runs on its own fresh sandbox (same seed, same organization), and the sandbox counts every
request it serves (its `observe` fault). The tasks:

- offboard a member of 5 workspaces (sign-out, each membership, removal);
- a role change for 50 members;
- archive a workspace;
- cost by workspace last month.

The script knows the ids and does only what the task needs: the fewest requests a careful person
would send. The server previews each change from current state and asks once per task. Target:
at most 1.25 times the script's requests over the whole list, in the handshake era (2025-11-25);
the 2026-07-28 era builds each preview twice (the answer comes back in a new request), reported too.

    .venv/bin/python -m bench.bench_requests
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.types import ElicitRequestParams, ElicitResult

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.app import create_server
from claude_admin_mcp.server.config import Settings

from .harness import KEY, print_table

TARGET = 1.25
USERS = 200
WORKSPACES = 8
ORG = "/v1/organizations"


@dataclass(frozen=True)
class Fixture:
    """What the tasks act on (the same ids in both sandboxes: same seed)."""

    leaver: str
    their_workspaces: list[str]
    all_workspaces: list[str]
    fifty: list[str]
    archived: str


def _config() -> SandboxConfig:
    return SandboxConfig(users=USERS, workspaces=WORKSPACES, seed=11, admin_key=KEY)


def _http(sandbox: RunningSandbox) -> httpx2.Client:
    return httpx2.Client(
        base_url=sandbox.base_url, headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"}, timeout=30
    )


def _prepare(sandbox: RunningSandbox) -> Fixture:
    """Makes the leaver a member of exactly 5 workspaces (not counted: it is the starting state)."""
    with _http(sandbox) as http:
        workspaces = [w["id"] for w in http.get(f"{ORG}/workspaces", params={"limit": 100}).json()["data"]]
        users = http.get(f"{ORG}/users", params={"limit": 1000}).json()["data"]
        plain = [u["id"] for u in users if u["role"] in ("user", "developer", "claude_code_user")]
        leaver = plain[0]
        theirs = workspaces[:5]
        for workspace in workspaces:
            member = f"{ORG}/workspaces/{workspace}/members/{leaver}"
            present = http.get(member).status_code == 200
            if workspace in theirs and not present:
                body = {"user_id": leaver, "workspace_role": "workspace_user"}
                http.post(f"{ORG}/workspaces/{workspace}/members", json=body).raise_for_status()
            elif workspace not in theirs and present:
                http.delete(member).raise_for_status()
    return Fixture(leaver, theirs, workspaces, plain[1:51], workspaces[-1])


def _count(sandbox: RunningSandbox, work: Callable[[], Any]) -> tuple[int, Any]:
    observe = sandbox.state.faults.add(Fault("observe", times=None))
    try:
        outcome = work()
    finally:
        sandbox.state.faults.clear()
    return observe.fired, outcome


def by_hand(sandbox: RunningSandbox, fixture: Fixture) -> dict[str, int]:
    """The fewest requests each task needs when the script already knows every id."""
    counts: dict[str, int] = {}
    with _http(sandbox) as http:

        def offboard() -> None:
            # There is no per-member membership list: ask each workspace (the script cannot know).
            workspaces = http.get(f"{ORG}/workspaces", params={"limit": 100}).json()["data"]
            theirs = [
                w["id"]
                for w in workspaces
                if http.get(f"{ORG}/workspaces/{w['id']}/members/{fixture.leaver}").status_code == 200
            ]
            http.post(
                f"{ORG}/users/{fixture.leaver}/sign_out",
                headers={"anthropic-beta": "admin-user-sign-out-2026-10-08"},
            )
            for workspace in theirs:
                http.delete(f"{ORG}/workspaces/{workspace}/members/{fixture.leaver}").raise_for_status()
            http.delete(f"{ORG}/users/{fixture.leaver}").raise_for_status()

        def roles() -> None:
            for user in fixture.fifty:
                http.post(f"{ORG}/users/{user}", json={"role": "billing"}).raise_for_status()

        def archive() -> None:
            http.post(f"{ORG}/workspaces/{fixture.archived}/archive").raise_for_status()

        def cost() -> None:
            start, end = _last_month()
            page = None
            while True:
                params: list[tuple[str, Any]] = [
                    ("starting_at", start),
                    ("ending_at", end),
                    ("group_by[]", "workspace_id"),
                    ("limit", 31),
                ]
                if page:
                    params.append(("page", page))
                body = http.get(f"{ORG}/cost_report", params=params).json()
                page = body.get("next_page")
                if not body.get("has_more") or not page:
                    return

        for name, work in (("offboard", offboard), ("roles", roles), ("archive", archive), ("cost", cost)):
            counts[name], _ = _count(sandbox, work)
    return counts


def _last_month() -> tuple[str, str]:
    today = datetime.now(UTC)
    first = datetime(today.year, today.month, 1, tzinfo=UTC)
    previous = datetime(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1, tzinfo=UTC)
    return previous.strftime("%Y-%m-%dT%H:%M:%SZ"), first.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _agree(context: Any, params: ElicitRequestParams) -> ElicitResult:
    """Approves, typing what the question asks for."""
    schema = getattr(params, "requested_schema", None) or {}
    confirm = schema.get("properties", {}).get("confirm")
    if confirm is not None:
        typed = str(confirm["description"]).removeprefix("Type ").removesuffix(" to confirm")
        return ElicitResult(action="accept", content={"confirm": typed})
    return ElicitResult(action="accept", content={"approve": True})


async def through_the_server(sandbox: RunningSandbox, fixture: Fixture, mode: str) -> dict[str, int]:
    """The same tasks as one administrator's session with the server (in memory, handshake or
    2026-07-28 era), every change approved."""
    with tempfile.TemporaryDirectory() as state:
        settings = Settings(
            base_url=sandbox.base_url,
            state_dir=Path(state),
            audit_log=Path(state) / "audit.jsonl",
            toolsets=["all"],
            approval_open_browser=False,
            log_level="WARNING",
        )
        server = create_server(settings, admin_key_credential("ANTHROPIC_ADMIN_KEY", KEY))
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("offboard", "offboard_user", {"user_id": fixture.leaver}),
            (
                "roles",
                "apply_changes",
                {
                    "changes": [
                        {"tool": "update_user_role", "arguments": {"user_id": user, "role": "billing"}}
                        for user in fixture.fifty
                    ]
                },
            ),
            ("archive", "archive_workspace", {"workspace_id": fixture.archived}),
            ("cost", "get_cost_report", {"range": "last month", "group_by": ["workspace_id"]}),
        ]
        counts: dict[str, int] = {}
        async with Client(server, mode=mode, elicitation_callback=_agree) as client:
            for name, tool, arguments in calls:
                observe = sandbox.state.faults.add(Fault("observe", times=None))
                result = await client.call_tool(tool, arguments)
                sandbox.state.faults.clear()
                outcome = (result.structured_content or {}).get("outcome")
                if result.is_error or outcome not in (None, "applied"):
                    raise RuntimeError(f"{tool} did not apply: {result.content}")
                counts[name] = observe.fired
    return counts


async def run() -> dict[str, Any]:
    with start_sandbox(_config()) as sandbox:
        fixture = _prepare(sandbox)
        hand = by_hand(sandbox, fixture)
    ours: dict[str, dict[str, int]] = {}
    for mode, era in (("legacy", "2025-11-25"), ("auto", "2026-07-28")):
        with start_sandbox(_config()) as sandbox:
            again = _prepare(sandbox)
            assert again == fixture, "the same seed gives the same organization"
            ours[era] = await through_the_server(sandbox, fixture, mode)
    rows = [
        [task, hand[task], ours["2025-11-25"][task], ours["2026-07-28"][task]]
        for task in ("offboard", "roles", "archive", "cost")
    ]
    total = sum(hand.values())
    ratios = {era: sum(counts.values()) / total for era, counts in ours.items()}
    rows.append(["all", total, sum(ours["2025-11-25"].values()), sum(ours["2026-07-28"].values())])
    print_table(
        f"Admin API requests (target: server/script ≤ {TARGET}x in the handshake era)",
        ["task", "hand-written script", "server, 2025-11-25", "server, 2026-07-28"],
        rows,
    )
    print(f"ratio: {ratios['2025-11-25']:.2f}x (2025-11-25), {ratios['2026-07-28']:.2f}x (2026-07-28)")
    return {"hand": hand, "ours": ours, "ratios": ratios}


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
