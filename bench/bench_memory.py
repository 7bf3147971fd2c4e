"""Peak memory of the server while it streams 100,000 members through a filter.

The server (a stdio subprocess) walks every page of a 100,000-member sandbox with a filter that
matches almost nobody, over as many calls as its page cap needs. Its peak resident memory
(VmHWM) is compared with the same process just after start-up. Target: under 150 MB.

    .venv/bin/python -m bench.bench_memory [--users 100000]
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from .harness import children_rss_peak_kib, mcp_client, print_table, sandbox_process

TARGET_MB = 150


async def run(users: int) -> dict[str, Any]:
    with sandbox_process(users) as base:
        async with mcp_client(base) as client:
            await client.list_tools()
            idle_mb = children_rss_peak_kib("claude-admin-mcp") / 1024
            cursor, calls, found = None, 0, 0
            while True:
                arguments: dict[str, Any] = {"email_contains": "qx9", "limit": 100}
                if cursor:
                    arguments["cursor"] = cursor
                result = await client.call_tool("list_users", arguments)
                assert result.structured_content is not None, result
                found += len(result.structured_content["items"])
                calls += 1
                cursor = result.structured_content["next_cursor"]
                if cursor is None:
                    break
            peak_mb = children_rss_peak_kib("claude-admin-mcp") / 1024
    print_table(
        f"Peak server memory streaming {users:,} members through a filter",
        ["users", "calls", "matches", "RSS after start (MB)", "peak RSS (MB)", "target"],
        [[f"{users:,}", calls, found, f"{idle_mb:.0f}", f"{peak_mb:.0f}", f"< {TARGET_MB}"]],
    )
    return {"users": users, "calls": calls, "idle_mb": idle_mb, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    ns = parser.parse_args()
    asyncio.run(run(ns.users))


if __name__ == "__main__":
    main()
