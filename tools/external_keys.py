"""External keys (customer-managed encryption keys, CMEK): `/v1/organizations/external_keys`.

An external key config (`ekey_…`) points at a key in the customer's own KMS (AWS KMS, Google Cloud
KMS or Azure Key Vault): its coordinates, never key material, which stays in the KMS. A workspace
that uses the config has its data encrypted under that key, so once one does (`attachment`
`attached`, archived workspaces included) its provider and geo can no longer change and it cannot be
deleted. A config bound to a user profile (`uprof_…`, one of the organization's customers) only
serves workspaces of that profile, for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from claude_admin_mcp.server.catalog.operation import FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import Arguments, Deleted, DeliveryUrl, ExternalKeyId, UserProfileId, listing, organization_wide
from .models import WORKSPACES, Workspace
from .sdk_models import ExternalKey, ExternalKeyValidation

PATH = "/v1/organizations/external_keys"
PAGE_MAX = 100
Provider = Literal["aws", "gcp", "azure"]
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws": (("kms_arn",), ("region",)),
    "gcp": (("key_name",), ()),
    "azure": (("key_name", "tenant_id", "vault_uri"), ("client_id",)),
}
"""Per provider: the fields it needs, and those it may take."""
_ALL_FIELDS = ("kms_arn", "region", "key_name", "tenant_id", "vault_uri", "client_id")
_PROVIDERS = {"aws": "AWS KMS", "gcp": "Google Cloud KMS", "azure": "Azure Key Vault"}


class GetKey(Arguments):
    external_key_id: ExternalKeyId


class _ProviderFields(Arguments):
    provider: Provider | None = None
    kms_arn: str | None = Field(
        None,
        pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]{1,256}$",
        description="aws: the KMS key's full ARN.",
    )
    region: str | None = Field(
        None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$", description="aws: else from the ARN."
    )
    key_name: str | None = Field(
        None, min_length=1, max_length=512, description="gcp: the key's full resource name; azure: its name."
    )
    tenant_id: str | None = Field(None, min_length=1, max_length=128, description="azure: AD tenant id.")
    vault_uri: DeliveryUrl | None = Field(None, description="azure: https://NAME.vault.azure.net")
    client_id: str | None = Field(None, min_length=1, max_length=128, description="azure: own app's id.")

    @model_validator(mode="after")
    def _matches_provider(self) -> _ProviderFields:
        given = [name for name in _ALL_FIELDS if getattr(self, name) is not None]
        if self.provider is None:
            if given:
                raise ValueError(
                    f"{', '.join(given)} describe a provider's key: give provider (aws, gcp or azure) too, "
                    "with all its fields (the config is replaced whole)"
                )
            return self
        needed, optional = _FIELDS[self.provider]
        missing = [name for name in needed if getattr(self, name) is None]
        stray = [name for name in given if name not in needed + optional]
        if missing:
            raise ValueError(f"provider {self.provider} needs {', '.join(missing)}")
        if stray:
            raise ValueError(f"provider {self.provider} takes no {', '.join(stray)}")
        return self


class CreateKey(_ProviderFields):
    provider: Provider
    display_name: str | None = Field(None, min_length=1, max_length=255)
    geo: Literal["us"] | None = Field(None, description="Data residency geo (only us).")
    user_profile_id: UserProfileId | None = Field(
        None, description="The customer whose key it is (bound for good); omit for the org's own key."
    )


class UpdateKey(_ProviderFields):
    external_key_id: ExternalKeyId
    display_name: str | None = Field(None, min_length=1, max_length=255)
    geo: Literal["us"] | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateKey:
        if not self.model_dump(exclude_none=True, exclude={"external_key_id"}):
            raise ValueError("give display_name, geo, or a provider with its fields")
        return self


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """`provider_config` as the API's union on `type`."""
    provider = values.pop("provider", None)
    config = {name: values.pop(name) for name in _ALL_FIELDS if name in values}
    if provider is not None:
        values["provider_config"] = {"type": provider, **config}
    return values


