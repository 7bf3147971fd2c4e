"""Every endpoint the sandbox serves, called through the official SDK with strict validation.

A response that does not match the SDK 2.10.0 models raises `APIResponseValidationError`, so
each call below is also a schema check. Errors must come back as the SDK's typed exceptions.
`test_every_route_is_served_to_the_sdk` proves that every route the SDK has a method for is
reached (a new route without an SDK call here fails it).
"""

from __future__ import annotations

import anthropic
import jwt
import pytest
from anthropic.lib.credentials import exchange_federation_assertion
from anthropic.resources.beta.organization.organization import Organization
from anthropic.types.beta.organization.beta_cannot_sign_out_primary_owner_error import (
    BetaCannotSignOutPrimaryOwnerError,
)
from anthropic.types.beta.organization.beta_cannot_sign_out_self_error import BetaCannotSignOutSelfError
from anthropic.types.organization.already_member_error import AlreadyMemberError
from anthropic.types.organization.invite_already_exists_error import InviteAlreadyExistsError
from anthropic.types.user_profile_not_found_error import UserProfileNotFoundError

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.federation_seed import DEMO_ISSUER_URL, DEMO_KID, demo_signing_key
from claude_admin_mcp.sandbox.plugins import MANIFEST, MARKETPLACE_MANIFEST, archive_of
from claude_admin_mcp.sandbox.plugins_seed import PUBLIC_REPOSITORY, plugin_files
from claude_admin_mcp.sandbox.routes import ROUTES
from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import OAUTH_TOKEN
from ._wif_helpers import bearer_sdk


def test_organization(shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox) -> None:
    org = shared_sdk.beta.organization.retrieve()
    assert org.type == "organization"
    assert org.name == "Acme Corp (Sandbox)"
    assert org.id == shared_sandbox.state.organization.id


