"""Telemetry (OpenTelemetry) destinations and their workspace lists:
`/v1/organizations/telemetry_destinations` (state: `hooks.py`).

* Every request needs `anthropic-beta: telemetry-destinations-2026-08-11` (400 without it).
* `endpoint_url`: https, a host name (no IP address), port 443 if any, no query, fragment or user
  info, at most 2,048 characters; a path prefix is allowed.
* `headers`: at most 20; names at most 128 characters, no two differing only in case, none
  reserved (`host`, `cookie`, `user-agent`, `content-*`, `proxy-*`, `x-forwarded-*`,
  `anthropic-*`; `_` counts as `-`); values printable ASCII, at most 4,096 characters, no space at
  either end; names and values at most 16,384 bytes together. Values are stored, never returned,
  and no error message quotes one. On update, a string sets a header and null removes it; setting
  one needs `endpoint_url` in the same request, and each stored value not set again counts 4,096
  bytes. A new host or port removes every header first.
* `workspaces`: `{type: all}`, or `include` / `exclude` with `workspace_ids` (at most 100 a
  request, workspaces of the organization, none archived unless already on the list). On update the
  ids replace the list; a type change without ids empties it; more than 750 on the list refuses
  either.
* `traces`: `content_mode` (null: `metadata_only`), `enabled` (not null), `endpoint_url` (any
  path, same scheme, host and port as `endpoint_url`; null removes it), `max_content_bytes`
  (1-262,144, the sandbox's maximum, or null). On update, `traces: null` restores every default.
* At most 10 destinations. `state` `disabled` stops deliveries (reason `caller`, or the reason
  already there); `enabled` resumes them.
* test: 200 with `result` success (the emulated collector answers 2xx) or failure with the
  reason; a second test of one destination within 10 s is 429. Nothing changes.
* Workspace lists: newest entry first; a destination covering `all` has none (empty page; add and
  remove are 400). Adding a listed workspace answers its entry; removing an unlisted one is 404.
* Lists take `limit` (1-1,000, default 20) and `page`; `workspace_ids[]` (at most 100) keeps the
  destinations covering one of them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Final, cast
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import ApiError, invalid_request, not_found
from ..hooks import Coverage, TelemetryDestination
from ..pagination import decode_page, encode_page
from ..params import Body, Query, check_id, read_json
from ..store import SandboxState
from ._common import betas, ok, record, sandbox

BETA: Final = "telemetry-destinations-2026-08-11"
MAX_DESTINATIONS: Final = 10
MAX_LIMIT: Final = 1000
MAX_HEADERS: Final = 20
HEADER_BYTES: Final = 16_384
VALUE_MAX: Final = 4096
MAX_CONTENT_BYTES: Final = 262_144
LIST_MAX: Final = 1000
LIST_REPLACE_MAX: Final = 750
TEST_INTERVAL: Final = 10.0
_TOKEN: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_RESERVED: Final = frozenset({"host", "cookie", "user-agent"})
_RESERVED_PREFIXES: Final = ("content-", "proxy-", "x-forwarded-", "anthropic-")


def _beta(request: Request) -> SandboxState:
    if BETA not in betas(request):
        raise invalid_request(f"This endpoint is in beta: send the header 'anthropic-beta: {BETA}' to use it")
    return sandbox(request)


def _url(value: Any, field: str, *, any_path: bool = True) -> str:
    if not isinstance(value, str):
        raise invalid_request(f"{field}: Input should be a valid string")
    if len(value) > 2048:
        raise invalid_request(f"{field}: must be at most 2048 characters")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise invalid_request(f"{field}: must be an https:// URL with a host name")
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        pass
    else:
        raise invalid_request(f"{field}: must name a host, not an IP address")
    try:
        port = parts.port
    except ValueError:
        raise invalid_request(f"{field}: the port is not a number") from None
    if port not in (None, 443):
        raise invalid_request(f"{field}: the port, if given, must be 443")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise invalid_request(f"{field}: must have no query string or fragment")
    if parts.username is not None or parts.password is not None:
        raise invalid_request(f"{field}: must carry no user name or password")
    return value


def _origin(url: str) -> tuple[str, str | None, int]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or 443


def _check_headers(headers: Mapping[str, str]) -> None:
    """The API's limits on a destination's resulting header set (never quoting a value)."""
    if len(headers) > MAX_HEADERS:
        raise invalid_request(f"headers: at most {MAX_HEADERS} headers, got {len(headers)}")
    seen: set[str] = set()
    total = 0
    for name, value in headers.items():
        if not 1 <= len(name) <= 128 or not _TOKEN.fullmatch(name):
            raise invalid_request(
                f"headers: {name[:40]!r} is not a valid header name (at most 128 characters)"
            )
        folded = name.lower().replace("_", "-")
        if folded in seen:
            raise invalid_request(f"headers: two header names differ only in case ({name[:40]!r})")
        seen.add(folded)
        if folded in _RESERVED or folded.startswith(_RESERVED_PREFIXES):
            raise invalid_request(f"headers: {name!r} is a reserved header name")
        if (
            len(value) > VALUE_MAX
            or not value
            or value != value.strip(" ")
            or any(not 0x20 <= ord(ch) <= 0x7E for ch in value)
        ):
            raise invalid_request(
                f"headers.{name}: the value must be printable ASCII, 1 to {VALUE_MAX} characters, with no "
                "space at either end"
            )
        total += len(name.encode()) + len(value.encode())
    if total > HEADER_BYTES:
        raise invalid_request(f"headers: names and values together exceed {HEADER_BYTES} bytes")


def _header_map(raw: Any, *, nullable_values: bool) -> dict[str, str | None]:
    if not isinstance(raw, dict):
        raise invalid_request("headers: Input should be an object")
    out: dict[str, str | None] = {}
    for name, value in raw.items():
        if value is None and nullable_values:
            out[str(name)] = None
        elif not isinstance(value, str):
            raise invalid_request(f"headers.{str(name)[:40]}: Input should be a valid string")
        else:
            out[str(name)] = value
    return out


def _workspaces(state: SandboxState, raw: Any, keep: Mapping[str, int]) -> tuple[Coverage, list[str] | None]:
    """(type, ids or None when not sent); ids must be the organization's workspaces, and an archived
    one only if it is already on the list (`keep`)."""
    if not isinstance(raw, dict):
        raise invalid_request("workspaces: Input should be an object")
    body = Body(raw, ("type", "workspace_ids"), prefix="workspaces.")
    kind = cast(Coverage, body.enum("type", ("all", "include", "exclude"), required=True))
    workspace_ids = body.string_list("workspace_ids")
    if workspace_ids is None:
        return kind, None
    if kind == "all":
        raise invalid_request("workspaces.workspace_ids: type 'all' takes no workspace_ids")
    if len(workspace_ids) > 100:
        raise invalid_request("workspaces.workspace_ids: at most 100 per request")
    for workspace_id in workspace_ids:
        check_id("workspaces.workspace_ids", workspace_id, ids.WORKSPACE, "workspace")
        workspace = state.workspaces.get(workspace_id)
        if workspace is None:
            raise invalid_request(
                f"workspaces.workspace_ids: no workspace {workspace_id!r} in this organization"
            )
        if workspace.archived_at is not None and workspace_id not in keep:
            raise invalid_request(
                f"workspaces.workspace_ids: workspace {workspace_id} is archived and cannot be added to a "
                "list"
            )
    return kind, list(dict.fromkeys(workspace_ids))


def _traces(destination: TelemetryDestination, raw: Any, endpoint_url: str) -> None:
    """Applies a `traces` object (create or update; omitted settings keep their values)."""
    if not isinstance(raw, dict):
        raise invalid_request("traces: Input should be an object")
    body = Body(raw, ("content_mode", "enabled", "endpoint_url", "max_content_bytes"), prefix="traces.")
    if body.present("content_mode"):
        destination.content_mode = cast(
            Any, body.enum("content_mode", ("metadata_only", "content")) or "metadata_only"
        )
    if body.present("enabled"):
        enabled = body.raw("enabled")
        if not isinstance(enabled, bool):
            raise invalid_request("traces.enabled: Input should be a valid boolean (it cannot be null)")
        destination.traces_enabled = enabled
    if body.present("endpoint_url"):
        url = body.raw("endpoint_url")
        if url is not None:
            url = _url(url, "traces.endpoint_url")
            if _origin(url) != _origin(endpoint_url):
                raise invalid_request(
                    "traces.endpoint_url: must have the same scheme, host and port as endpoint_url"
                )
        destination.traces_endpoint_url = url
    if body.present("max_content_bytes"):
        destination.max_content_bytes = body.integer("max_content_bytes", 1, MAX_CONTENT_BYTES)


def _destination(state: SandboxState, request: Request) -> TelemetryDestination:
    return state.hooks.destinations.find(request.path_params["destination_id"])


async def list_destinations(request: Request) -> JSONResponse:
    state = _beta(request)
    query = Query(request.query_params)
    window = query.page_window(ids.TELEMETRY_DESTINATION, MAX_LIMIT)
    wanted = query.array("workspace_ids")
    if len(wanted) > 100:
        raise invalid_request("workspace_ids: at most 100 ids")
    for workspace_id in wanted:
        check_id("workspace_ids[]", workspace_id, ids.WORKSPACE, "workspace")
    known = [w for w in wanted if w in state.workspaces]

    def match(destination: TelemetryDestination) -> bool:
        return not wanted or any(destination.covers(w) for w in known)

    return ok(state.hooks.destinations.cursor_page(window, TelemetryDestination.to_api, match))


async def create_destination(request: Request) -> JSONResponse:
    state = _beta(request)
    body = Body(
        await read_json(request, required=True),
        ("endpoint_url", "workspaces", "display_name", "headers", "traces"),
    )
    endpoint_url = _url(body.required("endpoint_url"), "endpoint_url")
    kind, workspace_ids = _workspaces(state, body.required("workspaces"), {})
    name = body.string("display_name", max_length=255)
    headers: dict[str, str] = {}
    if body.present("headers"):
        raw = _header_map(body.required("headers"), nullable_values=False)
        headers = {name: value for name, value in raw.items() if value is not None}
        _check_headers(headers)
    if len(state.hooks.destinations) >= MAX_DESTINATIONS:
        raise invalid_request(
            f"the organization has {MAX_DESTINATIONS} telemetry destinations, the most it may have "
            "(disabled ones count)"
        )
    now = state.now_ts()
    destination = TelemetryDestination(
        state.new_id(ids.TELEMETRY_DESTINATION, now), endpoint_url, kind, now, now, name, headers
    )
    # An emulated collector: it wants credentials.
    destination.collector_status = 200 if headers else 401
    if body.has("traces"):
        _traces(destination, body.raw("traces"), endpoint_url)
    for workspace_id in workspace_ids or ():
        destination.listed[workspace_id] = now
    state.hooks.destinations.put(destination)
    record(
        request,
        "telemetry_destination_created",
        telemetry_destination_id=destination.id,
        endpoint_url=endpoint_url,
        header_names=list(headers),
    )
    return ok(destination.to_api())


async def retrieve_destination(request: Request) -> JSONResponse:
    state = _beta(request)
    return ok(_destination(state, request).to_api())


async def update_destination(request: Request) -> JSONResponse:
    state = _beta(request)
    destination = _destination(state, request)
    data = await read_json(request, required=True)
    body = Body(data, ("display_name", "endpoint_url", "headers", "state", "traces", "workspaces"))
    if not data:
        raise invalid_request("request body: send at least one field to change")
    for name in ("endpoint_url", "headers", "state", "workspaces"):
        if body.present(name) and body.raw(name) is None:
            raise invalid_request(f"{name}: cannot be null")
    endpoint_url = _url(body.raw("endpoint_url"), "endpoint_url") if body.has("endpoint_url") else None
    changes = _header_map(body.raw("headers"), nullable_values=True) if body.has("headers") else {}
    setting = {name: value for name, value in changes.items() if value is not None}
    if setting and endpoint_url is None:
        raise invalid_request("headers: a request that sets a header value must also include endpoint_url")
    wanted_state = None
    if body.has("state"):
        state_body = Body(
            body.raw("state") if isinstance(body.raw("state"), dict) else {}, ("type",), prefix="state."
        )
        wanted_state = state_body.enum("type", ("enabled", "disabled"), required=True)
    coverage: tuple[Coverage, list[str] | None] | None = None
    if body.has("workspaces"):
        coverage = _workspaces(state, body.raw("workspaces"), destination.listed)
        kind, workspace_ids = coverage
        if len(destination.listed) > LIST_REPLACE_MAX and (
            kind != destination.coverage or workspace_ids is not None
        ):
            raise invalid_request(
                f"workspaces: the list has more than {LIST_REPLACE_MAX} workspaces; remove workspaces one at "
                "a time first"
            )
    moved = endpoint_url is not None and _origin(endpoint_url)[1:] != _origin(destination.endpoint_url)[1:]
    new_url = endpoint_url or destination.endpoint_url
    if moved and destination.traces_endpoint_url is not None:
        traces = body.raw("traces")
        sets_traces_url = isinstance(traces, dict) and "endpoint_url" in traces
        if not sets_traces_url and traces is not None:
            raise invalid_request(
                "traces.endpoint_url: a new host or port needs a traces.endpoint_url on it too, or null"
            )
    # The resulting headers: a new host first drops them all, then the request's changes apply.
    base = {} if moved else dict(destination.headers)
    resulting = dict(base)
    for name, value in changes.items():
        for existing in [n for n in resulting if n.lower() == name.lower()]:
            del resulting[existing]
        if value is not None:
            resulting[name] = value
    _check_headers(resulting)
    if setting:
        # Stored values not sent again count at their maximum: their length cannot be read.
        kept = [n for n in resulting if n not in setting]
        total = sum(len(n) + VALUE_MAX for n in kept) + sum(len(n) + len(v) for n, v in setting.items())
        if total > HEADER_BYTES:
            raise invalid_request(
                f"headers: with the {len(kept)} stored values not sent again counted at {VALUE_MAX} bytes "
                f"each, the headers exceed {HEADER_BYTES} bytes; send the other values again too"
            )
    display = body.string("display_name", max_length=255) if body.has("display_name") else None
    before = destination.to_api()
    if body.present("display_name"):
        destination.display_name = display
    if endpoint_url is not None:
        destination.endpoint_url = endpoint_url
    if moved and destination.traces_endpoint_url is not None and body.raw("traces") is None:
        destination.traces_endpoint_url = None
    destination.headers = resulting
    if body.present("traces"):
        if body.raw("traces") is None:
            destination.content_mode, destination.traces_enabled = "metadata_only", True
            destination.traces_endpoint_url, destination.max_content_bytes = None, None
        else:
            _traces(destination, body.raw("traces"), new_url)
    if coverage is not None:
        kind, workspace_ids = coverage
        now = state.now_ts()
        if kind != destination.coverage and workspace_ids is None:
            destination.listed = {}
        elif workspace_ids is not None:
            destination.listed = {w: destination.listed.get(w, now) for w in workspace_ids}
        destination.coverage = kind
    if wanted_state == "enabled":
        destination.enabled = True
    elif wanted_state == "disabled" and destination.enabled:
        destination.enabled, destination.disabled_reason = False, "caller"
    if setting and destination.collector_status == 401:
        destination.collector_status = 200
    if setting or destination.to_api() != before:
        destination.updated_at = state.now_ts()
        record(
            request,
            "telemetry_destination_updated",
            telemetry_destination_id=destination.id,
            header_names=list(destination.headers),
        )
    return ok(destination.to_api())


async def delete_destination(request: Request) -> JSONResponse:
    state = _beta(request)
    destination = _destination(state, request)
    state.hooks.destinations.remove(destination.id)
    record(request, "telemetry_destination_deleted", telemetry_destination_id=destination.id)
    return ok({"id": destination.id, "type": "telemetry_destination_deleted"})


async def test_destination(request: Request) -> JSONResponse:
    state = _beta(request)
    destination = _destination(state, request)
    now = state.now().timestamp()
    if destination.last_test_at is not None and now - destination.last_test_at < TEST_INTERVAL:
        wait = max(1, int(TEST_INTERVAL - (now - destination.last_test_at)) + 1)
        raise ApiError(
            429,
            f"wait {TEST_INTERVAL:.0f} seconds between tests of one destination",
            headers={"retry-after": str(wait)},
        )
    destination.last_test_at = now
    status = destination.collector_status
    if 200 <= status < 300:
        result: dict[str, object] = {"type": "success"}
    else:
        result = {"type": "failure", "error": f"HTTP error (status {status})"}
    return ok({"type": "telemetry_destination_test", "result": result})


def _listable(destination: TelemetryDestination) -> None:
    if destination.coverage == "all":
        raise invalid_request(
            f"telemetry destination {destination.id} covers every workspace and has no workspace list; "
            "update its workspaces to change what it covers"
        )


async def list_workspaces(request: Request) -> JSONResponse:
    state = _beta(request)
    destination = _destination(state, request)
    query = Query(request.query_params)
    limit = query.limit(20, MAX_LIMIT)
    raw = query.string("page")
    entries = list(reversed(destination.listed))  # newest entry first
    start = 0
    if raw is not None:
        after = decode_page(raw)
        if after not in entries:
            raise invalid_request("page: not a cursor from a previous response's next_page")
        start = entries.index(after) + 1
    page = entries[start : start + limit]
    following = encode_page(page[-1]) if page and start + limit < len(entries) else None
    return ok({"data": [destination.entry_api(w) for w in page], "next_page": following})


async def add_workspace(request: Request) -> JSONResponse:
    state = _beta(request)
    destination = _destination(state, request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    _listable(destination)
    if workspace.id not in destination.listed:
        if workspace.archived_at is not None:
            raise invalid_request(f"workspace {workspace.id} is archived and cannot be added to a list")
        if len(destination.listed) >= LIST_MAX:
            raise invalid_request(f"the list holds {LIST_MAX} workspaces, the most it may hold")
        destination.listed[workspace.id] = state.now_ts()
        record(
            request,
            "telemetry_destination_workspace_added",
            telemetry_destination_id=destination.id,
            workspace_id=workspace.id,
        )
    return ok(destination.entry_api(workspace.id))


async def remove_workspace(request: Request) -> JSONResponse:
    state = _beta(request)
    destination = _destination(state, request)
    workspace_id = request.path_params["workspace_id"]
    _listable(destination)
    if workspace_id not in destination.listed:
        raise not_found(f"workspace_id: {workspace_id[:80]!r} is not on the list of {destination.id}")
    del destination.listed[workspace_id]
    record(
        request,
        "telemetry_destination_workspace_removed",
        telemetry_destination_id=destination.id,
        workspace_id=workspace_id,
    )
    return ok(
        {
            "type": "telemetry_destination_workspace_deleted",
            "telemetry_destination_id": destination.id,
            "workspace_id": workspace_id,
        }
    )


_PATH: Final = "/v1/organizations/telemetry_destinations"
_ONE: Final = _PATH + "/{destination_id}"
ROUTES = [
    Route(_PATH, list_destinations, methods=["GET"]),
    Route(_PATH, create_destination, methods=["POST"]),
    Route(_ONE, retrieve_destination, methods=["GET"]),
    Route(_ONE, update_destination, methods=["POST"]),
    Route(_ONE, delete_destination, methods=["DELETE"]),
    Route(_ONE + "/test", test_destination, methods=["POST"]),
    Route(_ONE + "/workspaces", list_workspaces, methods=["GET"]),
    Route(_ONE + "/workspaces/{workspace_id}", add_workspace, methods=["POST"]),
    Route(_ONE + "/workspaces/{workspace_id}", remove_workspace, methods=["DELETE"]),
]
