"""Federation issuers (`fdis_...`): create, list, retrieve, update, archive. OAuth only.

* `name`: slug, unique among live issuers (409). `issuer_url` is compared with the assertion's
  `iss` exactly; it must be `https`, on port 443, with a DNS name (not an IP literal), else 400
  with a field-prefixed message such as `issuer_url: url must use https scheme`. A URL the API
  would fetch (a `discovery` issuer's URL or `discovery_base`, an `explicit_url`) must also be a
  public DNS name (no `localhost`, single-label hosts or private suffixes such as `.local`,
  `.internal`, `.svc`).
* `jwks` is `{"type": "discovery", "discovery_base"?, "ca_cert_pem"?}` (the default),
  `{"type": "explicit_url", "url", "ca_cert_pem"?}` or `{"type": "inline", "keys": [JWK, ...]}`.
  Inline keys must be public RSA or EC signing keys with a `kid` (unique), no private members,
  and readable as such. The sandbox fetches nothing, so only an inline JWKS verifies assertions.
* `check_jti` defaults to true, `max_jwt_lifetime_seconds` to 3600 (1-176400). On update
  `jwks_polling_disabled` accepts only `false` (polling is never paused here, so it is a no-op).
* An archived issuer refuses updates (400); archiving is idempotent and refused (400) while a
  live rule uses the issuer. Updating an issuer that backs a live rule with a scope beyond
  `workspace:developer`/`workspace:inference` needs a Console session (403 otherwise); changing
  the URL to a well-known shared issuer is refused while a live rule would not pin its tenant.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import invalid_request
from ..exchange import ALLOWED_ALGORITHMS
from ..federation import ISSUER, Audit, FederationIssuer, tenant_pinning_problem
from ..params import Body, Query, read_json
from ._common import ok, record, sandbox
from ._wif import actor, name_taken, oauth_only, require_console_for

URL_MAX: Final = 2048
MAX_LIFETIME: Final = 176_400
DEFAULT_MAX_LIFETIME: Final = 3600
MAX_INLINE_KEYS: Final = 100
_PRIVATE_MEMBERS: Final = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_PRIVATE_HOSTS: Final = (
    ".localhost",
    ".local",
    ".internal",
    ".lan",
    ".home.arpa",
    ".svc",
    ".corp",
    ".intranet",
)
_FIELDS: Final = ("name", "issuer_url", "jwks", "check_jti", "max_jwt_lifetime_seconds")


def checked_url(field: str, value: object, *, fetched: bool) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_request(f"{field}: Input should be a non-empty string")
    if len(value) > URL_MAX:
        raise invalid_request(f"{field}: url must be at most {URL_MAX} characters")
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise invalid_request(f"{field}: url must use https scheme")
    try:
        port = parts.port
    except ValueError:
        raise invalid_request(f"{field}: url has an invalid port") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise invalid_request(f"{field}: url must have a host")
    if parts.username is not None or parts.password is not None:
        raise invalid_request(f"{field}: url must not contain credentials")
    if port not in (None, 443):
        raise invalid_request(f"{field}: url must use port 443")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise invalid_request(f"{field}: url must use a DNS name, not an IP address")
    if fetched and ("." not in host or host == "localhost" or host.endswith(_PRIVATE_HOSTS)):
        raise invalid_request(f"{field}: url must be a public DNS name")
    return value


def _pem(jwks: Mapping[str, object]) -> str | None:
    value = jwks.get("ca_cert_pem")
    if value is not None and (not isinstance(value, str) or "-----BEGIN CERTIFICATE-----" not in value):
        raise invalid_request("jwks.ca_cert_pem: must be a PEM-encoded CA certificate")
    return value


def _jwk(index: int, key: object, seen: set[str]) -> dict[str, object]:
    field = f"jwks.keys[{index}]"
    if not isinstance(key, dict):
        raise invalid_request(f"{field}: Input should be a JWK object")
    if key.get("kty") not in ("RSA", "EC"):
        raise invalid_request(f"{field}.kty: only asymmetric 'RSA' and 'EC' signing keys are accepted")
    kid = key.get("kid")
    if not isinstance(kid, str) or not kid:
        raise invalid_request(f"{field}.kid: Field required (assertions name their key by kid)")
    if kid in seen:
        raise invalid_request(f"{field}.kid: duplicate kid {kid[:80]!r}")
    seen.add(kid)
    if any(member in key for member in _PRIVATE_MEMBERS):
        raise invalid_request(f"{field}: contains private key material; give the public key only")
    if key.get("use") not in (None, "sig"):
        raise invalid_request(f"{field}.use: must be 'sig'")
    if key.get("alg") is not None and key.get("alg") not in ALLOWED_ALGORITHMS:
        raise invalid_request(f"{field}.alg: must be one of {', '.join(sorted(ALLOWED_ALGORITHMS))}")
    try:
        jwt.PyJWK(key)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise invalid_request(f"{field}: not a readable {key['kty']} public key") from None
    return dict(key)


def checked_jwks(raw: object) -> dict[str, object]:
    if not isinstance(raw, Mapping):
        raise invalid_request("jwks: Input should be an object")
    kind = raw.get("type")
    if kind == "discovery":
        Body(raw, ("type", "discovery_base", "ca_cert_pem"), prefix="jwks.")
        base = raw.get("discovery_base")
        base = None if base is None else checked_url("jwks.discovery_base", base, fetched=True)
        return {"type": "discovery", "discovery_base": base, "ca_cert_pem": _pem(raw)}
    if kind == "explicit_url":
        Body(raw, ("type", "url", "ca_cert_pem"), prefix="jwks.")
        if raw.get("url") is None:
            raise invalid_request("jwks.url: Field required")
        url = checked_url("jwks.url", raw["url"], fetched=True)
        return {"type": "explicit_url", "url": url, "ca_cert_pem": _pem(raw)}
    if kind == "inline":
        Body(raw, ("type", "keys"), prefix="jwks.")
        keys = raw.get("keys")
        if not isinstance(keys, list) or not keys:
            raise invalid_request("jwks.keys: Input should be a non-empty list of JWK objects")
        if len(keys) > MAX_INLINE_KEYS:
            raise invalid_request(f"jwks.keys: at most {MAX_INLINE_KEYS} keys")
        seen: set[str] = set()
        return {"type": "inline", "keys": [_jwk(index, key, seen) for index, key in enumerate(keys)]}
    raise invalid_request("jwks.type: must be one of 'discovery', 'explicit_url', 'inline'")


def _issuer_url(value: object, jwks: Mapping[str, object]) -> str:
    fetched = jwks.get("type") == "discovery" and jwks.get("discovery_base") is None
    return checked_url("issuer_url", value, fetched=fetched)


async def create_issuer(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(await read_json(request, required=True), _FIELDS)
    name = body.slug("name", required=True)
    assert name is not None
    body.required("issuer_url")
    jwks = checked_jwks(body.raw("jwks") or {"type": "discovery"})
    issuer_url = _issuer_url(body.raw("issuer_url"), jwks)
    check_jti = body.boolean("check_jti")
    lifetime = body.integer("max_jwt_lifetime_seconds", 1, MAX_LIFETIME)
    federation = state.federation
    name_taken(federation.issuers.values(), name, "federation issuer")
    now = state.now_ts()
    check_jti = True if check_jti is None else check_jti
    lifetime = DEFAULT_MAX_LIFETIME if lifetime is None else lifetime
    audit = Audit.new(now, actor(request))
    issuer = FederationIssuer(state.new_id(ISSUER, now), name, issuer_url, jwks, check_jti, lifetime, audit)
    federation.issuers.put(issuer)
    record(
        request,
        "federation_issuer_created",
        federation_issuer_id=issuer.id,
        name=name,
        issuer_url=issuer_url,
        jwks_type=jwks["type"],
    )
    return ok(issuer.to_api())


async def list_issuers(request: Request) -> JSONResponse:
    query = Query(request.query_params)
    match = None if query.boolean("include_archived", False) else (lambda issuer: issuer.audit.live)
    window = query.page_window(ISSUER)
    return ok(sandbox(request).federation.issuers.cursor_page(window, FederationIssuer.to_api, match))


async def retrieve_issuer(request: Request) -> JSONResponse:
    return ok(sandbox(request).federation.issuers.find(request.path_params["federation_issuer_id"]).to_api())


async def update_issuer(request: Request) -> JSONResponse:
    state = sandbox(request)
    issuer = state.federation.issuers.find(request.path_params["federation_issuer_id"])
    data: dict[str, Any] = await read_json(request, required=True)
    body = Body(data, (*_FIELDS, "jwks_polling_disabled"))
    name = body.slug("name", required=False)
    jwks = checked_jwks(body.raw("jwks")) if body.has("jwks") else None
    issuer_url = _issuer_url(body.raw("issuer_url"), jwks or issuer.jwks) if body.has("issuer_url") else None
    if issuer_url is None and jwks is not None:
        _issuer_url(issuer.issuer_url, jwks)  # a switch to discovery makes the URL fetched
    check_jti = body.boolean("check_jti")
    lifetime = body.integer("max_jwt_lifetime_seconds", 1, MAX_LIFETIME)
    if body.boolean("jwks_polling_disabled"):
        raise invalid_request(
            "jwks_polling_disabled: only false is accepted (to re-enable polling); polling is "
            "paused automatically, never on request"
        )
    federation = state.federation
    rules = federation.live_rules_of(issuer.id)
    require_console_for(request, {scope for rule in rules for scope in rule.scopes}, "update issuers of")
    if not issuer.audit.live:
        raise invalid_request(f"Federation issuer {issuer.id} is archived: it cannot be updated")
    if issuer_url is not None:
        for rule in rules:
            problem = tenant_pinning_problem(issuer_url, rule.match)
            if problem is not None:
                raise invalid_request(f"issuer_url: live rule {rule.id}: {problem}")
    if name is not None:
        name_taken(federation.issuers.values(), name, "federation issuer", except_id=issuer.id)
    changes: dict[str, object] = {
        "name": name,
        "issuer_url": issuer_url,
        "jwks": jwks,
        "check_jti": check_jti,
        "max_jwt_lifetime_seconds": lifetime,
    }
    changed = [
        field for field, value in changes.items() if value is not None and value != getattr(issuer, field)
    ]
    for field in changed:
        setattr(issuer, field, changes[field])
    if changed:
        issuer.audit.touch(state.now_ts(), actor(request))
    record(request, "federation_issuer_updated", federation_issuer_id=issuer.id, changed=changed)
    return ok(issuer.to_api())


async def archive_issuer(request: Request) -> JSONResponse:
    state = sandbox(request)
    issuer = state.federation.issuers.find(request.path_params["federation_issuer_id"])
    if not issuer.audit.live:
        return ok(issuer.to_api())
    rules = state.federation.live_rules_of(issuer.id)
    if rules:
        raise invalid_request(
            f"Federation issuer {issuer.id} is used by live federation rules "
            f"({', '.join(rule.id for rule in rules)}); archive them first (a rule's issuer cannot change)"
        )
    issuer.audit.archive(state.now_ts(), actor(request))
    record(request, "federation_issuer_archived", federation_issuer_id=issuer.id, name=issuer.name)
    return ok(issuer.to_api())


_ISSUERS: Final = "/v1/organizations/federation_issuers"
_ISSUER: Final = _ISSUERS + "/{federation_issuer_id}"
ROUTES = [
    Route(_ISSUERS, oauth_only(list_issuers), methods=["GET"]),
    Route(_ISSUERS, oauth_only(create_issuer), methods=["POST"]),
    Route(_ISSUER, oauth_only(retrieve_issuer), methods=["GET"]),
    Route(_ISSUER, oauth_only(update_issuer), methods=["POST"]),
    Route(_ISSUER + "/archive", oauth_only(archive_issuer), methods=["POST"]),
]
