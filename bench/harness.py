"""Shared pieces for the benchmarks: real processes on loopback, timing, and a printed table.

Each benchmark compares the MCP server with a baseline in the same run (never an absolute time):
the sandbox runs as its own process, the server under test as a stdio subprocess, and the baseline
is a bare `httpx2` loop against the same sandbox.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client, StdioServerParameters

BIN = Path(sys.executable).parent / "claude-admin-mcp"
KEY = "sk-ant-admin01-sandbox-bench-" + "b" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_ADMIN_MCP_"))}
    env.update(extra)
    return env


@contextmanager
def sandbox_process(users: int, workspaces: int | None = None, extra: Sequence[str] = ()) -> Iterator[str]:
    """A standalone sandbox (`claude-admin-mcp sandbox`) in its own process; yields its base URL.
    `extra`: more of its options (e.g. `--rate-limit 600`)."""
    port = free_port()
    args = [str(BIN), "sandbox", "--port", str(port), "--users", str(users), "--admin-key", KEY, *extra]
    if workspaces is not None:
        args += ["--workspaces", str(workspaces)]
    process = subprocess.Popen(args, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx2.get(
                    base + "/v1/organizations/me", headers={"x-api-key": KEY}, timeout=2
                ).raise_for_status()
                break
            except httpx2.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def server_params(base_url: str, *args: str, **env: str) -> StdioServerParameters:
    environment = clean_env(
        ANTHROPIC_BASE_URL=base_url, ANTHROPIC_ADMIN_KEY=KEY, CLAUDE_ADMIN_MCP_LOG_LEVEL="WARNING", **env
    )
    return StdioServerParameters(command=str(BIN), args=list(args), env=environment)


@asynccontextmanager
async def mcp_client(base_url: str, *args: str, **env: str) -> AsyncIterator[Client]:
    """The server under test as a stdio subprocess, connected and initialized; `env` adds to its
    environment."""
    async with Client(server_params(base_url, *args, **env)) as client:
        yield client


def bare_client(base_url: str) -> httpx2.Client:
    return httpx2.Client(
        base_url=base_url, headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"}, timeout=60
    )


async def median_seconds(run: Callable[[], Awaitable[Any]], repeats: int) -> tuple[float, Any]:
    """Median wall time of `repeats` runs (after one warm-up), and the last run's result."""
    result = await run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def sync_median_seconds(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def interleaved_medians(
    baseline: Callable[[], Any], measured: Callable[[], Awaitable[Any]], repeats: int
) -> tuple[float, float, Any, Any]:
    """Median seconds of a sync baseline and an async measured run, alternated `repeats` times
    after one warm-up each, so drift on a busy machine hits both equally."""
    base_result, measured_result = baseline(), await measured()
    base_times, measured_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        base_result = baseline()
        base_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        measured_result = await measured()
        measured_times.append(time.perf_counter() - start)
    return statistics.median(base_times), statistics.median(measured_times), base_result, measured_result


def child_pid(name: str) -> int:
    """The pid of this process's child whose command line mentions `name` (not a sandbox)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me and name in cmdline and "sandbox" not in cmdline.split(name, 1)[1][:12]:
            return int(entry.name)
    raise RuntimeError(f"no child process running {name}")


def memory_kib(pid: int, field: str = "VmHWM") -> int:
    """A process's memory figure from /proc: `VmHWM` (peak resident) or `VmRSS` (resident now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def children_rss_peak_kib(name: str) -> int:
    """Peak resident memory (VmHWM) of this process's child whose command line mentions `name`."""
    return memory_kib(child_pid(name))


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
