"""OpenTelemetry destinations: `/v1/organizations/telemetry_destinations` (beta
`telemetry-destinations-2026-08-11`), and the workspace list of each.

A destination (`tdst_…`) is an OTLP/HTTP collector the API sends the organization's traces to, for
`all` workspaces, only those on its list (`include`) or all but those (`exclude`). Its request
headers usually authenticate to the collector: the API never returns their values, and the model
never holds them either: the tool names a file of the server's secrets folder or environment
variables the user set (`headers_file`, `headers_env`), and the server reads the values only as it
sends. At most 10 destinations per organization; a disabled destination's spans are never sent
later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from claude_admin_mcp.server.catalog.operation import FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader
from claude_admin_mcp.server.catalog.secrets import ENV_NAME, FILE_NAME, SecretSourceError, SecretValues

from .common import (
    Arguments,
    Deleted,
    DeliveryUrl,
    TelemetryDestinationId,
    WorkspaceId,
    listing,
    organization_wide,
)
from .models import WORKSPACE, WORKSPACES, Workspace
from .sdk_models import TelemetryDestination, TelemetryDestinationWorkspace, TelemetryTest

PATH = "/v1/organizations/telemetry_destinations"
BETA = "telemetry-destinations-2026-08-11"
PAGE_MAX = 1000
MAX_DESTINATIONS = 10
LIST_MAX = 1000
SECRETS = SecretValues(body="headers", file="headers_file", env="headers_env")


def _check_collector(value: str) -> str:
    parts = urlsplit(value)
    host = parts.hostname or ""
    if host.replace(".", "").isdigit() or ":" in host:
        raise PydanticCustomError("collector_url", "the URL must name a host, not an IP address", {})
    if parts.port not in (None, 443):
        raise PydanticCustomError("collector_url", "the port, if given, must be 443", {})
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise PydanticCustomError("collector_url", "the URL must have no query string or fragment", {})
    return value


CollectorUrl = Annotated[DeliveryUrl, AfterValidator(_check_collector)]
"""The collector's base URL: https, a host name (no IP), port 443, no query or fragment."""
SecretFile = Annotated[str, Field(pattern=FILE_NAME)]
SecretVariable = Annotated[str, Field(pattern=ENV_NAME)]
HeaderName = Annotated[str, Field(pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")]
Coverage = Literal["all", "include", "exclude"]


class GetDestination(Arguments):
    destination_id: TelemetryDestinationId


class DestinationWorkspace(Arguments):
    destination_id: TelemetryDestinationId
    workspace_id: WorkspaceId


class ListDestinations(Arguments):
    workspace_ids: list[WorkspaceId] | None = Field(
        None, max_length=100, description="Only destinations covering one of these."
    )


class _Settings(Arguments):
    """What create and update both take."""

    display_name: str | None = Field(None, min_length=1, max_length=255)
    workspaces: Coverage | None = Field(
        None, description="all (later ones too), include (only workspace_ids) or exclude (all but those)."
    )
    workspace_ids: list[WorkspaceId] | None = Field(None, max_length=100)
    headers_file: SecretFile | None = Field(
        None,
        description="Name of a file the user wrote in the server's secrets folder: the collector's "
        "headers, `Name: value` a line. Values are never shown.",
    )
    headers_env: dict[HeaderName, SecretVariable] | None = Field(
        None, max_length=20, description="Header name → a CLAUDE_ADMIN_MCP_SECRET_… variable the user set."
    )
    content_mode: Literal["metadata_only", "content"] | None = Field(
        None, description="content also exports prompts, responses and tool inputs/outputs."
    )
    traces_enabled: bool | None = None
    traces_endpoint_url: DeliveryUrl | None = Field(None, description="Full traces URL, if not /v1/traces.")
    max_content_bytes: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _coverage(self) -> _Settings:
        if self.workspaces == "all" and self.workspace_ids is not None:
            raise ValueError("workspaces 'all' takes no workspace_ids (use include or exclude)")
        if self.workspace_ids is not None and self.workspaces is None:
            raise ValueError("workspace_ids needs workspaces: include or exclude")
        return self

    @property
    def sets_headers(self) -> bool:
        return self.headers_file is not None or bool(self.headers_env)


class CreateDestination(_Settings):
    endpoint_url: CollectorUrl = Field(description="The collector's OTLP/HTTP base URL (https, port 443).")
    workspaces: Coverage = Field(
        description="all (later ones too), include (only workspace_ids) or exclude (all but those)."
    )


class UpdateDestination(_Settings):
    destination_id: TelemetryDestinationId
    endpoint_url: CollectorUrl | None = Field(
        None, description="Required with new header values (the current URL will do)."
    )
    state: Literal["enabled", "disabled"] | None = Field(None, description="disabled stops deliveries.")
    remove_headers: list[HeaderName] | None = Field(None, max_length=20)

    @model_validator(mode="after")
    def _complete(self) -> UpdateDestination:
        if not self.model_dump(exclude_none=True, exclude={"destination_id"}):
            raise ValueError("give at least one setting to change")
        if self.sets_headers and self.endpoint_url is None:
            raise ValueError(
                "new header values need endpoint_url in the same call (the API's rule): pass the current "
                "one, which get_telemetry_destination shows"
            )
        return self


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The API's nesting: `workspaces {type, workspace_ids}`, `traces {…}`, removed headers as null."""
    kind, ids = values.pop("workspaces", None), values.pop("workspace_ids", None)
    if kind is not None:
        values["workspaces"] = {"type": kind, **({"workspace_ids": ids} if ids is not None else {})}
    traces = {
        target: values.pop(source)
        for source, target in (
            ("content_mode", "content_mode"),
            ("traces_enabled", "enabled"),
            ("traces_endpoint_url", "endpoint_url"),
            ("max_content_bytes", "max_content_bytes"),
        )
        if source in values
    }
    if traces:
        values["traces"] = traces
    removed = values.pop("remove_headers", None)
    if removed:
        values["headers"] = dict.fromkeys(removed)
    if "state" in values:
        values["state"] = {"type": values["state"]}
    return values


# -- how a destination reads ----------------------------------------------------------------------


def _state(item: Mapping[str, Any]) -> str:
    state = item.get("state") or {}
    kind = str(state.get("type", "?"))
    reason = (state.get("reason") or {}).get("type")
    return f"{kind} ({reason})" if reason else kind


def _scope(item: Mapping[str, Any]) -> str:
    return str((item.get("workspaces") or {}).get("type", "?"))


def _result(item: Mapping[str, Any]) -> str:
    result = item.get("result") or {}
    return (
        "success: the collector answered 2xx"
        if result.get("type") == "success"
        else (f"failure: {result.get('error') or '?'}")
    )


def _label(destination: TelemetryDestination) -> str:
    name = f"'{destination.display_name}' " if destination.display_name else ""
    return f"telemetry destination {name}({destination.id}) → {destination.endpoint_url}"


def _confirm(destination: TelemetryDestination) -> str:
    return destination.display_name or urlsplit(destination.endpoint_url).hostname or destination.id


async def _get(api: Reader, destination_id: str) -> TelemetryDestination:
    return await api.get(TelemetryDestination, f"{PATH}/{destination_id}")


async def _listed(api: Reader, destination_id: str) -> list[str]:
    entries = await api.all(TelemetryDestinationWorkspace, f"{PATH}/{destination_id}/workspaces")
    return [entry.workspace_id for entry in entries]


async def _names(api: Reader) -> dict[str, Workspace]:
    return {ws.id: ws for ws in await api.all(Workspace, WORKSPACES, include_archived=True)}


def _coverage(kind: str, ids: list[str], names: Mapping[str, Workspace]) -> str:
    shown = [names[i].name if i in names else i for i in ids]
    if kind == "all":
        return "every workspace (those created later and archived ones too)"
    if kind == "include":
        return f"workspaces {listing(shown)}" if ids else "no workspace (its list is empty)"
    return f"every workspace but {listing(shown)}" if ids else "every workspace (its exclude list is empty)"


def _content(mode: str, limit: int | None) -> str:
    if mode == "content":
        bound = f", up to {limit:,} bytes a span" if limit else ""
        return (
            f"Spans carry content: model prompts and responses, tool inputs and outputs{bound}. They leave "
            "Anthropic for this collector."
        )
    return "Spans carry metadata only: no prompts, responses or tool inputs and outputs."


def _header_line(api: Reader, args: _Settings) -> str | None:
    """What the headers will be, by name; raises SecretSourceError when they cannot be read."""
    if not args.sets_headers:
        return None
    names = api.secret_names(args.headers_file, args.headers_env)
    where = " and ".join(
        part
        for part in (
            f"file {args.headers_file} of the secrets folder" if args.headers_file else "",
            f"variables {listing(sorted((args.headers_env or {}).values()))}" if args.headers_env else "",
        )
        if part
    )
    return f"Headers {listing(names)}, from {where}, read when sent (values are never shown)."


def _touched(kind: str, ids: list[str]) -> dict[str, Any]:
    """The allowlist's view: an include list touches its workspaces, anything else every workspace."""
    if kind == "include":
        return {"workspaces": frozenset(ids)}
    return {"all_workspaces": True}


async def _others(api: Reader, destination: TelemetryDestination) -> str:
    others = [
        d
        for d in await api.all(TelemetryDestination, PATH)
        if d.id != destination.id and d.state.get("type") == "enabled"
    ]
    if not others:
        return "No other enabled destination receives the organization's traces."
    shown = [f"{d.display_name or d.endpoint_url} ({_scope(d.model_dump())})" for d in others]
    return f"Other enabled destinations keep receiving the workspaces they cover: {listing(shown)}."


# -- previews -------------------------------------------------------------------------------------


async def _preview_create(api: Reader, args: CreateDestination) -> Preview:
    action = f"Send the organization's traces to {args.endpoint_url}" + (
        f" (telemetry destination '{args.display_name}')" if args.display_name else ""
    )
    existing = await api.all(TelemetryDestination, PATH)
    if len(existing) >= MAX_DESTINATIONS:
        return Preview(
            action,
            refusal=f"the organization has {len(existing)} telemetry destinations, the most it may have "
            "(disabled ones count): delete one first",
        )
    names = await _names(api)
    ids = list(args.workspace_ids or [])
    if problem := _unusable(ids, names):
        return Preview(action, refusal=problem)
    try:
        headers = _header_line(api, args)
    except SecretSourceError as exc:
        return Preview(action, refusal=str(exc))
    details = [
        f"Covers {_coverage(args.workspaces, ids, names)}.",
        _content(args.content_mode or "metadata_only", args.max_content_bytes),
        headers or "No headers: the collector must take traces without authentication.",
    ]
    if args.traces_enabled is False:
        details.append("Traces are off (traces_enabled false): nothing is sent until they are turned on.")
    if args.traces_endpoint_url:
        details.append(f"Traces go to {args.traces_endpoint_url} exactly (nothing appended).")
    # Exporting prompts and responses to a third party is worth a typed confirmation.
    confirm = urlsplit(args.endpoint_url).hostname if args.content_mode == "content" else None
    return Preview(action, details=tuple(details), confirm_text=confirm, **_touched(args.workspaces, ids))


def _unusable(ids: list[str], names: Mapping[str, Workspace]) -> str | None:
    unknown = [i for i in ids if i not in names]
    if unknown:
        return f"no workspace {listing(unknown)} in this organization (list_workspaces finds them)"
    archived = [names[i].name for i in ids if names[i].archived_at]
    if archived:
        return f"archived workspaces cannot be added to a list: {listing(archived)}"
    return None


async def _preview_update(api: Reader, args: UpdateDestination) -> Preview:
    current = await _get(api, args.destination_id)
    action = f"Update {_label(current)}"
    names = await _names(api)
    kind = _scope(current.model_dump())
    listed = await _listed(api, current.id) if kind != "all" else []
    changes: list[str] = []
    details: list[str] = []
    confirm: str | None = None
    if args.display_name is not None and args.display_name != current.display_name:
        changes.append(f"name: {current.display_name or '(none)'} → {args.display_name}")
    moved = False
    if args.endpoint_url is not None and args.endpoint_url != current.endpoint_url:
        changes.append(f"endpoint_url: {current.endpoint_url} → {args.endpoint_url}")
        old, new = urlsplit(current.endpoint_url), urlsplit(args.endpoint_url)
        moved = (old.hostname, old.port) != (new.hostname, new.port)
    if moved and current.header_names:
        details.append(f"A new host removes every registered header first ({listing(current.header_names)}).")
        if not args.sets_headers:
            details.append("No header is sent again: a collector that needs one refuses the traces.")
            confirm = _confirm(current)
    new_kind = args.workspaces or kind
    new_ids = (
        list(args.workspace_ids) if args.workspace_ids is not None else (listed if new_kind == kind else [])
    )
    if set(new_ids) != set(listed) or new_kind != kind:
        if problem := _unusable([i for i in new_ids if i not in listed], names):
            return Preview(action, refusal=problem)
        changes.append(f"covers: {_coverage(kind, listed, names)} → {_coverage(new_kind, new_ids, names)}")
        dropped = _dropped(kind, listed, new_kind, new_ids, names)
        if dropped:
            details.append(f"Spans of {dropped} stop going to it.")
            confirm = _confirm(current)
    try:
        headers = _header_line(api, args)
    except SecretSourceError as exc:
        return Preview(action, refusal=str(exc))
    if headers:
        changes.append(headers)
        both = {name.lower() for name in args.remove_headers or ()} & {
            name.lower() for name in api.secret_names(args.headers_file, args.headers_env)
        }
        if both:
            return Preview(action, refusal=f"headers both set and removed: {listing(sorted(both))}")
    if args.remove_headers:
        changes.append(f"Headers removed: {listing(list(args.remove_headers))}.")
    traces = current.traces
    if args.content_mode is not None and args.content_mode != traces.content_mode:
        changes.append(f"content_mode: {traces.content_mode} → {args.content_mode}")
        details.append(_content(args.content_mode, args.max_content_bytes or traces.max_content_bytes))
        if args.content_mode == "content":
            confirm = _confirm(current)
    for name, value, was in (
        ("traces_enabled", args.traces_enabled, traces.enabled),
        ("traces_endpoint_url", args.traces_endpoint_url, traces.endpoint_url),
        ("max_content_bytes", args.max_content_bytes, traces.max_content_bytes),
    ):
        if value is not None and value != was:
            changes.append(f"{name}: {was} → {value}")
    state = current.state.get("type")
    if args.state is not None and args.state != state:
        changes.append(f"state: {_state(current.model_dump())} → {args.state}")
        if args.state == "disabled":
            details.append(
                f"Deliveries stop: spans of {_coverage(kind, listed, names)} are not sent to "
                f"{current.endpoint_url}, and those produced while it is disabled are never sent later."
            )
            details.append(await _others(api, current))
            confirm = _confirm(current)
        else:
            details.append("Deliveries resume for spans from now on; delivery health is not reset.")
    if not changes:
        return Preview(action, nothing_to_do="it is already so")
    touched = _touched(new_kind, [*listed, *new_ids]) if kind == new_kind else _touched("all", [])
    return Preview(action, details=(*changes, *details), confirm_text=confirm, **touched)


def _dropped(
    kind: str, listed: list[str], new_kind: str, new_ids: list[str], names: Mapping[str, Workspace]
) -> str:
    """Which workspaces a coverage change stops sending, in words ("" if none)."""

    def shown(ids: list[str]) -> str:
        return listing([names[i].name if i in names else i for i in ids])

    if kind == new_kind == "include":
        gone = [i for i in listed if i not in new_ids]
        return f"workspaces {shown(gone)}" if gone else ""
    if kind == new_kind == "exclude":
        gone = [i for i in new_ids if i not in listed]
        return f"workspaces {shown(gone)}" if gone else ""
    if new_kind == "all":
        return ""
    if new_kind == "include":
        return f"every workspace but {shown(new_ids)}" if new_ids else "every workspace"
    return f"workspaces {shown(new_ids)}" if new_ids else ""


async def _preview_delete(api: Reader, args: GetDestination) -> Preview:
    current = await _get(api, args.destination_id)
    kind = _scope(current.model_dump())
    listed = await _listed(api, current.id) if kind != "all" else []
    names = await _names(api)
    details = [
        f"Spans of {_coverage(kind, listed, names)} stop going to {current.endpoint_url} for good"
        + ("" if current.state.get("type") == "enabled" else " (it is disabled already)")
        + ".",
        await _others(api, current),
        "Irreversible: the destination, its headers and its workspace list cannot be read or restored.",
    ]
    return Preview(
        f"Delete {_label(current)}",
        details=tuple(details),
        confirm_text=_confirm(current),
        **_touched(kind, listed),
    )


async def _preview_test(api: Reader, args: GetDestination) -> Preview:
    current = await _get(api, args.destination_id)
    headers = listing(list(current.header_names)) if current.header_names else "no headers"
    details = [
        f"With its registered headers ({headers}), once, no retry; the answer says what the collector said.",
        "Nothing changes: not its settings, state or delivery health. Wait 10 s between tests of one "
        "destination.",
    ]
    if current.state.get("type") != "enabled":
        details.append(f"It is {_state(current.model_dump())}: the test is sent anyway.")
    return Preview(f"Send one test span (anthropic.test) to {_label(current)}", details=tuple(details))


async def _membership(
    api: Reader, args: DestinationWorkspace
) -> tuple[TelemetryDestination, Workspace, str, bool]:
    current = await _get(api, args.destination_id)
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    kind = _scope(current.model_dump())
    listed = kind != "all" and args.workspace_id in await _listed(api, current.id)
    return current, workspace, kind, listed


_ALL = (
    "it covers every workspace and has no list: change its coverage with update_telemetry_destination "
    "(workspaces include or exclude)"
)


async def _preview_add(api: Reader, args: DestinationWorkspace) -> Preview:
    current, workspace, kind, listed = await _membership(api, args)
    action = f"Add workspace {workspace.name} ({workspace.id}) to the {kind} list of {_label(current)}"
    touched = frozenset({workspace.id})
    if kind == "all":
        return Preview(action, refusal=_ALL, workspaces=touched)
    if listed:
        return Preview(action, nothing_to_do="it is on the list already", workspaces=touched)
    if workspace.archived_at:
        return Preview(action, refusal="an archived workspace cannot be added to a list", workspaces=touched)
    if kind == "include":
        return Preview(
            action, details=(f"Its spans start going to {current.endpoint_url}.",), workspaces=touched
        )
    return Preview(
        action,
        details=(f"Its spans stop going to {current.endpoint_url} (an exclude list).",),
        confirm_text=workspace.name,
        workspaces=touched,
    )


async def _preview_remove(api: Reader, args: DestinationWorkspace) -> Preview:
    current, workspace, kind, listed = await _membership(api, args)
    action = f"Remove workspace {workspace.name} ({workspace.id}) from the {kind} list of {_label(current)}"
    touched = frozenset({workspace.id})
    if kind == "all":
        return Preview(action, refusal=_ALL, workspaces=touched)
    if not listed:
        return Preview(action, nothing_to_do="it is not on the list", workspaces=touched)
    if kind == "exclude":
        return Preview(
            action, details=(f"Its spans start going to {current.endpoint_url}.",), workspaces=touched
        )
    return Preview(
        action,
        details=(f"Its spans stop going to {current.endpoint_url}.",),
        confirm_text=workspace.name,
        workspaces=touched,
    )


# -- operations -----------------------------------------------------------------------------------

_COLUMNS = (
    "id",
    "display_name",
    "endpoint_url",
    "state",
    "workspaces",
    "header_names",
    "traces.content_mode",
    "delivery_health.last_error",
)
_FORMATS = {"state": FromItem(_state), "workspaces": FromItem(_scope)}
_404 = "No telemetry destination has that id; list_telemetry_destinations finds them."

_AREA: dict[str, Any] = {"toolset": "telemetry", "beta": BETA}
"""What every operation of this area shares: its toolset and beta header."""

OPERATIONS = [
    Operation(
        name="list_telemetry_destinations",
        title="List telemetry destinations",
        description="OpenTelemetry (OTel) destinations (tdst_…): collectors the organization's traces "
        "go to, for which workspaces, delivery health. Beta.",
        method="GET",
        path=PATH,
        input=ListDestinations,
        output=TelemetryDestination,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_COLUMNS,
        formats=_FORMATS,
        **_AREA,
    ),
    Operation(
        name="get_telemetry_destination",
        title="Get telemetry destination",
        description="One telemetry destination: URL, header names, workspaces, traces settings, last "
        "delivery error and success.",
        method="GET",
        path=PATH + "/{destination_id}",
        input=GetDestination,
        output=TelemetryDestination,
        columns=(*_COLUMNS, "traces", "delivery_health", "updated_at"),
        formats=_FORMATS,
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="create_telemetry_destination",
        title="Create telemetry destination",
        description="Send the organization's traces to an OpenTelemetry (OTel) collector endpoint, for "
        "all workspaces or some. Auth headers come from a file or variables the user set, never in "
        "the call.",
        method="POST",
        path=PATH,
        input=CreateDestination,
        output=TelemetryDestination,
        reshape=_body,
        secret_values=SECRETS,
        idempotent=False,
        preview=organization_wide(_preview_create),
        columns=_COLUMNS,
        formats=_FORMATS,
        **_AREA,
    ),
    Operation(
        name="update_telemetry_destination",
        title="Update telemetry destination",
        description="Change a telemetry destination: URL, headers, workspaces, traces settings, or "
        "disable/enable it (disabling stops deliveries: the user types its name).",
        method="POST",
        path=PATH + "/{destination_id}",
        input=UpdateDestination,
        output=TelemetryDestination,
        reshape=_body,
        secret_values=SECRETS,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_update),
        columns=_COLUMNS,
        formats=_FORMATS,
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="delete_telemetry_destination",
        title="Delete telemetry destination",
        description="Delete a telemetry destination: its traces stop for good. The user types its name.",
        method="DELETE",
        path=PATH + "/{destination_id}",
        input=GetDestination,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete),
        columns=("id", "type"),
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="test_telemetry_destination",
        title="Test telemetry destination",
        description="Check a telemetry destination: send one span to its collector and say whether it "
        "answered 2xx or why not (e.g. HTTP 403: wrong auth header). Changes nothing.",
        method="POST",
        path=PATH + "/{destination_id}/test",
        input=GetDestination,
        output=TelemetryTest,
        idempotent=True,
        preview=organization_wide(_preview_test),
        columns=("result",),
        formats={"result": FromItem(_result)},
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="list_telemetry_destination_workspaces",
        title="List telemetry destination workspaces",
        description="The workspaces on a telemetry destination's include or exclude list (empty for "
        "one covering all).",
        method="GET",
        path=PATH + "/{destination_id}/workspaces",
        input=GetDestination,
        output=TelemetryDestinationWorkspace,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="workspace_id",
        columns=("workspace_id", "created_at"),
        labels={"workspace_id": WORKSPACE},
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="add_telemetry_destination_workspace",
        title="Add workspace to telemetry destination",
        description="Put a workspace on a telemetry destination's list: on an include list its traces "
        "start going there, on an exclude list they stop.",
        method="POST",
        path=PATH + "/{destination_id}/workspaces/{workspace_id}",
        input=DestinationWorkspace,
        output=TelemetryDestinationWorkspace,
        idempotent=True,
        preview=organization_wide(_preview_add),
        columns=("telemetry_destination_id", "workspace_id", "created_at"),
        not_found_hint="The destination or the workspace does not exist; list_telemetry_destinations and "
        "list_workspaces find them.",
        **_AREA,
    ),
    Operation(
        name="remove_telemetry_destination_workspace",
        title="Remove workspace from telemetry destination",
        description="Take a workspace off a telemetry destination's list: off an include list its traces "
        "stop going there (the user types its name), off an exclude list they start.",
        method="DELETE",
        path=PATH + "/{destination_id}/workspaces/{workspace_id}",
        input=DestinationWorkspace,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_remove),
        columns=("telemetry_destination_id", "workspace_id", "type"),
        not_found_hint="That workspace is not on that destination's list; "
        "list_telemetry_destination_workspaces shows it.",
        **_AREA,
    ),
]
