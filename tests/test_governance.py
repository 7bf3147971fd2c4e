"""Spend limits, increase requests, RBAC groups and roles, compliance settings and a workspace's
service accounts, through a real MCP client against the seeded sandbox: every read, every write
applied on a yes with its preview checked, declines that change nothing, and refusals made from
current state before anyone is asked."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from mcp.types import CallToolResult

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.governance import RbacGroup, SpendLimit
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.api.credentials.scoped_key import scoped_key_credential
from claude_admin_mcp.server.app import AdminServer, create_server

from .api import raw_get
from .conftest import MODES, connect, make_server, make_settings, sandbox_config, text_of
from .writes import ScriptedHuman, snapshot

TOOLSETS = ["default", "spend_limits", "rbac", "compliance"]


def server(sandbox: RunningSandbox, **overrides: Any) -> AdminServer:
    """The server on the sandbox's clock: "this month" is the month of the sandbox's cost data."""
    settings = make_settings(sandbox, toolsets=TOOLSETS, **overrides)
    credential = admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key)
    return create_server(settings, credential, clock=sandbox.state.clock)


def outcome(result: CallToolResult) -> str:
    return str((result.structured_content or {}).get("outcome"))


def group(sandbox: RunningSandbox, name: str) -> RbacGroup:
    return next(g for g in sandbox.state.governance.groups.values() if g.name == name)


def limit_of(sandbox: RunningSandbox, kind: str, target: str | None = None) -> SpendLimit:
    return next(
        limit
        for limit in sandbox.state.governance.spend_limits.values()
        if limit.scope.type == kind and (target is None or limit.scope.target == target)
    )


def pending(sandbox: RunningSandbox) -> list[str]:
    """The pending requests' ids, the Engineering developer's ($298.40 of $300) first."""
    requests = sandbox.state.governance.increase_requests.values()
    found = [r for r in requests if r.status == "pending"]
    engineering = group(sandbox, "Engineering")
    return [r.id for r in sorted(found, key=lambda r: r.user_id not in engineering.members)]


def month_to_date(sandbox: RunningSandbox, workspace_id: str | None) -> Decimal:
    """Dollars spent since the 1st, by the sandbox's own cost report, up to its clock's now."""
    now = sandbox.state.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    body = raw_get(
        sandbox,
        "/v1/organizations/cost_report",
        starting_at=start.isoformat().replace("+00:00", "Z"),
        ending_at=now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        bucket_width="1d",
        group_by=["workspace_id"],
        limit=31,
    )
    assert not body["has_more"]
    cents = sum(
        (
            Decimal(result["amount"])
            for bucket in body["data"]
            for result in bucket["results"]
            if workspace_id is None or result.get("workspace_id") == workspace_id
        ),
        Decimal(0),
    )
    return (cents / 100).quantize(Decimal("0.01"))


def dollars_after(label: str, text: str) -> Decimal:
    found = re.search(re.escape(label) + r" \$([0-9,]+\.[0-9]{2})", text)
    assert found, (label, text)
    return Decimal(found.group(1).replace(",", ""))


# -- reads ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_spend_limits_read_in_dollars_with_names_beside_ids(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    limits = state.governance.spend_limits
    workspace_limit = limit_of(sandbox, "workspace")
    workspace = state.workspaces[str(workspace_limit.scope.target)]
    async with connect(server(sandbox)) as client:
        everything = await client.call_tool("list_spend_limits", {})
        only = await client.call_tool(
            "list_spend_limits", {"scope_types": ["workspace"], "workspace_id": workspace.id}
        )
        one = await client.call_tool("get_spend_limit", {"spend_limit_id": workspace_limit.id})
        bad = await client.call_tool("get_spend_limit", {"spend_limit_id": "wrkspc_01Nope"})
    items = (everything.structured_content or {})["items"]
    assert sorted(item["id"] for item in items) == sorted(limits)
    assert {item["id"]: item["amount"] for item in items} == {i: lim.amount for i, lim in limits.items()}
    text = text_of(everything)
    assert "$25,000.00" in text and "$100,000.00" in text and "no limit" in text
    assert f"{workspace.id} | {workspace.name}" in text
    assert "seat tier standard" in text and "RBAC group rbac_group_" in text
    assert [item["id"] for item in (only.structured_content or {})["items"]] == [workspace_limit.id]
    assert (one.structured_content or {})["amount"] == workspace_limit.amount
    assert workspace.name in text_of(one)
    assert bad.is_error and "spl_" in text_of(bad) and "list_spend_limits" in text_of(bad)


@pytest.mark.anyio
async def test_effective_limits_find_the_members_near_their_cap(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    governance = state.governance
    expected = set()
    for user in state.users.values():
        for period in ("daily", "weekly", "monthly"):
            limit = governance.effective(user, period)
            if limit is None or limit.amount is None:
                continue
            if governance.spend_of(user.id, period) * 100 >= Decimal(limit.amount) * 95:
                expected.add((user.id, period))
    assert len(expected) >= 2, "the seed has members at their limit"
    async with connect(server(sandbox)) as client:
        near = await client.call_tool("list_effective_spend_limits", {"min_percent_used": 95, "limit": 1000})
        every = await client.call_tool("list_effective_spend_limits", {"limit": 1000})
    rows = (near.structured_content or {})["items"]
    assert {(row["actor"]["user_id"], row["period"]) for row in rows} == expected
    assert "$298.40 | 99%" in text_of(near) and "RBAC group" in text_of(near)
    everyone = {row["actor"]["user_id"] for row in (every.structured_content or {})["items"]}
    assert everyone == set(state.users), "every member resolves at least their seat tier's limit"


@pytest.mark.anyio
async def test_increase_requests_show_spend_against_the_limit(sandbox: RunningSandbox) -> None:
    requests = sandbox.state.governance.increase_requests
    first = pending(sandbox)[0]
    async with connect(server(sandbox)) as client:
        waiting = await client.call_tool("list_spend_increase_requests", {"statuses": ["pending"]})
        every = await client.call_tool("list_spend_increase_requests", {})
        one = await client.call_tool("get_spend_increase_request", {"spend_limit_increase_request_id": first})
    listed = (waiting.structured_content or {})["items"]
    assert sorted(item["id"] for item in listed) == sorted(pending(sandbox))
    assert "$298.40 of $300.00" in text_of(waiting) and "$49.91 of $50.00" in text_of(waiting)
    statuses = [item["status"] for item in (every.structured_content or {})["items"]]
    assert sorted(statuses) == sorted(r.status for r in requests.values())
    assert [item["created_at"] for item in (every.structured_content or {})["items"]] == sorted(
        (item["created_at"] for item in (every.structured_content or {})["items"]), reverse=True
    ), "newest first"
    assert (one.structured_content or {})["spend_summary"]["period_to_date_spend"] == "29840"


@pytest.mark.anyio
async def test_rbac_groups_members_roles_and_permissions(sandbox: RunningSandbox) -> None:
    governance = sandbox.state.governance
    engineering = group(sandbox, "Engineering")
    owner = next(role for role in governance.roles.values() if role.display_name == "Owner")
    async with connect(server(sandbox)) as client:
        groups = await client.call_tool("list_rbac_groups", {})
        one = await client.call_tool("get_rbac_group", {"rbac_group_id": engineering.id})
        members = await client.call_tool(
            "list_rbac_group_members", {"rbac_group_id": engineering.id, "limit": 3}
        )
        rest = await client.call_tool(
            "list_rbac_group_members",
            {"rbac_group_id": engineering.id, "cursor": (members.structured_content or {})["next_cursor"]},
        )
        roles = await client.call_tool("list_rbac_roles", {})
        role = await client.call_tool("get_rbac_role", {"rbac_role_id": owner.id})
        grants = await client.call_tool("list_rbac_role_permissions", {"rbac_role_id": owner.id})
        missing = await client.call_tool("get_rbac_role", {"rbac_role_id": "rbac_role_01Nope"})
    names = [item["name"] for item in (groups.structured_content or {})["items"]]
    assert sorted(names) == sorted(g.name for g in governance.groups.values())
    assert (one.structured_content or {})["role_ids"] == engineering.role_ids
    walked = [m["user_id"] for r in (members, rest) for m in (r.structured_content or {})["items"]]
    assert sorted(walked) == sorted(engineering.members) and len(walked) == len(set(walked)) > 3
    assert {item["display_name"] for item in (roles.structured_content or {})["items"]} == {
        "Owner",
        "Admin",
        "Member",
        "Auditor",
    }
    assert (role.structured_content or {})["source"] == {"type": "built_in"}
    actions = [item["action"] for item in (grants.structured_content or {})["items"]]
    assert actions[0] == "permission_owner" and "organization" in text_of(grants)
    assert missing.is_error and "list_rbac_roles" in text_of(missing)


@pytest.mark.anyio
async def test_compliance_settings_read(sandbox: RunningSandbox) -> None:
    async with connect(server(sandbox)) as client:
        result = await client.call_tool("get_compliance_settings", {})
    assert (result.structured_content or {})["state"] == {"type": "enabled"}
    assert "state: enabled" in text_of(result)


@pytest.mark.anyio
async def test_a_workspaces_service_accounts_for_an_oauth_token_only(sandbox: RunningSandbox) -> None:
    federation = sandbox.state.federation
    member = next(m for a in federation.service_accounts for m in federation.memberships_of(a))
    account = federation.service_accounts[member.service_account_id]
    arguments = {"workspace_id": member.workspace_id}
    async with connect(make_server(sandbox, oauth=True, toolsets=["service_accounts"])) as client:
        listed = await client.call_tool("list_workspace_service_accounts", arguments)
        one = await client.call_tool(
            "get_workspace_service_account", {**arguments, "service_account_id": account.id}
        )
    items = (listed.structured_content or {})["items"]
    assert [item["service_account_id"] for item in items] == [
        m.service_account_id for m in reversed(federation.memberships_in(member.workspace_id))
    ]
    assert account.name in text_of(listed)
    assert (one.structured_content or {})["workspace_role"] == member.workspace_role
    async with connect(make_server(sandbox, toolsets=["service_accounts"])) as client:
        offered = {tool.name for tool in (await client.list_tools()).tools}
        refused = await client.call_tool("list_workspace_service_accounts", arguments)
    assert "list_workspace_service_accounts" not in offered
    assert refused.is_error and "OAuth token" in text_of(refused)


# -- spend-limit writes --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_lowering_a_workspace_cap_shows_old_new_and_spend_and_needs_its_name(
    fresh_sandbox: RunningSandbox,
) -> None:
    limit = limit_of(fresh_sandbox, "workspace")
    workspace = fresh_sandbox.state.workspaces[str(limit.scope.target)]
    before = month_to_date(fresh_sandbox, workspace.id)
    human = ScriptedHuman("accept", typed=workspace.name)
    arguments = {"scope": "workspace", "workspace_id": workspace.id, "amount_usd": "500"}
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("set_spend_limit", arguments)
    assert outcome(result) == "applied", text_of(result)
    message = human.messages[0]
    assert f"workspace {workspace.name} ({workspace.id}): $2,000.00 → $500.00" in message
    assert "The API receives amount 50000 (cents, USD)" in message
    assert "monthly cap still applies over it: $25,000.00" in message
    assert (
        before
        <= dollars_after("Spent this month so far:", message)
        <= month_to_date(fresh_sandbox, workspace.id)
    )
    assert before > 0, "the seeded workspace has spent this month"
    assert human.schemas[0]["properties"]["confirm"]["description"] == f"Type {workspace.name} to confirm"
    stored = fresh_sandbox.state.governance.spend_limits[limit.id]
    assert (stored.amount, stored.period) == ("50000", "monthly"), "overwritten in place, same id"
    assert (result.structured_content or {})["result"]["amount"] == "50000"


@pytest.mark.anyio
async def test_a_members_own_limit_says_what_it_overrides(fresh_sandbox: RunningSandbox) -> None:
    engineering = group(fresh_sandbox, "Engineering")
    user_id = next(u for u in engineering.members if not fresh_sandbox.state.governance.user_limits(u))
    user = fresh_sandbox.state.users[user_id]
    human = ScriptedHuman("accept")
    arguments = {"scope": "user", "user_id": user.id, "amount_usd": 1250.5}
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("set_spend_limit", arguments)
    assert outcome(result) == "applied", text_of(result)
    message = human.messages[0]
    assert f"Set a monthly spend limit of $1,250.50 on {user.email} ({user.name})" in message
    assert "Now: $300.00 monthly (from RBAC group rbac_group_" in message
    assert "overrides their RBAC groups' and seat tier's" in message
    assert set(human.schemas[0]["properties"]) == {"approve"}, "raising what they may spend is a yes/no"
    created = fresh_sandbox.state.governance.user_limits(user.id)
    assert [(lim.period, lim.amount) for lim in created] == [("monthly", "125050")]
    # A weekly cap where none applied lowers what they may spend: their email is typed.
    human.typed = user.email
    weekly = {**arguments, "amount_usd": 40, "period": "weekly"}
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        capped = await client.call_tool("set_spend_limit", weekly)
    assert outcome(capped) == "applied", text_of(capped)
    assert human.schemas[-1]["properties"]["confirm"]["description"] == f"Type {user.email} to confirm"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "arguments",
    [
        {"scope": "workspace", "amount_usd": 10},
        {"scope": "workspace", "workspace_id": "wrkspc_01abc", "amount_usd": 10, "period": "weekly"},
        {"scope": "organization", "no_limit": True},
        {"scope": "user", "user_id": "user_01abc", "amount_usd": 5, "no_limit": True},
        {"scope": "organization", "amount_usd": "12.345"},
        {"scope": "organization", "amount_usd": -1},
        {"scope": "user", "user_id": "user_01abc", "workspace_id": "wrkspc_01abc", "amount_usd": 5},
    ],
    ids=[
        "no-workspace",
        "weekly-workspace",
        "org-no-limit",
        "both-amounts",
        "sub-cent",
        "negative",
        "two-ids",
    ],
)
async def test_bad_spend_limit_arguments_are_refused_before_any_request(
    fresh_sandbox: RunningSandbox, arguments: dict[str, Any]
) -> None:
    before, served = snapshot(fresh_sandbox), len(fresh_sandbox.state.activities)
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("set_spend_limit", arguments)
    assert result.is_error and human.messages == []
    assert snapshot(fresh_sandbox) == before and len(fresh_sandbox.state.activities) == served


@pytest.mark.anyio
@pytest.mark.parametrize("answer", ["decline", "cancel", "wrong-name"])
async def test_a_spend_limit_change_not_confirmed_changes_nothing(
    fresh_sandbox: RunningSandbox, answer: str
) -> None:
    limit = limit_of(fresh_sandbox, "organization")
    human = ScriptedHuman("accept", typed="Acme") if answer == "wrong-name" else ScriptedHuman(answer)
    before = snapshot(fresh_sandbox)
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("set_spend_limit", {"scope": "organization", "amount_usd": 100})
    assert human.messages and "$25,000.00 → $100.00" in human.messages[0]
    assert outcome(result) in ("declined", "cancelled", "mismatch") and snapshot(fresh_sandbox) == before
    assert fresh_sandbox.state.governance.spend_limits[limit.id].amount == "2500000"


@pytest.mark.anyio
async def test_deleting_a_limit_says_what_is_no_longer_capped(fresh_sandbox: RunningSandbox) -> None:
    limit = limit_of(fresh_sandbox, "workspace")
    workspace = fresh_sandbox.state.workspaces[str(limit.scope.target)]
    tier = limit_of(fresh_sandbox, "usage_tier")
    human = ScriptedHuman("accept", typed=workspace.name.lower())
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        deleted = await client.call_tool("delete_spend_limit", {"spend_limit_id": limit.id})
        refused = await client.call_tool("delete_spend_limit", {"spend_limit_id": tier.id})
    assert outcome(deleted) == "applied", text_of(deleted)
    message = human.messages[0]
    assert (
        f"Delete the monthly spend limit of workspace {workspace.name} ({workspace.id}) ($2,000.00)"
        in message
    )
    assert f"{workspace.name} is no longer capped on its own" in message
    assert "the organization's monthly cap ($25,000.00)" in message
    assert limit.id not in fresh_sandbox.state.governance.spend_limits
    assert outcome(refused) == "refused" and len(human.messages) == 1, "refused before asking"
    assert "set by Anthropic" in text_of(refused) and tier.id in fresh_sandbox.state.governance.spend_limits


@pytest.mark.anyio
async def test_deleting_the_organization_cap_names_what_still_limits_spend(
    fresh_sandbox: RunningSandbox,
) -> None:
    limit = limit_of(fresh_sandbox, "organization")
    name = fresh_sandbox.state.organization.name
    human = ScriptedHuman("accept", typed=name)
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("delete_spend_limit", {"spend_limit_id": limit.id})
    assert outcome(result) == "applied", text_of(result)
    assert "only the usage-tier cap set by Anthropic ($100,000.00 a month)" in human.messages[0]
    assert human.schemas[0]["properties"]["confirm"]["description"] == f"Type {name} to confirm"


# -- increase requests ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_approving_shows_who_how_much_the_limit_and_the_spend(fresh_sandbox: RunningSandbox) -> None:
    request_id = pending(fresh_sandbox)[0]
    governance = fresh_sandbox.state.governance
    user = fresh_sandbox.state.users[governance.increase_requests[request_id].user_id]
    human = ScriptedHuman("accept")
    arguments = {
        "spend_limit_increase_request_id": request_id,
        "amount_usd": 450,
        "suppress_notification": True,
    }
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        approved = await client.call_tool("approve_spend_increase", arguments)
        again = await client.call_tool("approve_spend_increase", arguments)
    assert outcome(approved) == "applied", text_of(approved)
    message = human.messages[0]
    assert f"Approve {user.email} ({user.name})'s spend increase: monthly limit $300.00 → $450.00" in message
    assert "spent $298.40 this month" in message and "RBAC group" in message
    assert "45000 cents" in message and "They are not emailed." in message
    assert governance.increase_requests[request_id].status == "approved"
    assert [(lim.period, lim.amount) for lim in governance.user_limits(user.id)] == [("monthly", "45000")]
    summary = (approved.structured_content or {})["result"]["spend_summary"]
    assert summary["amount"] == "45000" and summary["source"]["type"] == "user"
    assert outcome(again) == "refused" and "already approved" in text_of(again)
    assert len(human.messages) == 1


@pytest.mark.anyio
async def test_denying_keeps_the_limit_and_is_idempotent(fresh_sandbox: RunningSandbox) -> None:
    request_id = pending(fresh_sandbox)[1]
    approved = next(
        r.id for r in fresh_sandbox.state.governance.increase_requests.values() if r.status == "approved"
    )
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        denied = await client.call_tool(
            "deny_spend_increase", {"spend_limit_increase_request_id": request_id}
        )
        again = await client.call_tool("deny_spend_increase", {"spend_limit_increase_request_id": request_id})
        late = await client.call_tool("deny_spend_increase", {"spend_limit_increase_request_id": approved})
    assert outcome(denied) == "applied", text_of(denied)
    assert "$50.00 monthly (from seat tier standard); spent $49.91" in human.messages[0]
    assert "Their limit stays as it is." in human.messages[0] and "emails them" in human.messages[0]
    assert fresh_sandbox.state.governance.increase_requests[request_id].status == "denied"
    assert outcome(again) == "nothing_to_do" and outcome(late) == "refused"
    assert len(human.messages) == 1


# -- compliance ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_turning_capture_off_is_destructive_and_says_what_stops(fresh_sandbox: RunningSandbox) -> None:
    name = fresh_sandbox.state.organization.name
    wrong = ScriptedHuman("accept", typed="yes")
    async with connect(server(fresh_sandbox), elicitation_callback=wrong) as client:
        refused = await client.call_tool("update_compliance_settings", {"state": "disabled"})
    assert outcome(refused) == "mismatch" and fresh_sandbox.state.compliance_api_enabled
    message = wrong.messages[0]
    assert f"Turn off the Compliance API for {name}" in message
    assert "never recorded" in message and "list_activities" in message
    human = ScriptedHuman("accept", typed=name)
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        off = await client.call_tool("update_compliance_settings", {"state": "disabled"})
        again = await client.call_tool("update_compliance_settings", {"state": "disabled"})
        human.typed = None
        on = await client.call_tool("update_compliance_settings", {"state": "enabled"})
    assert outcome(off) == "applied" and outcome(again) == "nothing_to_do"
    assert outcome(on) == "applied" and fresh_sandbox.state.compliance_api_enabled
    assert set(human.schemas[-1]["properties"]) == {"approve"}, "turning capture on is a yes/no"


# -- RBAC writes ---------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_group_from_creation_to_deletion(fresh_sandbox: RunningSandbox, mode: str) -> None:
    state = fresh_sandbox.state
    member = next(u for u in state.users.values() if u.role == "developer")
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), mode, elicitation_callback=human) as client:
        created = await client.call_tool("create_rbac_group", {"name": "Platform team"})
        group_id = (created.structured_content or {})["result"]["id"]
        renamed = await client.call_tool("rename_rbac_group", {"rbac_group_id": group_id, "name": "Platform"})
        added = await client.call_tool(
            "add_rbac_group_member", {"rbac_group_id": group_id, "user_id": member.id}
        )
        twice = await client.call_tool(
            "add_rbac_group_member", {"rbac_group_id": group_id, "user_id": member.id}
        )
        human.typed = "Platform"
        deleted = await client.call_tool("delete_rbac_group", {"rbac_group_id": group_id})
    assert [outcome(r) for r in (created, renamed, added, twice, deleted)] == [
        "applied",
        "applied",
        "applied",
        "nothing_to_do",
        "applied",
    ], [text_of(r) for r in (created, renamed, added, twice, deleted)]
    assert "Create RBAC group 'Platform team'" in human.messages[0]
    assert "roles are attached in Claude's admin settings" in human.messages[0]
    assert "Platform team → Platform" in human.messages[1]
    assert (
        f"Add {member.email} ({member.name})" in human.messages[2]
        and "Their org role stays" in human.messages[2]
    )
    assert (
        f"1 members lose what it grants (none), unless another group grants it: {member.email}"
        in (human.messages[3])
    )
    assert human.schemas[3]["properties"]["confirm"]["description"] == "Type Platform to confirm"
    assert group_id not in state.governance.groups


@pytest.mark.anyio
async def test_removing_a_member_needs_their_email_and_says_what_they_lose(
    fresh_sandbox: RunningSandbox,
) -> None:
    legal = group(fresh_sandbox, "Legal")
    user = fresh_sandbox.state.users[next(iter(legal.members))]
    human = ScriptedHuman("accept", typed=user.email)
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool(
            "remove_rbac_group_member", {"rbac_group_id": legal.id, "user_id": user.id}
        )
    assert outcome(result) == "applied", text_of(result)
    assert "They lose its roles (Member, Auditor)" in human.messages[0]
    assert user.id not in legal.members and user.id in fresh_sandbox.state.users


@pytest.mark.anyio
async def test_owner_granting_and_scim_groups_are_refused_before_anyone_is_asked(
    fresh_sandbox: RunningSandbox,
) -> None:
    owners, contractors = group(fresh_sandbox, "Owners"), group(fresh_sandbox, "Contractors")
    outsider = next(u for u in fresh_sandbox.state.users.values() if u.role == "developer")
    before = snapshot(fresh_sandbox)
    human = ScriptedHuman("accept", typed="Owners")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        results = [
            await client.call_tool(
                "add_rbac_group_member", {"rbac_group_id": owners.id, "user_id": outsider.id}
            ),
            await client.call_tool("delete_rbac_group", {"rbac_group_id": owners.id}),
            await client.call_tool(
                "remove_rbac_group_member",
                {"rbac_group_id": contractors.id, "user_id": next(iter(contractors.members))},
            ),
            await client.call_tool("rename_rbac_group", {"rbac_group_id": contractors.id, "name": "Vendors"}),
        ]
    assert [outcome(r) for r in results] == ["refused"] * 4
    assert "owner access (Owner)" in text_of(results[0]) and "admin settings" in text_of(results[1])
    assert "SCIM" in text_of(results[2]) and "SCIM" in text_of(results[3])
    assert human.messages == [] and snapshot(fresh_sandbox) == before


# -- the API's own refusals and the allowlist -----------------------------------------------------


@pytest.mark.anyio
async def test_an_organization_without_admin_api_spend_limits_is_told_why(
    fresh_sandbox: RunningSandbox,
) -> None:
    fresh_sandbox.state.governance.admin_writes_enabled = False
    limit = limit_of(fresh_sandbox, "organization")
    async with connect(server(fresh_sandbox)) as client:
        result = await client.call_tool("get_spend_limit", {"spend_limit_id": limit.id})
    assert result.is_error
    assert "spend_limits_admin_api_writes_not_enabled" in text_of(result) and "Console" in text_of(result)


@pytest.mark.anyio
async def test_the_allowlist_judges_where_a_limit_applies(fresh_sandbox: RunningSandbox) -> None:
    limit = limit_of(fresh_sandbox, "workspace")
    other = next(
        w.id
        for w in fresh_sandbox.state.workspaces.values()
        if not w.is_default and w.archived_at is None and w.id != limit.scope.target
    )
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox, allow_workspaces=[other]), elicitation_callback=human) as client:
        workspace = await client.call_tool(
            "set_spend_limit", {"scope": "workspace", "workspace_id": limit.scope.target, "amount_usd": 9000}
        )
        organization = await client.call_tool(
            "set_spend_limit", {"scope": "organization", "amount_usd": 9000}
        )
        allowed = await client.call_tool(
            "set_spend_limit", {"scope": "workspace", "workspace_id": other, "amount_usd": 9000}
        )
    assert outcome(workspace) == "refused" and outcome(organization) == "refused"
    assert outcome(allowed) == "applied", text_of(allowed)
    assert len(human.messages) == 1


@pytest.mark.anyio
async def test_a_preview_reads_each_thing_once_and_a_declined_write_sends_nothing(
    fresh_sandbox: RunningSandbox,
) -> None:
    limit = limit_of(fresh_sandbox, "workspace")
    observer = fresh_sandbox.state.faults.add(Fault("observe", times=None))
    arguments = {"scope": "workspace", "workspace_id": limit.scope.target, "amount_usd": 9000}
    async with connect(server(fresh_sandbox), elicitation_callback=ScriptedHuman("decline")) as client:
        observer.seen.clear()
        result = await client.call_tool("set_spend_limit", arguments)
    fresh_sandbox.state.faults.clear()
    assert outcome(result) == "declined"
    seen = [entry.split("?")[0] for entry in observer.seen]
    assert all(entry.startswith("GET ") for entry in seen), seen
    # The workspace, the limits, this month's cost report and the organization's name: once each.
    assert len(set(seen)) == 4 and len(seen) <= 8, seen


GOVERNOR = "sk-ant-api01-canaryScopedGOVERNOR" + "Vb7" * 12
GOVERNOR_SCOPES = "read:members,read:spend_limits,write:spend_limits,read:rbac_groups"


@pytest.mark.anyio
async def test_a_scoped_key_is_offered_what_its_scopes_open_and_approves_with_them() -> None:
    scopes = frozenset(GOVERNOR_SCOPES.split(","))
    with start_sandbox(sandbox_config(scoped_keys=((GOVERNOR, scopes),))) as running:
        request_id = pending(running)[0]
        credential = scoped_key_credential("ANTHROPIC_SCOPED_KEY", GOVERNOR, GOVERNOR_SCOPES)
        settings = make_settings(running, toolsets=["all"])
        human = ScriptedHuman("accept")
        async with connect(create_server(settings, credential), elicitation_callback=human) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            approved = await client.call_tool(
                "approve_spend_increase", {"spend_limit_increase_request_id": request_id, "amount_usd": 320}
            )
            refused = await client.call_tool(
                "add_rbac_group_member", {"rbac_group_id": "rbac_group_01a", "user_id": "user_01a"}
            )
        assert {"list_spend_limits", "approve_spend_increase", "list_rbac_groups", "list_rbac_roles"} <= names
        assert not names & {"create_rbac_group", "update_compliance_settings", "get_compliance_settings"}
        assert outcome(approved) == "applied", text_of(approved)
        assert running.state.governance.increase_requests[request_id].status == "approved"
        assert refused.is_error and "write:rbac_groups" in text_of(refused)