def _key_text(config: Mapping[str, Any]) -> str:
    """The KMS key a config points at, as a person would name it."""
    kind = str(config.get("type"))
    if kind == "aws":
        region = f" ({config['region']})" if config.get("region") else ""
        return f"{_PROVIDERS['aws']} key {config.get('kms_arn')}{region}"
    if kind == "azure":
        return f"{_PROVIDERS['azure']} key {config.get('key_name')} in {config.get('vault_uri')}"
    return f"{_PROVIDERS.get(kind, kind)} key {config.get('key_name')}"


def _label(key: ExternalKey) -> str:
    name = f"'{key.display_name}' " if key.display_name else ""
    return f"external key {name}({key.id})"


def _attached(key: ExternalKey) -> bool:
    return key.attachment.get("type") == "attached"


async def _users_of(api: Reader, key_id: str) -> list[str]:
    """The workspaces (archived ones too) whose data this key encrypts."""
    workspaces = await api.all(Workspace, WORKSPACES, include_archived=True)
    return [ws.name for ws in workspaces if (ws.model_extra or {}).get("external_key_id") == key_id]


async def _in_use(api: Reader, key: ExternalKey) -> str:
    users = await _users_of(api, key.id)
    return f"workspaces {listing(users)} use it" if users else "a workspace uses it"


def _profile(user_profile_id: str | None) -> str:
    if user_profile_id:
        return (
            f"Bound to user profile {user_profile_id}: it can only serve workspaces of that profile, and the "
            "binding never changes."
        )
    return (
        "Bound to no user profile (the organization's own key): it can never serve a workspace that has "
        "one, and no profile can be added later."
    )


async def _preview_create(api: Reader, args: CreateKey) -> Preview:
    config = {name: getattr(args, name) for name in _ALL_FIELDS} | {"type": args.provider}
    name = f"'{args.display_name}' " if args.display_name else ""
    return Preview(
        f"Register external key {name}for {_key_text(config)}",
        details=(
            "Nothing is encrypted with it until a workspace uses it (it starts unattached).",
            _profile(args.user_profile_id),
            "validate_external_key then checks that Anthropic can use the key (an encrypt/decrypt round "
            "trip).",
        ),
    )


