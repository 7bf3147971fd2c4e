"""External keys, telemetry destinations and webhooks through a real MCP client against the seeded
sandbox: the reads, the previews that say what a change stops, refusals made from current state
before anyone is asked, and the secrets these endpoints take or return (a webhook's signing secret,
a collector's auth headers), which reach the sandbox and the user's file but never the model, the
logs or the audit log."""

from __future__ import annotations

import json
import logging
import re
import stat
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.hooks import TelemetryDestination, Webhook
from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import AdminServer
from claude_admin_mcp.server.redaction import REDACTED, redact
from claude_admin_mcp.tools import DEFAULT_TOOLSETS, OPERATIONS, sdk_models
from claude_admin_mcp.tools.webhooks import Event

from .conftest import CANARY_KEY, TOKEN_CHANNEL, connect, make_server, text_of
from .processes import BIN, clean_env, free_port, running
from .processes import TOKEN_CHANNEL as TOKEN_ENV
from .writes import ScriptedHuman, snapshot

AREAS = ("external_keys", "telemetry", "webhooks")
TOOLSETS = ["default", *AREAS]
HEADER_CANARY = "hny_canaryHEADERvalue" + "Kp4" * 10
ENV_CANARY = "Bearer canaryENVtoken" + "Tz8" * 10
VARIABLE = "CLAUDE_ADMIN_MCP_SECRET_OTEL_AUTH"


def server(sandbox: RunningSandbox, state: Path, **overrides: Any) -> AdminServer:
    """The server with its own state folder (secrets and all) and audit log, in `state`."""
    options: dict[str, Any] = {"toolsets": TOOLSETS, "state_dir": state, "audit_log": state / "audit.jsonl"}
    return make_server(sandbox, **(options | overrides))


def outcome(result: CallToolResult) -> str:
    return str((result.structured_content or {}).get("outcome"))


def everything(result: CallToolResult) -> str:
    return result.model_dump_json(by_alias=True)


def hook(sandbox: RunningSandbox, name: str) -> Webhook:
    return next(w for w in sandbox.state.hooks.webhooks.values() if w.name == name)


def destination(sandbox: RunningSandbox, name: str) -> TelemetryDestination:
    return next(d for d in sandbox.state.hooks.destinations.values() if d.display_name == name)


def key_id(sandbox: RunningSandbox, name: str) -> str:
    return next(k.id for k in sandbox.state.hooks.external_keys.values() if k.display_name == name)


def secrets_file(state: Path, name: str, text: str, mode: int = 0o600) -> Path:
    folder = state / "secrets"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    path.chmod(mode)
    return path


def assert_absent(secrets: list[str], *texts: str) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text and secret[-20:] not in text, "a secret leaked"


# -- the areas and their reads -------------------------------------------------------------------


def test_the_event_types_are_the_sdks() -> None:
    assert set(get_args(Event)) == set(sdk_models.WEBHOOK_EVENTS)


