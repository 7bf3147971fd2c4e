"""The README's plan examples, followed as written: a standalone sandbox, its `export` line, then
each `call` at a terminal, answering what it asks. Every line the README shows must be what prints."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from .conftest import REPO
from .processes import BIN, clean_env, free_port, run_at_a_terminal, wait_for_http

pytestmark = pytest.mark.e2e

README = (REPO / "README.md").read_text()
SECTION = README.split("### Many changes at once: plans")[1].split("\n### ")[0]


def _normalized(text: str) -> str:
    return re.sub(r"req_[A-Za-z0-9]+", "req_…", text)


def test_the_plan_examples_print_what_the_readme_shows() -> None:
    blocks = re.findall(r"```(sh|)\n(.*?)```", SECTION, flags=re.S)
    commands = [body for kind, body in blocks if kind == "sh"]
    transcripts = [body for kind, body in blocks if kind == ""]
    setup, *calls = commands
    start, export, first_call = setup.strip().splitlines()
    assert start.endswith("&") and export.startswith("export ") and len(calls) == 1
    port = free_port()
    args = shlex.split(start.rstrip("&"))
    args[args.index("--port") + 1] = str(port)
    env = clean_env()
    for assignment in shlex.split(export)[1:]:
        name, value = assignment.split("=", 1)
        env[name] = value.replace(":8800", f":{port}")
    sandbox = subprocess.Popen(
        [str(BIN), *args[1:]], env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/organizations/me", sandbox)
        for command, transcript in zip([first_call, calls[0].strip()], transcripts, strict=True):
            words = shlex.split(command)
            printed = _normalized(run_at_a_terminal([str(BIN), *words[1:]], env))
            for line in transcript.splitlines():
                if line.strip() and line.strip() != "…":
                    assert _normalized(line) in printed, (line, printed)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