def test_users_auto_pagination_returns_everyone_once(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    users = list(shared_sdk.beta.organization.users.list(limit=7))
    expected = [user.id for user in shared_sandbox.state.users.newest_first()]
    assert [user.id for user in users] == expected
    assert len(set(expected)) == 150


def test_users_retrieve_and_filters(shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox) -> None:
    users = shared_sdk.beta.organization.users
    someone = next(u for u in shared_sandbox.state.users.newest_first() if u.role == "developer")
    fetched = users.retrieve(someone.id)
    assert (fetched.id, fetched.email, fetched.role) == (someone.id, someone.email, "developer")
    by_email = users.list(email=someone.email.upper())
    assert [u.id for u in by_email.data] == [someone.id]
    admins = list(users.list(roles=["admin", "billing"], limit=2))
    assert admins and all(u.role in ("admin", "billing") for u in admins)
    assert len(admins) == sum(
        1 for u in shared_sandbox.state.users.values() if u.role in ("admin", "billing")
    )


def test_users_update_remove_sign_out(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    users = sdk.beta.organization.users
    state = sandbox.state
    target = next(u for u in state.users.newest_first() if u.role == "user")
    updated = users.update(target.id, role="developer")
    assert updated.role == "developer"
    assert users.retrieve(target.id).role == "developer"

    signed_out = users.sign_out(target.id)  # the SDK sends the beta header itself
    assert signed_out.id == target.id
    assert state.users[target.id].signed_out_at is not None

    removed = users.remove(target.id)
    assert (removed.id, removed.type) == (target.id, "user_deleted")
    with pytest.raises(anthropic.NotFoundError):
        users.retrieve(target.id)


def test_sign_out_refusals_are_typed(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    users = sdk.beta.organization.users
    with pytest.raises(BetaCannotSignOutPrimaryOwnerError) as primary:
        users.sign_out(sandbox.state.primary_owner_id)
    assert primary.value.error_code == "cannot_sign_out_primary_owner"
    with pytest.raises(BetaCannotSignOutSelfError):
        users.sign_out(sandbox.state.admin_key_user_id)


def test_invites(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    invites = sdk.beta.organization.invites
    everything = list(invites.list(limit=1))
    assert [i.id for i in everything] == [i.id for i in sandbox.state.invites.newest_first()]
    assert {i.status for i in everything} == {"pending", "expired", "accepted"}

    created = invites.create(email="New.Person@Example.com", role="developer")
    assert created.status == "pending" and created.role == "developer"
    assert created.accepted_at is None and created.rbac_group_ids == []
    assert (created.expires_at - created.invited_at).days == 21
    assert invites.retrieve(created.id).email == "new.person@example.com"
    assert [i.id for i in invites.list(statuses=["pending"], email="new.person@example.com").data] == [
        created.id
    ]

    with pytest.raises(InviteAlreadyExistsError):
        invites.create(email="new.person@example.com", role="user")
    member = next(iter(sandbox.state.users.values()))
    with pytest.raises(AlreadyMemberError):
        invites.create(email=member.email, role="user")

    deleted = invites.delete(created.id)
    assert (deleted.id, deleted.type) == (created.id, "invite_deleted")
    assert invites.retrieve(created.id).status == "deleted"
    expired = next(i for i in everything if i.status == "expired")
    with pytest.raises(anthropic.BadRequestError):
        invites.delete(expired.id)


def test_workspaces(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    workspaces = sdk.beta.organization.workspaces
    state = sandbox.state
    listed = list(workspaces.list(limit=2))
    assert state.default_workspace_id not in {w.id for w in listed}
    assert all(w.archived_at is None for w in listed)
    with_archived = list(workspaces.list(include_archived=True, limit=3))
    assert len(with_archived) > len(listed)
    assert any(w.archived_at is not None for w in with_archived)
    with_default = list(workspaces.list(include_default=True, include_archived=True))
    assert with_default[-1].id == state.default_workspace_id

    default = workspaces.retrieve(state.default_workspace_id)
    assert default.name == "Default"

    created = workspaces.create(
        name="SDK Test",
        tags={"team": "qa"},
        display_color="#112233",
        data_residency={"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
    )
    assert created.data_residency.allowed_inference_geos == ["us"]
    assert created.data_residency.workspace_geo == "us"
    assert created.tags == {"team": "qa"}
    assert workspaces.list(limit=1).data[0].id == created.id

    updated = workspaces.update(created.id, name="SDK Test 2", tags={"team": None, "env": "dev"})
    assert updated.name == "SDK Test 2" and updated.tags == {"env": "dev"}
    assert workspaces.retrieve(created.id).name == "SDK Test 2"

    archived = workspaces.archive(created.id)
    assert archived.archived_at is not None
    with pytest.raises(anthropic.BadRequestError):
        workspaces.update(created.id, name="again")
    with pytest.raises(UserProfileNotFoundError):
        workspaces.create(name="profiled", user_profile_id="uprof_01234")


def test_workspace_members(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    members = sdk.beta.organization.workspaces.members
    state = sandbox.state
    workspace_id = max(
        (w.id for w in state.workspaces.values() if not w.is_default and w.archived_at is None),
        key=lambda ws_id: len(state.members[ws_id]),
    )
    everyone = list(members.list(workspace_id, limit=3))
    assert len(everyone) == len(state.members[workspace_id]) > 3
    assert len({m.user_id for m in everyone}) == len(everyone)

    outsider = next(u for u in state.users.values() if u.id not in state.members[workspace_id])
    added = members.add(workspace_id, user_id=outsider.id, workspace_role="workspace_developer")
    assert (added.user_id, added.workspace_id, added.workspace_role) == (
        outsider.id,
        workspace_id,
        "workspace_developer",
    )
    assert members.list(workspace_id, limit=1).data[0].user_id == outsider.id
    assert members.retrieve(outsider.id, workspace_id=workspace_id).workspace_role == "workspace_developer"
    updated = members.update(outsider.id, workspace_id=workspace_id, workspace_role="workspace_billing")
    assert updated.workspace_role == "workspace_billing"
    removed = members.remove(outsider.id, workspace_id=workspace_id)
    assert (removed.type, removed.user_id, removed.workspace_id) == (
        "workspace_member_deleted",
        outsider.id,
        workspace_id,
    )
    with pytest.raises(anthropic.NotFoundError):
        members.retrieve(outsider.id, workspace_id=workspace_id)


def test_api_keys(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    api_keys = sdk.beta.organization.api_keys
    state = sandbox.state
    everything = list(api_keys.list(limit=4))
    assert [k.id for k in everything] == [k.id for k in state.api_keys.newest_first()]
    assert {k.status for k in everything} == {"active", "inactive", "archived", "expired"}
    in_default = [
        k
        for k in everything
        if k.scope.type == "workspace" and k.scope.workspace_id == state.default_workspace_id
    ]
    assert in_default, "the seed puts some keys in the default workspace"
    # The beta model has no `workspace_id` field; it arrives as an extra, null for the default workspace.
    assert all(k.to_dict()["workspace_id"] is None for k in in_default)

    active = next(k for k in everything if k.status == "active")
    assert api_keys.retrieve(active.id).partial_key_hint == active.partial_key_hint
    for status in ("active", "inactive", "archived", "expired"):
        filtered = list(api_keys.list(status=status, limit=5))
        assert filtered and all(k.status == status for k in filtered)
    creator = active.created_by
    assert creator is not None
    by_creator = list(api_keys.list(created_by_user_id=creator.id))
    assert active.id in {k.id for k in by_creator}
    assert all(k.created_by is not None and k.created_by.id == creator.id for k in by_creator)

    renamed = api_keys.update(active.id, name="renamed-key", status="inactive")
    assert (renamed.name, renamed.status) == ("renamed-key", "inactive")
    assert api_keys.update(active.id, status="archived").status == "archived"
    with pytest.raises(anthropic.BadRequestError):
        api_keys.update(active.id, status="active")


def test_sdk_error_classes(shared_sandbox: RunningSandbox, shared_sdk: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as missing:
        shared_sdk.beta.organization.users.retrieve("user_01AAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.value.request_id is not None and missing.value.request_id.startswith("req_")
    assert missing.value.type == "not_found_error"
    with pytest.raises(anthropic.BadRequestError):
        shared_sdk.beta.organization.users.list(limit=1001)
    with pytest.raises(anthropic.BadRequestError):
        shared_sdk.beta.organization.users.update(
            next(iter(shared_sandbox.state.users)),
            role="admin",  # type: ignore[arg-type]
        )
    wrong = anthropic.Anthropic(
        api_key="sk-ant-admin01-wrong", base_url=shared_sandbox.base_url, max_retries=0
    )
    with pytest.raises(anthropic.AuthenticationError):
        wrong.beta.organization.retrieve()


def test_oauth_token_through_sdk(shared_sandbox: RunningSandbox) -> None:
    assert shared_sandbox.config.oauth_token is not None
    client = anthropic.Anthropic(
        auth_token=shared_sandbox.config.oauth_token,
        base_url=shared_sandbox.base_url,
        _strict_response_validation=True,
        max_retries=0,
    )
    assert client.beta.organization.retrieve().name == "Acme Corp (Sandbox)"


def test_non_beta_tree_validates_too(shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox) -> None:
    """`client.organization` (the API-version 2026-10-21 models) reads the same responses."""
    organization = shared_sdk.organization
    assert organization.retrieve().id == shared_sandbox.state.organization.id
    assert len(list(organization.users.list(limit=50))) == len(shared_sandbox.state.users)
    assert list(organization.invites.list())
    assert list(organization.api_keys.list(limit=100))
    workspace = organization.workspaces.list().data[0]
    assert organization.workspaces.retrieve(workspace.id).id == workspace.id
    assert list(organization.workspaces.members.list(workspace.id))


# -- every route ---------------------------------------------------------------------------------

NOT_IN_SDK = {
    ("GET", "/v1/organizations/usage_report/messages"),
    ("GET", "/v1/organizations/cost_report"),
    ("GET", "/v1/organizations/usage_report/claude_code"),
    ("GET", "/v1/compliance/activities"),
}
"""Documented endpoints SDK 2.10.0 has no method (hence no model) for; `test_sandbox_reports.py`,
`test_sandbox_claude_code.py` and `test_sandbox_activities.py` check their shapes field by field."""


GCP_KEY = "projects/acme/locations/us/keyRings/claude/cryptoKeys/tour"


def _tour(sandbox: RunningSandbox, sdk: anthropic.Anthropic) -> None:
    """Calls every SDK method the sandbox emulates, with strict response validation."""
    state = sandbox.state
    org = sdk.beta.organization
    org.retrieve()
    user = next(u for u in state.users.newest_first() if u.role == "user")
    org.users.list(limit=2)
    org.users.retrieve(user.id)
    org.users.update(user.id, role="developer")
    org.users.sign_out(user.id)
    invite = org.invites.create(email="tour@example.com", role="user")
    org.invites.list(limit=2)
    org.invites.retrieve(invite.id)
    org.invites.delete(invite.id)
    workspace = org.workspaces.create(name="Tour")
    org.workspaces.list(limit=2)
    org.workspaces.retrieve(workspace.id)
    org.workspaces.update(workspace.id, name="Tour 2")
    members = org.workspaces.members
    members.add(workspace.id, user_id=user.id, workspace_role="workspace_user")
    members.list(workspace.id)
    members.retrieve(user.id, workspace_id=workspace.id)
    members.update(user.id, workspace_id=workspace.id, workspace_role="workspace_developer")
    members.remove(user.id, workspace_id=workspace.id)
    key = next(iter(org.api_keys.list(limit=1)))
    org.api_keys.retrieve(key.id)
    org.api_keys.update(key.id, name="tour-key")
    entry = org.rate_limits.list().data[0]
    org.workspaces.rate_limits.list(workspace.id, include_inherited=True)
    org.workspaces.rate_limits.update(
        entry.id, workspace_id=workspace.id, limits=[{"type": "requests_per_minute", "value": 9}]
    )
    spend = org.spend_limits
    limit = spend.set(amount="70000", scope={"type": "workspace", "workspace_id": workspace.id})
    spend.list(limit=2)
    spend.retrieve(limit.id)
    spend.effective.list(limit=2)
    spend.delete(limit.id)
    increases = spend.increase_requests
    waiting = increases.list(status=["pending"]).data
    increases.retrieve(waiting[0].id)
    increases.approve(waiting[0].id, amount="40000")
    increases.deny(waiting[1].id, suppress_notification=True)
    groups = org.rbac_groups
    group = groups.create(name="Tour")
    groups.list(limit=2)
    groups.retrieve(group.id)
    groups.update(group.id, name="Tour 2")
    groups.members.add(group.id, user_id=user.id)
    groups.members.list(group.id)
    groups.members.remove(user.id, rbac_group_id=group.id)
    groups.delete(group.id)
    role = org.rbac_roles.list(limit=1).data[0]
    org.rbac_roles.retrieve(role.id)
    org.rbac_roles.permissions.list(role.id)
    org.compliance_settings.retrieve()
    org.compliance_settings.update(state={"type": "enabled"})

    oauth = bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization
    account = oauth.service_accounts.create(name="tour-account")
    oauth.service_accounts.list()
    oauth.service_accounts.retrieve(account.id)
    oauth.service_accounts.update(account.id, description="on tour")
    oauth.service_accounts.workspaces.add(
        account.id, workspace_id=workspace.id, workspace_role="workspace_user"
    )
    oauth.service_accounts.workspaces.list(account.id)
    oauth.service_accounts.workspaces.remove(workspace.id, service_account_id=account.id)
    in_workspace = oauth.workspaces.service_accounts
    in_workspace.add(workspace.id, service_account_id=account.id, workspace_role="workspace_user")
    in_workspace.list(workspace.id)
    in_workspace.retrieve(account.id, workspace_id=workspace.id)
    in_workspace.update(account.id, workspace_id=workspace.id, workspace_role="workspace_developer")
    in_workspace.remove(account.id, workspace_id=workspace.id)
    issuer = oauth.federation.issuers.create(name="tour-issuer", issuer_url="https://tour.example.com")
    oauth.federation.issuers.list()
    oauth.federation.issuers.retrieve(issuer.id)
    oauth.federation.issuers.update(issuer.id, check_jti=False)
    rule = oauth.federation.rules.create(
        name="tour-rule",
        issuer_id=issuer.id,
        match={"subject_prefix": "tour:*"},
        target={"type": "service_account", "service_account_id": account.id},
        oauth_scope="workspace:inference",
        workspace_id=workspace.id,
    )
    oauth.federation.rules.list()
    oauth.federation.rules.retrieve(rule.id)
    oauth.federation.rules.update(rule.id, token_lifetime_seconds=900)
    other = next(w.id for w in state.workspaces.values() if not w.is_default and w.archived_at is None)
    oauth.federation.rules.workspaces.add(rule.id, workspace_id=other)
    oauth.federation.rules.workspaces.list(rule.id)
    oauth.federation.rules.workspaces.remove(other, federation_rule_id=rule.id)
    oauth.federation.rules.archive(rule.id)
    oauth.federation.issuers.archive(issuer.id)
    oauth.service_accounts.archive(account.id)

    # The token endpoint, through the SDK's own exchange, with the seeded issuer and rule.
    seeded = next(r for r in state.federation.rules.values() if r.name == "k8s-inference")
    now = state.now_ts()
    claims = {"iss": DEMO_ISSUER_URL, "sub": "system:serviceaccount:inference:tour", "iat": now}
    claims |= {"exp": now + 300, "aud": "https://api.anthropic.com", "jti": "tour"}
    signing_key = demo_signing_key(sandbox.config.seed)
    assertion = jwt.encode(claims, signing_key, algorithm="ES256", headers={"kid": DEMO_KID})
    exchange_federation_assertion(
        assertion=assertion,
        federation_rule_id=seeded.id,
        organization_id=state.organization.id,
        base_url=sandbox.base_url,
    )
    analytics = org.analytics  # every analytics endpoint, once (tests/test_analytics.py goes further)
    day, start = "2026-09-29", "2026-09-20T00:00:00Z"
    analytics.summaries.list(starting_date="2026-09-01")
    analytics.users.list(date=day)
    analytics.apps.chat.projects.list(date=day)
    analytics.connectors.list(date=day)
    analytics.plugins.list(date=day)
    analytics.skills.list(date=day)
    analytics.artifacts.list(date=day)
    analytics.usage.list(starting_at=start)
    analytics.cost.list(starting_at=start)
    analytics.usage_report.list(starting_at=start)
    analytics.user_usage_report.list(starting_at=start)
    analytics.cost_report.list(starting_at=start)
    analytics.user_cost_report.list(starting_at=start)
    _tour_hooks(sandbox, sdk, workspace.id)
    _plugins_tour(sandbox, org)
    _claude_tag_tour(org)
    org.workspaces.archive(workspace.id)
    org.users.remove(user.id)


def _tour_hooks(sandbox: RunningSandbox, sdk: anthropic.Anthropic, workspace_id: str) -> None:
    """External keys, telemetry destinations and webhooks (the SDK sends their beta headers)."""
    org = sdk.beta.organization
    key = org.external_keys.create(provider_config={"type": "gcp", "key_name": GCP_KEY}, display_name="Tour")
    org.external_keys.list()
    org.external_keys.retrieve(key.id)
    org.external_keys.update(key.id, display_name="Tour 2")
    org.external_keys.validate(key.id)
    org.external_keys.delete(key.id)
    telemetry = org.telemetry_destinations
    destination = telemetry.create(
        endpoint_url="https://otel.tour.example.com",
        workspaces={"type": "include", "workspace_ids": [workspace_id]},
        headers={"authorization": "Bearer tour-collector-token"},
    )
    telemetry.list(workspace_ids=[workspace_id])
    telemetry.retrieve(destination.id)
    telemetry.update(destination.id, state={"type": "disabled"}, traces={"content_mode": "content"})
    telemetry.test(destination.id)
    other = next(
        w.id for w in sandbox.state.workspaces.values() if not w.is_default and w.archived_at is None
    )
    telemetry.workspaces.add(other, destination_id=destination.id)
    telemetry.workspaces.list(destination.id)
    telemetry.workspaces.remove(other, destination_id=destination.id)
    telemetry.delete(destination.id)
    hook = org.webhooks.create(url="https://hooks.tour.example.com", enabled_events=["external_key.failed"])
    org.webhooks.list(limit=1)
    org.webhooks.retrieve(hook.id)
    org.webhooks.update(hook.id, state="disabled")
    org.webhooks.regenerate_signing_secret(hook.id)
    org.webhooks.delete(hook.id)


def _plugins_tour(sandbox: RunningSandbox, org: Organization) -> None:
    """Every plugin and marketplace endpoint (the SDK sends the beta header itself)."""
    plugins, marketplaces = org.plugins, org.plugin_marketplaces
    state = sandbox.state.plugins
    member_owned = next(p for p in state.plugins.values() if not p.organization_owned)
    library = next(m for m in state.marketplaces.values() if m.library)
    plugins.list(limit=2)
    plugins.retrieve(member_owned.id)
    plugins.shares.list(member_owned.id)
    created = plugins.create(
        files=[("tour.zip", archive_of(plugin_files("tour", "1.0.0")), "application/zip")],
        marketplace_id=library.id,
        release_notes="First.",
    )
    plugins.versions.create(created.id, files=[(MANIFEST, plugin_files("tour", "1.1.0")[MANIFEST])])
    first = plugins.versions.list(created.id, limit=1).data[0]
    plugins.versions.retrieve("latest", plugin_id=created.id)
    assert plugins.versions.download(first.id, plugin_id=created.id).read()[:2] == b"PK"
    plugins.update(created.id, served_version_id=first.id)
    plugins.installation_settings.set(
        "organization", plugin_id=created.id, installation_preference="required"
    )
    plugins.installation_settings.list(created.id)
    plugins.installation_settings.remove("organization", plugin_id=created.id)
    plugins.delete(created.id)
    marketplaces.list(limit=1)
    marketplaces.retrieve(library.id)
    marketplaces.update(library.id, default_installation_preference="auto_install")
    archive = archive_of({MARKETPLACE_MANIFEST: b'{"name": "tour", "plugins": []}'})
    marketplaces.validate_archive(archive=("marketplace.zip", archive, "application/zip"))
    marketplaces.validate_repository(repository_url=f"https://github.com/{PUBLIC_REPOSITORY}")


def _claude_tag_tour(org: Organization) -> None:
    """Every Claude Tag endpoint (the SDK sends the beta header itself)."""
    tag = org.claude_tag
    workspace = tag.slack_workspaces.list(limit=1).data[0]
    tag.slack_workspaces.retrieve(workspace.id, include_inherited=True)
    tag.slack_workspaces.update(workspace.id, settings={"model": "claude-sonnet-4-5"})
    team = workspace.slack.workspace_id
    tag.slack_channels.list(slack_workspace_id=team, include_inherited=True)
    slack_id = "C0DESIGN01" if team == "T0ACME001" else "G0ONCALL01"
    channel = tag.slack_channels.create(slack={"workspace_id": team, "channel_id": slack_id})
    tag.slack_channels.retrieve(channel.id, include_inherited=True)
    tag.slack_channels.update(channel.id, settings={"enabled": False, "reply_mode": {"type": "thread"}})
    bundle = next(b for b in tag.bundles.list(limit=1) if b.display_name == "Support desk")
    tag.bundles.retrieve(bundle.id)
    tag.bundles.update(bundle.id, instructions="On tour.")
    target = tag.bundles.targets.create(
        bundle.id, target={"type": "slack_channel", "slack_channel_id": channel.id}
    )
    tag.bundles.targets.list(bundle.id)
    tag.bundles.targets.retrieve(target.id, bundle_id=bundle.id)
    tag.bundles.targets.delete(target.id, bundle_id=bundle.id)
    tag.slack_channels.delete(channel.id)


def test_every_route_is_served_to_the_sdk(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    observer = sandbox.state.faults.add(Fault("observe", times=None))
    _tour(sandbox, sdk)
    served = {
        (route.path, method)
        for seen in observer.seen
        for method, target in [seen.split(" ", 1)]
        for route in ROUTES
        if route.methods and method in route.methods and route.path_regex.match(target.split("?")[0])
    }
    expected = {
        (route.path, method) for route in ROUTES for method in route.methods or () if method != "HEAD"
    }
    missing = sorted(expected - served - {(path, method) for method, path in NOT_IN_SDK})
    assert not missing, f"routes no SDK call reached: {missing}"
