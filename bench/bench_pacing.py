"""Pacing: 500 role changes through the MCP server against a sandbox that allows 600 requests a
minute, beside a bare `httpx2` loop sending the same requests with no pacing.

Each change is `update_user_role` called twice over stdio with the token channel opted in (the
first call previews and returns a `confirmation_token`, the second applies it), 8 changes at a
time. The server reads the member for the preview, again before applying, then writes: about
three requests a change, so the run crosses the bucket, a burst of 600 and then the refill rate.
The sandbox counts the requests it served and the 429s it answered. Reported: the 429s (target 0)
and the throughput as a fraction of what the limit allowed from the first request to the last (the
bucket's level at the first request plus its refill since; target ≥ 0.9). The baseline sends the
same requests (two reads and the write per change, 8 changes at a time) without pacing, and counts
the 429s it meets.

`measure` takes any "make all the changes" coroutine, so the same measurement serves other ways of
making them (a plan of changes, say).

    .venv/bin/python -m bench.bench_pacing [--changes 500] [--rate-limit 600] [--window 60] [--workers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
from mcp import Client

from claude_admin_mcp.sandbox.request_limit import STATUS_PATH

from .harness import KEY, bare_client, mcp_client, print_table, sandbox_process

Change = tuple[str, str]
"""A member's id and the role to give them."""


@dataclass(frozen=True)
class Measured:
    served: int
    """Requests the limit let through."""
    refused: int
    """429s it answered."""
    seconds: float
    """From the first request served to the last."""
    fraction: float
    """`served` over what the limit allowed in those seconds."""


async def measure(
    base_url: str, changes: Callable[[], Awaitable[object]], start_tokens: int | None = None
) -> Measured:
    """Runs `changes` against a rate-limited sandbox and reads what its limit saw. The bucket is
    filled (or left with `start_tokens`) and its counters zeroed first, so the run is measured alone."""
    async with httpx2.AsyncClient(base_url=base_url, headers={"x-api-key": KEY}, timeout=30) as http:
        query = {} if start_tokens is None else {"tokens": start_tokens}
        (await http.delete(STATUS_PATH, params=query)).raise_for_status()
        await changes()
        status = (await http.get(STATUS_PATH)).json()
    seconds = status["span_seconds"] or 0.0
    allowed = (status["first_tokens"] or 0.0) + status["limit"] / status["window_seconds"] * seconds
    return Measured(status["served"], status["refused"], seconds, status["served"] / max(allowed, 1.0))


def pick_changes(base_url: str, count: int) -> list[Change]:
    """`count` members who are users or developers, each to be given the other role."""
    members: list[dict[str, Any]] = []
    with bare_client(base_url) as http:
        after = None
        while True:
            params: dict[str, Any] = {"limit": 1000, "roles[]": ["user", "developer"]}
            page = http.get(
                "/v1/organizations/users", params={**params, **({"after_id": after} if after else {})}
            )
            members += page.json()["data"]
            if not page.json()["has_more"]:
                break
            after = page.json()["last_id"]
    if len(members) < count:
        raise RuntimeError(f"the sandbox has {len(members)} users and developers; {count} needed")
    return [(m["id"], "developer" if m["role"] == "user" else "user") for m in members[:count]]


async def in_parallel(
    changes: Sequence[Change], workers: int, one: Callable[[Change], Awaitable[None]]
) -> None:
    """`one(change)` for every change, `workers` at a time."""
    queue: Iterator[Change] = iter(changes)

    async def worker() -> None:
        for change in queue:
            await one(change)

    async with anyio.create_task_group() as group:
        for _ in range(workers):
            group.start_soon(worker)


def through_mcp(client: Client, changes: Sequence[Change], workers: int) -> Callable[[], Awaitable[None]]:
    """Each change previewed, then applied with its confirmation token, through the MCP server."""

    async def one(change: Change) -> None:
        arguments = {"user_id": change[0], "role": change[1]}
        preview = await client.call_tool("update_user_role", arguments)
        token = (preview.structured_content or {}).get("confirmation_token")
        if token is None:
            raise RuntimeError(f"no confirmation token: {preview.content}")
        applied = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
        if (applied.structured_content or {}).get("outcome") != "applied":
            raise RuntimeError(f"not applied: {applied.content}")

    async def run() -> None:
        await in_parallel(changes, workers, one)

    return run


