"""Workload identity federation from a real process: `claude-admin-mcp` over stdio, and `check`, given
only an identity token file, a federation rule id and an organization id."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from claude_admin_mcp.sandbox.runner import start_sandbox

from .conftest import sandbox_config, text_of
from .processes import BIN, TOKEN_CHANNEL, clean_env
from .wif import CONSOLE_TOKEN, exchanges, identity_token, make_federation, wif_env
from .writes import audit_lines

pytestmark = pytest.mark.e2e

SECRET_SHAPES = re.compile(r"sk-ant-[a-z]+\d*-|eyJ[A-Za-z0-9_\-]+\.eyJ")


@pytest.mark.anyio
async def test_a_workload_over_stdio_administers_and_check_reports_it(tmp_path: Path) -> None:
    with start_sandbox(sandbox_config(users=20, console_token=CONSOLE_TOKEN)) as sandbox:
        federation = make_federation(sandbox)
        token_file = tmp_path / "token"
        assertion = identity_token(sandbox)
        token_file.write_text(assertion)
        audit = tmp_path / "audit.jsonl"
        env = clean_env(
            ANTHROPIC_BASE_URL=sandbox.base_url, **wif_env(federation, token_file), **TOKEN_CHANNEL
        )
        target = next(u for u in sandbox.state.users.values() if u.role == "developer")
        arguments = {"user_id": target.id, "role": "claude_code_user"}
        args = ["--log-level", "DEBUG", "--audit-log", str(audit)]
        params = StdioServerParameters(command=str(BIN), args=args, env=env)
        with tempfile.TemporaryFile("w+") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                me = await client.call_tool("whoami", {})
                first = await client.call_tool("update_user_role", arguments)
                token = (first.structured_content or {})["confirmation_token"]
                second = await client.call_tool(
                    "update_user_role", {**arguments, "confirmation_token": token}
                )
            errlog.seek(0)
            stderr = errlog.read()
        assert (me.structured_content or {})["scope"] == "org:admin", text_of(me)
        assert (second.structured_content or {})["outcome"] == "applied", text_of(second)
        assert sandbox.state.users[target.id].role == "claude_code_user"
        assert "POST /v1/organizations/users" in stderr and "new access token" in stderr, "debug log captured"
        outputs = [json.dumps(r.model_dump(mode="json")) for r in (me, first, second)]
        for text in (stderr, audit.read_text(), *outputs):
            assert not SECRET_SHAPES.search(text) and assertion[-20:] not in text
        assert audit_lines(audit)[-1]["credential"] == "wif"

        # `check` is another process: it exchanges a token of its own (the first one's jti is spent).
        token_file.write_text(identity_token(sandbox))
        done = subprocess.run([str(BIN), "check"], capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        assert "credential:   workload identity (WIF) from ANTHROPIC_IDENTITY_TOKEN_FILE" in out
        assert "acting as:    service account robot-" in out and federation.service_account_id in out
        assert f"via rule:     {federation.rule_id}" in out and "scope org:admin" in out
        assert out.strip().endswith("OK") and not SECRET_SHAPES.search(out + done.stderr)
        assert len(exchanges(sandbox)) == 2

        # The same spent token again: a failed check names the rule and says why it may have failed.
        done = subprocess.run([str(BIN), "check"], capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 1 and "FAILED" in done.stdout and federation.rule_id in done.stdout
        assert "single-use jti" in done.stdout and assertion[-20:] not in done.stdout + done.stderr

    half = clean_env(ANTHROPIC_IDENTITY_TOKEN_FILE=str(token_file))
    done = subprocess.run([str(BIN), "check"], capture_output=True, text=True, timeout=60, env=half)
    assert done.returncode == 2 and "ANTHROPIC_FEDERATION_RULE_ID" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_sandbox_offers_the_oauth_only_tools_with_its_oauth_token() -> None:
    done = subprocess.run(
        [str(BIN), "call", "list_service_accounts", "--sandbox", "--toolsets", "all", "--structured"],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = {item["name"] for item in json.loads(done.stdout)["items"]}
    assert names == {"inference-worker", "ci-deployer", "org-admin-automation"}
