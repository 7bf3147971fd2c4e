"""Load: concurrent MCP clients over streamable HTTP, each listing and reading for a while.

The server runs as its own process (`--transport http`) against a standalone sandbox. Each client
(half in the 2026-07-28 era, half in the 2025-11-25 handshake era) loops: list members, read its
own member, and ask for a confirmation preview of a change to its own member. Every answer must be
about that client's own member (no cross-talk between sessions' results or confirmations), no call
may fail, and the server's memory must stay flat. Reports requests per second and p50/p99 latency.

    .venv/bin/python -m bench.bench_load [--clients 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from .harness import BIN, KEY, clean_env, free_port, print_table, sandbox_process

HTTP_TOKEN = secrets.token_urlsafe(32)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def client_loop(
    url: str, mode: str, user: dict[str, Any], deadline: float, latencies: list[float], errors: list[str]
) -> int:
    calls = 0
    http = httpx2.AsyncClient(headers={"authorization": f"Bearer {HTTP_TOKEN}"}, timeout=60)
    async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        while time.monotonic() < deadline:
            for tool, arguments in (
                ("list_users", {"limit": 20}),
                ("get_user", {"user_id": user["id"]}),
                ("update_user_role", {"user_id": user["id"], "role": "billing"}),
            ):
                start = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                latencies.append(time.perf_counter() - start)
                calls += 1
                content = result.structured_content or {}
                if result.is_error:
                    errors.append(f"{tool}: {str(result.content)[:200]}")
                elif tool == "get_user" and content.get("id") != user["id"]:
                    errors.append(f"cross-talk: asked for {user['id']}, got {content.get('id')}")
                elif tool == "update_user_role" and (
                    content.get("outcome") != "needs_confirmation"
                    or user["email"] not in (content.get("preview") or "")
                ):
                    errors.append(f"cross-talk or failure in a confirmation for {user['email']}: {content}")
    return calls


async def run(clients: int, seconds: float) -> dict[str, Any]:
    with sandbox_process(users=max(200, clients * 2)) as base:
        with httpx2.Client(base_url=base, headers={"x-api-key": KEY}) as http:
            users = [
                u
                for u in http.get("/v1/organizations/users", params={"limit": 1000}).json()["data"]
                if u["role"] == "developer"
            ][:clients]
        port = free_port()
        url = f"http://127.0.0.1:{port}/mcp"
        env = clean_env(
            ANTHROPIC_BASE_URL=base,
            ANTHROPIC_ADMIN_KEY=KEY,
            CLAUDE_ADMIN_MCP_LOG_LEVEL="WARNING",
            # A real credential over HTTP needs the bearer secret, loopback included.
            CLAUDE_ADMIN_MCP_HTTP_TOKEN=HTTP_TOKEN,
            # Each write previews and returns a token (opted in), so the load needs no human.
            CLAUDE_ADMIN_MCP_CONFIRM_VIA="form,token",
        )
        process = subprocess.Popen(
            [
                str(BIN),
                "--transport",
                "http",
                "--port",
                str(port),
                "--audit-log",
                "/tmp/claude-admin-mcp-load-audit.jsonl",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            for _ in range(200):
                try:
                    httpx2.get(url, timeout=1)
                    break
                except httpx2.TransportError:
                    await asyncio.sleep(0.1)
            latencies: list[float] = []
            errors: list[str] = []
            # Warm up, then measure memory around the real run.
            await client_loop(url, "auto", users[0], time.monotonic() + 1, [], errors)
            rss_start = rss_kib(process.pid)
            start = time.monotonic()
            deadline = start + seconds
            samples: list[int] = []

            async def sample() -> None:
                while time.monotonic() < deadline:
                    samples.append(rss_kib(process.pid))
                    await asyncio.sleep(seconds / 10)

            sampler = asyncio.create_task(sample())
            modes = ("auto", "legacy")
            counts = await asyncio.gather(
                *(
                    client_loop(url, modes[i % 2], users[i % len(users)], deadline, latencies, errors)
                    for i in range(clients)
                )
            )
            await sampler
            elapsed = time.monotonic() - start
            rss_end = rss_kib(process.pid)
            half = samples[len(samples) // 2] if samples else rss_end
        finally:
            process.terminate()
            process.wait(timeout=20)
    total = sum(counts)
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print_table(
        f"Load: {clients} concurrent MCP clients over streamable HTTP for {seconds:.0f} s",
        ["clients", "calls", "errors", "req/s", "p50 (ms)", "p99 (ms)", "server RSS start→half→end (MB)"],
        [
            [
                clients,
                total,
                len(errors),
                f"{total / elapsed:.0f}",
                f"{p50 * 1000:.0f}",
                f"{p99 * 1000:.0f}",
                f"{rss_start / 1024:.0f} → {half / 1024:.0f} → {rss_end / 1024:.0f}",
            ]
        ],
    )
    for error in errors[:5]:
        print("  ", error)
    return {
        "calls": total,
        "errors": errors,
        "rps": total / elapsed,
        "p50_ms": p50 * 1000,
        "p99_ms": p99 * 1000,
        "rss_start_mb": rss_start / 1024,
        "rss_half_mb": half / 1024,
        "rss_end_mb": rss_end / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    ns = parser.parse_args()
    asyncio.run(run(ns.clients, ns.seconds))


if __name__ == "__main__":
    main()
