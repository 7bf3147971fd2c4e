"""Running one operation: build the request from validated arguments, call the API, shape the result.

Every outcome is a `CallToolResult`: on success structured content (matching the declared output
schema) plus a compact text rendering; on failure `isError` with a paragraph from `tool_errors`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from . import rendering
from .admin_api import ApiError, ApiResponse, ApiUnreachable, MethodNotAllowed, fill_path
from .pagination import (
    CursorError,
    Position,
    WalkInterrupted,
    decode_cursor,
    encode_cursor,
    query_digest,
    walk,
)
from .reader import ApiReader
from .redaction import redact
from .registry import Operation
from .state import AppState, app_state
from .tool_errors import api_error_text, unreachable_text

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 3
"""Conservative: Admin API output is id-heavy, and ids tokenize densely."""
MAX_PAGES_PER_CALL = 50
"""A filter that matches nothing stops after this many pages with a cursor (the API allows ~100 req/min)."""
TYPICAL_ITEM_CHARS = 200.0
"""Until a list tool has returned items, assume this size per item (JSON plus its table row)."""
_RESULT_OVERHEAD = 600
"""Characters reserved for the envelope: header line, cursor, note."""


def error_result(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=redact(text))], is_error=True)


def _result(text: str, structured: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


async def execute(op: Operation, args: BaseModel, ctx: Context[Any, Any]) -> CallToolResult:
    state = app_state(ctx)
    try:
        if op.report is not None:
            from .reports import run_report  # reports builds on this module

            return await run_report(op, args, ctx)
        if op.is_list:
            return await _run_list(op, args, state, ctx)
        return await _run_single(op, args, state)
    except ApiError as exc:
        return error_result(api_error_text(op, exc, state.credential))
    except ApiUnreachable as exc:
        return error_result(unreachable_text(op, exc))
    except CursorError as exc:
        return error_result(f"{op.name}: {exc}")
    except MethodNotAllowed as exc:
        return error_result(f"{op.name} refused: {exc}. The server runs in the read-only tier.")


def path_for(op: Operation, args: BaseModel) -> str:
    return fill_path(op.path, {name: str(getattr(args, name)) for name in op.path_params})


def api_values(op: Operation, args: BaseModel) -> dict[str, Any]:
    """The arguments the API receives (query or body), as JSON values, leaving out what was not given."""
    # An argument left out (None) is not sent; a null inside a value is (it can mean "clear this").
    dumped = args.model_dump(mode="json", include=set(op.api_fields()))
    values = {name: value for name, value in dumped.items() if name in op.api_fields() and value is not None}
    for group, members in op.body_groups.items():
        nested = {name: values.pop(name) for name in members if name in values}
        if nested:
            values[group] = nested
    for name, api_name in op.param_names.items():
        if name in values:
            values[api_name] = values.pop(name)
    return op.reshape(values) if op.reshape is not None else values


async def call_api_response(op: Operation, args: BaseModel, state: AppState) -> ApiResponse:
    values = api_values(op, args)
    body = values if op.method == "POST" else None
    query = None if op.method == "POST" else values
    return await state.api.request(
        op.method, path_for(op, args), query=query, body=body, beta=op.beta, idempotent=op.is_idempotent
    )


async def call_api(op: Operation, args: BaseModel, state: AppState) -> Any:
    return (await call_api_response(op, args, state)).data


def check_shape(op: Operation, data: Any) -> dict[str, Any]:
    """The API object, verified against the operation's output model (so the schema we publish holds)."""
    try:
        op.output.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise ApiUnreachable(f"the API returned an unexpected shape ({problems})") from None
    assert isinstance(data, dict)
    return data


async def _run_single(op: Operation, args: BaseModel, state: AppState) -> CallToolResult:
    data = await op.compute(state, args) if op.compute is not None else await call_api(op, args, state)
    item = check_shape(op, data)
    return _result(rendering.fields(item, op.columns, op.formats), item)


