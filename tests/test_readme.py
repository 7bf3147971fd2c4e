"""The README stays true: its commands are the ones CI runs, its snippets parse, its tool list is real."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import INVENTORY
from claude_admin_mcp.server.cli import COMMANDS, build_parser
from claude_admin_mcp.tools import DEFAULT_TOOLSETS

from .conftest import REPO, connect, make_server

README = (REPO / "README.md").read_text()


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_test_command_is_what_ci_runs() -> None:
    ci = [
        line
        for line in (REPO / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd ", "export "))
    ]
    assert ci[-1] in README
    quick_start = README.split("## Connect a client")[0]
    assert ci[-1] in quick_start


def test_the_first_command_installs_and_starts_on_the_sandbox() -> None:
    first = _code_blocks("sh")[0].strip()
    assert "pip install -e ." in first and "claude-admin-mcp --sandbox" in first
    args = shlex.split(first.split("&&")[-1])[1:]
    build_parser().parse_args(["serve", *args])


def test_claude_desktop_config_is_valid_and_its_args_parse() -> None:
    config = json.loads(_code_blocks("json")[0])
    server = config["mcpServers"]["anthropic-admin"]
    assert server["command"].endswith("claude-admin-mcp")
    assert set(server["env"]) == {"ANTHROPIC_ADMIN_KEY"}
    build_parser().parse_args(["serve", *server["args"], "--sandbox"])


def test_claude_code_command_passes_valid_arguments() -> None:
    lines = [line for block in _code_blocks("sh") for line in block.splitlines() if "claude mcp add" in line]
    lines += re.findall(r"`(claude mcp add [^`]+)`", README)
    assert lines
    for line in lines:
        words = shlex.split(line)
        if "--transport" in words:  # an HTTP server: its URL, and the secret as a bearer header
            assert words[words.index("--transport") + 1] == "http"
            assert any(w.startswith("http") and w.endswith("/mcp") for w in words)
            # Only the sandbox serves loopback without the bearer secret (test_claude_code connects both).
            if "sandbox" not in words[words.index("--transport") + 2]:
                assert words[words.index("--header") + 1].startswith("Authorization: Bearer ")
            continue
        command = words[words.index("--") + 1 :]
        assert command[0].endswith("claude-admin-mcp")
        build_parser().parse_args(["serve", *command[1:]])


def test_every_default_tool_is_documented_and_every_documented_tool_exists() -> None:
    names = {entry.name for entry in INVENTORY.entries}
    table = README.split("## Tools")[1].split("\n## ")[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`([a-z_]+)`", cell)}
    assert documented <= names, documented - names
    default_tools = {entry.name for entry in INVENTORY.entries if entry.toolset in DEFAULT_TOOLSETS}
    assert default_tools <= documented, default_tools - documented


def test_every_command_shown_parses() -> None:
    shown = 0
    for block in _code_blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                words = shlex.split(part.strip().removesuffix("&").strip())
                at = next((i for i, w in enumerate(words) if w.endswith("claude-admin-mcp")), None)
                if at is not None and all("=" in w for w in words[:at]):
                    arguments = [w for w in words[at + 1 :] if not w.startswith("<")]
                    if arguments and arguments[0] in COMMANDS:
                        build_parser().parse_args(arguments)
                    else:
                        build_parser().parse_args(["serve", *arguments])
                    shown += 1
    assert shown >= 6


@pytest.mark.anyio
async def test_the_tool_list_sizes_shown_are_what_clients_receive(sandbox: RunningSandbox) -> None:
    table = README.split("| offered | admin key |")[1].split("\n\n")[0]
    rows = {line.split("|")[1].strip(): line.split("|")[2:4] for line in table.splitlines()[2:]}
    options: dict[str, dict[str, Any]] = {
        "default": {},
        "`--toolsets all`": {"toolsets": ["all"]},
        "`--tier read-only`": {"tier": "read-only"},
    }
    assert set(rows) == set(options)
    for row, overrides in options.items():
        for cell, oauth in zip(rows[row], (False, True), strict=True):
            async with connect(make_server(sandbox, oauth=oauth, **overrides)) as client:
                listing = await client.list_tools()
            wire = json.dumps(
                listing.model_dump(by_alias=True, exclude_none=True, mode="json"), separators=(",", ":")
            )
            shown = re.fullmatch(r"\s*(\d+) tools, (\d+) KB\s*", cell)
            assert shown, cell
            assert int(shown[1]) == len(listing.tools), (row, oauth)
            assert abs(int(shown[2]) - len(wire.encode()) / 1000) <= 1, (row, oauth, len(wire))
