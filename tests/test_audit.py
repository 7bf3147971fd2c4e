"""The audit log: every write attempt recorded, chained, verifiable, tamper-evident, secret-free."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.confirmation.audit import GENESIS, AuditLog, line_hash, verify

from .api import raw_all
from .conftest import CANARY_KEY, CANARY_TOKEN, TEST_STATE, TOKEN_CHANNEL, connect, make_server
from .processes import BIN, clean_env
from .writes import ScriptedHuman, audit_lines


def _verify_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "verify-audit", str(path), "--state-dir", str(TEST_STATE)],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )


async def _some_history(sandbox: RunningSandbox, audit: Path) -> None:
    """A morning's work: applied, invalid, declined, refused, pending then applied, a repeat."""
    user = raw_all(sandbox, "/v1/organizations/users", roles=["developer"])[0]
    async with connect(
        make_server(sandbox, audit_log=audit), elicitation_callback=ScriptedHuman("accept")
    ) as c:
        await c.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
        await c.call_tool("update_user_role", {"user_id": user["id"], "role": "admin"})
    async with connect(
        make_server(sandbox, audit_log=audit), elicitation_callback=ScriptedHuman("decline")
    ) as c:
        await c.call_tool("remove_user", {"user_id": user["id"]})
    async with connect(make_server(sandbox, audit_log=audit, allow_workspaces=["wrkspc_01Nope"])) as c:
        await c.call_tool("create_workspace", {"name": "Nope"})
    async with connect(make_server(sandbox, audit_log=audit, confirm_via=TOKEN_CHANNEL)) as c:
        first = await c.call_tool("update_user_role", {"user_id": user["id"], "role": "user"})
        token = first.structured_content["confirmation_token"]
        await c.call_tool(
            "update_user_role", {"user_id": user["id"], "role": "user", "confirmation_token": token}
        )
        await c.call_tool(
            "update_user_role", {"user_id": user["id"], "role": "user", "confirmation_token": token}
        )


@pytest.mark.anyio
async def test_every_attempt_is_recorded_and_the_chain_verifies(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    await _some_history(fresh_sandbox, audit)
    lines = audit_lines(audit)
    assert [line["outcome"] for line in lines] == [
        "confirmed",
        "applied",
        "invalid",
        "declined",
        "refused",
        "pending",
        "confirmed",
        "applied",
        "nothing_to_do",  # the reused token finds the change already made
    ]
    for line in lines:
        assert {"time", "tool", "arguments", "credential", "organization_id", "outcome", "prev"} <= set(line)
    assert lines[0]["prev"] == GENESIS
    assert all(
        lines[i]["prev"] == line_hash(audit.read_bytes().splitlines()[i - 1]) for i in range(1, len(lines))
    )
    result = verify(audit)
    assert result.ok and result.lines == len(lines)
    done = _verify_cli(audit)
    assert done.returncode == 0 and f"{len(lines)} lines, chain intact" in done.stdout
    text = audit.read_text()
    for secret in (CANARY_KEY, CANARY_TOKEN, "cfm1."):
        assert secret not in text, "no credential and no usable confirmation token in the audit log"
    assert oct(audit.stat().st_mode & 0o777) == "0o600"


@pytest.mark.anyio
@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "garble"])
async def test_tampering_is_caught(fresh_sandbox: RunningSandbox, tmp_path: Path, tamper: str) -> None:
    audit = tmp_path / "audit.jsonl"
    await _some_history(fresh_sandbox, audit)
    lines = audit.read_text().splitlines()
    if tamper == "edit":
        record = json.loads(lines[3])
        record["outcome"] = "applied"
        lines[3] = json.dumps(record, separators=(",", ":"))
    elif tamper == "delete":
        del lines[4]
    elif tamper == "reorder":
        lines[2], lines[3] = lines[3], lines[2]
    else:
        lines[5] = lines[5][:-3]
    audit.write_text("\n".join(lines) + "\n")
    done = _verify_cli(audit)
    assert done.returncode == 1 and "BROKEN" in done.stdout and "chain broken" in done.stdout + done.stderr


def test_concurrent_appends_from_threads_keep_one_chain(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    log = AuditLog(tmp_path / "a.jsonl", tmp_path / "head.json", b"k" * 32)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: log.append_sync({"tool": "t", "outcome": "applied", "n": i}), range(200)))
    result = verify(tmp_path / "a.jsonl")
    assert result.ok and result.lines == 200


def test_verify_audit_on_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    done = _verify_cli(tmp_path / "none.jsonl")
    assert done.returncode == 2 and "is not a file" in done.stderr and "Traceback" not in done.stderr
