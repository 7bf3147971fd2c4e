"""The service-account and federation tools through a real MCP client, as an interactive OAuth user
(the sandbox's `oauth_token`), against the seeded workload identity setup: an issuer
`acme-k8s-prod`, a `workspace:inference` rule `k8s-inference` targeting `inference-worker`, a
developer `ci-deployer` and an admin `org-admin-automation`."""

from __future__ import annotations

from typing import Any

import pytest

from claude_admin_mcp.sandbox.federation_seed import DEMO_ISSUER_URL
from claude_admin_mcp.sandbox.runner import RunningSandbox

from .conftest import connect, make_server, text_of
from .wif import public_jwk
from .writes import ScriptedHuman, snapshot

TOOLSETS = ["default", "service_accounts", "federation"]


def seeded(sandbox: RunningSandbox) -> dict[str, Any]:
    federation = sandbox.state.federation
    accounts = {account.name: account for account in federation.service_accounts.values()}
    rule = next(iter(federation.rules.values()))
    return {"accounts": accounts, "rule": rule, "issuer": federation.issuers[rule.issuer_id]}


def server(sandbox: RunningSandbox) -> Any:
    return make_server(sandbox, oauth=True, toolsets=TOOLSETS)


@pytest.mark.anyio
async def test_archiving_a_rule_says_which_workloads_stop_and_needs_its_name(
    fresh_sandbox: RunningSandbox,
) -> None:
    rule = seeded(fresh_sandbox)["rule"]
    workspace = fresh_sandbox.state.workspaces[next(iter(rule.workspaces))]
    human = ScriptedHuman("accept", typed=rule.name)
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("archive_federation_rule", {"federation_rule_id": rule.id})
    assert (result.structured_content or {})["outcome"] == "applied", text_of(result)
    message = human.messages[0]
    for fact in (
        "stops at once",
        f"acme-k8s-prod ({DEMO_ISSUER_URL})",
        "subject starting 'system:serviceaccount:inference:'",
        "workspace:inference tokens acting as inference-worker",
        f"{workspace.name} ({workspace.id})",
        "at most 600 s",
    ):
        assert fact in message, fact
    assert human.schemas[0]["properties"]["confirm"]["description"] == f"Type {rule.name} to confirm"
    assert fresh_sandbox.state.federation.rules[rule.id].audit.archived_at is not None


@pytest.mark.anyio
async def test_archiving_a_service_account_a_live_rule_targets_is_refused_from_the_preview(
    fresh_sandbox: RunningSandbox,
) -> None:
    facts = seeded(fresh_sandbox)
    before = snapshot(fresh_sandbox)
    human = ScriptedHuman("accept", typed="inference-worker")
    target = facts["accounts"]["inference-worker"]
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        refused = await client.call_tool("archive_service_account", {"service_account_id": target.id})
        deployer = facts["accounts"]["ci-deployer"]
        human.typed = "ci-deployer"
        archived = await client.call_tool("archive_service_account", {"service_account_id": deployer.id})
    assert refused.is_error and (refused.structured_content or {})["outcome"] == "refused"
    assert f"k8s-inference ({facts['rule'].id}" in text_of(refused) and "archive_federation_rule" in text_of(
        refused
    )
    assert (archived.structured_content or {})["outcome"] == "applied", text_of(archived)
    assert "Its workspace memberships end" in human.messages[-1] and "stop working" in human.messages[-1]
    after = snapshot(fresh_sandbox)
    assert after["federation"]["rules"] == before["federation"]["rules"]


@pytest.mark.anyio
async def test_an_org_admin_rule_from_an_oauth_token_says_the_console_is_needed(
    fresh_sandbox: RunningSandbox,
) -> None:
    facts = seeded(fresh_sandbox)
    workspace_id = next(iter(facts["rule"].workspaces))
    arguments = {
        "name": "nightly-admin",
        "issuer_id": facts["issuer"].id,
        "subject_prefix": "system:serviceaccount:ops:housekeeping",
        "oauth_scope": "org:admin",
        "workspace_id": workspace_id,
    }
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        developer = await client.call_tool(
            "create_federation_rule", {**arguments, "service_account_id": facts["accounts"]["ci-deployer"].id}
        )
        admin = await client.call_tool(
            "create_federation_rule",
            {**arguments, "service_account_id": facts["accounts"]["org-admin-automation"].id},
        )
    assert (developer.structured_content or {})["outcome"] == "refused"
    assert "organization_role is admin" in text_of(developer)
    # The API would refuse an org:admin rule from an OAuth token (403): refused at once, nobody asked.
    assert (admin.structured_content or {})["outcome"] == "refused", text_of(admin)
    assert "Console session" in text_of(admin) and "Settings → Workload identity" in text_of(admin)
    assert human.messages == []
    assert len(fresh_sandbox.state.federation.rules) == 1


