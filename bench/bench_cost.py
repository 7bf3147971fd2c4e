"""A month of daily cost grouped by workspace, for an organization with 200 workspaces.

The MCP tool's server-side totals (stdio, sandbox over loopback HTTP) against a bare `httpx2` loop
that pages the same report and sums the same amounts with `Decimal`. Target: at most 1.3 times.

    .venv/bin/python -m bench.bench_cost [--workspaces 200] [--repeats 9]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mcp import Client

from .harness import bare_client, interleaved_medians, mcp_client, print_table, sandbox_process

TARGET = 1.3


def last_month() -> tuple[str, str]:
    """The previous calendar month in UTC, as the server reads "last month"."""
    today = datetime.now(UTC)
    first = datetime(today.year, today.month, 1, tzinfo=UTC)
    previous = datetime(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1, tzinfo=UTC)
    return previous.strftime("%Y-%m-%dT%H:%M:%SZ"), first.strftime("%Y-%m-%dT%H:%M:%SZ")


def bare_totals(base: str) -> dict[str | None, Decimal]:
    start, end = last_month()
    sums: dict[str | None, Decimal] = defaultdict(Decimal)
    page = None
    with bare_client(base) as http:
        while True:
            params: list[tuple[str, Any]] = [
                ("starting_at", start),
                ("ending_at", end),
                ("group_by[]", "workspace_id"),
                ("limit", 31),
            ]
            if page:
                params.append(("page", page))
            body = http.get("/v1/organizations/cost_report", params=params).json()
            for bucket in body["data"]:
                for result in bucket["results"]:
                    sums[result["workspace_id"]] += Decimal(result["amount"])
            page = body.get("next_page")
            if not body.get("has_more") or not page:
                return dict(sums)


async def mcp_totals(client: Client) -> dict[str | None, Decimal]:
    result = await client.call_tool(
        "get_cost_report",
        {"range": "last month", "group_by": ["workspace_id"], "top": 1000},
    )
    assert result.structured_content is not None, result
    return {row["workspace_id"]: Decimal(row["cost_cents"]) for row in result.structured_content["rows"]}


async def run(workspaces: int, repeats: int, users: int = 2_000) -> dict[str, Any]:
    with sandbox_process(users=users, workspaces=workspaces) as base:
        async with mcp_client(base, "--toolsets", "reports") as client:
            bare_s, mcp_s, bare, ours = await interleaved_medians(
                lambda: bare_totals(base), lambda: mcp_totals(client), repeats
            )
    assert ours == bare, "the MCP totals differ from the bare sum"
    ratio = mcp_s / bare_s
    print_table(
        f"Last month's daily cost by workspace ({workspaces} workspaces), server-side totals",
        ["workspaces with cost", "bare httpx2 (ms)", "MCP stdio (ms)", "ratio", "target"],
        [[len(ours), f"{bare_s * 1000:.0f}", f"{mcp_s * 1000:.0f}", f"{ratio:.2f}", f"≤ {TARGET}"]],
    )
    return {"groups": len(ours), "bare_s": bare_s, "mcp_s": mcp_s, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=9)
    ns = parser.parse_args()
    asyncio.run(run(ns.workspaces, ns.repeats))


if __name__ == "__main__":
    main()
