"""Size of the default `tools/list` answer: bytes of JSON and an estimate in tokens.

Every operation stays reachable through a toolset; the default set must stay small enough to leave
an agent its context. Target: at most 24,000 bytes for the default toolsets.

    .venv/bin/python -m bench.bench_tools_list
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from mcp import Client

from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.app import create_server
from claude_admin_mcp.server.config import Settings

from .harness import KEY, print_table

TARGET_BYTES = 24_000


async def measure(toolsets: list[str], tier: str = "confirm") -> tuple[int, int]:
    settings = Settings.model_validate({"toolsets": toolsets, "tier": tier, "base_url": "http://127.0.0.1:9"})
    server = create_server(settings, admin_key_credential("bench", KEY))
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    payload = {"tools": [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools]}
    return len(tools), len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())


async def run() -> dict[str, Any]:
    rows, results = [], {}
    for label, toolsets, tier in (
        ("default (confirm tier)", ["default"], "confirm"),
        ("default (read-only tier)", ["default"], "read-only"),
        ("all toolsets", ["all"], "confirm"),
    ):
        count, size = await measure(toolsets, tier)
        # ~4 bytes per token is typical for JSON schemas; 3 is a conservative bound.
        rows.append([label, count, f"{size:,}", f"~{size // 4:,}", f"≤ {size // 3:,}"])
        results[label] = {"tools": count, "bytes": size}
    rows[0].append(f"≤ {TARGET_BYTES:,} bytes")
    for row in rows[1:]:
        row.append("")
    print_table(
        "tools/list size",
        ["toolsets", "tools", "bytes", "tokens (typical)", "tokens (conservative)", "target"],
        rows,
    )
    return results


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    asyncio.run(run())


if __name__ == "__main__":
    main()