async def _run_list(
    op: Operation, args: BaseModel, state: AppState, ctx: Context[Any, Any]
) -> CallToolResult:
    query = api_values(op, args)
    active = {name: getattr(args, name) for name in op.filters if getattr(args, name) is not None}
    digest = query_digest(op.name, {**query, **{k: _jsonable(v) for k, v in active.items()}})
    for name, setup in op.filter_setups.items():
        if name in active:
            active[name] = await setup(ApiReader(state.api, state.clock), active[name])
    cursor = getattr(args, "cursor", None)
    start = decode_cursor(cursor, digest) if cursor else Position()
    limit: int = getattr(args, "limit", 100)
    path = path_for(op, args)
    chosen: list[str] | None = getattr(args, "fields", None)
    keep_fields = {op.item_id, *chosen} if chosen else None
    columns = [c for c in op.columns if c.split(".")[0] in keep_fields] if keep_fields else list(op.columns)
    if keep_fields and not columns:
        columns = [op.item_id, *(chosen or [])]

    def shape(item: Mapping[str, Any]) -> dict[str, Any]:
        # Only returned items are checked against the published schema: what a filter drops
        # needs no validating.
        check_shape(op, item)
        return {k: v for k, v in item.items() if k in keep_fields} if keep_fields else dict(item)

    def keep(item: Mapping[str, Any]) -> bool:
        return all(op.filters[name](item, value) for name, value in active.items())

    rows: dict[int, str] = {}

    def cost(item: Mapping[str, Any]) -> int:
        # The row is rendered once: to size it here, and again only if this item is not returned.
        row = rows[id(item)] = rendering.table_row(item, columns, op.formats)
        return len(json.dumps(item, separators=(",", ":"))) + len(row) + 6

    async def fetch(params: dict[str, Any]) -> Mapping[str, Any]:
        response = await state.api.request("GET", path, query={**query, **params})
        data = response.data
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise ApiUnreachable("the API returned a list response without a data array")
        if not all(isinstance(item, dict) for item in data["data"]):
            raise ApiUnreachable("the API returned list items that are not objects")
        return data

    async def on_page(examined: int, kept: int, total: int | None) -> None:
        await ctx.report_progress(examined, total, f"{kept} found, {examined} examined")

    budget = state.settings.output_budget_tokens * CHARS_PER_TOKEN - _RESULT_OVERHEAD
    failure = ""
    try:
        result = await walk(
            fetch,
            style="id_cursor" if op.pagination == "id_cursor" else "page_token",
            start=start,
            limit=limit,
            page_size=op.page_size,
            id_field=op.item_id,
            keep=keep if active else None,
            shape=shape,
            cost=cost,
            budget=budget,
            typical_cost=state.item_costs.get((op.name, tuple(columns)), TYPICAL_ITEM_CHARS),
            max_pages=MAX_PAGES_PER_CALL,
            on_page=on_page,
        )
    except WalkInterrupted as interrupted:
        result = interrupted.partial
        cause = interrupted.cause
        if isinstance(cause, ApiError):
            failure = api_error_text(op, cause, state.credential)
        elif isinstance(cause, ApiUnreachable):
            failure = unreachable_text(op, cause)
        else:
            raise cause from None
    if result.items:
        state.item_costs[(op.name, tuple(columns))] = result.used / len(result.items)
    next_cursor = encode_cursor(digest, result.next) if result.next is not None else None
    note = None
    if result.stopped == "error":
        note = (
            f"Interrupted after {len(result.items)} items: a later page failed. The items here are good; "
            f"call again with cursor=next_cursor to resume. {failure}"
        )
    elif result.stopped == "budget":
        note = (
            f"Stopped at {len(result.items)} items to stay within the output budget; more exist. "
            "Call again with cursor=next_cursor (add filters to narrow)."
        )
    elif result.stopped == "pages":
        note = (
            f"Examined {result.examined} items over {result.pages} pages and found {len(result.items)}; "
            "the rest is unexamined. Call again with cursor=next_cursor to keep searching."
        )
    structured = {"items": result.items, "count": len(result.items), "next_cursor": next_cursor, "note": note}
    head = f"{len(result.items)} item{'s' if len(result.items) != 1 else ''}"
    head += "; more exist (next_cursor below)." if next_cursor else "; end of list."
    lines = [head]
    if note:
        lines.append(note)
    if result.items:
        rendered = [
            rows.get(id(item)) or rendering.table_row(item, columns, op.formats) for item in result.items
        ]
        lines.append(rendering.table(result.items, columns, rendered))
    if next_cursor:
        lines.append(f"next_cursor: {next_cursor}")
    return _result("\n".join(lines), structured)


def _jsonable(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value
