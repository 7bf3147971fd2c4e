"""Exporting 100,000 members to CSV through the MCP server, against a bare script doing the same.

The server (a stdio subprocess, `--toolsets exports`) answers one `export_list` call by walking every
page of a 100,000-member sandbox (its own process) and writing the CSV. The baseline is a bare
`httpx2` script that walks the same pages and writes the same file (same columns, same escaping,
a temporary file renamed when whole); both files must be byte for byte equal. The server's resident
memory is sampled every 20 ms during the exports, and its peak (VmHWM) read at the end.
Targets: at most 1.3 times the bare script; peak server memory under 150 MB.

    .venv/bin/python -m bench.bench_export [--users 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from mcp import Client

from .harness import (
    bare_client,
    child_pid,
    interleaved_medians,
    mcp_client,
    memory_kib,
    print_table,
    sandbox_process,
)

TARGET = 1.3
TARGET_MB = 150
COLUMNS = ("id", "email", "name", "role", "added_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def bare_export(base: str, folder: Path) -> Path:
    """Walk every page of members and write them as CSV, the plain way."""
    descriptor, temporary = tempfile.mkstemp(prefix=".bare-", suffix=".part", dir=folder)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle, bare_client(base) as http:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        after = None
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if after:
                params["after_id"] = after
            page = http.get("/v1/organizations/users", params=params).json()
            writer.writerows(
                [
                    "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
                    for value in (user.get(column) for column in COLUMNS)
                ]
                for user in page["data"]
            )
            if not page["has_more"]:
                break
            after = page["last_id"]
    final = folder / f"bare-{time.time_ns()}.csv"
    os.replace(temporary, final)
    return final


async def mcp_export(client: Client) -> Path:
    result = await client.call_tool("export_list", {"list": "users", "format": "csv"})
    assert not result.is_error and result.structured_content is not None, result
    return Path(result.structured_content["path"])


class Sampler:
    """The server's resident memory, read every `interval` seconds on a thread of its own."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(memory_kib(self.pid, "VmRSS"))
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def run(users: int, repeats: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-export-") as scratch,
        sandbox_process(users) as base,
    ):
        exports, bare = Path(scratch) / "exports", Path(scratch) / "bare"
        bare.mkdir()
        async with mcp_client(base, "--toolsets", "exports", "--exports-dir", str(exports)) as client:
            await client.list_tools()
            pid = child_pid("claude-admin-mcp")
            idle_mb = memory_kib(pid, "VmRSS") / 1024
            with Sampler(pid) as sampler:
                bare_s, mcp_s, bare_file, mcp_file = await interleaved_medians(
                    lambda: bare_export(base, bare), lambda: mcp_export(client), repeats
                )
            peak_mb = memory_kib(pid) / 1024
        rows = sum(1 for _ in mcp_file.open(encoding="utf-8")) - 1
        assert digest(mcp_file) == digest(bare_file), "the export and the bare script wrote different files"
        size = mcp_file.stat().st_size
    sampled_mb = max(sampler.samples) / 1024
    ratio = mcp_s / bare_s
    print_table(
        f"Export of {users:,} members to CSV, MCP (stdio) vs a bare httpx2 script writing the same file",
        [
            "rows",
            "file",
            "bare (s)",
            "MCP (s)",
            "ratio",
            "server RSS idle / sampled max / peak (MB)",
            "targets",
        ],
        [
            [
                f"{rows:,}",
                f"{size / 1e6:.1f} MB",
                f"{bare_s:.2f}",
                f"{mcp_s:.2f}",
                f"{ratio:.2f}",
                f"{idle_mb:.0f} / {sampled_mb:.0f} / {peak_mb:.0f}",
                f"≤ {TARGET}x, < {TARGET_MB} MB",
            ]
        ],
    )
    return {
        "users": users,
        "rows": rows,
        "bytes": size,
        "bare_s": bare_s,
        "mcp_s": mcp_s,
        "ratio": ratio,
        "idle_mb": idle_mb,
        "sampled_mb": sampled_mb,
        "peak_mb": peak_mb,
        "samples": len(sampler.samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    ns = parser.parse_args()
    asyncio.run(run(ns.users, ns.repeats))


if __name__ == "__main__":
    main()
