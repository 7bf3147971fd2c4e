"""Server start to the first `tools/list` answer, against a bare `mcp` server's start.

Both run as stdio subprocesses started by the same MCP client; the time covers process start,
imports, the initialize handshake and the first tools/list. Runs alternate. Target: at most 1.5x.

    .venv/bin/python -m bench.bench_startup [--repeats 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

from .harness import BIN, KEY, clean_env, print_table

TARGET = 1.5


async def first_list(params: StdioServerParameters) -> tuple[float, int]:
    start = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - start
    return elapsed, len(tools)


async def run(repeats: int) -> dict[str, Any]:
    ours = StdioServerParameters(
        command=str(BIN),
        args=["--log-level", "WARNING"],
        env=clean_env(ANTHROPIC_ADMIN_KEY=KEY, ANTHROPIC_BASE_URL="http://127.0.0.1:9"),
    )
    bare = StdioServerParameters(
        command=sys.executable, args=[str(Path(__file__).with_name("bare_server.py"))], env=clean_env()
    )
    await first_list(ours)  # warm the OS file cache for both
    await first_list(bare)
    ours_times, bare_times, count = [], [], 0
    for _ in range(repeats):
        elapsed, count = await first_list(ours)
        ours_times.append(elapsed)
        bare_times.append((await first_list(bare))[0])
    ours_s, bare_s = statistics.median(ours_times), statistics.median(bare_times)
    print_table(
        "Start-up: process start to the first tools/list answer (stdio)",
        ["server", "tools", "median (ms)", "ratio", "target"],
        [
            ["bare mcp server", 1, f"{bare_s * 1000:.0f}", "1.00", ""],
            ["claude-admin-mcp", count, f"{ours_s * 1000:.0f}", f"{ours_s / bare_s:.2f}", f"≤ {TARGET}"],
        ],
    )
    return {"ours_s": ours_s, "bare_s": bare_s, "ratio": ours_s / bare_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    ns = parser.parse_args()
    asyncio.run(run(ns.repeats))


if __name__ == "__main__":
    main()
