"""Service accounts and their workspace memberships, through the official SDK (strict), plus the
OAuth-only gate every workload identity endpoint shares."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx2
import pytest
from anthropic.resources.beta.organization import Organization as Org

from claude_admin_mcp.sandbox.models import Workspace
from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import OAUTH_TOKEN, assert_error
from ._wif_helpers import CONSOLE_TOKEN, bearer_sdk, fresh, running_wif_sandbox

FAKE_SVAC = "svac_01" + "A" * 22
FAKE_FDIS = "fdis_01" + "A" * 22
FAKE_FDRL = "fdrl_01" + "A" * 22
FAKE_WRKSPC = "wrkspc_01" + "A" * 22

OAUTH_ONLY_ENDPOINTS = [
    ("POST", "/v1/organizations/service_accounts"),
    ("GET", "/v1/organizations/service_accounts"),
    ("GET", f"/v1/organizations/service_accounts/{FAKE_SVAC}"),
    ("POST", f"/v1/organizations/service_accounts/{FAKE_SVAC}"),
    ("POST", f"/v1/organizations/service_accounts/{FAKE_SVAC}/archive"),
    ("GET", f"/v1/organizations/service_accounts/{FAKE_SVAC}/workspaces"),
    ("POST", f"/v1/organizations/service_accounts/{FAKE_SVAC}/workspaces"),
    ("DELETE", f"/v1/organizations/service_accounts/{FAKE_SVAC}/workspaces/{FAKE_WRKSPC}"),
    ("GET", f"/v1/organizations/workspaces/{FAKE_WRKSPC}/service_accounts"),
    ("POST", f"/v1/organizations/workspaces/{FAKE_WRKSPC}/service_accounts"),
    ("GET", f"/v1/organizations/workspaces/{FAKE_WRKSPC}/service_accounts/{FAKE_SVAC}"),
    ("POST", f"/v1/organizations/workspaces/{FAKE_WRKSPC}/service_accounts/{FAKE_SVAC}"),
    ("DELETE", f"/v1/organizations/workspaces/{FAKE_WRKSPC}/service_accounts/{FAKE_SVAC}"),
    ("POST", "/v1/organizations/federation_issuers"),
    ("GET", "/v1/organizations/federation_issuers"),
    ("GET", f"/v1/organizations/federation_issuers/{FAKE_FDIS}"),
    ("POST", f"/v1/organizations/federation_issuers/{FAKE_FDIS}"),
    ("POST", f"/v1/organizations/federation_issuers/{FAKE_FDIS}/archive"),
    ("POST", "/v1/organizations/federation_rules"),
    ("GET", "/v1/organizations/federation_rules"),
    ("GET", f"/v1/organizations/federation_rules/{FAKE_FDRL}"),
    ("POST", f"/v1/organizations/federation_rules/{FAKE_FDRL}"),
    ("POST", f"/v1/organizations/federation_rules/{FAKE_FDRL}/archive"),
    ("GET", f"/v1/organizations/federation_rules/{FAKE_FDRL}/workspaces"),
    ("POST", f"/v1/organizations/federation_rules/{FAKE_FDRL}/workspaces"),
    ("DELETE", f"/v1/organizations/federation_rules/{FAKE_FDRL}/workspaces/{FAKE_WRKSPC}"),
]


@pytest.fixture(scope="module")
def _running() -> Iterator[RunningSandbox]:
    yield from running_wif_sandbox()


@pytest.fixture
def sandbox(_running: RunningSandbox) -> RunningSandbox:
    return fresh(_running)


@pytest.fixture
def org(sandbox: RunningSandbox) -> Org:
    return bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization


def named_workspaces(sandbox: RunningSandbox) -> tuple[list[Workspace], Workspace]:
    """(live named workspaces, an archived one)."""
    named = [w for w in sandbox.state.workspaces.values() if not w.is_default]
    return [w for w in named if w.archived_at is None], next(w for w in named if w.archived_at is not None)


# -- the OAuth-only gate -------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), OAUTH_ONLY_ENDPOINTS)
def test_admin_key_is_refused_on_every_oauth_only_endpoint(
    _running: RunningSandbox, method: str, path: str
) -> None:
    key = _running.config.admin_key
    for headers in ({"x-api-key": key}, {"authorization": f"Bearer {key}"}):
        response = httpx2.request(method, _running.base_url + path, headers=headers, json={})
        message = assert_error(response, 403, "permission_error")
        assert "org:admin" in message and "Admin API keys are not accepted" in message
        assert key not in response.text


def test_admin_key_through_the_sdk_is_permission_denied(sandbox: RunningSandbox) -> None:
    client = anthropic.Anthropic(api_key=sandbox.config.admin_key, base_url=sandbox.base_url, max_retries=0)
    with pytest.raises(anthropic.PermissionDeniedError, match="Admin API keys are not accepted"):
        client.beta.organization.service_accounts.list()
    with pytest.raises(anthropic.PermissionDeniedError):
        client.beta.organization.federation.rules.create(
            name="x",
            issuer_id=FAKE_FDIS,
            match={"subject_prefix": "a"},
            oauth_scope="workspace:developer",
            target={"type": "service_account", "service_account_id": FAKE_SVAC},
        )
    assert client.beta.organization.users.list(limit=1).data, "other endpoints still take the key"


@pytest.mark.parametrize("token", [OAUTH_TOKEN, CONSOLE_TOKEN])
def test_oauth_and_console_tokens_are_accepted(sandbox: RunningSandbox, token: str) -> None:
    org = bearer_sdk(sandbox, token).beta.organization
    assert [a.name for a in org.service_accounts.list()] == [
        "org-admin-automation",
        "ci-deployer",
        "inference-worker",
    ]
    assert org.users.list(limit=1).data
    response = httpx2.get(
        sandbox.base_url + "/v1/organizations/service_accounts",
        headers={"authorization": "Bearer sk-ant-oat01-nope"},
    )
    assert_error(response, 401, "authentication_error")


# -- service accounts ----------------------------------------------------------------------------


def test_service_account_lifecycle(sandbox: RunningSandbox, org: Org) -> None:
    state = sandbox.state
    made = org.service_accounts.create(name="etl-runner", description="Nightly ETL")
    assert (made.name, made.description, made.organization_role, made.type) == (
        "etl-runner",
        "Nightly ETL",
        "developer",
        "service_account",
    )
    assert made.id.startswith("svac_") and made.archived_at is None
    assert made.created_by_actor_id == made.updated_by_actor_id == state.admin_key_user_id
    assert org.service_accounts.retrieve(made.id) == made

    promoted = org.service_accounts.update(made.id, organization_role="admin", description="ETL + admin")
    assert (promoted.organization_role, promoted.description) == ("admin", "ETL + admin")
    cleared = org.service_accounts.update(made.id, description=None)
    assert cleared.description == "", "an explicit null clears (stored as an empty string)"
    assert org.service_accounts.update(made.id).description == "", "omitted fields stay"

    archived = org.service_accounts.archive(made.id)
    assert archived.archived_at is not None and archived.archived_by_actor_id == state.admin_key_user_id
    activities = len(state.activities)
    assert org.service_accounts.archive(made.id).archived_at == archived.archived_at
    assert len(state.activities) == activities, "re-archiving changes nothing"
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        org.service_accounts.update(made.id, description="too late")
    assert made.id not in [a.id for a in org.service_accounts.list()]
    assert made.id in [a.id for a in org.service_accounts.list(include_archived=True)]

    kinds = [a.type for a in state.activities if a.fields.get("service_account_id") == made.id]
    assert kinds == [
        "service_account_created",
        "service_account_updated",
        "service_account_updated",
        "service_account_updated",
        "service_account_archived",
    ]
    assert all(a.fields["credential"] == "oauth" for a in state.activities[-5:])


def test_console_may_make_admin_service_accounts(sandbox: RunningSandbox) -> None:
    made = bearer_sdk(sandbox, CONSOLE_TOKEN).beta.organization.service_accounts.create(
        name="console-admin", organization_role="admin"
    )
    assert made.organization_role == "admin"
    assert sandbox.state.activities[-1].fields["credential"] == "console"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "Upper"}, "name"),
        ({"name": "under_score"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "a" * 256}, "name"),
        ({"name": "ok", "organization_role": "owner"}, "organization_role"),
        ({"name": "ok", "description": 5}, "description"),
        ({"name": "ok", "colour": "red"}, "colour"),
    ],
)
def test_create_validation(sandbox: RunningSandbox, body: dict[str, object], field: str) -> None:
    with httpx2.Client(base_url=sandbox.base_url, headers={"authorization": f"Bearer {OAUTH_TOKEN}"}) as http:
        response = http.post("/v1/organizations/service_accounts", json=body)
    assert assert_error(response, 400, "invalid_request_error").startswith(f"{field}:")


def test_names_are_unique_among_live_accounts(org: Org) -> None:
    first = org.service_accounts.create(name="dup")
    with pytest.raises(anthropic.ConflictError, match="already exists"):
        org.service_accounts.create(name="dup")
    org.service_accounts.archive(first.id)
    assert org.service_accounts.create(name="dup").id != first.id
    assert org.service_accounts.create(name="a" * 255).name == "a" * 255


def test_list_pages_with_a_cursor(sandbox: RunningSandbox, org: Org) -> None:
    for index in range(22):
        org.service_accounts.create(name=f"bot-{index:02d}")
    expected = [a.id for a in sandbox.state.federation.service_accounts.newest_first()]
    assert len(expected) == 25
    assert [a.id for a in org.service_accounts.list(limit=7)] == expected
    first = org.service_accounts.list()
    assert len(first.data) == 20 and first.next_page
    with httpx2.Client(base_url=sandbox.base_url, headers={"authorization": f"Bearer {OAUTH_TOKEN}"}) as http:
        page = http.get("/v1/organizations/service_accounts", params={"limit": 100}).json()
        assert set(page) == {"data", "next_page"} and page["next_page"] is None and len(page["data"]) == 25
        for limit in ("0", "101", "x"):
            response = http.get("/v1/organizations/service_accounts", params={"limit": limit})
            assert assert_error(response, 400, "invalid_request_error").startswith("limit:")
        response = http.get("/v1/organizations/service_accounts", params={"page": "not-a-cursor"})
        assert assert_error(response, 400, "invalid_request_error").startswith("page:")


def test_archive_is_refused_while_a_live_rule_targets_it(sandbox: RunningSandbox, org: Org) -> None:
    rule = next(iter(sandbox.state.federation.rules.values()))
    with pytest.raises(anthropic.BadRequestError, match=rule.id):
        org.service_accounts.archive(rule.service_account_id)
    org.federation.rules.archive(rule.id)
    assert org.service_accounts.archive(rule.service_account_id).archived_at is not None


def test_unknown_service_account_is_404(org: Org) -> None:
    with pytest.raises(anthropic.NotFoundError):
        org.service_accounts.retrieve(FAKE_SVAC)
    with pytest.raises(anthropic.NotFoundError):
        org.service_accounts.workspaces.list(FAKE_SVAC)


# -- memberships, from the service account's side ---------------------------------------------------


def test_memberships_from_the_service_account(sandbox: RunningSandbox, org: Org) -> None:
    default = sandbox.state.default_workspace_id
    live, archived = named_workspaces(sandbox)
    account = org.service_accounts.create(name="member-bot")
    memberships = org.service_accounts.workspaces
    (implicit,) = memberships.list(account.id)
    assert (implicit.workspace_id, implicit.workspace_role, implicit.implicit) == (
        default,
        "workspace_user",
        True,
    )
    assert implicit.created_by_actor_id is None

    added = memberships.add(account.id, workspace_id=live[0].id, workspace_role="workspace_developer")
    assert (added.implicit, added.workspace_role, added.created_by_actor_id) == (
        False,
        "workspace_developer",
        sandbox.state.admin_key_user_id,
    )
    replaced = memberships.add(account.id, workspace_id=live[0].id, workspace_role="workspace_admin")
    assert replaced.workspace_role == "workspace_admin"
    listed = list(memberships.list(account.id))
    assert [(m.workspace_id, m.implicit) for m in listed] == [(default, True), (live[0].id, False)]

    removed = memberships.remove(live[0].id, service_account_id=account.id)
    assert (removed.type, removed.service_account_id, removed.workspace_id) == (
        "service_account_workspace_member_deleted",
        account.id,
        live[0].id,
    )
    assert memberships.remove(live[0].id, service_account_id=account.id).workspace_id == live[0].id
    memberships.remove(default, service_account_id=account.id)  # the implicit one: a no-op
    assert [m.implicit for m in memberships.list(account.id)] == [True]

    explicit_default = memberships.add(account.id, workspace_id=default, workspace_role="workspace_developer")
    assert explicit_default.implicit is False
    assert [(m.workspace_id, m.implicit) for m in memberships.list(account.id)] == [(default, False)]
    memberships.remove(default, service_account_id=account.id)
    assert [m.implicit for m in memberships.list(account.id)] == [True], "back to the implicit one"

    with pytest.raises(anthropic.BadRequestError, match="workspace_billing"):
        memberships.add(account.id, workspace_id=live[0].id, workspace_role="workspace_billing")  # type: ignore[arg-type]
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        memberships.add(account.id, workspace_id=archived.id, workspace_role="workspace_user")
    with pytest.raises(anthropic.NotFoundError):
        memberships.add(account.id, workspace_id=FAKE_WRKSPC, workspace_role="workspace_user")
    org.service_accounts.archive(account.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        memberships.add(account.id, workspace_id=live[0].id, workspace_role="workspace_user")
    assert memberships.list(account.id).data == [], "an archived account lists nothing"


def test_membership_list_pages(sandbox: RunningSandbox, org: Org) -> None:
    account = org.service_accounts.create(name="many-homes")
    memberships = org.service_accounts.workspaces
    workspaces = [org.workspaces.create(name=f"Home {index}") for index in range(5)]
    for workspace in workspaces:
        memberships.add(account.id, workspace_id=workspace.id, workspace_role="workspace_user")
    newest_first = [w.id for w in reversed(workspaces)]
    first = memberships.list(account.id, limit=1)
    assert [m.implicit for m in first.data] == [True, False], "limit=1 may answer implicit + one"
    assert first.next_page
    everything = [m.workspace_id for m in memberships.list(account.id, limit=2)]
    assert everything == [sandbox.state.default_workspace_id, *newest_first]
    second = first.get_next_page()
    assert [m.workspace_id for m in second.data] == newest_first[1:2]
    memberships.remove(newest_first[0], service_account_id=account.id)
    with pytest.raises(anthropic.BadRequestError, match="page:"):
        memberships.list(account.id, limit=1, page=first.next_page)


# -- memberships, from the workspace's side --------------------------------------------------------


def test_memberships_from_the_workspace(sandbox: RunningSandbox, org: Org) -> None:
    default = sandbox.state.default_workspace_id
    live, archived = named_workspaces(sandbox)
    members = org.workspaces.service_accounts
    accounts = [org.service_accounts.create(name=f"ws-bot-{index}") for index in range(3)]
    for account in accounts:
        added = members.add(live[1].id, service_account_id=account.id, workspace_role="workspace_user")
        assert added.workspace_id == live[1].id
    listed = [m.service_account_id for m in members.list(live[1].id, limit=2)]
    mine = {account.id for account in accounts}
    seeded = [m.service_account_id for m in sandbox.state.federation.memberships_in(live[1].id)]
    seeded = [account_id for account_id in seeded if account_id not in mine]
    assert seeded, "the seeded ci-deployer is a member here"
    assert listed == [a.id for a in reversed(accounts)] + list(reversed(seeded))

    fetched = members.retrieve(accounts[0].id, workspace_id=live[1].id)
    assert (fetched.workspace_role, fetched.implicit) == ("workspace_user", False)
    updated = members.update(
        accounts[0].id, workspace_id=live[1].id, workspace_role="workspace_restricted_developer"
    )
    assert updated.workspace_role == "workspace_restricted_developer"
    assert (
        org.service_accounts.workspaces.list(accounts[0].id).data[1].workspace_role == updated.workspace_role
    )

    implicit = members.retrieve(accounts[0].id, workspace_id=default)
    assert implicit.implicit is True and implicit.workspace_role == "workspace_user"
    assert accounts[0].id not in [m.service_account_id for m in members.list(default)], (
        "implicit ones are not listed"
    )
    with pytest.raises(anthropic.BadRequestError, match="implicit"):
        members.update(accounts[0].id, workspace_id=default, workspace_role="workspace_admin")
    with pytest.raises(anthropic.NotFoundError):
        members.retrieve(accounts[0].id, workspace_id=live[0].id)

    removed = members.remove(accounts[1].id, workspace_id=live[1].id)
    assert removed.type == "service_account_workspace_member_deleted"
    assert members.remove(accounts[1].id, workspace_id=live[1].id).service_account_id == accounts[1].id

    org.service_accounts.archive(accounts[2].id)
    assert accounts[2].id not in [m.service_account_id for m in members.list(live[1].id)]
    with pytest.raises(anthropic.NotFoundError):
        members.retrieve(accounts[2].id, workspace_id=live[1].id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        members.update(accounts[2].id, workspace_id=live[1].id, workspace_role="workspace_user")

    for call in (
        lambda: members.list(archived.id),
        lambda: members.retrieve(accounts[0].id, workspace_id=archived.id),
        lambda: members.remove(accounts[0].id, workspace_id=archived.id),
    ):
        with pytest.raises(anthropic.BadRequestError, match="archived"):
            call()
    kinds = {a.type for a in sandbox.state.activities}
    assert {
        "service_account_workspace_member_added",
        "service_account_workspace_member_updated",
        "service_account_workspace_member_removed",
    } <= kinds
