"""Canary credentials: configured, used for every tool on every path, and never seen again.

The sandbox's admin key and OAuth token are canaries (see conftest), and so are a workload's
identity token and the access tokens minted for it. Every tool is called with good
arguments, bad arguments, and under injected API failures; the canary must appear in no tool result
(text or structured), no error, and no log line, in-process and from a real subprocess's stderr.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import INVENTORY
from claude_admin_mcp.tools import DEFAULT_TOOLSETS, OPERATIONS, TASKS

from .api import raw_get
from .conftest import CANARY_KEY, CANARY_TOKEN, TOKEN_CHANNEL, connect, make_server
from .processes import BIN, clean_env, free_port, running
from .wif import CONSOLE_TOKEN, identity_token, make_federation, wif_env, wif_server
from .writes import ScriptedHuman, every_plan, every_write

CANARIES = (CANARY_KEY, CANARY_TOKEN)


TOOLSETS = (
    *DEFAULT_TOOLSETS,
    "service_accounts",
    "federation",
    "exports",
    "spend_limits",
    "rbac",
    "compliance",
    "external_keys",
    "telemetry",
    "webhooks",
    "plugins",
    "plugin_marketplaces",
    "claude_tag",
)


def _good_arguments(sandbox: RunningSandbox, oauth: bool) -> dict[str, dict[str, Any]]:
    user = raw_get(sandbox, "/v1/organizations/users", limit=1)["data"][0]
    workspace = raw_get(sandbox, "/v1/organizations/workspaces", limit=1)["data"][0]
    member = raw_get(sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members", limit=1)["data"][0]
    invite = raw_get(sandbox, "/v1/organizations/invites", limit=1)["data"][0]
    key = raw_get(sandbox, "/v1/organizations/api_keys", limit=1)["data"][0]
    ids = {
        "user_id": user["id"],
        "workspace_id": workspace["id"],
        "invite_id": invite["id"],
        "api_key_id": key["id"],
        "service_account_id": next(iter(sandbox.state.federation.service_accounts)),
        "federation_issuer_id": next(iter(sandbox.state.federation.issuers)),
        "federation_rule_id": next(iter(sandbox.state.federation.rules)),
        "spend_limit_id": next(iter(sandbox.state.governance.spend_limits)),
        "spend_limit_increase_request_id": next(iter(sandbox.state.governance.increase_requests)),
        "rbac_group_id": next(iter(sandbox.state.governance.groups)),
        "rbac_role_id": next(iter(sandbox.state.governance.roles)),
        "external_key_id": next(iter(sandbox.state.hooks.external_keys)),
        "destination_id": next(iter(sandbox.state.hooks.destinations)),
        "webhook_endpoint_id": next(iter(sandbox.state.hooks.webhooks)),
        **_integration_ids(sandbox),
    }
    arguments: dict[str, dict[str, Any]] = {}
    path_params = {op.name: op.path_params for op in OPERATIONS}
    for entry in INVENTORY.entries:  # every tool, `whoami` included
        # An admin key is not offered the OAuth-only tools (test_workload_identity covers that).
        if not entry.read_only or entry.toolset not in TOOLSETS or (entry.oauth_only and not oauth):
            continue
        args = {name: ids[name] for name in path_params.get(entry.name, ())}
        if entry.name == "get_workspace_member":
            args["user_id"] = member["user_id"]
        if entry.name == "get_workspace_service_account":  # a membership that exists
            federation = sandbox.state.federation
            held = next(m for a in federation.service_accounts for m in federation.memberships_of(a))
            args = {"workspace_id": held.workspace_id, "service_account_id": held.service_account_id}
        if entry.name == "export_list":  # a list with names beside ids: more lookups, more paths
            args["list"] = "api_keys"
        if entry.name == "list_plugin_shares":  # a member's plugin: the organization's have none
            args["plugin_id"] = ids["member_plugin_id"]
        if entry.name == "list_claude_tag_slack_channels":
            args["slack_workspace"] = ids["slack_team"]
        arguments[entry.name] = args
    return arguments


def _integration_ids(sandbox: RunningSandbox) -> dict[str, str]:
    """Ids of the plugin and Claude Tag objects the reads name (a version of the plugin, a target of
    the bundle, so each read finds what it asks for)."""
    plugins, tag = sandbox.state.plugins, sandbox.state.claude_tag
    plugin = next(p for p in plugins.plugins.values() if p.organization_owned)
    bundle_id, targets = next((b, t) for b, t in tag.targets.items() if t)
    workspace = next(iter(tag.workspaces.values()))
    return {
        "plugin_id": plugin.id,
        "version": plugin.versions[0],
        "member_plugin_id": next(p.id for p in plugins.plugins.values() if not p.organization_owned),
        "marketplace_id": next(iter(plugins.marketplaces)),
        "slack_workspace_id": workspace.id,
        "slack_team": workspace.slack_id,
        "slack_channel_id": next(iter(tag.channels)),
        "bundle_id": bundle_id,
        "target_id": next(iter(targets)),
    }


def _unknown(value: str) -> str:
    """An id of the same kind that names nothing (a Slack id has no prefix: another Slack id)."""
    return value[: value.index("_") + 1] + "01NoSuchThing" if "_" in value else value[:1] + "0NOSUCH"


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text
            assert canary[-24:] not in text, "a fragment of a secret leaked"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["admin_key", "oauth_token", "wif"])
async def test_no_tool_result_or_log_line_carries_the_credential(
    fresh_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture, kind: str, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    oauth = kind != "admin_key"
    good = _good_arguments(fresh_sandbox, oauth)
    outputs: list[str] = []
    options: dict[str, Any] = {"max_retries": 1, "retry_budget_seconds": 2, "toolsets": list(TOOLSETS)}
    server = make_server(fresh_sandbox, oauth=oauth, **options)
    assertion = ""
    if kind == "wif":
        # A workload's identity token and the access tokens minted for it are canaries too.
        fresh_sandbox.state.console_token = CONSOLE_TOKEN
        federation = make_federation(fresh_sandbox)
        assertion = identity_token(fresh_sandbox)
        (tmp_path / "token").write_text(assertion)
        server = wif_server(fresh_sandbox, wif_env(federation, tmp_path / "token"), **options)
    async with connect(server) as client:
        for scenario in ("good", "bad", "404", "403", "429", "500", "malformed"):
            fresh_sandbox.state.faults.clear()
            if scenario in ("403", "429", "500"):
                fresh_sandbox.state.faults.add(
                    Fault("status", status=int(scenario), retry_after=0, times=None)
                )
            if scenario == "malformed":
                fresh_sandbox.state.faults.add(Fault("malformed", times=None))
            for name, args in good.items():
                if scenario == "bad":
                    args = {**args, "unexpected": CANARY_KEY[:12]}
                elif scenario == "404":
                    args = {k: _unknown(v) for k, v in args.items()}
                result = await client.call_tool(name, args)
                outputs.append(result.model_dump_json(by_alias=True))
                if scenario == "good":
                    assert not result.is_error, (name, result)
    fresh_sandbox.state.faults.clear()
    assert len(outputs) == 7 * len(good)
    _assert_clean(*outputs, caplog.text)
    if kind == "wif":
        for text in (*outputs, caplog.text):
            assert assertion[-24:] not in text and "sk-ant-oat" not in text


@pytest.mark.anyio
async def test_a_real_subprocess_logs_nothing_secret_at_debug_level() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox_args = ["sandbox", "--port", str(port), "--users", "10", "--admin-key", CANARY_KEY]
    with running(sandbox_args, base + "/v1/organizations/me", clean_env()):
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY)
        params = StdioServerParameters(command=str(BIN), args=["--log-level", "DEBUG"], env=env)
        with tempfile.TemporaryFile("w+") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                results = [
                    await client.call_tool("get_organization", {}),
                    await client.call_tool("list_users", {"limit": 3}),
                    await client.call_tool("get_user", {"user_id": "user_01NoSuchUser"}),
                    await client.call_tool("get_user", {"user_id": "bad"}),
                ]
            errlog.seek(0)
            stderr = errlog.read()
    assert "DEBUG" in stderr and "/v1/organizations/users" in stderr, "the debug log was captured"
    _assert_clean(stderr, *(json.dumps(r.model_dump(mode="json")) for r in results))


class _TypesWhatIsAsked(ScriptedHuman):
    """Approves everything, typing whatever a typed confirmation asks for."""

    async def __call__(self, context: Any, params: Any) -> Any:
        confirm = (params.requested_schema or {}).get("properties", {}).get("confirm")
        if confirm:
            self.typed = confirm["description"].removeprefix("Type ").removesuffix(" to confirm")
        return await super().__call__(context, params)


@pytest.mark.anyio
@pytest.mark.parametrize("approval", ["read-only", "elicitation", "token"])
@pytest.mark.parametrize("kind", ["admin_key", "oauth_token", "wif"])
async def test_every_tool_under_every_tier_leaks_no_credential_anywhere(
    fresh_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture, kind: str, approval: str, tmp_path: Path
) -> None:
    """Every tool (reads and writes) with good and failing calls; results, errors, progress and log
    notifications, log records and the audit log are searched for every credential in play."""
    caplog.set_level(logging.DEBUG)
    oauth = kind != "admin_key"
    audit = tmp_path / "audit.jsonl"
    tier = "read-only" if approval == "read-only" else "confirm"
    options: dict[str, Any] = {
        "max_retries": 0,  # failing paths fail at once: this test is about what they say
        "toolsets": ["all"],
        "tier": tier,
        "audit_log": audit,
    }
    if approval == "token":
        options["confirm_via"] = TOKEN_CHANNEL
    canaries = list(CANARIES)
    spare: set[str] = set()
    if kind == "wif":
        fresh_sandbox.state.console_token = CONSOLE_TOKEN
        federation = make_federation(fresh_sandbox)
        spare = {
            federation.rule_id,
            federation.issuer_id,
            federation.service_account_id,
            federation.workspace_id,
        }
        canaries.append(identity_token(fresh_sandbox))
        (tmp_path / "token").write_text(canaries[-1])
        server = wif_server(fresh_sandbox, wif_env(federation, tmp_path / "token"), **options)
    else:
        server = make_server(fresh_sandbox, oauth=oauth, **options)
    reads = _good_arguments(fresh_sandbox, oauth)
    writes = every_write(fresh_sandbox, oauth, spare)
    assert {name for name, _ in writes} == {
        op.name for op in OPERATIONS if not op.read_only and (oauth or not op.oauth_only)
    }, "every write tool is called"
    writes += every_plan(fresh_sandbox, writes)
    assert {name for name, _ in writes} >= {task.name for task in TASKS}, "and every plan tool"

    seen: list[str] = []

    async def progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(f"progress {progress}/{total} {message}")

    async def log_message(params: Any) -> None:
        seen.append(f"log {params.level} {params.data}")

    client_options: dict[str, Any] = {"logging_callback": log_message, "log_level": "debug"}
    if approval == "elicitation":
        client_options["elicitation_callback"] = _TypesWhatIsAsked()
    outcomes: dict[str, str] = {}
    async with connect(server, **client_options) as client:

        async def call(name: str, args: dict[str, Any]) -> Any:
            result = await client.call_tool(name, args, progress_callback=progress)
            seen.append(result.model_dump_json(by_alias=True))
            return result

        for name, args in reads.items():  # good, then a 404
            assert not (await call(name, args)).is_error, name
            await call(name, {k: _unknown(v) for k, v in args.items()})
        # Writes under a failing API first (nothing applies), then with bad arguments, then for real.
        fresh_sandbox.state.faults.add(Fault("status", status=500, times=None))
        for name, args in writes:
            await call(name, args)
        fresh_sandbox.state.faults.clear()
        for name, args in writes:
            await call(name, {**args, "unexpected": canaries[0][:12]})
        for name, args in writes:
            result = await call(name, args)
            content = result.structured_content or {}
            if approval == "token" and content.get("outcome") == "needs_confirmation":
                result = await call(name, {**args, "confirmation_token": content["confirmation_token"]})
                content = result.structured_content or {}
            outcomes[name] = "error" if result.is_error else str(content.get("outcome"))
    if tier == "read-only":
        assert set(outcomes.values()) == {"error"}, "the read-only tier refuses every write"
    else:
        applied = {name for name, outcome in outcomes.items() if outcome == "applied"}
        assert len(applied) >= len(writes) - 2, outcomes  # archiving what is still in use is refused
    audit_text = audit.read_text() if audit.exists() else ""
    assert (tier == "confirm") == ('"applied"' in audit_text)
    assert any(text.startswith("progress") for text in seen), "progress notifications were captured"
    for text in (*seen, caplog.text, audit_text):
        for canary in canaries:
            assert canary not in text and canary[-24:] not in text, "a credential leaked"
        assert "sk-ant-oat" not in text, "no minted or configured OAuth token"
