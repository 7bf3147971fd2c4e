"""Every benchmark in one run, each against its own baseline, then a summary table.

.venv/bin/python -m bench.run_all
"""

from __future__ import annotations

import asyncio
from typing import Any

from . import (
    bench_analytics,
    bench_cost,
    bench_download,
    bench_export,
    bench_filter,
    bench_findability,
    bench_memory,
    bench_pacing,
    bench_requests,
    bench_startup,
    bench_tools_list,
    bench_walk,
)
from .harness import print_table


async def run() -> list[list[Any]]:
    filtered = await bench_filter.run(10_000, 15)
    walked = await bench_walk.run(10_000, 3)
    memory = await bench_memory.run(100_000)
    listed = await bench_tools_list.run()
    startup = await bench_startup.run(7)
    cost = await bench_cost.run(200, 9)
    by_actor = await bench_analytics.run(2_000, 9)
    exported = await bench_export.run(100_000, 3)
    downloaded = await bench_download.run(30, 5)
    requests = await bench_requests.run()
    pacing = await bench_pacing.run(500, 600)
    paced, planned, bare = pacing["single"], pacing["plan"], pacing["bare"]
    findability = bench_findability.run()
    rows = [
        ["filter 10,000 members (MCP/bare)", f"{filtered['ratio']:.2f}x", "≤ 1.3x"],
        [
            "cursor walk 10,000 members (MCP/bare)",
            f"{walked['all fields']['mcp_s'] / walked['all fields']['bare_s']:.1f}x, "
            f"{10_000 / walked['all fields']['mcp_s']:,.0f} items/s, "
            f"{walked['all fields']['calls']} calls",
            "report",
        ],
        ["peak server RSS streaming 100,000 members", f"{memory['peak_mb']:.0f} MB", "< 150 MB"],
        ["default tools/list", f"{listed['default (confirm tier)']['bytes']:,} bytes", "≤ 24,000 bytes"],
        ["start to first tools/list (ours/bare)", f"{startup['ratio']:.2f}x", "≤ 1.5x"],
        ["a month of daily cost by workspace, 200 workspaces (MCP/bare)", f"{cost['ratio']:.2f}x", "≤ 1.3x"],
        [
            "a month of cost by actor from analytics/cost, 2,000 members (MCP/bare)",
            f"{by_actor['ratio']:.2f}x ({by_actor['groups']:,} actors)",
            "≤ 1.3x",
        ],
        [
            "export 100,000 members to CSV (MCP/bare script); peak server RSS",
            f"{exported['ratio']:.2f}x; {exported['peak_mb']:.0f} MB",
            "≤ 1.3x; < 150 MB",
        ],
        [
            "download a 31 MB plugin version (MCP/bare script); peak server RSS",
            f"{downloaded['ratio']:.2f}x; {downloaded['peak_mb']:.0f} MB",
            "≤ 1.3x; < 150 MB",
        ],
        [
            "API requests for four admin tasks (server/hand-written script)",
            f"{requests['ratios']['2025-11-25']:.2f}x "
            f"(2026-07-28 era: {requests['ratios']['2026-07-28']:.2f}x)",
            "≤ 1.25x",
        ],
        [
            "500 role changes through MCP, sandbox at 600 requests/min",
            f"{paced.refused} 429s, {paced.fraction:.2f} of the allowed rate ({paced.served:,} requests "
            f"in {paced.seconds:.0f} s); unpaced bare loop: {bare.refused} 429s",
            "0 429s, ≥ 0.9",
        ],
        [
            "a plan of 500 role changes (apply_changes), sandbox at 600 requests/min, bucket a tenth full",
            f"{planned.refused} 429s, {planned.fraction:.2f} of the allowed rate ({planned.served:,} "
            f"requests in {planned.seconds:.0f} s)",
            "0 429s, ≥ 0.9",
        ],
    ]
    rows.append(
        [
            "findability: right tool in BM25 top 3, dev requests",
            f"{findability['hits']} of {findability['total']} ({findability['share']:.0%})",
            "≥ 95%",
        ]
    )
    print_table("Summary", ["benchmark", "result", "target"], rows)
    return rows


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
