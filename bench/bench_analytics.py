"""A month of cost by actor (member or API key) from the Usage and Cost Analytics API.

The MCP tool's server-side totals (`get_cost_report` grouped by actor, which `analytics/cost`
answers; stdio, sandbox over loopback HTTP) against a bare `httpx2` loop that pages the same
endpoint with the same requests and sums the same amounts with `Decimal`. Target: at most 1.3 times.

    .venv/bin/python -m bench.bench_analytics [--users 2000] [--repeats 9]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from decimal import Decimal
from typing import Any

from mcp import Client

from .bench_cost import last_month
from .harness import bare_client, interleaved_medians, mcp_client, print_table, sandbox_process

TARGET = 1.3
TOP = 50
BETA = {"anthropic-beta": "analytics-usage-cost-2026-08-24"}


def bare_totals(base: str) -> dict[str, Decimal]:
    start, end = last_month()
    sums: dict[str, Decimal] = defaultdict(Decimal)
    page = None
    with bare_client(base) as http:
        while True:
            params: list[tuple[str, Any]] = [
                ("starting_at", start),
                ("ending_at", end),
                ("group_by[]", "actor"),
                ("limit", 1000),
            ]
            if page:
                params.append(("page", page))
            body = http.get("/v1/organizations/analytics/cost", params=params, headers=BETA).json()
            for item in body["data"]:
                actor = item["group"]["actor"] or {}
                sums[str(actor.get("user_id") or actor.get("api_key_id"))] += Decimal(item["cost"]["amount"])
            page = body.get("next_page")
            if not body.get("has_more") or not page:
                return dict(sums)


async def mcp_totals(client: Client) -> dict[str, Any]:
    result = await client.call_tool(
        "get_cost_report", {"range": "last month", "group_by": ["actor"], "top": TOP}
    )
    content: dict[str, Any] | None = result.structured_content
    assert content is not None and content["endpoint"] == "GET /v1/organizations/analytics/cost", result
    return content


async def run(users: int, repeats: int) -> dict[str, Any]:
    with sandbox_process(users=users) as base:
        async with mcp_client(base, "--toolsets", "reports") as client:
            bare_s, mcp_s, bare, ours = await interleaved_medians(
                lambda: bare_totals(base), lambda: mcp_totals(client), repeats
            )
    assert Decimal(ours["totals"]["cost_cents"]) == sum(bare.values()), "the totals differ from the bare sum"
    assert ours["groups"] == len(bare)
    largest = sorted(bare.values(), reverse=True)[:TOP]
    assert [Decimal(row["cost_cents"]) for row in ours["rows"]] == largest, "the top actors differ"
    ratio = mcp_s / bare_s
    print_table(
        f"Last month's cost by actor from analytics/cost ({users:,} members), server-side totals",
        ["actors with cost", "bare httpx2 (ms)", "MCP stdio (ms)", "ratio", "target"],
        [[len(bare), f"{bare_s * 1000:.0f}", f"{mcp_s * 1000:.0f}", f"{ratio:.2f}", f"≤ {TARGET}"]],
    )
    return {"groups": len(bare), "bare_s": bare_s, "mcp_s": mcp_s, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=9)
    ns = parser.parse_args()
    asyncio.run(run(ns.users, ns.repeats))


if __name__ == "__main__":
    main()