@pytest.mark.anyio
async def test_the_areas_are_off_by_default_and_one_call_away(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    mine = {op.name for op in OPERATIONS if op.toolset in AREAS}
    assert len(mine) == 21 and not set(AREAS) & set(DEFAULT_TOOLSETS)
    async with connect(make_server(sandbox, state_dir=tmp_path)) as client:
        offered = {tool.name for tool in (await client.list_tools()).tools}
        areas = await client.call_tool("toolsets", {})
        off = await client.call_tool("list_webhooks", {})
        enabled = await client.call_tool("toolsets", {"enable": list(AREAS)})
        now = {tool.name for tool in (await client.list_tools()).tools}
    assert not mine & offered
    for area in AREAS:
        assert f"off {area}:" in text_of(areas)
    assert off.is_error and "webhooks" in text_of(off)
    assert set((enabled.structured_content or {})["enabled_now"]) == mine and mine <= now


@pytest.mark.anyio
async def test_reads_say_what_each_key_destination_and_endpoint_is(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    datadog = destination(sandbox, "Datadog (Platform)")
    listed = next(iter(datadog.listed))
    async with connect(server(sandbox, tmp_path)) as client:
        keys = await client.call_tool("list_external_keys", {})
        one_key = await client.call_tool(
            "get_external_key", {"external_key_id": key_id(sandbox, "EU staging")}
        )
        no_key = await client.call_tool("get_external_key", {"external_key_id": "ekey_01NoSuchKey"})
        bad_key = await client.call_tool("get_external_key", {"external_key_id": "apikey_01Wrong"})
        destinations = await client.call_tool("list_telemetry_destinations", {})
        covering = await client.call_tool("list_telemetry_destinations", {"workspace_ids": [listed]})
        entries = await client.call_tool(
            "list_telemetry_destination_workspaces", {"destination_id": datadog.id}
        )
        hooks = await client.call_tool("list_webhooks", {"limit": 1})
        rest = await client.call_tool(
            "list_webhooks", {"cursor": (hooks.structured_content or {})["next_cursor"]}
        )
        one_hook = await client.call_tool(
            "get_webhook", {"webhook_endpoint_id": hook(sandbox, "trust-and-safety").id}
        )
        bad_hook = await client.call_tool("get_webhook", {"webhook_endpoint_id": "../me"})
    text = text_of(keys)
    assert "AWS KMS key arn:aws:kms:us-east-1:111122223333:key/" in text and "(us-east-1)" in text
    assert "| attached |" in text and text.count("| unattached |") == 2
    assert "Google Cloud KMS key projects/acme-staging" in text_of(one_key)
    assert no_key.is_error and "list_external_keys" in text_of(no_key)
    assert bad_key.is_error and "ekey_" in text_of(bad_key)
    text = text_of(destinations)
    assert "disabled (sustained_failure)" in text and "HTTP error (status 403)" in text and "| all |" in text
    assert [item["display_name"] for item in (covering.structured_content or {})["items"]] == [
        "Datadog (Platform)",
        "Honeycomb",
    ]
    assert f"{listed} | {sandbox.state.workspaces[listed].name}" in text_of(entries)
    walked = [item["id"] for r in (hooks, rest) for item in (r.structured_content or {})["items"]]
    assert walked == [w.id for w in sandbox.state.hooks.webhooks.newest_first()]
    assert "Deliveries failed for 72 hours" in text_of(one_hook)
    assert bad_hook.is_error
    stored = [*(v for d in sandbox.state.hooks.destinations.values() for v in d.headers.values())]
    assert_absent(stored, *(everything(r) for r in (destinations, covering, entries)))


# -- webhooks: the signing secret ----------------------------------------------------------------


@pytest.mark.anyio
async def test_a_new_webhooks_signing_secret_goes_to_a_file_only_the_user_reads(
    fresh_sandbox: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    human = ScriptedHuman("accept")
    arguments = {
        "url": "https://hooks.acme.com/cmek",
        "enabled_events": ["external_key.failed"],
        "name": "cmek",
    }
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        created = await client.call_tool("create_webhook", arguments)
    assert outcome(created) == "applied", text_of(created)
    result = (created.structured_content or {})["result"]
    secret = fresh_sandbox.state.hooks.webhooks[result["id"]].signing_secret
    path = Path(result["signing_secret_file"])
    assert path.parent == tmp_path / "secrets" / "kept" and path.read_text() == secret + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert f"signing_secret: in {path} (mode 0600" in text_of(created)
    assert "signing_secret" not in {k for k in result if k != "signing_secret_file"}
    assert "returned only now" in human.messages[0] and "never the secret" in human.messages[0]
    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"applied"' in audit
    assert_absent([secret], everything(created), *human.messages, audit, caplog.text)

    rotate = {"webhook_endpoint_id": result["id"]}
    typed = ScriptedHuman("accept", typed="cmek")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=typed) as client:
        rotated = await client.call_tool("regenerate_webhook_signing_secret", rotate)
    assert outcome(rotated) == "applied", text_of(rotated)
    assert "The current secret stops working at once" in typed.messages[0]
    assert typed.schemas[0]["properties"]["confirm"]["description"] == "Type cmek to confirm"
    new_secret = fresh_sandbox.state.hooks.webhooks[result["id"]].signing_secret
    new_path = Path((rotated.structured_content or {})["result"]["signing_secret_file"])
    assert new_secret != secret and new_path != path and new_path.read_text() == new_secret + "\n"
    audit = (tmp_path / "audit.jsonl").read_text()
    assert_absent([secret, new_secret], everything(rotated), *typed.messages, audit, caplog.text)


@pytest.mark.anyio
async def test_a_signing_secret_follows_no_link_at_its_name_and_closes_a_folder_left_open(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The file's name is predictable (the endpoint's id and the second): links put at those names
    beforehand are neither followed nor replaced, and a secrets folder others may list is closed."""
    alerts = hook(fresh_sandbox, "security-alerts")
    folder = tmp_path / "secrets" / "kept"
    folder.mkdir(mode=0o755, parents=True)
    folder.chmod(0o755)
    folder.parent.chmod(0o755)
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    start = datetime.now(UTC)
    links = [
        folder / f"webhook-signing-secret-{alerts.id}-{start + timedelta(seconds=s):%Y%m%dT%H%M%SZ}.txt"
        for s in range(-2, 30)
    ]
    for link in links:
        link.symlink_to(victim)
    human = ScriptedHuman("accept", typed="security-alerts")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        rotated = await client.call_tool(
            "regenerate_webhook_signing_secret", {"webhook_endpoint_id": alerts.id}
        )
    assert outcome(rotated) == "applied", text_of(rotated)
    path = Path((rotated.structured_content or {})["result"]["signing_secret_file"])
    assert victim.read_text() == "untouched\n" and all(link.is_symlink() for link in links)
    assert path.parent == folder and not path.is_symlink() and path.name.endswith("-2.txt")
    assert path.read_text() == alerts.signing_secret + "\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700, "a folder others could list is closed"
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700, "and the secrets folder around it"


@pytest.mark.anyio
async def test_a_plan_that_creates_a_webhook_says_where_its_secret_went(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    change = {"url": "https://hooks.acme.com/plan", "enabled_events": ["external_key.failed"], "name": "plan"}
    changes = {"changes": [{"tool": "create_webhook", "arguments": change}]}
    async with connect(
        server(fresh_sandbox, tmp_path, toolsets=[*TOOLSETS, "tasks"]),
        elicitation_callback=ScriptedHuman(typed="1 change"),
    ) as client:
        applied = await client.call_tool("apply_changes", changes)
    assert outcome(applied) == "applied", text_of(applied)
    made = next(w for w in fresh_sandbox.state.hooks.webhooks.values() if w.name == "plan")
    path = next((tmp_path / "secrets" / "kept").glob(f"webhook-signing-secret-{made.id}-*.txt"))
    assert path.read_text() == made.signing_secret + "\n"
    assert f"its signing secret is in {path}" in text_of(applied)
    assert_absent([made.signing_secret], everything(applied), (tmp_path / "audit.jsonl").read_text())


@pytest.mark.anyio
async def test_a_secret_that_cannot_be_kept_is_shown_nowhere_and_said_so(
    fresh_sandbox: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "secrets").write_text("a file where the folder should be")
    arguments = {"url": "https://hooks.acme.com/x", "enabled_events": ["external_key.recovered"]}
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=ScriptedHuman()) as client:
        created = await client.call_tool("create_webhook", arguments)
    assert outcome(created) == "applied", "the endpoint exists: the API made it"
    result = (created.structured_content or {})["result"]
    assert result["signing_secret_file"] is None and "not kept" in result["signing_secret_error"]
    assert "not kept: the secrets folder" in text_of(created)
    secret = fresh_sandbox.state.hooks.webhooks[result["id"]].signing_secret
    assert_absent([secret], everything(created), caplog.text, (tmp_path / "audit.jsonl").read_text())


@pytest.mark.anyio
async def test_disabling_or_deleting_a_webhook_says_which_deliveries_stop(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    alerts = hook(fresh_sandbox, "security-alerts")
    before = snapshot(fresh_sandbox)
    wrong = ScriptedHuman("accept", typed="something else")
    disable = {"webhook_endpoint_id": alerts.id, "state": "disabled"}
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=wrong) as client:
        mismatch = await client.call_tool("update_webhook", disable)
        same = await client.call_tool(
            "update_webhook", {"webhook_endpoint_id": alerts.id, "state": "enabled"}
        )
    assert outcome(mismatch) == "mismatch" and snapshot(fresh_sandbox) == before
    message = wrong.messages[0]
    assert "Deliveries stop: nothing is sent to https://hooks.acme.com/anthropic/security" in message
    assert "a customer-managed key (CMEK) fails, a customer-managed key recovers" in message
    assert "never delivered" in message
    assert outcome(same) == "nothing_to_do" and len(wrong.messages) == 1
    right = ScriptedHuman("accept", typed="security-alerts")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=right) as client:
        disabled = await client.call_tool("update_webhook", disable)
        deleted = await client.call_tool("delete_webhook", {"webhook_endpoint_id": alerts.id})
    assert outcome(disabled) == "applied" and outcome(deleted) == "applied"
    assert "It is disabled already" in right.messages[1] and "Deliveries stop for good" in right.messages[1]
    assert alerts.id not in fresh_sandbox.state.hooks.webhooks


# -- telemetry: headers from the user, never from the model --------------------------------------


@pytest.mark.anyio
async def test_collector_headers_come_from_a_file_or_the_environment_and_reach_only_the_api(
    fresh_sandbox: RunningSandbox,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets_file(tmp_path, "honeycomb", f"# for Honeycomb\n\nx-honeycomb-team: {HEADER_CANARY}\n")
    monkeypatch.setenv(VARIABLE, ENV_CANARY)
    workspace = next(
        w for w in fresh_sandbox.state.workspaces.values() if w.archived_at is None and not w.is_default
    )
    arguments = {
        "endpoint_url": "https://api.honeycomb.io/otlp",
        "workspaces": "include",
        "workspace_ids": [workspace.id],
        "display_name": "Canary collector",
        "headers_file": "honeycomb",
        "headers_env": {"authorization": VARIABLE},
    }
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        created = await client.call_tool("create_telemetry_destination", arguments)
    assert outcome(created) == "applied", text_of(created)
    made = fresh_sandbox.state.hooks.destinations[(created.structured_content or {})["result"]["id"]]
    assert made.headers == {"x-honeycomb-team": HEADER_CANARY, "authorization": ENV_CANARY}
    message = human.messages[0]
    assert f"Covers workspaces {workspace.name}." in message
    where = f"from file honeycomb of the secrets folder and variables {VARIABLE}"
    assert f"Headers x-honeycomb-team, authorization, {where}" in message
    assert "Spans carry metadata only" in message

    monkeypatch.setenv(VARIABLE, ENV_CANARY + "-rotated")
    update = {
        "destination_id": made.id,
        "endpoint_url": made.endpoint_url,
        "headers_env": {"authorization": VARIABLE},
        "remove_headers": ["x-honeycomb-team"],
    }
    again = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=again) as client:
        updated = await client.call_tool("update_telemetry_destination", update)
    assert outcome(updated) == "applied", text_of(updated)
    assert made.headers == {"authorization": ENV_CANARY + "-rotated"}
    assert "Headers removed: x-honeycomb-team." in again.messages[0]
    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"headers_file":"honeycomb"' in audit and VARIABLE in audit, "the audit says where, not what"
    assert redact(f"{HEADER_CANARY} {ENV_CANARY}") == f"{REDACTED} {REDACTED}", "registered when read"
    assert_absent(
        [HEADER_CANARY, ENV_CANARY],
        everything(created),
        everything(updated),
        *human.messages,
        *again.messages,
        audit,
        caplog.text,
    )


@pytest.mark.anyio
async def test_headers_the_server_cannot_read_are_refused_before_anyone_is_asked(
    fresh_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file(tmp_path, "shared", f"authorization: {HEADER_CANARY}\n", mode=0o644)
    secrets_file(tmp_path, "garbled", f"x-ok: fine-value\n{HEADER_CANARY}\n")
    # The colon left out, and the value's own colon taken for it: what precedes is no header name.
    secrets_file(tmp_path, "no-colon", f"x-api-key {HEADER_CANARY[:20]}:{HEADER_CANARY[20:]}\n")
    outside = tmp_path / "outside"
    outside.write_text(f"authorization: {HEADER_CANARY}\n")
    outside.chmod(0o600)
    (tmp_path / "secrets" / "linked").symlink_to(outside)
    # What the server keeps for the human (a secret the API returned) is never a headers file, even
    # one that reads as `Name: value`.
    (tmp_path / "secrets" / "kept").mkdir(mode=0o700)
    (tmp_path / "secrets" / "kept" / "returned").write_text(f"authorization: {HEADER_CANARY}\n")
    (tmp_path / "secrets" / "kept" / "returned").chmod(0o600)
    monkeypatch.delenv(VARIABLE, raising=False)
    base = {"endpoint_url": "https://otel.acme.com", "workspaces": "all"}
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "missing": ({"headers_file": "nope"}, "no file nope in the secrets folder"),
        "readable by others": ({"headers_file": "shared"}, "can be read by others (mode 644)"),
        "malformed": ({"headers_file": "garbled"}, "garbled line 2 is not `Name: value`"),
        "no header name": ({"headers_file": "no-colon"}, "no-colon line 1: its name is not a valid header"),
        "a symbolic link": ({"headers_file": "linked"}, "cannot be read"),
        "a path": ({"headers_file": "../outside"}, "headers_file"),
        "the kept folder": ({"headers_file": "kept"}, "is not a regular file"),
        "a kept secret": ({"headers_file": "kept/returned"}, "headers_file: String should match pattern"),
        "unset": ({"headers_env": {"authorization": VARIABLE}}, f"{VARIABLE} is not set"),
        "another variable": ({"headers_env": {"authorization": "ANTHROPIC_ADMIN_KEY"}}, "headers_env"),
    }
    before = snapshot(fresh_sandbox)
    human = ScriptedHuman("accept")
    results: dict[str, CallToolResult] = {}
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        for case, (extra, _) in cases.items():
            results[case] = await client.call_tool("create_telemetry_destination", {**base, **extra})
        honeycomb = destination(fresh_sandbox, "Honeycomb")
        no_url = await client.call_tool(
            "update_telemetry_destination", {"destination_id": honeycomb.id, "headers_env": {"a": VARIABLE}}
        )
    for case, (_, said) in cases.items():
        result = results[case]
        assert result.is_error or outcome(result) == "refused", case
        assert said in text_of(result), (case, text_of(result))
        assert_absent([HEADER_CANARY, HEADER_CANARY[:20]], everything(result))
    assert no_url.is_error and "endpoint_url" in text_of(no_url)
    assert human.messages == [], "no one was asked"
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_a_header_value_the_collector_echoes_is_scrubbed_even_cut_short_or_json_escaped(
    fresh_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collector that rejects a header may quote it in its answer, which the API keeps as the
    destination's last delivery error. The value must not come back through a table cell cut at 80
    characters (a prefix of it) nor through JSON, where its quotes are escaped."""
    quoted = 'Digest username="otel", response="' + "Qv6" * 12 + '"'
    secrets_file(tmp_path, "collector", f"x-team: {HEADER_CANARY}\n")
    monkeypatch.setenv(VARIABLE, quoted)
    arguments = {
        "endpoint_url": "https://otel.echo.example.com",
        "workspaces": "all",
        "display_name": "Echo",
        "headers_file": "collector",
        "headers_env": {"authorization": VARIABLE},
    }
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=ScriptedHuman()) as client:
        created = await client.call_tool("create_telemetry_destination", arguments)
        assert outcome(created) == "applied", text_of(created)
        echo = destination(fresh_sandbox, "Echo")
        echo.last_error = f"collector answered 401: unknown key {HEADER_CANARY} for {quoted}"
        listed = await client.call_tool("list_telemetry_destinations", {})
        got = await client.call_tool("get_telemetry_destination", {"destination_id": echo.id})
    assert "collector answered 401" in text_of(listed) and "collector answered 401" in text_of(got)
    for result in (listed, got):
        for fragment in (HEADER_CANARY[:24], "Qv6" * 12):
            assert fragment not in everything(result), (fragment, text_of(result))


@pytest.mark.anyio
async def test_disabling_or_narrowing_a_destination_says_which_spans_stop(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    honeycomb = destination(fresh_sandbox, "Honeycomb")
    datadog = destination(fresh_sandbox, "Datadog (Platform)")
    listed = fresh_sandbox.state.workspaces[next(iter(datadog.listed))]
    human = ScriptedHuman("accept", typed="Honeycomb")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        disabled = await client.call_tool(
            "update_telemetry_destination", {"destination_id": honeycomb.id, "state": "disabled"}
        )
        add_to_all = await client.call_tool(
            "add_telemetry_destination_workspace", {"destination_id": honeycomb.id, "workspace_id": listed.id}
        )
    assert outcome(disabled) == "applied" and not honeycomb.enabled
    message = human.messages[0]
    assert "state: enabled → disabled" in message
    assert "Deliveries stop: spans of every workspace (those created later and archived ones too)" in message
    assert "never sent later" in message and "No other enabled destination" in message
    assert outcome(add_to_all) == "refused" and "covers every workspace" in text_of(add_to_all)
    assert len(human.messages) == 1, "a refusal asks no one"

    typed = ScriptedHuman("accept", typed=listed.name)
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=typed) as client:
        removed = await client.call_tool(
            "remove_telemetry_destination_workspace",
            {"destination_id": datadog.id, "workspace_id": listed.id},
        )
        gone = await client.call_tool(
            "remove_telemetry_destination_workspace",
            {"destination_id": datadog.id, "workspace_id": listed.id},
        )
    assert outcome(removed) == "applied" and not datadog.listed
    assert "Its spans stop going to https://otlp.datadoghq.com." in typed.messages[0]
    assert outcome(gone) == "nothing_to_do"

    named = ScriptedHuman("accept", typed="Datadog (Platform)")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=named) as client:
        content = await client.call_tool(
            "update_telemetry_destination", {"destination_id": honeycomb.id, "content_mode": "content"}
        )
        deleted = await client.call_tool("delete_telemetry_destination", {"destination_id": datadog.id})
    assert outcome(content) == "mismatch", "exporting prompts asks for the destination's name"
    assert "model prompts and responses, tool inputs and outputs" in named.messages[0]
    assert outcome(deleted) == "applied" and datadog.id not in fresh_sandbox.state.hooks.destinations
    assert (
        "(it is disabled already)" in named.messages[1] and "cannot be read or restored" in named.messages[1]
    )