def through_a_plan(client: Client, changes: Sequence[Change]) -> Callable[[], Awaitable[None]]:
    """All the changes as one plan (`apply_changes`): previewed, approved once with its token, applied."""

    async def run() -> None:
        arguments = {
            "changes": [
                {"tool": "update_user_role", "arguments": {"user_id": user, "role": role}}
                for user, role in changes
            ]
        }
        preview = await client.call_tool("apply_changes", arguments)
        token = (preview.structured_content or {}).get("confirmation_token")
        if token is None:
            raise RuntimeError(f"no confirmation token: {preview.content}")
        applied = await client.call_tool("apply_changes", {**arguments, "confirmation_token": token})
        if (applied.structured_content or {}).get("outcome") != "applied":
            raise RuntimeError(f"not applied: {applied.content}")

    return run


def bare_loop(base_url: str, changes: Sequence[Change], workers: int) -> Callable[[], Awaitable[None]]:
    """The same requests as the server sends per change (read, read, write), with no pacing; a 429
    is not retried."""

    async def run() -> None:
        headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
        async with httpx2.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:

            async def one(change: Change) -> None:
                path = f"/v1/organizations/users/{change[0]}"
                await http.get(path)
                await http.get(path)
                await http.post(path, json={"role": change[1]})

            await http.get("/v1/organizations/me")
            await in_parallel(changes, workers, one)

    return run


async def run(changes: int, rate_limit: int, window: float = 60.0, workers: int = 8) -> dict[str, Measured]:
    limit = ["--rate-limit", str(rate_limit), "--rate-limit-window", f"{window:g}"]
    # Two thirds of the seeded members are users or developers: enough for the three runs.
    with sandbox_process(max(200, changes * 5), extra=limit) as base, tempfile.TemporaryDirectory() as state:
        picked = pick_changes(base, 3 * changes)
        paced_changes, plan_changes, bare_changes = (
            picked[:changes],
            picked[changes : 2 * changes],
            picked[2 * changes :],
        )
        env = {
            "CLAUDE_ADMIN_MCP_CONFIRM_VIA": "token",
            "CLAUDE_ADMIN_MCP_STATE_DIR": state,
            "CLAUDE_ADMIN_MCP_TOOLSETS": "default,tasks",
        }
        async with mcp_client(base, **env) as client:
            paced = await measure(base, through_mcp(client, paced_changes, workers))
            # One plan sends about one request a change: it crosses the limit only if the bucket
            # is low, as when the organization's other traffic spent most of the minute.
            planned = await measure(base, through_a_plan(client, plan_changes), start_tokens=rate_limit // 10)
        bare = await measure(base, bare_loop(base, bare_changes, workers))
    results = {"single": paced, "plan": planned, "bare": bare}
    labels = {
        "single": f"MCP server, {workers} single writes at a time (paced)",
        "plan": f"MCP server, one plan of {changes} changes, bucket a tenth full (paced)",
        "bare": "bare httpx2 loop, single writes' requests (no pacing)",
    }
    print_table(
        f"{changes:,} role changes, {workers} at a time; the sandbox allows {rate_limit:,} requests "
        f"per {window:g} s",
        ["run", "requests served", "429s", "seconds (first to last)", "fraction of the allowed rate"],
        [
            [labels[key], m.served, m.refused, f"{m.seconds:.1f}", f"{m.fraction:.2f}"]
            for key, m in results.items()
        ],
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--rate-limit", type=int, default=600, help="requests per window (a minute)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds the bucket takes to refill")
    parser.add_argument("--workers", type=int, default=8)
    ns = parser.parse_args()
    asyncio.run(run(ns.changes, ns.rate_limit, ns.window, ns.workers))


if __name__ == "__main__":
    main()
