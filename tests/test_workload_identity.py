"""Workload identity federation end to end, against the sandbox over real HTTP.

An OAuth-authenticated server sets federation up with its own tools; a second server, given only an
identity token file, a rule id and an organization id, exchanges the token through the official
SDK's credentials code and administers the organization. Tokens are renewed across expiry, after a
401, and from a rotated file; every refused exchange is a clear tool error naming the rule and the
organization; no identity token or access token ever shows up in a result, a log line or the audit.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import anyio
import pytest
from mcp.types import CallToolResult

from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.credentials.base import CredentialError
from claude_admin_mcp.server.api.credentials.discover import discover
from claude_admin_mcp.server.api.credentials.oauth_token import oauth_token_credential
from claude_admin_mcp.server.api.credentials.workload_identity import federation_credential
from claude_admin_mcp.server.app import create_server

from .conftest import connect, make_server, make_settings, sandbox_config, text_of
from .wif import (
    CONSOLE_TOKEN,
    ISSUER_URL,
    SUBJECT,
    console,
    exchanges,
    identity_token,
    make_federation,
    public_jwk,
    rsa_signing_key,
    wif_env,
    wif_server,
)
from .writes import ScriptedHuman, audit_lines

SECRET_SHAPES = re.compile(r"sk-ant-[a-z]+\d*-|eyJ[A-Za-z0-9_\-]+\.eyJ")
"""Any Anthropic token (the canaries, the Console token, every minted one) or any JWT."""


@pytest.fixture(scope="module")
def _running() -> Iterator[RunningSandbox]:
    with start_sandbox(
        sandbox_config(users=30, console_token=CONSOLE_TOKEN, min_token_lifetime_seconds=1)
    ) as running:
        yield running


@pytest.fixture
def sandbox(_running: RunningSandbox) -> RunningSandbox:
    _running.reset()
    return _running


def assert_no_secrets(*texts: str, jwts: tuple[str, ...] = ()) -> None:
    for text in texts:
        assert not SECRET_SHAPES.search(text), SECRET_SHAPES.search(text)
        for token in jwts:
            assert token not in text and token[-20:] not in text


def dump(result: CallToolResult) -> str:
    return str(result.model_dump_json(by_alias=True))


@pytest.mark.anyio
async def test_a_console_session_sets_up_federation_with_the_tools_and_a_workload_administers(
    sandbox: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    audit = tmp_path / "audit.jsonl"
    outputs: list[str] = []
    # The first server is an administrator's: its OAuth token is the sandbox's Console session, the
    # only credential that may create an org:admin rule (on the real API: the Console itself).
    admin = create_server(
        make_settings(sandbox, toolsets=["all"], audit_log=audit),
        oauth_token_credential("ANTHROPIC_OAUTH_TOKEN", CONSOLE_TOKEN, console=True),
    )
    human = ScriptedHuman("accept")
    async with connect(admin, elicitation_callback=human) as client:

        async def write(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            outputs.append(dump(result))
            content = result.structured_content or {}
            assert content.get("outcome") == "applied", text_of(result)
            return cast(dict[str, Any], content["result"])

        organization = (await client.call_tool("get_organization", {})).structured_content or {}
        workspace = ((await client.call_tool("list_workspaces", {"limit": 1})).structured_content or {})[
            "items"
        ][0]
        issuer = await write(
            "create_federation_issuer",
            {
                "name": "github-ci",
                "issuer_url": ISSUER_URL,
                "jwks_keys": [public_jwk(rsa_signing_key(), "rsa-1")],
            },
        )
        account = await write(
            "create_service_account",
            {"name": "ci-admin", "organization_role": "admin", "description": "Nightly housekeeping"},
        )
        await write(
            "add_service_account_to_workspace",
            {
                "service_account_id": account["id"],
                "workspace_id": workspace["id"],
                "workspace_role": "workspace_admin",
            },
        )
        rule = await write(
            "create_federation_rule",
            {
                "name": "ci-org-admin",
                "issuer_id": issuer["id"],
                "subject_prefix": "repo:acme/infra:*",
                "claims": {"repository_owner": "acme"},
                "service_account_id": account["id"],
                "oauth_scope": "org:admin",
                "workspace_id": workspace["id"],
                "token_lifetime_seconds": 900,
            },
        )
    assert issuer["jwks"]["type"] == "inline" and rule["target"]["service_account_id"] == account["id"]
    assert "Irreversible" not in human.messages[-1] and "org:admin" in human.messages[-1]
    assert "acts as service account ci-admin" in human.messages[-1].replace("act as", "acts as")

    # The workload: only a token file, the rule and the organization.
    token_file = tmp_path / "token"
    assertion = identity_token(sandbox, key=rsa_signing_key(), kid="rsa-1", repository_owner="acme")
    token_file.write_text(assertion + "\n")
    environ = {
        "ANTHROPIC_IDENTITY_TOKEN_FILE": str(token_file),
        "ANTHROPIC_FEDERATION_RULE_ID": rule["id"],
        "ANTHROPIC_ORGANIZATION_ID": organization["id"],
    }
    target = next(u for u in sandbox.state.users.values() if u.role == "developer")
    human = ScriptedHuman("accept")
    async with connect(wif_server(sandbox, environ, audit_log=audit), elicitation_callback=human) as client:
        me = await client.call_tool("whoami", {})
        users = await client.call_tool("list_users", {"roles": ["developer"], "limit": 5})
        changed = await client.call_tool("update_user_role", {"user_id": target.id, "role": "billing"})
        outputs += [dump(me), dump(users), dump(changed)]
    identity = me.structured_content or {}
    assert identity["kind"] == "wif" and identity["source"] == "ANTHROPIC_IDENTITY_TOKEN_FILE"
    assert identity["organization"] == {"id": organization["id"], "name": organization["name"]}
    assert identity["service_account"] == {
        "id": account["id"],
        "name": "ci-admin",
        "organization_role": "admin",
    }
    assert identity["scope"] == "org:admin" and identity["token_expires_at"].endswith("Z")
    assert identity["federation_rule_id"] == rule["id"]
    # An org:admin token reaches every toolset but the compliance feed and Enterprise analytics.
    assert identity["unusable_toolsets"] == {
        "activity": "needs read:compliance_activities",
        "analytics": "needs read:analytics",
    }
    assert not users.is_error and (users.structured_content or {})["count"] == 5
    assert (changed.structured_content or {})["outcome"] == "applied", text_of(changed)
    assert sandbox.state.users[target.id].role == "billing"
    event = exchanges(sandbox)[-1]
    assert (event.federation_rule_id, event.subject) == (rule["id"], SUBJECT)
    assert len(exchanges(sandbox)) == 1, "one exchange served every call"
    lines = audit_lines(audit)
    assert [line["credential"] for line in lines if line["outcome"] == "applied"][-1] == "wif"
    assert_no_secrets(*outputs, caplog.text, audit.read_text(), jwts=(assertion,))


@pytest.mark.anyio
async def test_an_admin_key_is_not_offered_the_oauth_only_tools_and_is_told_how_to_get_a_token(
    sandbox: RunningSandbox,
) -> None:
    async with connect(make_server(sandbox, toolsets=["all"])) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        refused = await client.call_tool("archive_federation_rule", {"federation_rule_id": "fdrl_01abc"})
        me = await client.call_tool("whoami", {})
    assert "list_users" in names and "whoami" in names
    assert not {name for name in names if "service_account" in name or "federation" in name}
    text = text_of(refused)
    assert refused.is_error and "org:admin" in text and "ant auth login --scope org:admin" in text
    assert "admin key" in text and "ANTHROPIC_ADMIN_KEY" in text and "Nothing was sent" in text
    identity = me.structured_content or {}
    assert identity["kind"] == "admin_key" and identity["source"] == "ANTHROPIC_ADMIN_KEY"
    assert set(identity["unusable_toolsets"]) == {"service_accounts", "federation"}
    assert "users" in identity["usable_toolsets"] and identity["organization"]["name"].startswith("Acme")
    assert any("ant auth login --scope org:admin" in note for note in identity["notes"])


@pytest.mark.anyio
async def test_whoami_with_a_static_oauth_token(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, oauth=True)) as client:
        identity = (await client.call_tool("whoami", {})).structured_content or {}
    assert identity["kind"] == "oauth_token" and identity["source"] == "ANTHROPIC_OAUTH_TOKEN"
    assert identity["scope"] is None and identity["service_account"] is None
    assert identity["unusable_toolsets"] == {
        "activity": "needs read:compliance_activities",
        "analytics": "needs read:analytics",
    }
    assert "federation" in identity["usable_toolsets"]
    assert any("scope unknown" in note for note in identity["notes"])


@pytest.mark.anyio
async def test_a_workspace_scoped_token_says_it_cannot_use_the_admin_api(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    federation = make_federation(sandbox, scope="workspace:developer")
    token_file = tmp_path / "token"
    token_file.write_text(identity_token(sandbox))
    environ = {
        **wif_env(federation, token_file),
        "ANTHROPIC_SERVICE_ACCOUNT_ID": federation.service_account_id,
    }
    async with connect(wif_server(sandbox, environ)) as client:
        identity = (await client.call_tool("whoami", {})).structured_content or {}
        users = await client.call_tool("list_users", {})
    assert identity["scope"] == "workspace:developer" and identity["organization"] is None
    assert identity["usable_toolsets"] == [] and "lacks org:admin" in identity["unusable_toolsets"]["users"]
    # It cannot read the service account, but it names the one it acts as.
    assert (identity["service_account"] or {}).get("id") == federation.service_account_id
    assert users.is_error and "HTTP 403" in text_of(users)


@pytest.mark.anyio
async def test_the_token_is_renewed_across_its_expiry(sandbox: RunningSandbox, tmp_path: Path) -> None:
    federation = make_federation(sandbox, lifetime=2, check_jti=False)
    token_file = tmp_path / "token"
    token_file.write_text(identity_token(sandbox))
    async with connect(wif_server(sandbox, wif_env(federation, token_file))) as client:
        first = await client.call_tool("list_users", {"limit": 1})
        await anyio.sleep(2.2)  # the first token has expired
        second = await client.call_tool("list_users", {"limit": 1})
    assert not first.is_error and not second.is_error, text_of(second)
    assert len(exchanges(sandbox)) == 2 and not exchanges(sandbox, "failure")


@pytest.mark.anyio
async def test_a_401_renews_once_from_the_rotated_token_file_and_retries(
    sandbox: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="claude_admin_mcp")
    federation = make_federation(sandbox)
    token_file = tmp_path / "token"
    token_file.write_text(identity_token(sandbox))
    async with connect(wif_server(sandbox, wif_env(federation, token_file))) as client:
        assert not (await client.call_tool("list_users", {"limit": 1})).is_error
        # Two hours pass for the API: the cached token has expired there, and the platform has
        # rotated the identity token in the file (a new subject proves the new one was read).
        anchor = sandbox.state.clock
        sandbox.state.clock = lambda: anchor() + timedelta(hours=2)
        rotated = SUBJECT.replace("main", "release")
        token_file.write_text(identity_token(sandbox, sub=rotated))
        after = await client.call_tool("list_users", {"limit": 1})
    assert not after.is_error, text_of(after)
    assert [e.subject for e in exchanges(sandbox)] == [SUBJECT, rotated]
    assert caplog.text.count("-> 401") == 1, "one 401, then the renewed token"


@pytest.mark.anyio
async def test_the_token_is_renewed_before_it_expires(sandbox: RunningSandbox, tmp_path: Path) -> None:
    federation = make_federation(sandbox, lifetime=600, check_jti=False)
    token_file = tmp_path / "token"
    token_file.write_text(identity_token(sandbox))
    shift = [0.0]
    credential = federation_credential(
        wif_env(federation, token_file), sandbox.base_url, time_source=lambda: time.time() + shift[0]
    )
    async with connect(create_server(make_settings(sandbox), credential)) as client:
        assert not (await client.call_tool("get_organization", {})).is_error
        assert not (await client.call_tool("get_organization", {})).is_error
        assert credential.exchanges == 1, "a fresh token is reused"
        shift[0] = 520.0  # 80 s left: inside the SDK's 120 s advisory window
        assert not (await client.call_tool("get_organization", {})).is_error
    assert credential.exchanges == 2 and len(exchanges(sandbox)) == 2


def _archive(sandbox: RunningSandbox, rule_id: str) -> None:
    with console(sandbox) as http:
        assert http.post(f"/v1/organizations/federation_rules/{rule_id}/archive").status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong subject", "match_subject_prefix"),
        ("expired", "jwt_expired"),
        ("replayed jti", "jti_replayed"),
        ("archived rule", "rule_archived"),
        ("unknown key", "jwt_kid_unknown"),
    ],
)
async def test_a_refused_exchange_is_a_clear_tool_error(
    sandbox: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str, reason: str
) -> None:
    caplog.set_level(logging.DEBUG)
    federation = make_federation(sandbox)
    now = sandbox.state.now_ts()
    claims_by_case: dict[str, dict[str, Any]] = {
        "wrong subject": {"sub": "repo:evil/infra:ref:refs/heads/main"},
        "expired": {"iat": now - 1200, "exp": now - 600},
        "unknown key": {"kid": "rotated-away"},
    }
    claims = claims_by_case.get(case, {})
    assertion = identity_token(sandbox, **claims)
    if case == "replayed jti":
        used = federation_credential(
            {**wif_env(federation, tmp_path / "first"), "ANTHROPIC_IDENTITY_TOKEN": assertion},
            sandbox.base_url,
        )
        (tmp_path / "first").write_text(assertion)
        await used.headers()  # the token is spent by another process
    if case == "archived rule":
        _archive(sandbox, federation.rule_id)
    token_file = tmp_path / "token"
    token_file.write_text(assertion)
    async with connect(wif_server(sandbox, wif_env(federation, token_file))) as client:
        result = await client.call_tool("list_users", {})
    text = text_of(result)
    assert result.is_error
    assert f"federation rule {federation.rule_id}" in text and federation.organization_id in text
    assert "refused" in text and "authentication_error: Authentication failed" in text
    assert "authentication history" in text and "request_id=req_" in text
    assert sandbox.state.federation.authentication_history[-1].reason == reason
    assert_no_secrets(text, caplog.text, jwts=(assertion,))


@pytest.mark.anyio
@pytest.mark.parametrize("content", [None, "", "  \n"], ids=["missing", "empty", "blank"])
async def test_an_unreadable_token_file_is_named(
    sandbox: RunningSandbox, tmp_path: Path, content: str | None
) -> None:
    federation = make_federation(sandbox)
    token_file = tmp_path / "projected" / "token"
    if content is not None:
        token_file.parent.mkdir()
        token_file.write_text(content)
    async with connect(wif_server(sandbox, wif_env(federation, token_file))) as client:
        result = await client.call_tool("get_organization", {})
    text = text_of(result)
    assert result.is_error and str(token_file) in text and federation.rule_id in text
    assert ("not found" if content is None else "is empty") in text
    assert not sandbox.state.federation.authentication_history, "nothing was sent"


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"ANTHROPIC_IDENTITY_TOKEN_FILE": "/var/run/token"}, "ANTHROPIC_FEDERATION_RULE_ID"),
        (
            {"ANTHROPIC_IDENTITY_TOKEN_FILE": "/t", "ANTHROPIC_FEDERATION_RULE_ID": "fdrl_01abc"},
            "ANTHROPIC_ORGANIZATION_ID",
        ),
        (
            {"ANTHROPIC_FEDERATION_RULE_ID": "fdrl_01abc", "ANTHROPIC_ORGANIZATION_ID": str(uuid.uuid4())},
            "ANTHROPIC_IDENTITY_TOKEN_FILE",
        ),
    ],
)
def test_half_configured_federation_names_what_is_missing(environ: dict[str, str], missing: str) -> None:
    with pytest.raises(CredentialError) as info:
        discover(environ)
    assert "half-configured" in str(info.value) and missing in str(info.value)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ANTHROPIC_FEDERATION_RULE_ID", "rule-1", "fdrl_"),
        ("ANTHROPIC_ORGANIZATION_ID", "org_123", "UUID"),
        ("ANTHROPIC_SERVICE_ACCOUNT_ID", "robot", "svac_"),
        ("ANTHROPIC_WORKSPACE_ID", "prod", "wrkspc_"),
    ],
)
def test_malformed_federation_variables_are_refused_at_startup(name: str, value: str, expected: str) -> None:
    environ = {
        "ANTHROPIC_IDENTITY_TOKEN_FILE": "/t",
        "ANTHROPIC_FEDERATION_RULE_ID": "fdrl_01abc",
        "ANTHROPIC_ORGANIZATION_ID": str(uuid.uuid4()),
        name: value,
    }
    with pytest.raises(CredentialError) as info:
        discover(environ)
    assert name in str(info.value) and expected in str(info.value)


def test_the_admin_key_path_does_not_import_the_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from claude_admin_mcp.server.api.credentials.discover import discover; "
        "from claude_admin_mcp.server import app; "
        "discover({'ANTHROPIC_ADMIN_KEY': 'sk-ant-admin01-' + 'x' * 40}); "
        "print('anthropic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def _profile(config_dir: Path, name: str, config: dict[str, Any], credentials: dict[str, Any] | None) -> None:
    (config_dir / "configs").mkdir(parents=True, exist_ok=True)
    (config_dir / "configs" / f"{name}.json").write_text(json.dumps(config))
    if credentials is not None:
        (config_dir / "credentials").mkdir(mode=0o700, exist_ok=True)
        path = config_dir / "credentials" / f"{name}.json"
        path.write_text(json.dumps(credentials))
        path.chmod(0o600)


@pytest.mark.anyio
async def test_profiles_as_anthropic_tools_write_them(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "anthropic"
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(config_dir))
    for name in (
        "ANTHROPIC_IDENTITY_TOKEN_FILE",
        "ANTHROPIC_FEDERATION_RULE_ID",
        "ANTHROPIC_ORGANIZATION_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    # A person's `ant auth login` profile (the token rotated by something else: no client_id).
    _profile(
        config_dir,
        "admin",
        {"version": "1.0", "authentication": {"type": "user_oauth"}},
        {
            "version": "1.0",
            "type": "oauth_token",
            "access_token": sandbox.config.oauth_token,
            "expires_at": int(time.time()) + 3600,
        },
    )
    # A workload's federation profile.
    federation = make_federation(sandbox)
    token_file = tmp_path / "token"
    token_file.write_text(identity_token(sandbox))
    _profile(
        config_dir,
        "ci",
        {
            "version": "1.0",
            "organization_id": federation.organization_id,
            "authentication": {
                "type": "oidc_federation",
                "federation_rule_id": federation.rule_id,
                "identity_token": {"source": "file", "path": str(token_file)},
            },
        },
        None,
    )
    identities = {}
    for name in ("admin", "ci"):
        server = create_server(
            make_settings(sandbox), discover({"ANTHROPIC_PROFILE": name}, sandbox.base_url)
        )
        async with connect(server) as client:
            assert not (await client.call_tool("list_users", {"limit": 1})).is_error
            identities[name] = (await client.call_tool("whoami", {})).structured_content or {}
    assert (
        identities["admin"]["kind"] == "oauth_token"
        and identities["admin"]["source"] == "ANTHROPIC_PROFILE=admin"
    )
    ci = identities["ci"]
    assert ci["kind"] == "wif" and ci["source"] == "ANTHROPIC_PROFILE=ci" and ci["scope"] == "org:admin"
    assert ci["federation_rule_id"] == federation.rule_id
    assert ci["service_account"]["id"] == federation.service_account_id
    with pytest.raises(CredentialError, match="ANTHROPIC_PROFILE=nobody"):
        discover({"ANTHROPIC_PROFILE": "nobody"}, sandbox.base_url)
