"""The MCP conformance suite, an independent client, tests the server over streamable HTTP.

`@modelcontextprotocol/conformance` in server mode plays an MCP client against the real
`claude-admin-mcp --sandbox --toolsets all --transport http` process (every tool, so the schema
check of `tools/list` sees them all), in both protocol eras:

- stable 0.1.16, its active suite (the 2025-06-18 and 2025-11-25 scenarios);
- the pre-release, active suite at `--spec-version 2025-11-25` (adds session-lifecycle scenarios
  and validates every message against the spec's JSON schema);
- the pre-release, `--suite all` at `--spec-version 2026-07-28` (the stateless protocol, header
  validation, caching, input-required results, resource-not-found).

Most scenarios call the suite's fixture tools, resources and prompts (`test_image_content`,
`test://static-text`, ...), which this server does not have: `conformance/expected-failures.yml`
lists exactly those checks with the reason, and a run passes only if nothing else fails and no
listed check has started to pass. Each run's per-scenario `checks.json`, the console output and the
server's log are kept in `.ci/.cache/conformance-results/` for debugging.

A few passes are vacuous: `tools-call-simple-text` and `tools-call-error` accept the "Unknown tool"
error result, and some input-required checks accept any complete result.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .npm_tools import CACHE, CONFORMANCE_ALPHA_VERSION, CONFORMANCE_VERSION, conformance, node22_bin
from .processes import BIN, clean_env, free_port, wait_for_http

pytestmark = pytest.mark.e2e

BASELINE = Path(__file__).resolve().parent / "conformance" / "expected-failures.yml"
RESULTS = CACHE / "conformance-results"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ENTRY = re.compile(r"^\s*-\s*(?P<entry>[^\s#]+)\s*(?:#\s*(?P<reason>.*))?$")


@dataclass(frozen=True)
class Run:
    label: str
    alpha: bool
    args: tuple[str, ...]
    min_passed: int
    """Checks passing when the baseline was recorded: fewer means scenarios silently stopped running."""


RUNS = [
    Run(f"active suite ({CONFORMANCE_VERSION})", alpha=False, args=(), min_passed=11),
    Run(
        f"2025-11-25 ({CONFORMANCE_ALPHA_VERSION})",
        alpha=True,
        args=("--spec-version", "2025-11-25"),
        min_passed=44,
    ),
    Run(
        f"2026-07-28 ({CONFORMANCE_ALPHA_VERSION}, all)",
        alpha=True,
        args=("--suite", "all", "--spec-version", "2026-07-28"),
        min_passed=98,
    ),
]


def baseline_entries() -> list[tuple[str, str | None]]:
    """(`scenario:check-id`, reason) for every entry of the expected-failures file."""
    entries = []
    for line in BASELINE.read_text().splitlines():
        if match := ENTRY.match(line):
            entries.append((match["entry"], match["reason"]))
    return entries


def stable_baseline(directory: Path) -> Path:
    """The baseline for the stable harness, which knows whole scenarios only."""
    scenarios = dict.fromkeys(entry.split(":", 1)[0] for entry, _ in baseline_entries())
    path = directory / "expected-failures-stable.yml"
    path.write_text("server:\n" + "".join(f"  - {scenario}\n" for scenario in scenarios))
    return path


def slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-")


def run_conformance(
    url: str, alpha: bool, args: tuple[str, ...], output: Path, baseline: Path | None
) -> subprocess.CompletedProcess[str]:
    """`conformance server --url URL ARGS -o OUTPUT [--expected-failures BASELINE]` on node 22."""
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    command = [str(conformance(alpha=alpha)), "server", "--url", url, *args, "-o", str(output)]
    if baseline is not None:
        command += ["--expected-failures", str(baseline)]
    # node 22 for this process only; the server and everything else keep the machine's node.
    env = clean_env(PATH=f"{node22_bin()}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    (output / "console.txt").write_text(done.stdout + done.stderr)
    return done


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """The installed command serving every tool over streamable HTTP against the sandbox.

    Concurrent test runs in one checkout take turns: they share the results folder.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield from _serve()


def _serve() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    args = ["--sandbox", "--toolsets", "all", "--transport", "http", "--port", str(port)]
    # The log goes to a file, not a pipe: nobody reads a pipe here, and a full one would stall the server.
    with open(RESULTS / "server.log", "wb") as log:
        process = subprocess.Popen(
            [str(BIN), *args], env=clean_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_http(url, process)
            yield url
            assert process.poll() is None, f"the server died; see {RESULTS / 'server.log'}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_every_expected_failure_names_a_check_and_a_reason() -> None:
    entries = baseline_entries()
    assert len(entries) > 20
    for entry, reason in entries:
        scenario, _, check = entry.partition(":")
        assert scenario and check, f"{entry}: write `scenario:check-id`"
        assert reason and len(reason) > 10, f"{entry}: give the reason in a comment"
    assert len({entry for entry, _ in entries}) == len(entries), "duplicate entries"


@pytest.mark.parametrize("run", RUNS, ids=[slug(run.label) for run in RUNS])
def test_conformance_suite(server_url: str, run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    output = RESULTS / slug(run.label)
    baseline = BASELINE if run.alpha else stable_baseline(RESULTS)
    done = run_conformance(server_url, run.alpha, run.args, output, baseline)
    console = ANSI.sub("", done.stdout + done.stderr)
    summary = console[console.find("=== SUMMARY ===") :]
    totals = re.search(r"^Total: (\d+) passed, (\d+) failed", console, re.MULTILINE)
    assert totals, f"no totals in the conformance output (exit {done.returncode}):\n{console[-4000:]}"
    passed = int(totals[1])
    expected = len(re.findall(r"^  ~ ", console, re.MULTILINE))
    with capsys.disabled():  # visible in CI logs without -s
        print(f"\nconformance {run.label}: {passed} passed, {expected} expected failures ({output})")
    assert done.returncode == 0, f"conformance {run.label} (exit {done.returncode}); see {output}\n{summary}"
    assert "Baseline check passed" in console, summary
    assert passed >= run.min_passed, f"only {passed} checks passed, {run.min_passed} before:\n{summary}"


def test_sse_streams_are_resumable(server_url: str) -> None:
    """`server-sse-polling` is pending in the suite and also needs the fixture tool `test_reconnection`
    (its tool-result check), but its priming-event and retry-field checks hold for any tool call."""
    output = RESULTS / "sse-polling"
    args = ("--scenario", "server-sse-polling", "--spec-version", "2025-11-25")
    run_conformance(server_url, True, args, output, None)
    (checks_file,) = output.glob("server-server-sse-polling-*/checks.json")
    status = {check["id"]: check["status"] for check in json.loads(checks_file.read_text())}
    assert status["server-sse-priming-event"] == "SUCCESS", status
    assert status["server-sse-retry-field"] == "SUCCESS", status