@pytest.mark.anyio
async def test_a_test_span_says_what_the_collector_answered(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    datadog = destination(fresh_sandbox, "Datadog (Platform)")
    honeycomb = destination(fresh_sandbox, "Honeycomb")
    before = snapshot(fresh_sandbox)
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        failed = await client.call_tool("test_telemetry_destination", {"destination_id": datadog.id})
        worked = await client.call_tool("test_telemetry_destination", {"destination_id": honeycomb.id})
    assert "result: failure: HTTP error (status 403)" in text_of(failed)
    assert "result: success" in text_of(worked)
    assert "the test is sent anyway" in human.messages[0] and "(dd-api-key)" in human.messages[0]
    assert snapshot(fresh_sandbox) == before, "a test changes nothing"


# -- external keys -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_key_in_use_is_neither_deleted_nor_repointed_and_others_are(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    production, retired = key_id(fresh_sandbox, "Acme production"), key_id(fresh_sandbox, "Retired Azure key")
    user = next(w for w in fresh_sandbox.state.workspaces.values() if w.external_key_id == production)
    gcp = {"provider": "gcp", "key_name": "projects/acme/locations/us/keyRings/r/cryptoKeys/new"}
    human = ScriptedHuman("accept", typed="Retired Azure key")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        keep = await client.call_tool("delete_external_key", {"external_key_id": production})
        repoint = await client.call_tool("update_external_key", {"external_key_id": production, **gcp})
        incomplete = await client.call_tool(
            "update_external_key", {"external_key_id": production, "region": "us-east-2"}
        )
        asked = len(human.messages)
        renamed = await client.call_tool(
            "update_external_key", {"external_key_id": production, "display_name": "Prod"}
        )
        checked = await client.call_tool("validate_external_key", {"external_key_id": retired})
        deleted = await client.call_tool("delete_external_key", {"external_key_id": retired})
        created = await client.call_tool(
            "create_external_key",
            {
                "provider": "aws",
                "kms_arn": "arn:aws:kms:eu-west-1:111122223333:key/9f1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
            },
        )
        profile = await client.call_tool("create_external_key", {**gcp, "user_profile_id": "uprof_01Nobody"})
    assert outcome(keep) == "refused" and f"workspaces {user.name} use it" in text_of(keep)
    assert outcome(repoint) == "refused" and "cannot change (the display name can)" in text_of(repoint)
    assert incomplete.is_error and "give provider" in text_of(incomplete)
    assert asked == 0, "refusals ask no one"
    assert (
        outcome(renamed) == "applied"
        and fresh_sandbox.state.hooks.external_keys[production].display_name == "Prod"
    )
    assert "result" in (
        checked.structured_content or {}
    ) and "status: failure: the KMS did not answer" in text_of(checked)
    assert outcome(deleted) == "applied" and retired not in fresh_sandbox.state.hooks.external_keys
    assert "the key itself stays in your KMS" in human.messages[2]
    assert outcome(created) == "applied" and "(eu-west-1)" in text_of(created), "the region the ARN names"
    assert "starts unattached" in human.messages[3] and "Bound to no user profile" in human.messages[3]
    assert profile.is_error and "no user profile" in text_of(profile)


# -- canaries: every new tool, every path ------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("channel", ["form", "token"])
async def test_no_result_error_log_or_audit_line_of_the_new_tools_carries_a_secret(
    fresh_sandbox: RunningSandbox,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    channel: str,
) -> None:
    """Every tool of the three areas, with good arguments, bad ones and under a failing API, through
    the form and the token channels; the secrets in play are the headers (file and environment), the
    stored header values, and every signing secret the sandbox ever issued."""
    caplog.set_level(logging.DEBUG)
    secrets_file(tmp_path, "collector", f"x-team: {HEADER_CANARY}\n")
    monkeypatch.setenv(VARIABLE, ENV_CANARY)
    state = fresh_sandbox.state
    hooks = state.hooks
    datadog = destination(fresh_sandbox, "Datadog (Platform)")
    alerts = hook(fresh_sandbox, "security-alerts")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_external_keys", {}),
        ("get_external_key", {"external_key_id": key_id(fresh_sandbox, "EU staging")}),
        ("list_telemetry_destinations", {}),
        ("get_telemetry_destination", {"destination_id": datadog.id}),
        ("list_telemetry_destination_workspaces", {"destination_id": datadog.id}),
        ("list_webhooks", {}),
        ("get_webhook", {"webhook_endpoint_id": alerts.id}),
        (
            "create_telemetry_destination",
            {
                "endpoint_url": "https://otel.canary.example.com",
                "workspaces": "all",
                "headers_file": "collector",
                "headers_env": {"authorization": VARIABLE},
            },
        ),
        (
            "update_telemetry_destination",
            {"destination_id": datadog.id, "endpoint_url": datadog.endpoint_url, "headers_file": "collector"},
        ),
        (
            "create_webhook",
            {"url": "https://hooks.canary.example.com", "enabled_events": ["external_key.failed"]},
        ),
        ("regenerate_webhook_signing_secret", {"webhook_endpoint_id": alerts.id}),
    ]
    issued = {w.signing_secret for w in hooks.webhooks.values()}
    options: dict[str, Any] = {"max_retries": 0}
    if channel == "token":
        options["confirm_via"] = TOKEN_CHANNEL
    if channel == "form":
        options["elicitation_callback"] = ScriptedHuman("accept", typed="security-alerts")
    callback = options.pop("elicitation_callback", None)
    seen: list[str] = []
    async with connect(server(fresh_sandbox, tmp_path, **options), elicitation_callback=callback) as client:
        state.faults.add(Fault("status", status=500, times=None))
        for name, args in calls:
            seen.append(everything(await client.call_tool(name, args)))
        state.faults.clear()
        for name, args in calls:
            seen.append(everything(await client.call_tool(name, {**args, "unexpected": CANARY_KEY[:12]})))
        for name, args in calls:
            result = await client.call_tool(name, args)
            token = (result.structured_content or {}).get("confirmation_token")
            if token:
                result = await client.call_tool(name, {**args, "confirmation_token": token})
            seen.append(everything(result))
            assert not result.is_error and outcome(result) in ("None", "applied"), (name, text_of(result))
            issued |= {w.signing_secret for w in hooks.webhooks.values()}
    kept = [Path(p).read_text().strip() for p in (tmp_path / "secrets" / "kept").glob("webhook-signing-*")]
    assert len(kept) == 2 and set(kept) <= issued, "both secrets reached their files"
    stored = [value for d in hooks.destinations.values() for value in d.headers.values()]
    assert HEADER_CANARY in stored and ENV_CANARY in stored, "the headers reached the API"
    audit = (tmp_path / "audit.jsonl").read_text()
    assert_absent([HEADER_CANARY, ENV_CANARY, *issued, *stored], *seen, audit, caplog.text)
    assert not re.search(r"whsec_[A-Za-z0-9_-]{16}", " ".join(seen) + audit + caplog.text), "no secret at all"


