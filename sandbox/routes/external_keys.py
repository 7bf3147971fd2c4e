"""External keys (CMEK configs): `/v1/organizations/external_keys` (state: `hooks.py`).

* create: `provider_config` (required; `type` aws | gcp | azure, with that provider's fields:
  aws `kms_arn` (its region is derived when `region` is left out; `role_arn` is deprecated and
  ignored), gcp `key_name`, azure `key_name`, `tenant_id`, `vault_uri`, optional `client_id`),
  `display_name`, `geo` (`us` only), `user_profile_id` (the sandbox organization has no user
  profiles: 400 `user_profile_not_found`).
* update: `display_name` (null clears it) always; `geo` and `provider_config` only while no
  workspace uses the config (400 otherwise). Omitted fields keep their values.
* delete: refused (400) while a workspace uses the config.
* validate: 200 either way, `status` success or failure (the seeded retired key's KMS does not
  answer).
* list: newest first, `limit` (1-100, default 20) and `page`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request
from ..hooks import ExternalKey, HooksState
from ..params import Body, Query, read_json
from ..store import SandboxState
from ._common import ok, record, sandbox

_ARN: Final = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]{1,256}$")
_VAULT: Final = re.compile(r"^https://[a-z0-9-]{3,24}\.(vault\.azure\.net|managedhsm\.azure\.net)/?$")
_GCP_KEY: Final = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
_PROVIDER_FIELDS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "aws": (("kms_arn",), ("region", "role_arn")),
    "gcp": (("key_name",), ()),
    "azure": (("key_name", "tenant_id", "vault_uri"), ("client_id",)),
}


def _attached(state: SandboxState, key: ExternalKey) -> list[str]:
    return HooksState.attached_to(key.id, state.workspaces.values())


def _api(state: SandboxState, key: ExternalKey) -> dict[str, object]:
    return key.to_api(bool(_attached(state, key)))


def _provider_config(raw: Any) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise invalid_request("provider_config: Input should be an object")
    kind = Body(raw, ("type", *sorted({f for n, o in _PROVIDER_FIELDS.values() for f in n + o})))
    provider = kind.enum("type", tuple(_PROVIDER_FIELDS), required=True)
    assert provider is not None
    needed, optional = _PROVIDER_FIELDS[provider]
    body = Body(raw, ("type", *needed, *optional), prefix="provider_config.")
    config: dict[str, object] = {"type": provider}
    for name in needed:
        config[name] = body.string(name, required=True, max_length=2048)
    for name in optional:
        config[name] = body.string(name, max_length=2048)
    if provider == "aws":
        match = _ARN.fullmatch(str(config["kms_arn"]))
        if match is None:
            raise invalid_request(
                "provider_config.kms_arn: must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)"
            )
        config["region"] = config["region"] or match.group(1)
        config["role_arn"] = None  # deprecated: ignored
    elif provider == "gcp" and not _GCP_KEY.fullmatch(str(config["key_name"])):
        raise invalid_request(
            "provider_config.key_name: must be a key's full resource name "
            "(projects/P/locations/L/keyRings/R/cryptoKeys/K)"
        )
    elif provider == "azure" and not _VAULT.fullmatch(str(config["vault_uri"])):
        raise invalid_request(
            "provider_config.vault_uri: must be https://NAME.vault.azure.net or https://NAME.managedhsm.azure.net"
        )
    return config


def _display_name(body: Body) -> str | None:
    return body.string("display_name", max_length=255)


async def list_keys(request: Request) -> JSONResponse:
    state = sandbox(request)
    window = Query(request.query_params).page_window(ids.EXTERNAL_KEY, 100)
    return ok(state.hooks.external_keys.cursor_page(window, lambda key: _api(state, key)))


async def create_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(
        await read_json(request, required=True), ("provider_config", "display_name", "geo", "user_profile_id")
    )
    config = _provider_config(body.required("provider_config"))
    name = _display_name(body)
    geo = body.enum("geo", ("us",)) or "us"
    profile = body.raw("user_profile_id")
    if profile is not None:
        raise invalid_request(
            f"user_profile_id: no user profile {str(profile)[:80]!r} in this organization",
            error_code="user_profile_not_found",
        )
    now = state.now_ts()
    key = ExternalKey(state.new_id(ids.EXTERNAL_KEY, now), config, now, now, name, geo)
    state.hooks.external_keys.put(key)
    record(request, "external_key_created", external_key_id=key.id, provider=config["type"])
    return ok(_api(state, key))


async def retrieve_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    return ok(_api(state, state.hooks.external_keys.find(request.path_params["external_key_id"])))


async def update_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    key = state.hooks.external_keys.find(request.path_params["external_key_id"])
    body = Body(await read_json(request, required=True), ("display_name", "geo", "provider_config"))
    name = _display_name(body)
    geo = body.enum("geo", ("us",))
    config = _provider_config(body.raw("provider_config")) if body.has("provider_config") else None
    in_use = _attached(state, key)
    if in_use and (
        (config is not None and config != key.provider_config) or (geo is not None and geo != key.geo)
    ):
        raise invalid_request(
            f"provider_config, geo: external key {key.id} is used by {len(in_use)} workspace(s), whose data "
            "is encrypted under it: only display_name can change"
        )
    changed = False
    if body.present("display_name") and name != key.display_name:
        key.display_name, changed = name, True
    if geo is not None and geo != key.geo:
        key.geo, changed = geo, True
    if config is not None and config != key.provider_config:
        key.provider_config, changed = config, True
    if changed:
        key.updated_at = state.now_ts()
        record(request, "external_key_updated", external_key_id=key.id)
    return ok(_api(state, key))


async def delete_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    key = state.hooks.external_keys.find(request.path_params["external_key_id"])
    in_use = _attached(state, key)
    if in_use:
        raise invalid_request(
            f"external key {key.id} is used by {len(in_use)} workspace(s), whose data is encrypted under it: "
            "it cannot be deleted"
        )
    state.hooks.external_keys.remove(key.id)
    record(request, "external_key_deleted", external_key_id=key.id)
    return ok({"id": key.id, "type": "external_key_deleted"})


async def validate_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    key = state.hooks.external_keys.find(request.path_params["external_key_id"])
    if key.reachable:
        return ok({"type": "external_key_validation", "status": "success", "error": None})
    error = "the KMS did not answer the encrypt request within 30 seconds (key disabled or access revoked)"
    return ok({"type": "external_key_validation", "status": "failure", "error": error})


_PATH: Final = "/v1/organizations/external_keys"
_KEY: Final = _PATH + "/{external_key_id}"
ROUTES = [
    Route(_PATH, list_keys, methods=["GET"]),
    Route(_PATH, create_key, methods=["POST"]),
    Route(_KEY, retrieve_key, methods=["GET"]),
    Route(_KEY, update_key, methods=["POST"]),
    Route(_KEY, delete_key, methods=["DELETE"]),
    Route(_KEY + "/validate", validate_key, methods=["POST"]),
]
