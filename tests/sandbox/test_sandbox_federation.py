"""Federation issuers and rules through the official SDK (strict), their validation, the Console
and OAuth write restrictions, the seeded setup, and the CEL subset rule conditions use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import anthropic
import httpx2
import pytest
from anthropic.resources.beta.organization import Organization as Org

from claude_admin_mcp.sandbox import cel
from claude_admin_mcp.sandbox.federation_seed import DEMO_ISSUER_URL
from claude_admin_mcp.sandbox.runner import RunningSandbox, build_state

from ._sandbox_helpers import OAUTH_TOKEN, assert_error
from ._wif_helpers import (
    CONSOLE_TOKEN,
    ISSUER_URL,
    WIF_CONFIG,
    bearer_sdk,
    fresh,
    public_jwk,
    rsa_key,
    running_wif_sandbox,
    standard_jwks,
)

GITHUB = "https://token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def _running() -> Iterator[RunningSandbox]:
    yield from running_wif_sandbox()


@pytest.fixture
def sandbox(_running: RunningSandbox) -> RunningSandbox:
    return fresh(_running)


@pytest.fixture
def org(sandbox: RunningSandbox) -> Org:
    return bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization


@pytest.fixture
def console(sandbox: RunningSandbox) -> Org:
    return bearer_sdk(sandbox, CONSOLE_TOKEN).beta.organization


def http_post(sandbox: RunningSandbox, path: str, body: object, token: str = OAUTH_TOKEN) -> httpx2.Response:
    return httpx2.post(sandbox.base_url + path, json=body, headers={"authorization": f"Bearer {token}"})


def live_workspace(sandbox: RunningSandbox, index: int = 0) -> str:
    return [w.id for w in sandbox.state.workspaces.values() if not w.is_default and w.archived_at is None][
        index
    ]


def rule_body(sandbox: RunningSandbox, issuer_id: str, account_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "deploys",
        "issuer_id": issuer_id,
        "match": {"subject_prefix": "ci:deploy"},
        "target": {"type": "service_account", "service_account_id": account_id},
        "oauth_scope": "workspace:developer",
        "workspace_id": live_workspace(sandbox),
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


def issuer_and_account(org: Org, role: Literal["admin", "developer"] = "developer") -> tuple[str, str]:
    issuer = org.federation.issuers.create(name="ci", issuer_url=ISSUER_URL, jwks=standard_jwks())
    account = org.service_accounts.create(name=f"target-{role}", organization_role=role)
    return issuer.id, account.id


# -- issuers ---------------------------------------------------------------------------------------


def test_issuer_lifecycle(sandbox: RunningSandbox, org: Org) -> None:
    issuers = org.federation.issuers
    made = issuers.create(name="k8s-staging", issuer_url="https://oidc.staging.example.com")
    assert made.jwks.type == "discovery" and made.check_jti is True and made.max_jwt_lifetime_seconds == 3600
    assert made.poll_status is None and made.jwks_polling_disabled_at is None
    assert made.created_by_actor_id == sandbox.state.admin_key_user_id
    assert issuers.retrieve(made.id) == made

    inline = standard_jwks()
    updated = issuers.update(
        made.id,
        name="k8s-staging-2",
        jwks=inline,
        check_jti=False,
        max_jwt_lifetime_seconds=176_400,
        jwks_polling_disabled=False,
    )
    assert updated.jwks.type == "inline" and len(updated.jwks.keys) == 4
    assert (updated.name, updated.check_jti, updated.max_jwt_lifetime_seconds) == (
        "k8s-staging-2",
        False,
        176_400,
    )
    explicit = issuers.update(
        made.id, jwks={"type": "explicit_url", "url": "https://keys.example.com/jwks.json"}
    )
    assert explicit.jwks.type == "explicit_url"
    with pytest.raises(anthropic.BadRequestError, match="jwks_polling_disabled"):
        issuers.update(made.id, jwks_polling_disabled=True)

    archived = issuers.archive(made.id)
    assert archived.archived_at is not None
    assert issuers.archive(made.id).archived_at == archived.archived_at
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        issuers.update(made.id, check_jti=True)
    assert made.id not in [i.id for i in issuers.list()]
    assert made.id in [i.id for i in issuers.list(include_archived=True)]
    kinds = [a.type for a in sandbox.state.activities if a.fields.get("federation_issuer_id") == made.id]
    assert kinds[0] == "federation_issuer_created" and kinds[-1] == "federation_issuer_archived"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"issuer_url": "http://oidc.example.com"}, "issuer_url: url must use https scheme"),
        ({"issuer_url": "https://oidc.example.com:8443"}, "issuer_url: url must use port 443"),
        ({"issuer_url": "https://10.0.0.7"}, "issuer_url: url must use a DNS name, not an IP address"),
        ({"issuer_url": "https://[::1]/oidc"}, "issuer_url: url must use a DNS name, not an IP address"),
        ({"issuer_url": "https://localhost"}, "issuer_url: url must be a public DNS name"),
        ({"issuer_url": "https://user:pw@oidc.example.com"}, "issuer_url: url must not contain credentials"),
        ({"issuer_url": None}, "issuer_url: Field required"),
        (
            {"jwks": {"type": "explicit_url", "url": "http://keys.example.com"}},
            "jwks.url: url must use https scheme",
        ),
        (
            {"jwks": {"type": "discovery", "discovery_base": "https://1.2.3.4"}},
            "jwks.discovery_base: url must use a DNS",
        ),
        ({"jwks": {"type": "magic"}}, "jwks.type:"),
        ({"jwks": {"type": "inline", "keys": []}}, "jwks.keys:"),
        (
            {"jwks": {"type": "inline", "keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}},
            "jwks.keys[0].kty:",
        ),
        (
            {"jwks": {"type": "inline", "keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}},
            "jwks.keys[0].kid:",
        ),
        (
            {"jwks": {"type": "inline", "keys": [{"kty": "RSA", "kid": "x", "n": "!!", "e": "AQAB"}]}},
            "jwks.keys[0]: not a readable",
        ),
        ({"jwks": {"type": "inline", "keys": ["not a key"]}}, "jwks.keys[0]:"),
        ({"check_jti": "yes"}, "check_jti:"),
        ({"max_jwt_lifetime_seconds": 0}, "max_jwt_lifetime_seconds:"),
        ({"max_jwt_lifetime_seconds": 176_401}, "max_jwt_lifetime_seconds:"),
        ({"name": "Not A Slug"}, "name:"),
    ],
)
def test_issuer_validation(sandbox: RunningSandbox, body: dict[str, Any], message: str) -> None:
    request = {"name": "checked", "issuer_url": "https://oidc.example.com", **body}
    response = http_post(
        sandbox, "/v1/organizations/federation_issuers", {k: v for k, v in request.items() if v is not None}
    )
    assert assert_error(response, 400, "invalid_request_error").startswith(message)
    assert len(sandbox.state.federation.issuers) == 1


def test_inline_keys_must_be_public(sandbox: RunningSandbox) -> None:
    key = public_jwk(rsa_key(), "k")
    private = {**key, "d": "AQAB"}
    for keys, message in (([private], "private key material"), ([key, key], "duplicate kid")):
        body = {"name": "x", "issuer_url": ISSUER_URL, "jwks": {"type": "inline", "keys": keys}}
        response = http_post(sandbox, "/v1/organizations/federation_issuers", body)
        assert message in assert_error(response, 400, "invalid_request_error")


def test_issuer_url_not_fetched_may_be_internal(org: Org) -> None:
    made = org.federation.issuers.create(
        name="internal", issuer_url="https://kubernetes.default.svc", jwks=standard_jwks()
    )
    assert made.issuer_url == "https://kubernetes.default.svc"
    with pytest.raises(anthropic.BadRequestError, match="public DNS"):
        org.federation.issuers.update(made.id, jwks={"type": "discovery"})


def test_issuer_names_conflict(org: Org) -> None:
    org.federation.issuers.create(name="same", issuer_url=ISSUER_URL)
    with pytest.raises(anthropic.ConflictError):
        org.federation.issuers.create(name="same", issuer_url=ISSUER_URL)


def test_issuer_archive_is_refused_while_a_live_rule_uses_it(sandbox: RunningSandbox, org: Org) -> None:
    rule = next(iter(sandbox.state.federation.rules.values()))
    with pytest.raises(anthropic.BadRequestError, match=rule.id):
        org.federation.issuers.archive(rule.issuer_id)
    org.federation.rules.archive(rule.id)
    assert org.federation.issuers.archive(rule.issuer_id).archived_at is not None


# -- rules -----------------------------------------------------------------------------------------


def test_rule_lifecycle(sandbox: RunningSandbox, org: Org) -> None:
    issuer_id, account_id = issuer_and_account(org)
    rules = org.federation.rules
    workspace = live_workspace(sandbox)
    made = rules.create(**rule_body(sandbox, issuer_id, account_id, description="CI deploys"))
    assert made.issuer_name == "ci" and made.target.service_account_name == "target-developer"
    assert (made.workspace_ids, made.workspace_id, made.attributes) == ([workspace], workspace, None)
    assert (made.token_lifetime_seconds, made.applies_to_all_workspaces) == (3600, False)
    assert made.match.subject_prefix == "ci:deploy" and made.match.audience is None
    assert rules.retrieve(made.id) == made
    assert [r.id for r in rules.list(issuer_id=issuer_id)] == [made.id]
    assert len(rules.list().data) == 2  # the seeded one too

    other = org.service_accounts.create(name="other-target")
    updated = rules.update(
        made.id,
        name="deploys-v2",
        description=None,
        match={"subject_prefix": "ci:*", "audience": "https://api.example.com", "claims": {"env": "prod"}},
        target={"type": "service_account", "service_account_id": other.id},
        token_lifetime_seconds=600,
        oauth_scope="workspace:inference",
    )
    assert (updated.name, updated.description, updated.token_lifetime_seconds) == ("deploys-v2", "", 600)
    assert updated.target.service_account_id == other.id and updated.match.claims == {"env": "prod"}
    assert updated.oauth_scope == "workspace:inference" and updated.updated_at >= made.updated_at
    with pytest.raises(anthropic.BadRequestError, match="issuer_id"):
        rules.update(made.id, extra_body={"issuer_id": issuer_id})

    archived = rules.archive(made.id)
    assert archived.archived_at is not None and archived.workspace_ids == [] and archived.workspace_id is None
    assert rules.archive(made.id).archived_at == archived.archived_at
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        rules.update(made.id, description="too late")
    assert made.id not in [r.id for r in rules.list()]
    assert made.id in [r.id for r in rules.list(include_archived=True)]
    assert sandbox.state.activities[-1].type == "federation_rule_archived"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"match": {"audience": "https://api.anthropic.com"}}, "match: at least one of"),
        ({"match": {"subject_prefix": "*"}}, "match: at least one of"),
        ({"match": {}}, "match: at least one of"),
        ({"match": {"claims": {"n": 1}}}, "match.claims:"),
        ({"match": {"condition": "true"}}, "match.condition: a constant-true"),
        ({"match": {"condition": 'true || claims.a == "b"'}}, "match.condition: a constant-true"),
        ({"match": {"condition": 'claims.ref.matches("^v")'}}, "match.condition: unsupported function"),
        ({"match": {"condition": "request.time > 0"}}, "match.condition: unknown name"),
        ({"match": {"condition": "claims.env"}}, "match.condition: must evaluate to a boolean"),
        ({"match": {"condition": "claims.env =="}}, "match.condition:"),
        ({"match": {"subject_prefix": "a", "colour": "red"}}, "match.colour:"),
        ({"match": None}, "match: Field required"),
        ({"oauth_scope": None}, "oauth_scope: Field required"),
        ({"oauth_scope": "workspace:everything"}, "oauth_scope: unknown scope"),
        ({"target": None}, "target: Field required"),
        ({"target": {"type": "user", "service_account_id": "svac_01x"}}, "target.type:"),
        (
            {"target": {"type": "service_account", "service_account_id": "svac_01" + "Z" * 22}},
            "target.service_account_id:",
        ),
        ({"workspace_id": None}, "workspace_id: required unless applies_to_all_workspaces"),
        ({"applies_to_all_workspaces": True}, "workspace_id: give either"),
        ({"workspace_id": "wrkspc_01" + "Z" * 22}, "workspace_id: no workspace"),
        ({"token_lifetime_seconds": 0}, "token_lifetime_seconds:"),
        ({"token_lifetime_seconds": 86_401}, "token_lifetime_seconds:"),
        ({"attributes": {"team": "claims.team"}}, "attributes: not yet supported"),
        ({"issuer_id": "fdis_01" + "Z" * 22}, "issuer_id: no live federation issuer"),
        ({"name": "UPPER"}, "name:"),
    ],
)
def test_rule_validation(sandbox: RunningSandbox, org: Org, overrides: dict[str, Any], message: str) -> None:
    issuer_id, account_id = issuer_and_account(org)
    body = rule_body(sandbox, issuer_id, account_id)
    body.update(overrides)
    body = {name: value for name, value in body.items() if value is not None}
    response = http_post(sandbox, "/v1/organizations/federation_rules", body)
    assert assert_error(response, 400, "invalid_request_error").startswith(message)
    assert len(sandbox.state.federation.rules) == 1


def test_rule_references_must_be_live(sandbox: RunningSandbox, org: Org) -> None:
    issuer_id, account_id = issuer_and_account(org)
    archived_workspace = next(w.id for w in sandbox.state.workspaces.values() if w.archived_at is not None)
    for overrides, message in (
        ({"workspace_id": archived_workspace}, "archived"),
        ({"attributes": {}}, None),
    ):
        response = http_post(
            sandbox,
            "/v1/organizations/federation_rules",
            rule_body(sandbox, issuer_id, account_id, **overrides),
        )
        if message is None:
            assert response.status_code == 200, response.text
        else:
            assert message in assert_error(response, 400, "invalid_request_error")
    with pytest.raises(anthropic.ConflictError):
        org.federation.rules.create(**rule_body(sandbox, issuer_id, account_id))
    org.service_accounts.create(name="soon-archived")
    doomed = org.service_accounts.create(name="doomed")
    org.service_accounts.archive(doomed.id)
    with pytest.raises(anthropic.BadRequestError, match="no live service account"):
        org.federation.rules.create(**rule_body(sandbox, issuer_id, doomed.id, name="to-archived"))


def test_org_admin_rules_need_the_console_and_an_admin_target(
    sandbox: RunningSandbox, org: Org, console: Org
) -> None:
    issuer_id, developer_id = issuer_and_account(org)
    admin_id = org.service_accounts.create(name="admin-target", organization_role="admin").id
    admin_rule = rule_body(sandbox, issuer_id, admin_id, name="admin-rule", oauth_scope="org:admin")
    with pytest.raises(anthropic.PermissionDeniedError, match="Console session"):
        org.federation.rules.create(**admin_rule)
    with pytest.raises(anthropic.PermissionDeniedError, match="Console session"):
        org.federation.rules.create(**{**admin_rule, "oauth_scope": "workspace:manage_tunnels"})
    with pytest.raises(anthropic.BadRequestError, match="organization_role is 'admin'"):
        console.federation.rules.create(
            **rule_body(sandbox, issuer_id, developer_id, oauth_scope="org:admin")
        )
    made = console.federation.rules.create(**admin_rule)
    assert made.oauth_scope == "org:admin" and sandbox.state.activities[-1].fields["credential"] == "console"

    rules = org.federation.rules
    for attempt in (
        lambda: rules.update(made.id, description="by OAuth"),
        lambda: rules.archive(made.id),
        lambda: rules.workspaces.add(made.id, workspace_id=live_workspace(sandbox, 1)),
        lambda: rules.workspaces.remove(live_workspace(sandbox), federation_rule_id=made.id),
        lambda: org.federation.issuers.update(issuer_id, check_jti=False),
    ):
        with pytest.raises(anthropic.PermissionDeniedError, match="Console session"):
            attempt()
    plain = rules.create(**rule_body(sandbox, issuer_id, developer_id))
    with pytest.raises(anthropic.PermissionDeniedError):
        rules.update(plain.id, oauth_scope="org:admin")
    assert console.federation.issuers.update(issuer_id, check_jti=False).check_jti is False
    assert (
        console.federation.rules.update(made.id, description="by the Console").description == "by the Console"
    )
    assert console.federation.rules.archive(made.id).archived_at is not None


def test_rule_workspaces(sandbox: RunningSandbox, org: Org) -> None:
    issuer_id, account_id = issuer_and_account(org)
    first, second = live_workspace(sandbox, 0), live_workspace(sandbox, 1)
    rule = org.federation.rules.create(**rule_body(sandbox, issuer_id, account_id))
    enablements = org.federation.rules.workspaces
    added = enablements.add(rule.id, workspace_id=second)
    assert (added.workspace_id, added.workspace_name, added.federation_rule_id) == (second, None, rule.id)
    assert enablements.add(rule.id, workspace_id=second).created_at == added.created_at, "idempotent"
    page = enablements.list(rule.id, limit=1)
    assert page.next_page is None
    names = {w.id: w.name for w in sandbox.state.workspaces.values()}
    assert [(e.workspace_id, e.workspace_name) for e in page.data] == [
        (first, names[first]),
        (second, names[second]),
    ]
    assert org.federation.rules.retrieve(rule.id).workspace_ids == [first, second]

    with pytest.raises(anthropic.BadRequestError, match="several workspaces"):
        org.federation.rules.update(rule.id, workspace_id=first)
    removed = enablements.remove(first, federation_rule_id=rule.id)
    assert (removed.type, removed.workspace_id) == ("federation_rule_workspace_deleted", first)
    assert enablements.remove(first, federation_rule_id=rule.id).workspace_id == first
    after = org.federation.rules.retrieve(rule.id)
    assert after.workspace_ids == [second] and after.workspace_id is None
    replaced = org.federation.rules.update(rule.id, workspace_id=first)
    assert (replaced.workspace_ids, replaced.workspace_id) == ([first], first)
    everywhere = org.federation.rules.update(rule.id, applies_to_all_workspaces=True)
    assert everywhere.applies_to_all_workspaces is True
    enablements.remove(first, federation_rule_id=rule.id)
    with pytest.raises(anthropic.BadRequestError, match="no workspace"):
        org.federation.rules.update(rule.id, applies_to_all_workspaces=False)

    archived_workspace = next(w.id for w in sandbox.state.workspaces.values() if w.archived_at is not None)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        enablements.add(rule.id, workspace_id=archived_workspace)
    with pytest.raises(anthropic.NotFoundError):
        enablements.add(rule.id, workspace_id="wrkspc_01" + "Z" * 22)
    org.federation.rules.archive(rule.id)
    assert enablements.list(rule.id).data == []
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        enablements.add(rule.id, workspace_id=first)


def test_issuer_and_rule_lists_page(sandbox: RunningSandbox, org: Org) -> None:
    issuer_id, account_id = issuer_and_account(org)
    for index in range(11):
        org.federation.issuers.create(name=f"issuer-{index}", issuer_url=ISSUER_URL)
        org.federation.rules.create(**rule_body(sandbox, issuer_id, account_id, name=f"rule-{index}"))
    federation = sandbox.state.federation
    assert [i.id for i in org.federation.issuers.list(limit=4)] == [
        i.id for i in federation.issuers.newest_first()
    ]
    assert [r.id for r in org.federation.rules.list(limit=3)] == [
        r.id for r in federation.rules.newest_first()
    ]
    assert len(list(org.federation.rules.list(issuer_id=issuer_id, limit=5))) == 11
    with pytest.raises(anthropic.BadRequestError, match="issuer_id"):
        org.federation.rules.list(issuer_id="not-an-issuer")


def test_shared_issuers_must_pin_the_tenant(sandbox: RunningSandbox, org: Org) -> None:
    github = org.federation.issuers.create(name="github", issuer_url=GITHUB)
    account_id = org.service_accounts.create(name="gha").id
    loose: list[Any] = [
        {"subject_prefix": "repo:*"},
        {"subject_prefix": "repo:*/deploy:*"},
        {"claims": {"ref": "refs/heads/main"}},
        {"condition": 'claims.ref == "refs/heads/main"'},
    ]
    for match in loose:
        with pytest.raises(anthropic.BadRequestError, match="pin your tenant"):
            org.federation.rules.create(**rule_body(sandbox, github.id, account_id, match=match))
    for index, match in enumerate(
        (
            {"subject_prefix": "repo:acme/*"},
            {"subject_prefix": "repo:acme/app:ref:refs/heads/main"},
            {"subject_prefix": "repo:*", "claims": {"repository_owner": "acme"}},
            {"condition": 'claims.repository_owner == "acme" && claims.ref.startsWith("refs/heads/")'},
        )
    ):
        org.federation.rules.create(
            **rule_body(sandbox, github.id, account_id, name=f"gha-{index}", match=match)
        )
    plain = org.federation.issuers.create(name="plain", issuer_url=ISSUER_URL, jwks=standard_jwks())
    org.federation.rules.create(
        **rule_body(sandbox, plain.id, account_id, name="loose", match={"subject_prefix": "repo:*"})
    )
    with pytest.raises(anthropic.BadRequestError, match="issuer_url: live rule"):
        org.federation.issuers.update(plain.id, issuer_url=GITHUB)


# -- the seeded setup ------------------------------------------------------------------------------


def test_seeded_federation(sandbox: RunningSandbox, org: Org) -> None:
    accounts = {a.name: a for a in org.service_accounts.list()}
    assert set(accounts) == {"inference-worker", "ci-deployer", "org-admin-automation"}
    assert accounts["org-admin-automation"].organization_role == "admin"
    (issuer,) = org.federation.issuers.list().data
    assert (issuer.name, issuer.issuer_url, issuer.jwks.type) == ("acme-k8s-prod", DEMO_ISSUER_URL, "inline")
    (rule,) = org.federation.rules.list().data
    assert rule.target.service_account_id == accounts["inference-worker"].id
    assert rule.issuer_id == issuer.id and rule.oauth_scope == "workspace:inference"
    workspaces = org.service_accounts.workspaces.list(accounts["inference-worker"].id).data
    assert rule.workspace_ids[0] in [m.workspace_id for m in workspaces]
    again = build_state(WIF_CONFIG).snapshot()["federation"]
    assert again == sandbox.state.snapshot()["federation"], "seeded deterministically"


# -- the CEL subset ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "claims", "expected"),
    [
        ('claims.env == "prod"', {"env": "prod"}, True),
        ("claims.env == 'prod'", {"env": "dev"}, False),
        ('claims.env != "prod"', {"env": "dev"}, True),
        ('claims.env in ["prod", "staging"]', {"env": "staging"}, True),
        ('"admins" in claims.groups', {"groups": ["devs", "admins"]}, True),
        ('claims["https://example.com/team"] == "a"', {"https://example.com/team": "a"}, True),
        ('claims.kubernetes.namespace == "payments"', {"kubernetes": {"namespace": "payments"}}, True),
        ('claims.ref.startsWith("refs/tags/") || claims.ref.endsWith("-rc")', {"ref": "v1-rc"}, True),
        ('claims.repo.contains("acme")', {"repo": "acme/app"}, True),
        ("claims.run_attempt <= 3 && claims.run_attempt > 0", {"run_attempt": 2}, True),
        ("!has(claims.fork)", {}, True),
        ("has(claims.fork) && claims.fork == false", {"fork": False}, True),
        ("claims.attempt == 1", {"attempt": True}, False),  # a boolean is not a number
        ('claims.missing == "x" || claims.env == "prod"', {"env": "prod"}, True),  # error absorbed
        ('claims.missing == "x" && claims.env == "prod"', {"env": "prod"}, False),
        ("claims.env < 3", {"env": "prod"}, False),  # type error: no match
        ('!(claims.env == "dev")', {"env": "prod"}, True),
    ],
)
def test_cel_subset_evaluates(condition: str, claims: dict[str, object], expected: bool) -> None:
    assert cel.matches(cel.compile_condition(condition), claims) is expected


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("true", "constant-true"),
        ("1 == 1", "constant-true"),
        ('!false || claims.a == "b"', "constant-true"),
        ("false", "constant"),
        ('claims.a == "b" &&', "unexpected end"),
        ('claims.a.matches("x")', "unsupported function"),
        ("size(claims.a) > 1", "unknown name"),
        ('"a" in "b"', "right side of 'in'"),
        ('claims.a == "b" ' + '&& claims.a == "b" ' * 70, "operators"),
        ("(" * 40 + 'claims.a == "b"' + ")" * 40, "nested"),
        ('claims.a == "\\q"', "unsupported escape"),
        ("claims.a @ 1", "unexpected character"),
    ],
)
def test_cel_subset_refuses(condition: str, reason: str) -> None:
    with pytest.raises(cel.CelError, match=reason):
        cel.compile_condition(condition)