@pytest.mark.anyio
async def test_issuers_rules_and_memberships_are_managed_with_previews(fresh_sandbox: RunningSandbox) -> None:
    facts = seeded(fresh_sandbox)
    deployer = facts["accounts"]["ci-deployer"]
    workspace = next(
        w for w in fresh_sandbox.state.workspaces.values() if w.archived_at is None and not w.is_default
    )
    human = ScriptedHuman("accept", typed="ci-deployer")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:

        async def applied(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            assert (result.structured_content or {})["outcome"] == "applied", (tool, text_of(result))
            return (result.structured_content or {})["result"] or {}

        issuer = await applied(
            "create_federation_issuer",
            {"name": "gitlab", "issuer_url": "https://gitlab.example.com", "jwks_keys": [public_jwk()]},
        )
        assert "1 inline key(s): ci-key-1 (EC)" in human.messages[-1]
        rule = await applied(
            "create_federation_rule",
            {
                "name": "deploys",
                "issuer_id": issuer["id"],
                "claims": {"project_path": "acme/web", "ref": "main"},
                "service_account_id": deployer.id,
                "oauth_scope": "workspace:developer",
                "workspace_id": workspace.id,
            },
        )
        assert rule["match"]["claims"] == {"project_path": "acme/web", "ref": "main"}
        assert rule["target"]["service_account_id"] == deployer.id
        await applied(
            "add_service_account_to_workspace",
            {
                "service_account_id": deployer.id,
                "workspace_id": workspace.id,
                "workspace_role": "workspace_developer",
            },
        )
        listed = await client.call_tool(
            "list_service_account_workspaces", {"service_account_id": deployer.id}
        )
        workspaces = {item["workspace_id"] for item in (listed.structured_content or {})["items"]}
        assert workspace.id in workspaces and fresh_sandbox.state.default_workspace_id in workspaces
        await applied(
            "remove_service_account_from_workspace",
            {"service_account_id": deployer.id, "workspace_id": workspace.id},
        )
        assert "refused from now on: deploys" in human.messages[-1]
        updated = await applied(
            "update_federation_rule", {"federation_rule_id": rule["id"], "subject_prefix": "x:y"}
        )
        assert "match (replaced whole)" in human.messages[-1] and updated["match"]["claims"] is None
        nothing = await client.call_tool(
            "update_federation_issuer", {"federation_issuer_id": issuer["id"], "name": "gitlab"}
        )
        assert (nothing.structured_content or {})["outcome"] == "nothing_to_do"
        refused = await client.call_tool("archive_federation_issuer", {"federation_issuer_id": issuer["id"]})
        assert (refused.structured_content or {})["outcome"] == "refused" and "deploys" in text_of(refused)
        page = await client.call_tool("list_service_accounts", {"limit": 2})
        content = page.structured_content or {}
        rest = await client.call_tool("list_service_accounts", {"limit": 2, "cursor": content["next_cursor"]})
    names = [item["name"] for item in content["items"] + (rest.structured_content or {})["items"]]
    assert sorted(names) == ["ci-deployer", "inference-worker", "org-admin-automation"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("get_service_account", {"service_account_id": "user_01abc"}, "expected a service account id"),
        (
            "create_federation_issuer",
            {
                "name": "x",
                "issuer_url": "https://i.example.com",
                "jwks_keys": [{"kid": "k", "kty": "EC", "d": "s"}],
            },
            "private key material",
        ),
        ("create_federation_issuer", {"name": "Bad Name", "issuer_url": "https://i.example.com"}, "name"),
        ("create_federation_issuer", {"name": "x", "issuer_url": "http://i.example.com"}, "issuer_url"),
        (
            "create_federation_rule",
            {
                "name": "r",
                "issuer_id": "fdis_01abc",
                "service_account_id": "svac_01abc",
                "oauth_scope": "workspace:developer",
                "workspace_id": "wrkspc_01abc",
                "audience": "https://api.anthropic.com",
            },
            "audience alone",
        ),
        (
            "create_federation_rule",
            {
                "name": "r",
                "issuer_id": "fdis_01abc",
                "service_account_id": "svac_01abc",
                "oauth_scope": "org:everything",
                "subject_prefix": "a",
                "applies_to_all_workspaces": True,
            },
            "space-separated scopes",
        ),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    fresh_sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], message: str
) -> None:
    async with connect(server(fresh_sandbox)) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error and "nothing was sent" in text_of(result) and message in text_of(result)
