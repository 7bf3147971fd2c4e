"""A server-side filter over 10,000 members (developers at one email domain).

The MCP tool over stdio, talking to the sandbox over loopback HTTP, against a bare `httpx2` loop
that pages the same sandbox and filters in Python. Target: at most 1.3 times the bare loop.

    .venv/bin/python -m bench.bench_filter [--users 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from typing import Any

from mcp import Client

from .harness import bare_client, interleaved_medians, mcp_client, print_table, sandbox_process

TARGET = 1.3


def bare_filter(base: str, domain: str) -> list[str]:
    found, after = [], None
    with bare_client(base) as http:
        while True:
            params: dict[str, Any] = {"limit": 1000, "roles[]": "developer"}
            if after:
                params["after_id"] = after
            page = http.get("/v1/organizations/users", params=params).json()
            found += [u["id"] for u in page["data"] if u["email"].lower().endswith("@" + domain)]
            if not page["has_more"]:
                return found
            after = page["last_id"]


async def mcp_filter(client: Client, domain: str) -> list[str]:
    found, cursor = [], None
    while True:
        arguments: dict[str, Any] = {"roles": ["developer"], "email_domain": domain, "limit": 1000}
        if cursor:
            arguments["cursor"] = cursor
        result = await client.call_tool("list_users", arguments)
        assert result.structured_content is not None, result
        found += [u["id"] for u in result.structured_content["items"]]
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return found


async def run(users: int, repeats: int) -> dict[str, Any]:
    with sandbox_process(users) as base:
        with bare_client(base) as http:
            emails = [
                u["email"] for u in http.get("/v1/organizations/users", params={"limit": 1000}).json()["data"]
            ]
        domain = Counter(e.rpartition("@")[2] for e in emails if not e.endswith("@acme.com")).most_common(1)[
            0
        ][0]
        async with mcp_client(base) as client:
            bare_s, mcp_s, bare_ids, mcp_ids = await interleaved_medians(
                lambda: bare_filter(base, domain), lambda: mcp_filter(client, domain), repeats
            )
    assert mcp_ids == bare_ids, "the MCP tool and the bare loop disagree"
    ratio = mcp_s / bare_s
    print_table(
        f"Server-side filter over {users:,} members (developers @{domain})",
        ["users", "matches", "bare httpx2 (ms)", "MCP stdio (ms)", "ratio", "target"],
        [
            [
                f"{users:,}",
                len(mcp_ids),
                f"{bare_s * 1000:.0f}",
                f"{mcp_s * 1000:.0f}",
                f"{ratio:.2f}",
                f"≤ {TARGET}",
            ]
        ],
    )
    return {"users": users, "matches": len(mcp_ids), "bare_s": bare_s, "mcp_s": mcp_s, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=15)
    ns = parser.parse_args()
    asyncio.run(run(ns.users, ns.repeats))


if __name__ == "__main__":
    main()
