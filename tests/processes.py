"""Real processes for end-to-end tests: the installed `claude-admin-mcp` command, on free loopback ports."""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

BIN = Path(sys.executable).parent / "claude-admin-mcp"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


STATE_HOME = Path(os.environ.get("PYTEST_AUDIT_DIR", "/tmp")) / f"claude-admin-mcp-xdg-{os.getpid()}"
"""XDG_STATE_HOME of the processes tests start: their keys, claims and audit heads stay in it."""
STATE_DIR = STATE_HOME / "claude-admin-mcp"
TOKEN_CHANNEL = {"CLAUDE_ADMIN_MCP_CONFIRM_VIA": "form,token"}
"""The token channel opted in (scripts, CI), for the process tests that use it."""


def made_http_token() -> str:
    """The bearer secret an HTTP server with a real credential made for itself (no configured one)."""
    return (STATE_DIR / "http-token").read_text(encoding="utf-8").strip()


def authorized(url: str, mode: str = "auto", token: str | None = None, **options: Any) -> Client:
    """An MCP client for an HTTP server that requires its bearer secret."""
    secret = token if token is not None else made_http_token()
    http = httpx2.AsyncClient(headers={"authorization": f"Bearer {secret}"}, timeout=60)
    return Client(streamable_http_client(url, http_client=http), mode=mode, **options)


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any Anthropic credential, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_ADMIN_MCP_"))}
    env["XDG_STATE_HOME"] = str(STATE_HOME)
    # A write left to the approval page answers pending_approval at once instead of waiting.
    env["CLAUDE_ADMIN_MCP_APPROVAL_WAIT_SECONDS"] = "0"
    env.update(extra)
    return env


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early with {process.returncode}")
        try:
            httpx2.get(url, timeout=1.0)
            return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def running(args: list[str], url: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Start `claude-admin-mcp ARGS`, wait until `url` answers, stop it afterwards."""
    process = subprocess.Popen(
        [str(BIN), *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_for_http(url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_at_a_terminal(
    argv: list[str], env: dict[str, str], answer: str | None = None, timeout: float = 120
) -> str:
    """Run `argv` on a pseudo-terminal (as a person at a shell does) and return what it printed.

    When it asks ("Type X to confirm:" or "[y/N]"), it gets `answer`, or else what it asked to be typed.
    """
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command
        os.execvpe(argv[0], argv, env)
    output = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:
                break  # the command ended
            if not data:
                break
            output += data
            text = output.decode(errors="replace")
            asked = re.search(r"Type (.+) to confirm: $", text) or re.search(r"\[y/N\] $", text)
            if asked and not answered:
                reply = answer if answer is not None else (asked.group(1) if asked.groups() else "y")
                os.write(fd, (reply + "\n").encode())
                answered = True
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    return output.decode(errors="replace").replace("\r\n", "\n")
