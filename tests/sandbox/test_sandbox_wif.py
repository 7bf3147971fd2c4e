"""The workload identity token exchange (`POST /v1/oauth/token`) and the tokens it mints.

The official SDK's own exchange code is the client: `exchange_federation_assertion` and a client
built on `WorkloadIdentityCredentials`. Every denial must be the same opaque 401, with the real
reason only in the state's authentication history.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import anthropic
import httpx2
import jwt
import pytest
from anthropic.lib.credentials import (
    IdentityTokenFile,
    WorkloadIdentityCredentials,
    WorkloadIdentityError,
    exchange_federation_assertion,
)
from anthropic.types.beta.organization.federation import BetaFederationRule

from claude_admin_mcp.sandbox.federation_seed import DEMO_ISSUER_URL, DEMO_KID, demo_signing_key
from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import OAUTH_TOKEN, assert_error
from ._wif_helpers import (
    AUDIENCE,
    CONSOLE_TOKEN,
    ISSUER_URL,
    SUBJECT,
    TOKEN_PATH,
    Setup,
    bearer_http,
    bearer_sdk,
    claims,
    exchange_body,
    fresh,
    last_reason,
    make_setup,
    plain_http,
    rsa_key,
    running_wif_sandbox,
    sign,
)

MATCH: Any = {"subject_prefix": "system:serviceaccount:payments:*", "claims": {"team": "payments"}}


@pytest.fixture(scope="module")
def _running() -> Iterator[RunningSandbox]:
    yield from running_wif_sandbox()


@pytest.fixture
def sandbox(_running: RunningSandbox) -> RunningSandbox:
    return fresh(_running)


@pytest.fixture
def setup(sandbox: RunningSandbox) -> Setup:
    return make_setup(sandbox, match=MATCH)


def team_claims(sandbox: RunningSandbox, **overrides: Any) -> dict[str, Any]:
    return claims(sandbox, **{"team": "payments", **overrides})


def post_exchange(sandbox: RunningSandbox, body: object, **headers: str) -> httpx2.Response:
    return plain_http(sandbox).post(TOKEN_PATH, json=body, headers=headers)


def admin_setup(sandbox: RunningSandbox, **options: Any) -> Setup:
    """An `org:admin` rule (made with the Console token) targeting an `admin` service account,
    enabled for the default workspace."""
    rule = {"workspace_id": sandbox.state.default_workspace_id, **options.pop("rule", {})}
    return make_setup(
        sandbox, creator=CONSOLE_TOKEN, scope="org:admin", role="admin", match=MATCH, rule=rule, **options
    )


def mint(sandbox: RunningSandbox, setup: Setup, **overrides: Any) -> dict[str, Any]:
    response = post_exchange(sandbox, exchange_body(setup, sign(team_claims(sandbox)), **overrides))
    assert response.status_code == 200, response.text
    return dict(response.json())


# -- the SDK's own exchange -----------------------------------------------------------------------


def test_sdk_exchange_federation_assertion(sandbox: RunningSandbox, setup: Setup) -> None:
    assertion = sign(team_claims(sandbox))
    token = exchange_federation_assertion(
        assertion=assertion,
        federation_rule_id=setup.rule_id,
        organization_id=setup.organization_id,
        service_account_id=setup.service_account_id,
        workspace_id=setup.workspace_id,
        base_url=sandbox.base_url,
    )
    assert token.token.startswith("sk-ant-oat01-") and len(token.token) > 60
    event = sandbox.state.federation.authentication_history[-1]
    assert (event.outcome, event.reason, event.subject) == ("success", None, SUBJECT)
    assert (event.service_account_id, event.workspace_id) == (setup.service_account_id, setup.workspace_id)
    assert event.request_id.startswith("req_")
    grant = sandbox.state.tokens.grants()[-1]
    assert (grant.oauth_scope, grant.workspace_id) == ("workspace:developer", setup.workspace_id)


def test_exchange_response_shape(sandbox: RunningSandbox, setup: Setup) -> None:
    response = post_exchange(
        sandbox,
        exchange_body(setup, sign(team_claims(sandbox), alg="ES256", kid="ec-256")),
        **{
            "anthropic-beta": "oauth-2025-04-20,oidc-federation-2026-04-01",
            "anthropic-version": "2023-06-01",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer" and body["scope"] == "workspace:developer"
    assert body["expires_in"] == 1200  # min(3600, 2 x 600 s left on the assertion)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["request-id"].startswith("req_")


@pytest.mark.parametrize(
    ("alg", "kid"),
    [("RS384", "rsa-1"), ("PS256", "rsa-1"), ("PS512", "rsa-1"), ("ES384", "ec-384"), ("ES512", "ec-521")],
)
def test_every_asymmetric_algorithm(sandbox: RunningSandbox, setup: Setup, alg: str, kid: str) -> None:
    body = exchange_body(setup, sign(team_claims(sandbox), alg=alg, kid=kid))
    assert post_exchange(sandbox, body).status_code == 200


def test_workload_identity_credentials_client(sandbox: RunningSandbox, tmp_path: Path) -> None:
    setup = admin_setup(sandbox)
    token_file = tmp_path / "token.jwt"
    token_file.write_text(sign(team_claims(sandbox), alg="ES256", kid="ec-256") + "\n")
    exchanges: list[httpx2.Request] = []
    calls: list[httpx2.Request] = []
    credentials = WorkloadIdentityCredentials(
        identity_token_provider=IdentityTokenFile(token_file),
        federation_rule_id=setup.rule_id,
        organization_id=setup.organization_id,
        service_account_id=setup.service_account_id,
        workspace_id="default",
        http_client=httpx2.Client(event_hooks={"request": [exchanges.append]}),
    )
    client = anthropic.Anthropic(
        credentials=credentials,
        base_url=sandbox.base_url,
        _strict_response_validation=True,
        max_retries=0,
        http_client=httpx2.Client(event_hooks={"request": [calls.append]}),
    )
    users = list(client.beta.organization.users.list(limit=10))
    assert len(users) == len(sandbox.state.users)
    assert (
        client.beta.organization.service_accounts.retrieve(setup.service_account_id).organization_role
        == "admin"
    )
    created = client.beta.organization.workspaces.create(name="Made by a workload")
    assert len(exchanges) == 1, "the token is cached between calls"
    assert exchanges[0].headers["anthropic-beta"] == "oauth-2025-04-20,oidc-federation-2026-04-01"
    assert all("oauth-2025-04-20" in call.headers["anthropic-beta"] for call in calls)
    activity = sandbox.state.activities[-1]
    assert activity.type == "workspace_created" and activity.fields["workspace_id"] == created.id
    assert (activity.actor, activity.fields["credential"]) == (setup.service_account_id, "service_account")


def test_seeded_rule_exchanges_with_the_demo_key(sandbox: RunningSandbox) -> None:
    federation = sandbox.state.federation
    rule = next(rule for rule in federation.rules.values() if rule.name == "k8s-inference")
    now = sandbox.state.now_ts()
    assertion = jwt.encode(
        {
            "iss": DEMO_ISSUER_URL,
            "sub": "system:serviceaccount:inference:pod-1",
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 300,
        },
        demo_signing_key(sandbox.config.seed),
        algorithm="ES256",
        headers={"kid": DEMO_KID},
    )
    token = exchange_federation_assertion(
        assertion=assertion,
        federation_rule_id=rule.id,
        organization_id=sandbox.state.organization.id,
        base_url=sandbox.base_url,
    )
    assert token.token.startswith("sk-ant-oat01-")
    assert sandbox.state.tokens.grants()[-1].oauth_scope == "workspace:inference"


# -- denials -------------------------------------------------------------------------------------


def _none_alg(payload: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': 'rsa-1'})}.{part(payload)}."


def _second_workspace(sandbox: RunningSandbox, setup: Setup, *, member: bool) -> str:
    console = bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization
    other = next(w.id for w in console.workspaces.list(limit=5) if w.id != setup.workspace_id)
    console.federation.rules.workspaces.add(setup.rule_id, workspace_id=other)
    if member:
        console.service_accounts.workspaces.add(
            setup.service_account_id, workspace_id=other, workspace_role="workspace_user"
        )
    return other


Case = Callable[[RunningSandbox, Setup], dict[str, Any]]


def _body(
    sandbox: RunningSandbox, setup: Setup, assertion: str | None = None, **overrides: Any
) -> dict[str, Any]:
    return exchange_body(setup, assertion or sign(team_claims(sandbox)), **overrides)


def _replayed(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    body = _body(sandbox, setup)
    assert post_exchange(sandbox, body).status_code == 200
    return body


def _archived_rule(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization.federation.rules.archive(setup.rule_id)
    return _body(sandbox, setup)


def _archived_issuer(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    # The API refuses to archive an issuer a live rule uses, so reach the check through the state.
    sandbox.state.federation.issuers[setup.issuer_id].audit.archive(sandbox.state.now_ts(), "user_x")
    return _body(sandbox, setup)


def _demoted(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    sandbox.state.federation.rules[setup.rule_id].oauth_scope = "org:admin"
    return _body(sandbox, setup)


def _condition(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization.federation.rules.update(
        setup.rule_id, match=cast(Any, {**MATCH, "condition": 'claims.env in ["prod", "staging"]'})
    )
    return _body(sandbox, setup, sign(team_claims(sandbox, env="dev")))


def _fetched_keys(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    # The sandbox fetches nothing: only an inline JWKS can verify an assertion.
    bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization.federation.issuers.update(
        setup.issuer_id, jwks={"type": "explicit_url", "url": "https://keys.example.com/jwks.json"}
    )
    return _body(sandbox, setup)


def _unknown_rule(sandbox: RunningSandbox, setup: Setup) -> dict[str, Any]:
    return _body(sandbox, setup, federation_rule_id="fdrl_01" + "x" * 22)


def _now(sandbox: RunningSandbox) -> int:
    return sandbox.state.now_ts()


DENIALS: dict[str, tuple[Case, str]] = {
    "wrong subject": (
        lambda s, u: _body(s, u, sign(team_claims(s, sub="system:serviceaccount:fraud:x"))),
        "match_subject_prefix",
    ),
    "wrong audience": (
        lambda s, u: _body(s, u, sign(team_claims(s, aud="https://elsewhere.example"))),
        "match_audience",
    ),
    "wrong claims": (lambda s, u: _body(s, u, sign(team_claims(s, team="fraud"))), "match_claims"),
    "condition false": (_condition, "match_condition"),
    "expired": (
        lambda s, u: _body(s, u, sign(team_claims(s, iat=_now(s) - 900, exp=_now(s) - 60))),
        "jwt_expired",
    ),
    "future iat": (
        lambda s, u: _body(s, u, sign(team_claims(s, iat=_now(s) + 300, exp=_now(s) + 900))),
        "jwt_iat_in_future",
    ),
    "lifetime over max": (
        lambda s, u: _body(s, u, sign(team_claims(s, exp=_now(s) + 3601))),
        "jwt_lifetime_too_long",
    ),
    "missing iat": (lambda s, u: _body(s, u, sign(team_claims(s, iat=None))), "jwt_iat_missing"),
    "missing exp": (lambda s, u: _body(s, u, sign(team_claims(s, exp=None))), "jwt_exp_missing"),
    "missing sub": (lambda s, u: _body(s, u, sign(team_claims(s, sub=None))), "jwt_subject_missing"),
    "future nbf": (lambda s, u: _body(s, u, sign(team_claims(s, nbf=_now(s) + 300))), "jwt_not_yet_valid"),
    "wrong issuer": (
        lambda s, u: _body(s, u, sign(team_claims(s, iss=ISSUER_URL + "/"))),
        "jwt_issuer_mismatch",
    ),
    "replayed jti": (_replayed, "jti_replayed"),
    "unknown kid": (
        lambda s, u: _body(s, u, sign(team_claims(s), key=rsa_key(), kid="rotated-away")),
        "jwt_kid_unknown",
    ),
    "no kid": (lambda s, u: _body(s, u, sign(team_claims(s), key=rsa_key(), kid=None)), "jwt_kid_missing"),
    "HS256": (
        lambda s, u: _body(
            s, u, jwt.encode(team_claims(s), "x" * 32, algorithm="HS256", headers={"kid": "rsa-1"})
        ),
        "jwt_algorithm_not_allowed",
    ),
    "alg none": (lambda s, u: _body(s, u, _none_alg(team_claims(s))), "jwt_algorithm_not_allowed"),
    "wrong signature": (
        lambda s, u: _body(s, u, sign(team_claims(s), key=rsa_key(1))),
        "jwt_signature_invalid",
    ),
    "key of another type": (
        lambda s, u: _body(s, u, sign(team_claims(s), key=rsa_key(), kid="ec-256")),
        "jwt_key_mismatch",
    ),
    "not a JWT": (lambda s, u: _body(s, u, "definitely.not.a-jwt"), "jwt_malformed"),
    "archived rule": (_archived_rule, "rule_archived"),
    "unknown rule": (_unknown_rule, "rule_not_found"),
    "archived issuer": (_archived_issuer, "issuer_archived"),
    "issuer keys not inline": (_fetched_keys, "jwks_unavailable"),
    "wrong organization": (
        lambda s, u: _body(s, u, organization_id=str(uuid.uuid4())),
        "organization_mismatch",
    ),
    "service account mismatch": (
        lambda s, u: _body(s, u, service_account_id=next(iter(s.state.federation.service_accounts))),
        "service_account_mismatch",
    ),
    "org:admin rule, developer target": (_demoted, "service_account_role_insufficient"),
    "no workspace for a multi-workspace rule": (
        lambda s, u: (_second_workspace(s, u, member=True), _body(s, u))[1],
        "workspace_id_required",
    ),
    "not a member of the workspace": (
        lambda s, u: _body(s, u, workspace_id=_second_workspace(s, u, member=False)),
        "service_account_not_member",
    ),
    "workspace not enabled": (lambda s, u: _body(s, u, workspace_id="default"), "workspace_not_enabled"),
    "unknown workspace": (
        lambda s, u: _body(s, u, workspace_id="wrkspc_01" + "z" * 22),
        "workspace_not_found",
    ),
}


@pytest.mark.parametrize("case", list(DENIALS))
def test_every_denial_is_an_opaque_401_with_the_reason_recorded(
    sandbox: RunningSandbox, setup: Setup, case: str
) -> None:
    make_body, reason = DENIALS[case]
    body = make_body(sandbox, setup)
    before = len(sandbox.state.tokens)
    response = post_exchange(sandbox, body)
    assert assert_error(response, 401, "authentication_error") == "Authentication failed"
    assert last_reason(sandbox) == reason
    assert sandbox.state.federation.authentication_history[-1].outcome == "failure"
    assert len(sandbox.state.tokens) == before, "nothing minted"
    assert body["assertion"] not in response.text


def test_sdk_reports_a_denial_as_workload_identity_error(sandbox: RunningSandbox, setup: Setup) -> None:
    with pytest.raises(WorkloadIdentityError) as raised:
        exchange_federation_assertion(
            assertion=sign(team_claims(sandbox, sub="someone-else")),
            federation_rule_id=setup.rule_id,
            organization_id=setup.organization_id,
            base_url=sandbox.base_url,
        )
    assert raised.value.status_code == 401 and (raised.value.request_id or "").startswith("req_")
    assert last_reason(sandbox) == "match_subject_prefix"


def test_jti_checks_follow_the_issuer(sandbox: RunningSandbox) -> None:
    setup = make_setup(sandbox, match=MATCH, issuer={"check_jti": False})
    body = _body(sandbox, setup)
    assert post_exchange(sandbox, body).status_code == 200
    assert post_exchange(sandbox, body).status_code == 200, "check_jti off: a jti may be reused"
    strict = make_setup(sandbox, match=MATCH)
    no_jti = _body(sandbox, strict, sign(team_claims(sandbox, jti=None)))
    assert post_exchange(sandbox, no_jti).status_code == 200
    assert post_exchange(sandbox, no_jti).status_code == 200, "without a jti there is nothing to track"


MALFORMED: dict[str, Callable[[RunningSandbox, Setup], object]] = {
    "grant type": lambda s, u: _body(s, u, grant_type="client_credentials"),
    "no grant type": lambda s, u: _body(s, u, grant_type=None),
    "no assertion": lambda s, u: _body(s, u) | {"assertion": ""},
    "no rule": lambda s, u: _body(s, u, federation_rule_id=None),
    "malformed rule id": lambda s, u: _body(s, u, federation_rule_id="rule-1"),
    "no organization": lambda s, u: _body(s, u, organization_id=None),
    "organization not a UUID": lambda s, u: _body(s, u, organization_id="org_acme"),
    "workspace format": lambda s, u: _body(s, u, workspace_id="ws-1"),
    "service account format": lambda s, u: _body(s, u, service_account_id="sa-1"),
    "assertion over 16 KiB": lambda s, u: _body(s, u, sign(team_claims(s, padding="x" * 17_000))),
    "not an object": lambda s, u: ["not", "an", "object"],
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_requests_are_400_without_history(sandbox: RunningSandbox, setup: Setup, case: str) -> None:
    body = MALFORMED[case](sandbox, setup)
    response = post_exchange(sandbox, body)
    assert_error(response, 400, "invalid_request_error")
    assert sandbox.state.federation.authentication_history == []
    if isinstance(body, dict) and body.get("assertion"):
        assert body["assertion"] not in response.text


def test_exchange_needs_no_credential_and_ignores_one(sandbox: RunningSandbox, setup: Setup) -> None:
    bad_credential = {"authorization": "Bearer not-a-real-token", "x-api-key": "nope"}
    response = post_exchange(sandbox, _body(sandbox, setup), **bad_credential)
    assert response.status_code == 200, response.text
    assert_error(httpx2.get(sandbox.base_url + TOKEN_PATH), 405, "invalid_request_error")


# -- lifetimes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_lifetime", "assertion_left", "floor", "expected"),
    [
        (3600, 600, 1, 1200),  # twice the assertion's remaining life
        (300, 600, 1, 300),  # the rule's lifetime
        (3600, 10, 1, 20),
        (3600, 10, 60, 60),  # never below the floor (60 s on the real API)
        (1, 600, 1, 1),  # with the test floor, rules may ask for tiny lifetimes
    ],
)
def test_token_lifetime_formula(
    sandbox: RunningSandbox, rule_lifetime: int, assertion_left: int, floor: int, expected: int
) -> None:
    setup = make_setup(sandbox, match=MATCH, token_lifetime_seconds=rule_lifetime)
    sandbox.state.federation.min_token_lifetime_seconds = floor
    now = sandbox.state.now_ts()
    assertion = sign(team_claims(sandbox, iat=now - 60, exp=now + assertion_left))
    response = post_exchange(sandbox, exchange_body(setup, assertion))
    assert response.status_code == 200, response.text
    assert response.json()["expires_in"] == expected
    grant = sandbox.state.tokens.grants()[-1]
    assert grant.expires_at - grant.issued_at == expected


def test_rule_lifetime_below_60_needs_the_lower_floor(sandbox: RunningSandbox) -> None:
    sandbox.state.federation.min_token_lifetime_seconds = 60
    with pytest.raises(anthropic.BadRequestError, match="token_lifetime_seconds"):
        make_setup(sandbox, match=MATCH, token_lifetime_seconds=30)


def test_expired_minted_token_is_401(sandbox: RunningSandbox) -> None:
    setup = admin_setup(sandbox, token_lifetime_seconds=5)
    token = mint(sandbox, setup)["access_token"]
    with bearer_http(sandbox, token) as http:
        assert http.get("/v1/organizations/users").status_code == 200
        started = sandbox.state.clock
        sandbox.state.clock = lambda: started() + timedelta(seconds=6)
        response = http.get("/v1/organizations/users")
    assert_error(response, 401, "authentication_error")
    assert token not in response.text


# -- what minted tokens may do -------------------------------------------------------------------


def test_workspace_scoped_token_is_403_on_admin_endpoints(sandbox: RunningSandbox, setup: Setup) -> None:
    token = mint(sandbox, setup)["access_token"]
    with bearer_http(sandbox, token) as http:
        for method, path in [
            ("GET", "/v1/organizations/me"),
            ("GET", "/v1/organizations/users"),
            ("GET", "/v1/organizations/service_accounts"),
            ("GET", "/v1/organizations/federation_rules"),
            ("POST", "/v1/organizations/workspaces"),
        ]:
            response = http.request(method, path, json={"name": "x"} if method == "POST" else None)
            message = assert_error(response, 403, "permission_error")
            assert "org:admin" in message and token not in response.text


def test_org_admin_token_is_accepted_by_every_admin_endpoint(sandbox: RunningSandbox) -> None:
    setup = admin_setup(sandbox)
    client = bearer_sdk(sandbox, mint(sandbox, setup)["access_token"]).beta.organization
    assert client.retrieve().id == sandbox.state.organization.id
    assert client.users.list(limit=2).data
    assert client.invites.list(limit=2).data
    workspace = client.workspaces.list(limit=1).data[0]
    assert client.workspaces.members.list(workspace.id, limit=2) is not None
    assert client.api_keys.list(limit=2).data
    assert client.service_accounts.retrieve(setup.service_account_id).id == setup.service_account_id
    assert client.federation.issuers.retrieve(setup.issuer_id).id == setup.issuer_id
    assert client.federation.rules.retrieve(setup.rule_id).oauth_scope == "org:admin"
    # A workload's org:admin token may make developer service accounts and OAuth-manageable rules.
    made = client.service_accounts.create(name="made-by-workload")
    assert made.created_by_actor_id == setup.service_account_id
    with pytest.raises(anthropic.PermissionDeniedError, match="interactive credential"):
        client.service_accounts.create(name="admin-by-workload", organization_role="admin")
    with pytest.raises(anthropic.PermissionDeniedError, match="interactive credential"):
        client.service_accounts.update(setup.service_account_id, organization_role="admin")

    def create_rule(name: str, oauth_scope: str) -> BetaFederationRule:
        return client.federation.rules.create(
            name=name,
            oauth_scope=oauth_scope,
            issuer_id=setup.issuer_id,
            match={"subject_prefix": "ci:deploy"},
            target={"type": "service_account", "service_account_id": made.id},
            workspace_id=workspace.id,
        )

    created = create_rule("workload-made", "workspace:inference")
    assert created.created_by_actor_id == setup.service_account_id
    with pytest.raises(anthropic.PermissionDeniedError, match="Console session"):
        create_rule("workload-admin", "org:admin")
    with pytest.raises(anthropic.PermissionDeniedError, match="Console session"):
        client.federation.rules.update(setup.rule_id, description="changed by a workload")


def test_demoting_the_service_account_stops_its_admin_token(sandbox: RunningSandbox) -> None:
    setup = admin_setup(sandbox)
    token = mint(sandbox, setup)["access_token"]
    bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization.service_accounts.update(
        setup.service_account_id, organization_role="developer"
    )
    with bearer_http(sandbox, token) as http:
        assert_error(http.get("/v1/organizations/users"), 403, "permission_error")
    response = post_exchange(sandbox, _body(sandbox, setup))
    assert_error(response, 401, "authentication_error")
    assert last_reason(sandbox) == "service_account_role_insufficient"


def test_archiving_the_rule_keeps_minted_tokens_archiving_the_account_ends_them(
    sandbox: RunningSandbox,
) -> None:
    setup = admin_setup(sandbox)
    token = mint(sandbox, setup)["access_token"]
    console = bearer_sdk(sandbox, CONSOLE_TOKEN).beta.organization
    archived = console.federation.rules.archive(setup.rule_id)
    assert archived.workspace_ids == [] and archived.workspace_id is None
    with bearer_http(sandbox, token) as http:
        assert http.get("/v1/organizations/users").status_code == 200
        console.service_accounts.archive(setup.service_account_id)
        assert_error(http.get("/v1/organizations/users"), 401, "authentication_error")


def test_workspace_resolution(sandbox: RunningSandbox) -> None:
    default = sandbox.state.default_workspace_id
    setup = make_setup(sandbox, match=MATCH, rule={"workspace_id": default})
    assert mint(sandbox, setup) and sandbox.state.tokens.grants()[-1].workspace_id == default
    assert mint(sandbox, setup, workspace_id="default")
    oauth = bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization
    oauth.federation.rules.workspaces.add(setup.rule_id, workspace_id=setup.workspace_id)
    assert mint(sandbox, setup) and sandbox.state.tokens.grants()[-1].workspace_id == default
    assert mint(sandbox, setup, workspace_id=setup.workspace_id)
    assert sandbox.state.tokens.grants()[-1].workspace_id == setup.workspace_id

    everywhere = make_setup(
        sandbox, match=MATCH, rule={"workspace_id": None, "applies_to_all_workspaces": True}
    )
    assert_error(post_exchange(sandbox, _body(sandbox, everywhere)), 401, "authentication_error")
    assert last_reason(sandbox) == "workspace_id_required"
    assert mint(sandbox, everywhere, workspace_id=everywhere.workspace_id)


def test_conditions_are_evaluated(sandbox: RunningSandbox) -> None:
    condition = (
        'claims.env in ["prod", "staging"] && claims.ref.startsWith("refs/heads/") && !has(claims.fork)'
    )
    setup = make_setup(sandbox, match={"condition": condition})
    good = team_claims(sandbox, env="prod", ref="refs/heads/main")
    assert post_exchange(sandbox, _body(sandbox, setup, sign(good))).status_code == 200
    for bad in ({"env": "dev"}, {"ref": "refs/tags/v1"}, {"fork": True}, {"env": None}):
        assertion = sign(team_claims(sandbox, **{**good, "jti": uuid.uuid4().hex, **bad}))
        assert post_exchange(sandbox, _body(sandbox, setup, assertion)).status_code == 401
        assert last_reason(sandbox) == "match_condition"


# -- secrets ---------------------------------------------------------------------------------------


def test_tokens_and_assertions_never_leak(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="claude_admin_mcp.sandbox")
    caplog.set_level(logging.DEBUG, logger="uvicorn")
    setup = admin_setup(sandbox)
    assertion = sign(team_claims(sandbox))
    exchanged = post_exchange(sandbox, exchange_body(setup, assertion))
    token = exchanged.json()["access_token"]
    bodies = [exchanged.text.replace(token, "")]
    bodies.append(post_exchange(sandbox, exchange_body(setup, assertion)).text)  # replay
    bodies.append(post_exchange(sandbox, exchange_body(setup, assertion, grant_type="x")).text)
    with bearer_http(sandbox, token) as http:
        for path in (
            "/v1/organizations/service_accounts",
            f"/v1/organizations/federation_rules/{setup.rule_id}",
            "/v1/organizations/federation_issuers",
            "/v1/organizations/users?limit=1",
        ):
            bodies.append(http.get(path).text)
    bodies.append(
        httpx2.get(
            sandbox.base_url + "/v1/organizations/users", headers={"authorization": f"Bearer {token}x"}
        ).text
    )
    # A sandbox bug mid-exchange is logged with its traceback: still no secret in it.
    monkeypatch.setattr(sandbox.state.tokens, "mint", lambda *args: 1 / 0)
    crashed = post_exchange(sandbox, exchange_body(setup, sign(team_claims(sandbox))))
    assert crashed.status_code == 500
    bodies.append(crashed.text)
    records = [r for r in caplog.records if r.name.startswith(("claude_admin_mcp.sandbox", "uvicorn"))]
    assert any("sandbox bug" in r.getMessage() for r in records)
    logged = "\n".join(caplog.text.splitlines())
    state_views = [json.dumps(sandbox.state.snapshot()), repr(sandbox.state.tokens)]
    state_views += [json.dumps(event.to_dict()) for event in sandbox.state.federation.authentication_history]
    for text in [*bodies, logged, *state_views]:
        assert token not in text and token[-24:] not in text
        assert assertion not in text and assertion.split(".")[2][-24:] not in text