def _differs(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether a whole new provider config changes the current one (an AWS region left out is the
    one the ARN names, as the API derives it)."""
    given = {name: value for name, value in wanted.items() if value is not None}
    kept = {
        name: value
        for name, value in current.items()
        if value is not None and name in ("type", *_ALL_FIELDS) and (name != "region" or "region" in given)
    }
    return kept != given


async def _preview_update(api: Reader, args: UpdateKey) -> Preview:
    key = await api.get(ExternalKey, f"{PATH}/{args.external_key_id}")
    action = f"Update {_label(key)}"
    changes = []
    if args.display_name is not None and args.display_name != key.display_name:
        changes.append(f"display_name: {key.display_name or '(none)'} → {args.display_name}")
    if args.geo is not None and args.geo != key.geo:
        changes.append(f"geo: {key.geo} → {args.geo}")
    if args.provider is not None:
        config = {name: getattr(args, name) for name in _ALL_FIELDS} | {"type": args.provider}
        if _differs(key.provider_config, config):
            changes.append(f"key: {_key_text(key.provider_config)} → {_key_text(config)}")
    if not changes:
        return Preview(action, nothing_to_do="it is already so")
    reconfigures = any(not change.startswith("display_name") for change in changes)
    if reconfigures and _attached(key):
        return Preview(
            action,
            refusal=f"{await _in_use(api, key)}, and their data is encrypted under it: its key and geo "
            "cannot change (the display name can)",
        )
    details = ["It is unattached: no workspace's data is encrypted with it."] if reconfigures else []
    return Preview(action, details=(*changes, *details))


async def _preview_delete(api: Reader, args: GetKey) -> Preview:
    key = await api.get(ExternalKey, f"{PATH}/{args.external_key_id}")
    action = f"Delete {_label(key)} for {_key_text(key.provider_config)}"
    if _attached(key):
        return Preview(
            action,
            refusal=f"{await _in_use(api, key)}: their data is encrypted under it, so the API keeps it",
        )
    return Preview(
        action,
        details=(
            "It is unattached: no workspace's data is encrypted with it, so nothing stops working.",
            "Irreversible: the config cannot be restored (the key itself stays in your KMS); a new config "
            "gets a new id.",
        ),
        confirm_text=key.display_name or key.id,
    )


async def _preview_validate(api: Reader, args: GetKey) -> Preview:
    key = await api.get(ExternalKey, f"{PATH}/{args.external_key_id}")
    return Preview(
        f"Check that Anthropic can use {_label(key)}: {_key_text(key.provider_config)}",
        details=(
            "An encrypt/decrypt round trip against the KMS (up to 30 seconds); nothing is stored or changed.",
        ),
    )


def _validation(item: Mapping[str, Any]) -> str:
    if item.get("status") == "success":
        return "success: the encrypt/decrypt round trip worked"
    return f"failure: {item.get('error') or '?'}"


_COLUMNS = ("id", "display_name", "key", "attachment", "geo", "user_profile_id")
_FORMATS = {
    "key": FromItem(lambda item: _key_text(item.get("provider_config") or {})),
    "attachment": FromItem(lambda item: str((item.get("attachment") or {}).get("type", "?"))),
}
_404 = "No external key has that id; list_external_keys finds them."

OPERATIONS = [
    Operation(
        name="list_external_keys",
        title="List external keys",
        description="Customer-managed encryption keys (CMEK, ekey_…): the AWS, Google Cloud or Azure KMS "
        "keys workspaces' data can be encrypted with, and whether any workspace uses each.",
        toolset="external_keys",
        method="GET",
        path=PATH,
        input=Arguments,
        output=ExternalKey,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_COLUMNS,
        formats=_FORMATS,
    ),
    Operation(
        name="get_external_key",
        title="Get external key",
        description="One external key (CMEK) config: its KMS key, geo, user profile, whether it is in use.",
        toolset="external_keys",
        method="GET",
        path=PATH + "/{external_key_id}",
        input=GetKey,
        output=ExternalKey,
        columns=(*_COLUMNS, "created_at", "updated_at"),
        formats=_FORMATS,
        not_found_hint=_404,
    ),
    Operation(
        name="create_external_key",
        title="Create external key",
        description="Register a customer-managed encryption key (CMEK): an AWS KMS ARN, a Google Cloud "
        "KMS key or an Azure Key Vault key, optionally bound to a customer's user profile (uprof_…).",
        toolset="external_keys",
        method="POST",
        path=PATH,
        input=CreateKey,
        output=ExternalKey,
        reshape=_body,
        idempotent=False,
        preview=organization_wide(_preview_create),
        columns=_COLUMNS,
        formats=_FORMATS,
    ),
    Operation(
        name="update_external_key",
        title="Update external key",
        description="Rename an external key config, or point it at another KMS key (only while no "
        "workspace uses it).",
        toolset="external_keys",
        method="POST",
        path=PATH + "/{external_key_id}",
        input=UpdateKey,
        output=ExternalKey,
        reshape=_body,
        idempotent=True,
        preview=organization_wide(_preview_update),
        columns=_COLUMNS,
        formats=_FORMATS,
        not_found_hint=_404,
    ),
    Operation(
        name="delete_external_key",
        title="Delete external key",
        description="Delete an external key config no workspace uses (the KMS key itself stays). The "
        "user types its name.",
        toolset="external_keys",
        method="DELETE",
        path=PATH + "/{external_key_id}",
        input=GetKey,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete),
        columns=("id", "type"),
        not_found_hint=_404,
    ),
    Operation(
        name="validate_external_key",
        title="Validate external key",
        description="Check that Anthropic can use an external key: an encrypt/decrypt round trip against "
        "the customer's KMS; says success or why it failed. Changes nothing.",
        toolset="external_keys",
        method="POST",
        path=PATH + "/{external_key_id}/validate",
        input=GetKey,
        output=ExternalKeyValidation,
        idempotent=True,
        preview=organization_wide(_preview_validate),
        columns=("status", "error"),
        formats={"status": FromItem(_validation)},
        not_found_hint=_404,
    ),
]
