"""Claude Code itself connects the way the README says: `claude mcp add` with the README's own
commands, then `claude mcp list`, which starts or dials each server and reports whether it connected.

Only Claude Code's MCP commands run: they need no Anthropic login and no network beyond loopback.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from .conftest import CANARY_KEY, REPO
from .npm_tools import claude_code
from .processes import BIN, clean_env, free_port, running
from .test_e2e_writes import standalone_sandbox

pytestmark = pytest.mark.e2e

README = (REPO / "README.md").read_text()


def _claude(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A home of its own: the test never reads or writes the machine user's Claude Code settings.
    env = clean_env(HOME=str(home))
    return subprocess.run(
        [str(claude_code()), *args], cwd=home, env=env, capture_output=True, text=True, timeout=180
    )


def _connected(home: Path, name: str) -> bool:
    listing = _claude(home, "mcp", "list")
    line = next((line for line in listing.stdout.splitlines() if line.startswith(f"{name}:")), "")
    assert line, listing.stdout + listing.stderr
    return "Connected" in line and "Failed" not in line


def _readme_command(pattern: str) -> list[str]:
    match = re.search(pattern, README)
    assert match, pattern
    return shlex.split(match[0])


def test_the_quick_start_http_server_connects_with_the_readme_command(tmp_path: Path) -> None:
    quick_start = README.split("## Connect a client")[0]
    serve = shlex.split(re.findall(r"```sh\n(.*?)```", quick_start, flags=re.S)[0].split("&&")[-1])
    add = _readme_command(r"claude mcp add --transport http anthropic-admin-sandbox http://\S+/mcp")
    port = free_port()  # the README's 8765 may be taken on a test machine: --port, as it says
    url = add[-1].replace(":8765/", f":{port}/")
    assert serve[0].endswith("claude-admin-mcp") and url != add[-1]
    with running([*serve[1:], "--port", str(port)], url, clean_env()):
        assert _claude(tmp_path, *add[1:-1], url).returncode == 0
        assert _connected(tmp_path, "anthropic-admin-sandbox")
    # Gone with the server: the check is real.
    assert not _connected(tmp_path, "anthropic-admin-sandbox")


def test_the_stdio_sandbox_command_connects(tmp_path: Path) -> None:
    add = _readme_command(r"claude mcp add anthropic-admin-sandbox -- \S+ --sandbox")
    at = add.index("--")
    add[at + 1] = str(BIN)  # the README's /absolute/path/to/.venv/bin/claude-admin-mcp
    assert _claude(tmp_path, *add[1:]).returncode == 0
    assert _connected(tmp_path, "anthropic-admin-sandbox")


def test_a_real_credential_over_http_connects_only_with_the_command_it_prints(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with standalone_sandbox() as base:
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY)
        with running(["--transport", "http", "--port", str(port)], url, env) as process:
            assert process.stderr is not None
            printed = ""
            while "claude mcp add" not in printed:
                printed = process.stderr.readline().decode()
                assert printed, "the server did not print a claude mcp add command"
            command = printed.split("Claude Code: ", 1)[1].strip()
            assert CANARY_KEY not in printed and "$(cat " in command  # the secret stays in its file
            # Without the header, Claude Code cannot connect: loopback is not trusted.
            bare = [w for w in shlex.split(command.split(" --header")[0])][3:]
            bare[bare.index("anthropic-admin")] = "no-secret"
            assert _claude(tmp_path, "mcp", "add", *bare).returncode == 0
            assert not _connected(tmp_path, "no-secret")
            # The printed command, run by a shell as the admin would paste it, connects.
            added = subprocess.run(
                ["bash", "-c", command.replace("claude ", shlex.quote(str(claude_code())) + " ", 1)],
                cwd=tmp_path,
                env=clean_env(HOME=str(tmp_path)),
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert added.returncode == 0, added.stderr
            assert _connected(tmp_path, "anthropic-admin")
