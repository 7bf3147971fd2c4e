"""The README's workload identity snippets stay true: the GitHub Actions workflow and the Kubernetes
job parse as YAML, give the server exactly the variables it reads, and run commands it accepts."""

from __future__ import annotations

import re
import shlex
import uuid
from pathlib import PurePosixPath
from typing import Any

import yaml

from claude_admin_mcp.server.api.credentials.base import (
    FEDERATION_RULE_ENV,
    IDENTITY_TOKEN_FILE_ENV,
    ORGANIZATION_ENV,
)
from claude_admin_mcp.server.cli import build_parser

from .conftest import REPO

SECTION = (REPO / "README.md").read_text().split("## Workload identity federation")[1].split("\n## ")[0]
WIF_VARIABLES = {IDENTITY_TOKEN_FILE_ENV, FEDERATION_RULE_ENV, ORGANIZATION_ENV}


def _yaml_blocks() -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", SECTION, flags=re.S)]


def _parses(arguments: list[str]) -> None:
    if arguments and arguments[0] in ("check", "tools", "call"):
        build_parser().parse_args(arguments)
    else:
        build_parser().parse_args(["serve", *arguments])


def test_the_github_actions_workflow() -> None:
    workflow = next(block for block in _yaml_blocks() if "jobs" in block)
    assert workflow["permissions"]["id-token"] == "write"
    job = next(iter(workflow["jobs"].values()))
    assert set(job["env"]) == WIF_VARIABLES
    script = next(step["run"] for step in job["steps"] if "fetch_token" in step.get("run", ""))
    assert "audience=https://api.anthropic.com" in script and '> "$ANTHROPIC_IDENTITY_TOKEN_FILE"' in script
    commands = [line.split("&&")[-1].strip() for line in script.splitlines() if "claude-admin-mcp" in line]
    assert len(commands) == 2
    for command in commands:
        _parses(shlex.split(command)[1:])


def test_the_kubernetes_job() -> None:
    job = next(block for block in _yaml_blocks() if block.get("kind") == "CronJob")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert set(env) == WIF_VARIABLES
    assert re.fullmatch(r"fdrl_[A-Za-z0-9]+", env[FEDERATION_RULE_ENV])
    uuid.UUID(env[ORGANIZATION_ENV])
    token = PurePosixPath(env[IDENTITY_TOKEN_FILE_ENV])
    mount = next(m for m in container["volumeMounts"] if PurePosixPath(m["mountPath"]) == token.parent)
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    projected = volume["projected"]["sources"][0]["serviceAccountToken"]
    assert projected["path"] == token.name and projected["audience"] == "https://api.anthropic.com"
    namespace, account = job["metadata"]["namespace"], pod["serviceAccountName"]
    assert f"system:serviceaccount:{namespace}:{account}" in SECTION
    assert container["command"] == ["claude-admin-mcp"]
    _parses(container["args"])