@pytest.mark.anyio
async def test_a_real_subprocess_logs_no_signing_secret_or_header_at_debug_level(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    state = tmp_path / "state"
    secrets_file(state, "collector", f"x-team: {HEADER_CANARY}\n")
    sandbox_args = ["sandbox", "--port", str(port), "--users", "10", "--admin-key", CANARY_KEY]
    with running(sandbox_args, base + "/v1/organizations/me", clean_env()):
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY, **TOKEN_ENV)
        env[VARIABLE] = ENV_CANARY
        args = ["--log-level", "DEBUG", "--toolsets", ",".join(TOOLSETS), "--state-dir", str(state)]
        params = StdioServerParameters(command=str(BIN), args=args, env=env)
        calls: list[tuple[str, dict[str, Any]]] = [
            (
                "create_webhook",
                {"url": "https://hooks.canary.example.com", "enabled_events": ["external_key.failed"]},
            ),
            (
                "create_telemetry_destination",
                {
                    "endpoint_url": "https://otel.canary.example.com",
                    "workspaces": "all",
                    "headers_file": "collector",
                    "headers_env": {"authorization": VARIABLE},
                },
            ),
        ]
        results = []
        with tempfile.TemporaryFile("w+") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                for name, arguments in calls:
                    first = await client.call_tool(name, arguments)
                    token = (first.structured_content or {})["confirmation_token"]
                    results.append(await client.call_tool(name, {**arguments, "confirmation_token": token}))
                listed = await client.call_tool("list_telemetry_destinations", {})
            errlog.seek(0)
            stderr = errlog.read()
    assert [outcome(r) for r in results] == ["applied", "applied"], [text_of(r) for r in results]
    kept = next((state / "secrets" / "kept").glob("webhook-signing-secret-*")).read_text().strip()
    assert kept.startswith("whsec_")
    assert "DEBUG" in stderr and "/v1/organizations/webhooks" in stderr, "the debug log was captured"
    assert "x-team" in text_of(listed), "the header's name is shown"
    outputs = [json.dumps(r.model_dump(mode="json")) for r in (*results, listed)]
    assert_absent([kept, HEADER_CANARY, ENV_CANARY, CANARY_KEY], stderr, *outputs)
