"""List tools: walk the API's pages with the one paginator, filter and trim while streaming, and stop
at the limit, the output budget or the page cap with a cursor that resumes exactly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel

from ..api.errors import ApiError, ApiUnreachable
from ..catalog.operation import Days, Operation
from ..catalog.time_range import RangeError, whole_days
from . import rendering
from .failures import api_error_text, unreachable_text
from .labels import add_labels, with_labels
from .paginator import (
    Budget,
    Position,
    Source,
    Style,
    WalkInterrupted,
    WalkResult,
    decode_cursor,
    encode_cursor,
    query_digest,
    walk,
)
from .reader import ApiReader
from .requests import checked, path_for
from .results import failure as refusal
from .results import result
from .state import RunState

CHARS_PER_TOKEN = 3
"""Conservative: Admin API output is id-heavy, and ids tokenize densely."""
MAX_PAGES_PER_CALL = 50
"""A filter that matches nothing stops after this many pages with a cursor (the API allows ~100 req/min)."""
TYPICAL_ITEM_CHARS = 200.0
"""Until a list tool has returned items, assume this size per item (JSON plus its table row)."""
_RESULT_OVERHEAD = 600
"""Characters reserved for the envelope: header line, cursor, note."""


def list_source(op: Operation, state: RunState, path: str, query: Mapping[str, Any]) -> Source:
    """The list at `path` (an instance of `op`'s path) with `query`, as the paginator walks it: each
    page checked to be a list of objects."""

    async def fetch(params: dict[str, Any]) -> Mapping[str, Any]:
        data = (await state.api.request("GET", path, query={**query, **params}, beta=op.beta)).data
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise ApiUnreachable("the API returned a list response without a data array")
        if not all(isinstance(item, dict) for item in data["data"]):
            raise ApiUnreachable("the API returned list items that are not objects")
        return data

    style: Style = "id_cursor" if op.pagination == "id_cursor" else "page_token"
    return Source(fetch, style, op.page_size, op.item_id)


def _jsonable(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


async def run_list(
    op: Operation, args: BaseModel, state: RunState, reader: ApiReader, ctx: Context[Any, Any]
) -> CallToolResult:
    query = op.api_values(args)
    covered: list[str] = []
    if op.days is not None:
        try:
            days, covered = day_query(op.days, str(getattr(args, "range", "")), state.clock())
        except RangeError as exc:
            return refusal(f"{op.name}: {exc}. Nothing was asked of the API.")
        query |= days
    active = {name: getattr(args, name) for name in op.filters if getattr(args, name) is not None}
    digest = query_digest(op.name, {**query, **{k: _jsonable(v) for k, v in active.items()}})
    cursor: str | None = getattr(args, "cursor", None)
    start = decode_cursor(cursor, digest) if cursor else Position()
    prepared = {}
    for name, value in active.items():
        prepare = op.filters[name].prepare
        prepared[name] = await prepare(reader, value) if prepare is not None else value
    chosen: list[str] | None = getattr(args, "fields", None)
    keep_fields = {op.item_id, *chosen} if chosen else None
    columns = [c for c in op.columns if c.split(".")[0] in keep_fields] if keep_fields else list(op.columns)
    if keep_fields and not columns:
        columns = [op.item_id, *(chosen or [])]
    path = path_for(op, args)
    label_room = 40 * len(op.labels)  # the names added beside ids, once the walk is done

    def shape(item: Mapping[str, Any]) -> dict[str, Any]:
        # Only returned items are checked against the published schema: what a filter drops
        # needs no validating.
        checked(op, item)
        return {k: v for k, v in item.items() if k in keep_fields} if keep_fields else dict(item)

    def keep(item: Mapping[str, Any]) -> bool:
        return all(op.filters[name].keep(item, value) for name, value in prepared.items())

    def cost(item: Mapping[str, Any]) -> int:
        row = rendering.table_row(item, columns, op.formats)
        return len(json.dumps(item, separators=(",", ":"))) + len(row) + 6 + label_room

    async def on_page(examined: int, kept: int, total: int | None) -> None:
        await ctx.report_progress(examined, total, f"{kept} found, {examined} examined")

    source = list_source(op, state, path, query)
    budget = Budget(
        limit=getattr(args, "limit", 100),
        chars=state.settings.output_budget_tokens * CHARS_PER_TOKEN - _RESULT_OVERHEAD,
        cost=cost,
        typical=state.item_costs.get((op.name, tuple(columns)), TYPICAL_ITEM_CHARS),
        max_pages=MAX_PAGES_PER_CALL,
    )
    failure = ""
    try:
        walked = await walk(
            source, start, budget, keep=keep if prepared else None, shape=shape, on_page=on_page
        )
    except WalkInterrupted as interrupted:
        walked, cause = interrupted.partial, interrupted.cause
        if isinstance(cause, ApiError):
            failure = api_error_text(op, cause, state.credential)
        elif isinstance(cause, ApiUnreachable):
            failure = unreachable_text(op, cause)
        else:
            raise cause from None
    if walked.items:
        state.item_costs[(op.name, tuple(columns))] = walked.used / len(walked.items)
    labels = {column: label for column, label in op.labels.items() if column in columns}
    # Names go beside ids in the text; the structured items stay the API's objects.
    shown = [dict(item) for item in walked.items]
    await add_labels(shown, labels, reader)
    checked_by = [
        says(reader, active[name]) for name in active if (says := op.filters[name].says) is not None
    ]
    return _answer(op, walked, shown, digest, with_labels(columns, labels), failure, [*covered, *checked_by])


def day_query(days: Days, text: str, now: datetime) -> tuple[dict[str, str], list[str]]:
    """The API's day parameters for `range`, and a line saying which days they are."""
    first, end = whole_days(text, now)
    last = end - timedelta(days=1)
    said = f"Day {first} (UTC)." if first == last else f"Days {first} to {last} (UTC; today is not over)."
    if first == last and days.single is not None:
        return {days.single: first.isoformat()}, [said]
    if days.start is None:
        raise RangeError(f"{text!r} covers {(end - first).days} days; this list comes one UTC day at a time")
    query = {days.start: first.isoformat()} | ({days.end: end.isoformat()} if days.end else {})
    return query, [said]


def _answer(
    op: Operation,
    walked: WalkResult,
    shown: list[dict[str, Any]],
    digest: str,
    columns: list[str],
    failure: str,
    checked_by: list[str],
) -> CallToolResult:
    items = walked.items
    next_cursor = encode_cursor(digest, walked.next) if walked.next is not None else None
    note = None
    if walked.stopped == "end" and not items and op.empty_hint:
        note = op.empty_hint
    if walked.stopped == "error":
        note = (
            f"Interrupted after {len(items)} items: a later page failed. The items here are good; "
            f"call again with cursor=next_cursor to resume. {failure}"
        )
    elif walked.stopped == "budget":
        note = (
            f"Stopped at {len(items)} items to stay within the output budget; more exist. "
            "Call again with cursor=next_cursor (add filters to narrow)."
        )
    elif walked.stopped == "pages":
        note = (
            f"Examined {walked.examined} items over {walked.pages} pages and found {len(items)}; "
            "the rest is unexamined. Call again with cursor=next_cursor to keep searching."
        )
    head = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    head += "; more exist (next_cursor below)." if next_cursor else "; end of list."
    lines = [head, *checked_by, *([note] if note else [])]
    if items:
        lines.append(rendering.table(shown, columns, formats=op.formats))
    if next_cursor:
        lines.append(f"next_cursor: {next_cursor}")
    structured = {"items": items, "count": len(items), "next_cursor": next_cursor, "note": note}
    return result("\n".join(lines), structured)
