"""Every endpoint the sandbox serves, called through the official SDK with strict validation.

A response that does not match the SDK 2.10.0 models raises `APIResponseValidationError`, so
each call below is also a schema check. Errors must come back as the SDK's typed exceptions.
"""

from __future__ import annotations

import anthropic
import pytest
from anthropic.types.beta.organization.beta_cannot_sign_out_primary_owner_error import (
    BetaCannotSignOutPrimaryOwnerError,
)
from anthropic.types.beta.organization.beta_cannot_sign_out_self_error import BetaCannotSignOutSelfError
from anthropic.types.organization.already_member_error import AlreadyMemberError
from anthropic.types.organization.invite_already_exists_error import InviteAlreadyExistsError
from anthropic.types.user_profile_not_found_error import UserProfileNotFoundError

from claude_admin_mcp.sandbox.runner import RunningSandbox


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
