"""A full cursor walk of 10,000 members through the MCP tool, call after call, against a bare
`httpx2` loop listing them. Reports the ratio and items per second, then counts, in a separate
untimed run, the items the sandbox served: resuming must not fetch again what was returned.

    .venv/bin/python -m bench.bench_walk [--users 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from mcp import Client

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import SandboxConfig, start_sandbox

from .harness import KEY, bare_client, interleaved_medians, mcp_client, print_table, sandbox_process


def bare_walk(base: str) -> list[str]:
    ids, after = [], None
    with bare_client(base) as http:
        while True:
            params: dict[str, Any] = {"limit": 1000, **({"after_id": after} if after else {})}
            page = http.get("/v1/organizations/users", params=params).json()
            ids += [u["id"] for u in page["data"]]
            if not page["has_more"]:
                return ids
            after = page["last_id"]


async def mcp_walk(client: Client, fields: list[str] | None = None) -> tuple[list[str], int]:
    ids, cursor, calls = [], None, 0
    while True:
        arguments: dict[str, Any] = {"limit": 1000}
        if fields:
            arguments["fields"] = fields
        if cursor:
            arguments["cursor"] = cursor
        result = await client.call_tool("list_users", arguments)
        assert result.structured_content is not None, result
        ids += [u["id"] for u in result.structured_content["items"]]
        calls += 1
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return ids, calls


async def count_served(users: int, fields: list[str] | None) -> tuple[int, int, int]:
    """(items returned, items the sandbox served, calls) for one walk against an observed sandbox."""
    with start_sandbox(SandboxConfig(users=users, admin_key=KEY)) as sandbox:
        observed = sandbox.state.faults.add(Fault("observe", path="/users$", times=None))
        async with mcp_client(sandbox.base_url) as client:
            ids, calls = await mcp_walk(client, fields)
        return len(ids), observed.items, calls


async def run(users: int, repeats: int) -> dict[str, Any]:
    rows, results = [], {}
    with sandbox_process(users) as base:
        async with mcp_client(base) as client:
            choices: list[tuple[str, list[str] | None]] = [
                ("all fields", None),
                ("fields=[email]", ["email"]),
            ]
            for label, fields in choices:

                async def measured(fields: list[str] | None = fields) -> tuple[list[str], int]:
                    return await mcp_walk(client, fields)

                bare_s, mcp_s, bare_ids, (mcp_ids, calls) = await interleaved_medians(
                    lambda: bare_walk(base), measured, repeats
                )
                assert mcp_ids == bare_ids, "the walk lost or repeated items"
                returned, served, _ = await count_served(users, fields)
                rows.append(
                    [
                        label,
                        f"{users:,}",
                        calls,
                        f"{bare_s * 1000:.0f}",
                        f"{mcp_s * 1000:.0f}",
                        f"{mcp_s / bare_s:.2f}",
                        f"{users / bare_s:,.0f}",
                        f"{users / mcp_s:,.0f}",
                        f"{served - returned}",
                    ]
                )
                results[label] = {
                    "calls": calls,
                    "bare_s": bare_s,
                    "mcp_s": mcp_s,
                    "refetched": served - returned,
                }
    print_table(
        f"Full cursor walk of {users:,} members (limit=1000 per call, default output budget)",
        [
            "items",
            "users",
            "MCP calls",
            "bare (ms)",
            "MCP (ms)",
            "ratio",
            "bare items/s",
            "MCP items/s",
            "items fetched twice",
        ],
        rows,
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    ns = parser.parse_args()
    asyncio.run(run(ns.users, ns.repeats))


if __name__ == "__main__":
    main()
