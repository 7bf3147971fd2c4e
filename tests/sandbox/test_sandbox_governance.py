"""Spend limits, increase requests, RBAC groups and roles, and compliance settings in the sandbox,
through the official SDK (strict models, typed errors) and raw HTTP where the SDK cannot go."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types.beta.organization.beta_spend_limits_admin_api_writes_not_enabled_error import (
    BetaSpendLimitsAdminAPIWritesNotEnabledError,
)
from anthropic.types.organization.rbac_group_grants_owner_access_error import RBACGroupGrantsOwnerAccessError
from anthropic.types.rbac_role_not_found_error import RBACRoleNotFoundError

from claude_admin_mcp.sandbox.governance import RbacGroup
from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, build_state

from ._sandbox_helpers import NOW, assert_error


def _group(sandbox: RunningSandbox, name: str) -> RbacGroup:
    return next(g for g in sandbox.state.governance.groups.values() if g.name == name)


def test_every_list_walks_to_the_end_once_with_the_smallest_page(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    org, governance = shared_sdk.beta.organization, shared_sandbox.state.governance
    limits = [limit.id for limit in org.spend_limits.list(limit=1)]
    assert limits == [limit.id for limit in governance.spend_limits.newest_first()]
    requests = [r.id for r in org.spend_limits.increase_requests.list(limit=1)]
    assert requests == [r.id for r in governance.increase_requests.newest_first()]
    assert [g.id for g in org.rbac_groups.list(limit=1)] == [g.id for g in governance.groups.newest_first()]
    engineering = _group(shared_sandbox, "Engineering")
    members = [m.user_id for m in org.rbac_groups.members.list(engineering.id, limit=1)]
    assert members == list(engineering.members)[::-1] and len(members) == 8
    assert [r.id for r in org.rbac_roles.list(limit=1)] == [r.id for r in governance.roles.newest_first()]
    owner = next(r for r in governance.roles.values() if r.display_name == "Owner")
    actions = [p.action for p in org.rbac_roles.permissions.list(owner.id, limit=1)]
    assert actions == [action for action, _ in owner.permissions]


def test_the_effective_report_pages_by_member_and_never_splits_one(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    state = shared_sandbox.state
    first = shared_sdk.beta.organization.spend_limits.effective.list(limit=3)
    assert len({row.actor.user_id for row in first.data}) == 3  # type: ignore[union-attr]
    rows = list(shared_sdk.beta.organization.spend_limits.effective.list(limit=3))
    members = [row.actor.user_id for row in rows]  # type: ignore[union-attr]
    assert sorted(set(members)) == sorted(state.users), "every member: all resolve a seat-tier limit"
    for user_id in set(members):
        at = [i for i, member in enumerate(members) if member == user_id]
        assert at == list(range(at[0], at[-1] + 1)), "a member's rows stay together"
    weekly = shared_sdk.beta.organization.spend_limits.effective.list(period=["weekly"], limit=100)
    owners = {row.actor.user_id for row in weekly.data}  # type: ignore[union-attr]
    assert owners == {
        user_id for user_id in state.users if state.governance.effective(state.users[user_id], "weekly")
    }
    assert all(row.source.type == "user" for row in weekly.data)


def test_the_spend_limit_list_needs_its_beta_and_checks_its_filters(shared_http: httpx2.Client) -> None:
    assert_error(shared_http.get("/v1/organizations/spend_limits"), 400, "invalid_request_error")
    beta = {"anthropic-beta": "spend-limit-reads-2026-09-26"}
    listed = shared_http.get("/v1/organizations/spend_limits", headers=beta, params={"scope_type[]": "user"})
    assert listed.status_code == 200 and {i["scope"]["type"] for i in listed.json()["data"]} == {"user"}
    bad = shared_http.get("/v1/organizations/spend_limits", headers=beta, params={"scope_type[]": "team"})
    assert "scope_type[]" in assert_error(bad, 400, "invalid_request_error")
    page = shared_http.get("/v1/organizations/spend_limits", headers=beta, params={"page": "nonsense"})
    assert_error(page, 400, "invalid_request_error")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"amount": "12.5", "scope": {"type": "organization"}}, 400, "amount"),
        ({"amount": None, "scope": {"type": "organization"}}, 400, "amount"),
        ({"scope": {"type": "organization"}}, 400, "amount"),
        ({"amount": "100", "scope": {"type": "organization"}, "period": "weekly"}, 400, "period"),
        ({"amount": "100", "scope": {"type": "seat_tier", "seat_tier": "standard"}}, 400, "scope.type"),
        ({"amount": "100", "scope": {"type": "user", "user_id": "user_01NoSuchUser"}}, 404, "user_id"),
        ({"amount": "100", "scope": {"type": "user", "user_id": "wrkspc_01abc"}}, 400, "scope.user_id"),
        ({"amount": "100", "scope": {"type": "organization", "extra": 1}}, 400, "scope.extra"),
    ],
)
def test_setting_a_limit_is_validated_and_changes_nothing_when_refused(
    sandbox: RunningSandbox, http: httpx2.Client, body: dict[str, Any], status: int, field: str
) -> None:
    before = sandbox.state.snapshot()
    response = http.post("/v1/organizations/spend_limits", json=body)
    kind = "invalid_request_error" if status == 400 else "not_found_error"
    assert field in assert_error(response, status, kind)
    assert sandbox.state.snapshot() == before


def test_limits_are_upserted_per_scope_and_period(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    user = next(
        u for u in state.users.values() if u.role == "developer" and not state.governance.user_limits(u.id)
    )
    spend = sdk.beta.organization.spend_limits
    monthly = spend.set(amount="10000", scope={"type": "user", "user_id": user.id})
    weekly = spend.set(amount=None, scope={"type": "user", "user_id": user.id}, period="weekly")
    again = spend.set(amount="12000", scope={"type": "user", "user_id": user.id})
    assert again.id == monthly.id and again.amount == "12000" and weekly.id != monthly.id
    assert [(lim.period, lim.amount) for lim in state.governance.user_limits(user.id)] == [
        ("weekly", None),
        ("monthly", "12000"),
    ]
    summary = state.governance.summary(user, "weekly", state.users)
    assert (
        summary is not None
        and summary["amount"] is None
        and summary["source"]
        == {
            "type": "user",
            "user_id": user.id,
        }
    )
    default = state.default_workspace_id
    with pytest.raises(anthropic.BadRequestError):
        spend.set(amount="100", scope={"type": "workspace", "workspace_id": default})
    tier = next(lim for lim in state.governance.spend_limits.values() if lim.scope.type == "usage_tier")
    with pytest.raises(anthropic.BadRequestError):
        spend.delete(tier.id)


def test_an_organization_without_admin_api_spend_limits_gets_the_typed_403(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    sandbox.state.governance.admin_writes_enabled = False
    spend = sdk.beta.organization.spend_limits
    limit = next(iter(spend.list().data))
    for call in (
        lambda: spend.retrieve(limit.id),
        lambda: spend.delete(limit.id),
        lambda: spend.set(amount="100", scope={"type": "organization"}),
    ):
        with pytest.raises(BetaSpendLimitsAdminAPIWritesNotEnabledError) as refused:
            call()
        assert refused.value.status_code == 403
    assert limit.id in sandbox.state.governance.spend_limits


def test_increase_requests_are_decided_once(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    governance = sandbox.state.governance
    increases = sdk.beta.organization.spend_limits.increase_requests
    waiting = increases.list(status=["pending"]).data
    assert len(waiting) == 2 and all(r.spend_summary is not None for r in waiting)
    approved = increases.approve(waiting[0].id, amount="40000", period="weekly")
    assert approved.status == "approved" and approved.spend_limit is not None
    assert (approved.spend_limit.period, approved.spend_limit.amount) == ("weekly", "40000")
    assert approved.resolved_by is not None and approved.resolved_by.type == "user_actor"
    assert increases.retrieve(waiting[0].id).spend_summary is None, "only pending ones carry it"
    with pytest.raises(anthropic.BadRequestError):
        increases.approve(waiting[0].id, amount="50000")
    with pytest.raises(anthropic.BadRequestError):
        increases.deny(waiting[0].id)
    denied = increases.deny(waiting[1].id)
    assert increases.deny(waiting[1].id).resolved_at == denied.resolved_at, "idempotent on denied"
    with pytest.raises(anthropic.BadRequestError):
        increases.approve(waiting[1].id, amount="")
    requester = waiting[1].actor.user_id  # type: ignore[union-attr]
    sandbox.state.remove_user(requester)
    assert waiting[1].id not in {r.id for r in increases.list()}, "requests of people who left go"
    assert [r.status for r in governance.increase_requests.values()].count("pending") == 0


def test_owner_granting_and_scim_groups_refuse_changes(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    groups = sdk.beta.organization.rbac_groups
    owners, contractors = _group(sandbox, "Owners"), _group(sandbox, "Contractors")
    someone = next(u for u in sandbox.state.users.values() if u.role == "developer")
    before = sandbox.state.snapshot()
    for call in (
        lambda: groups.members.add(owners.id, user_id=someone.id),
        lambda: groups.members.remove(sandbox.state.primary_owner_id, rbac_group_id=owners.id),
        lambda: groups.delete(owners.id),
    ):
        with pytest.raises(RBACGroupGrantsOwnerAccessError) as refused:
            call()
        assert refused.value.error_code == "rbac_group_grants_owner_access"
    assert groups.update(owners.id, name="Owners").name == "Owners", "renaming it is allowed"
    with pytest.raises(anthropic.BadRequestError):
        groups.update(contractors.id, name="Vendors")
    with pytest.raises(anthropic.BadRequestError):
        groups.members.add(contractors.id, user_id=someone.id)
    with pytest.raises(anthropic.NotFoundError):
        groups.members.remove(someone.id, rbac_group_id=_group(sandbox, "Legal").id)
    with pytest.raises(RBACRoleNotFoundError):
        sdk.beta.organization.rbac_roles.retrieve("rbac_role_01NoSuchRole")
    assert sandbox.state.snapshot() == before


def test_a_member_who_leaves_leaves_their_groups(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    engineering = _group(sandbox, "Engineering")
    leaver = next(iter(engineering.members))
    sdk.beta.organization.users.remove(leaver)
    assert leaver not in {m.user_id for m in sdk.beta.organization.rbac_groups.members.list(engineering.id)}


def test_writes_made_while_capture_is_off_never_reach_the_feed(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox, http: httpx2.Client
) -> None:
    settings = sdk.beta.organization.compliance_settings
    assert settings.retrieve().state.type == "enabled"
    assert settings.update(state={"type": "disabled"}).state.type == "disabled"
    assert_error(http.get("/v1/compliance/activities"), 403, "permission_error")
    hidden = sdk.beta.organization.rbac_groups.create(name="Made in the dark")
    # The string shorthand the docstring allows (the SDK types only the object form).
    same = http.post("/v1/organizations/compliance_settings", json={"state": "disabled"})
    assert same.json() == {"type": "compliance_settings", "state": {"type": "disabled"}}, (
        "no change, no error"
    )
    assert settings.update(state={"type": "enabled"}).state.type == "enabled"
    shown = sdk.beta.organization.rbac_groups.create(name="Made in the light")
    feed = http.get("/v1/compliance/activities", params={"limit": 20}).json()["data"]
    created = [item.get("rbac_group_id") for item in feed if item["type"] == "platform_rbac_group_created"]
    assert created == [shown.id] and hidden.id not in created
    kinds = [item.get("state") for item in feed if item["type"] == "compliance_settings_updated"]
    assert kinds == ["enabled", "disabled"], "the switch itself is captured on both sides"
    paused = http.post("/v1/organizations/compliance_settings", json={"state": "paused"})
    assert "state" in assert_error(paused, 400, "invalid_request_error")


def test_the_seed_is_deterministic_and_small_organizations_still_seed() -> None:
    first = build_state(SandboxConfig(users=200, seed=3, now=NOW)).snapshot()["governance"]
    again = build_state(SandboxConfig(users=200, seed=3, now=NOW)).snapshot()["governance"]
    assert first == again
    tiny = build_state(SandboxConfig(users=1, now=NOW)).governance
    assert len(tiny.groups) == 5 and len(tiny.roles) == 4 and len(tiny.spend_limits) >= 5
