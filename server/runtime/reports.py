"""Reports as answers: walk every page of a range and aggregate exactly, on the server.

For a `Report` operation the tool takes a `range` ("last 7 days", "2026-11-01..2026-11-15"), a
`view` and the report's own arguments (`group_by`, filters, `bucket_width`):

- `totals` (default): one row per group over the whole range, largest first (`top`, `sort_by`);
- `daily`: the same per UTC day;
- `buckets`: the API's buckets as they come, within the output budget, with a cursor.

Tokens are summed as integers and money as `Decimal` cents, never floats. A range or width the API
will not serve is refused before any request, with what would be accepted. The answer states the
exact UTC interval covered and how fresh the data is.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict, Field

from ..catalog.operation import BucketWidth, Label, Operation, Report
from ..catalog.time_range import RangeError, TimeRange, iso, parse_range
from . import rendering
from .labels import add_labels
from .lists import CHARS_PER_TOKEN
from .paginator import CursorError, Position, Source, decode_cursor, encode_cursor, pages, query_digest
from .reader import ApiReader
from .results import failure, result
from .state import RunState

MAX_REQUESTS_PER_CALL = 60
"""A report call that would need more pages than this is refused (the usage API favours polling
once a minute, with short bursts for paging)."""
_OVERHEAD = 1_200
_CENT = Decimal("0.01")


class ReportArguments(BaseModel):
    """Arguments every report tool takes besides its own grouping and filters."""

    model_config = ConfigDict(extra="forbid")

    range: str = Field(
        "last 7 days", description="UTC. e.g. last 7 days, yesterday, this month, 2026-11-01..2026-11-15"
    )
    view: Literal["totals", "daily", "buckets"] = "totals"
    top: int | None = Field(None, ge=1, le=1000, description="Only the N largest groups.")
    sort_by: str | None = Field(None, description="The metric that ranks groups.")
    cursor: str | None = Field(None, description="next_cursor of a buckets view.")


class ReportError(Exception):
    """A report the server will not ask the API for; the message says what would work."""


def _floor(moment: datetime, seconds: int) -> datetime:
    stamp = int(moment.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, UTC)


def plan(spec: Report, width: BucketWidth | None, span: TimeRange) -> list[tuple[datetime, datetime]]:
    """The requests (each a [start, end) the API accepts) that cover `span`; raises ReportError."""
    days = span.seconds / 86_400
    if days > spec.max_days:
        raise ReportError(
            f"the range covers {days:.0f} days; this report covers at most {spec.max_days} days per call. "
            "Narrow the range, or ask for several ranges"
        )
    if width is None:
        first = span.start.date()
        count = (span.end - timedelta(microseconds=1)).date().toordinal() - first.toordinal() + 1
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        return [(start + timedelta(days=i), start + timedelta(days=i + 1)) for i in range(count)]
    start = _floor(span.start, width.seconds)
    step = timedelta(days=width.span_days)
    pieces = []
    while start < span.end:
        pieces.append((start, min(start + step, span.end)))
        start += step
    buckets = math.ceil((span.end - _floor(span.start, width.seconds)).total_seconds() / width.seconds)
    requests = sum(math.ceil((b - a).total_seconds() / width.seconds / width.page_max) for a, b in pieces)
    if requests > MAX_REQUESTS_PER_CALL:
        wider = [w.name for w in spec.widths if w.seconds > width.seconds]
        hint = f"use bucket_width {' or '.join(wider)}, or " if wider else ""
        raise ReportError(
            f"{width.name} buckets over this range are {buckets:,} buckets ({requests} requests); one call "
            f"fetches at most {MAX_REQUESTS_PER_CALL} pages ({MAX_REQUESTS_PER_CALL * width.page_max:,} "
            f"{width.name} buckets): {hint}narrow the range"
        )
    return pieces


class Bucket:
    __slots__ = ("end", "results", "start")

    def __init__(self, start: str, end: str, results: list[dict[str, Any]]) -> None:
        self.start, self.end, self.results = start, end, results


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _flat_buckets(rows: list[dict[str, Any]], start: datetime, end: datetime) -> list[Bucket]:
    """Rows that each carry their bucket (a flat report's), gathered into buckets in time order;
    a row without bounds covers the request's range."""

    def bounds(row: Mapping[str, Any]) -> tuple[str, str]:
        first, last = row.get("starting_at"), row.get("ending_at")
        return (str(first), str(last)) if first and last else (iso(start), iso(end))

    buckets: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        buckets.setdefault(bounds(row), []).append(row)
    return [Bucket(first, last, found) for (first, last), found in sorted(buckets.items())]


async def stream(
    op: Operation,
    state: RunState,
    query: Mapping[str, Any],
    pieces: list[tuple[datetime, datetime]],
    width: BucketWidth | None,
    beta: str | None,
    ctx: Context[Any, Any],
    refreshed: list[datetime],
) -> AsyncGenerator[Bucket, None]:
    """Every bucket (or day of records) of the pieces, in order, page by page, with progress; the
    `data_refreshed_at` each page states goes into `refreshed`."""
    spec = op.report
    assert spec is not None
    requests = 0
    for index, (start, end) in enumerate(pieces):
        params: dict[str, Any] = dict(query)
        if width is not None:
            params |= {"starting_at": iso(start), "ending_at": iso(end)}
        else:
            params |= {"starting_at": start.date().isoformat()}

        async def fetch(paging: dict[str, Any], params: dict[str, Any] = params) -> Mapping[str, Any]:
            data = (await state.api.request("GET", op.path, query={**params, **paging}, beta=beta)).data
            if not isinstance(data, dict):
                return {}
            moment = _moment(str(data.get("data_refreshed_at") or ""))
            if moment is not None:
                refreshed.append(moment)
            return data

        records: list[dict[str, Any]] = []
        source = Source(fetch, "page_token", width.page_max if width is not None else 1000)
        async for page in pages(source):
            requests += 1
            if width is not None and not spec.flat:
                for bucket in page.items:
                    yield Bucket(
                        str(bucket.get("starting_at")),
                        str(bucket.get("ending_at")),
                        bucket.get("results") or [],
                    )
            else:
                records.extend(page.items)
            unit = "days" if width is None else "pieces"
            await ctx.report_progress(requests, None, f"{index + 1} of {len(pieces)} {unit}")
        if spec.flat:
            for gathered in _flat_buckets(records, start, end):
                yield gathered
        elif width is None:
            yield Bucket(iso(start), iso(end), records)


def _zero(value: Any) -> Any:
    return Decimal(0) if isinstance(value, Decimal) else 0


class Aggregate:
    """Sums rows into groups exactly; `by_day` adds the bucket's UTC day to each group."""

    def __init__(self, spec: Report, group_by: tuple[str, ...], by_day: bool) -> None:
        self.spec, self.group_by, self.by_day = spec, group_by, by_day
        self.groups: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
        self.buckets = 0

    def add(self, bucket: Bucket) -> None:
        self.buckets += 1
        metrics = self.spec.metrics
        for entry in bucket.results:
            for row in self.spec.rows(entry, self.group_by):
                key = tuple((k, v) for k, v in row.items() if k not in metrics)
                if self.by_day:
                    key = (("day", bucket.start[:10]), *key)
                sums = self.groups.get(key)
                if sums is None:
                    sums = self.groups[key] = {m: _zero(row[m]) for m in metrics if m in row}
                for metric, value in row.items():
                    if metric in sums:
                        sums[metric] += value

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for key, sums in self.groups.items():
            row = {**dict(key), **sums}
            if self.spec.derive is not None:
                self.spec.derive(row)
            out.append(row)
        return out


def dollars(cents: Decimal) -> str:
    return f"${(cents / 100).quantize(_CENT, rounding=ROUND_HALF_EVEN):,}"


def _jsonable(row: Mapping[str, Any], money: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            exact = format(value.normalize(), "f") if value else "0"
            if key == money:
                # Money says its unit: exact cents as the API counts them, and dollars to the cent.
                out[f"{key}_cents"] = exact
                out[f"{key}_usd"] = format((value / 100).quantize(_CENT, rounding=ROUND_HALF_EVEN), "f")
            else:
                out[key] = exact
        else:
            out[key] = value
    return out


async def run_report(
    op: Operation, args: BaseModel, state: RunState, reader: ApiReader, ctx: Context[Any, Any]
) -> CallToolResult:
    spec = op.report
    assert spec is not None
    given = args.model_dump()
    now = state.clock()
    try:
        span = parse_range(str(given["range"]), now)
    except RangeError as exc:
        return _refusal(op, str(exc))
    # A report with a single width (the cost report: daily only) takes no bucket_width argument.
    asked_width = given.get("bucket_width", spec.widths[0].name if spec.widths else None)
    width = next((w for w in spec.widths if w.name == asked_width), None)
    if spec.widths and width is None:
        return _refusal(op, f"bucket_width must be one of {', '.join(w.name for w in spec.widths)}")
    sort_by = given.get("sort_by") or spec.sort_by
    if sort_by not in spec.metrics and sort_by != "acceptance_rate":
        return _refusal(op, f"sort_by must be one of {', '.join(spec.metrics)}")
    view = str(given["view"])
    group_by = tuple(getattr(args, "group_by", None) or ())
    cursor = given.get("cursor")
    if cursor and view != "buckets":
        return _refusal(op, "cursor goes with view='buckets' (totals and daily views are never cut short)")
    query = op.api_values(args)
    digest = query_digest(op.name, {**query, "range": given["range"], "view": view, "path": op.path})
    skip = 0
    if cursor:
        try:
            position = decode_cursor(cursor, digest)
        except CursorError as exc:
            return _refusal(op, str(exc))
        resume = datetime.fromisoformat(str(position.after).replace("Z", "+00:00"))
        span, skip = TimeRange(max(span.start, resume), span.end), position.skip
    try:
        pieces = plan(spec, width, span)
    except ReportError as exc:
        return _refusal(op, str(exc))
    too_early = _too_early(spec, pieces[0][0], now)
    if too_early:
        return _refusal(op, too_early)
    bucketless = spec.flat and view == "totals"
    if bucketless:
        # Totals need no buckets: without a width a flat report answers one row per group per
        # request, not one per group and bucket (a month by member: 3 pages, not 78). It then
        # covers whole hours, so the last hour in progress is left for the next call.
        query = {k: v for k, v in query.items() if k != _width_parameter(op)}
        pieces = [(a, _floor(b, 3_600)) for a, b in pieces if _floor(b, 3_600) > a]
        if not pieces:
            return _refusal(op, "the range holds no whole hour yet; ask for a longer one")
        span = TimeRange(span.start, pieces[-1][1])
    betas = {beta for name, beta in spec.betas.items() if given.get(name) or name in group_by}
    covered = TimeRange(pieces[0][0], span.end)
    header: dict[str, Any] = {
        "range": {"start": iso(covered.start), "end": iso(covered.end), "asked": str(given["range"])},
        "view": view,
        "group_by": list(group_by),
        "bucket_width": width.name if width and not bucketless else None,
        "data_through": iso(min(span.end, now - timedelta(seconds=spec.lag_seconds))),
        "endpoint": f"GET {op.path}",
    }
    refreshed: list[datetime] = []
    source = stream(
        op,
        state,
        query,
        pieces,
        width,
        ",".join(sorted(betas | ({op.beta} if op.beta else set()))) or None,
        ctx,
        refreshed,
    )
    if view == "buckets":
        return await _buckets_view(
            op, state, header, source, digest, skip, lambda: _fresh(header, span, refreshed)
        )
    aggregate = Aggregate(spec, group_by, by_day=view == "daily")
    async for bucket in source:
        aggregate.add(bucket)
    _fresh(header, span, refreshed)
    return await _totals_view(op, state, reader, header, aggregate, sort_by, given.get("top"))


def _width_parameter(op: Operation) -> str:
    """What the API calls the report's bucket width (`time_bucket_width` on the analytics API)."""
    field = op.input.model_fields.get("bucket_width")
    return (field.serialization_alias if field is not None else None) or "bucket_width"


def _too_early(spec: Report, start: datetime, now: datetime) -> str | None:
    """Why the endpoint would refuse a range starting at `start`, if it would."""
    if spec.earliest is not None and start < datetime.fromisoformat(spec.earliest.replace("Z", "+00:00")):
        return f"this endpoint has data from {spec.earliest} on; start the range then or later"
    if spec.max_age_days is not None and start < now - timedelta(days=spec.max_age_days):
        return f"this endpoint serves only the last {spec.max_age_days} days; start the range later"
    return None


def _fresh(header: dict[str, Any], span: TimeRange, refreshed: list[datetime]) -> None:
    """The data's end as the API stated it (`data_refreshed_at`), where it did."""
    if refreshed:
        header["data_through"] = iso(min(span.end, *refreshed))


def _refusal(op: Operation, reason: str) -> CallToolResult:
    return failure(f"{op.name}: {reason}. Nothing was asked of the API.")


def _why_empty(spec: Report, header: dict[str, Any]) -> str:
    """An empty answer explains itself: no usage, or no data yet for the range asked."""
    start, through = header["range"]["start"], header["data_through"]
    lag = f"about {spec.lag_seconds // 3600} hour" if spec.lag_seconds >= 3600 else "minutes"
    if not spec.widths and through[:10] <= start[:10]:
        return (
            f"No complete UTC day in this range yet: this report comes per whole UTC day, {lag} after it "
            "ends (so early in a day, week or month there is nothing to report). Ask for yesterday, or a "
            "range of past days."
        )
    if through <= start:
        return f"No data in this range yet: data appears {lag} after the fact."
    return "Nothing was reported in this range: no usage matched."


def _sum(rows: list[dict[str, Any]], metrics: tuple[str, ...]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for row in rows:
        for metric in metrics:
            if metric in row and row[metric] is not None:
                totals[metric] = totals.get(metric, _zero(row[metric])) + row[metric]
    return totals


def _metric_text(value: Any, money: bool) -> str:
    if isinstance(value, Decimal):
        return dollars(value) if money else format(value, "f")
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return rendering.cell(value, 60)


async def _totals_view(
    op: Operation,
    state: RunState,
    reader: ApiReader,
    header: dict[str, Any],
    aggregate: Aggregate,
    sort_by: str,
    top: int | None,
) -> CallToolResult:
    spec = op.report
    assert spec is not None
    rows = aggregate.rows()
    totals = _sum(rows, spec.metrics)
    currency = next((row.get("currency") for row in rows if row.get("currency")), None)
    group_by = list(header["group_by"])
    daily = header["view"] == "daily"
    if daily:
        rows.sort(key=lambda r: (r.get("day", ""), -(r.get(sort_by) or 0)))
    else:
        rows.sort(key=lambda r: r.get(sort_by) or 0, reverse=True)
    groups = len(rows)
    shown = rows[:top] if top else rows
    await add_labels(shown[:200], op.labels, reader)
    money = spec.money
    label_columns = [Label.key(d) for d in op.labels if d in group_by]
    columns = (["day"] if daily else []) + group_by + label_columns
    columns += [m for m in (*spec.metrics, "acceptance_rate") if any(m in r for r in shown)]

    def amount(metric: str, value: Any) -> str:
        shown_value = _metric_text(value, metric == money)
        return f"{shown_value} {currency}" if metric == money and currency else shown_value

    total_text = ", ".join(
        f"{amount(m, totals[m])} {m.replace('_', ' ')}" for m in spec.metrics[:3] if m in totals
    )
    by = f", by {' and '.join(group_by)}" if group_by else ""
    width = f"{header['bucket_width']} buckets" if header["bucket_width"] else "whole days"
    if not header["bucket_width"] and spec.widths:
        width = "the range in one piece per request"
    unit = "rows" if daily else "groups" if by else "row"
    summary = (
        f"{op.title} from {header['range']['start']} to {header['range']['end']} (UTC, {width}){by}: "
        f"{groups} {unit}; totals: {total_text or 'nothing'}."
    )
    if not daily and by and shown and totals.get(sort_by):
        leaders = []
        for row in shown[:3]:
            # Each dimension by its name where it has one: "Production / claude-opus-4-6".
            parts = [row.get(Label.key(d)) if d in op.labels else None for d in group_by]
            name = " / ".join(str(part or row.get(d) or "-") for part, d in zip(parts, group_by, strict=True))
            share = (row.get(sort_by) or 0) / totals[sort_by]
            leaders.append(f"{rendering.cell(name, 60)} {amount(sort_by, row.get(sort_by))} ({share:.0%})")
        summary += f" Largest by {sort_by.replace('_', ' ')}: {'; '.join(leaders)}."
    summary += f" Data is complete through {header['data_through']}. Source: {header['endpoint']}."
    budget = state.settings.output_budget_tokens * CHARS_PER_TOKEN - _OVERHEAD
    note = None
    kept: list[dict[str, Any]] = []
    text_rows: list[str] = []
    used = len(summary)
    for row in shown:
        item = _jsonable(row, money)
        line = " | ".join(_metric_text(row.get(c), c == money) for c in columns)
        cost = len(line) + len(json.dumps(item, separators=(",", ":"), default=str)) + 4
        if kept and used + cost > budget:
            note = (
                f"Showing {len(kept)} of {groups} {unit} to stay within the output budget; the totals "
                "cover all of them. Ask for fewer (top) or coarser groups."
            )
            break
        kept.append(item)
        text_rows.append(line)
        used += cost
    if note is None and top and groups > len(shown):
        note = f"Showing the top {len(shown)} of {groups} groups; the totals cover all of them."
    if note is None and not rows:
        note = _why_empty(spec, header)
    structured = {
        **header,
        "rows": kept,
        "totals": _jsonable({**totals, **({"currency": currency} if currency else {})}, money),
        "groups": groups,
        "next_cursor": None,
        "note": note,
    }
    lines = [summary, *([note] if note else []), *([" | ".join(columns), *text_rows] if kept else [])]
    return result("\n".join(lines), structured)


async def _buckets_view(
    op: Operation,
    state: RunState,
    header: dict[str, Any],
    source: AsyncGenerator[Bucket, None],
    digest: str,
    skip: int,
    finish: Callable[[], None],
) -> CallToolResult:
    """Raw buckets until the budget: the cursor names the next bucket (and results already shown)."""
    budget = state.settings.output_budget_tokens * CHARS_PER_TOKEN - _OVERHEAD
    items: list[dict[str, Any]] = []
    lines: list[str] = []
    used = 0
    resume: Position | None = None
    try:
        async for bucket in source:
            first, skip = skip, 0
            line = f"{bucket.start} | {{}} results"
            shell = (
                len(json.dumps({"starting_at": bucket.start, "ending_at": bucket.end, "results": []}))
                + len(line)
                + 8
            )
            if items and used + shell > budget:
                resume = Position(after=bucket.start, skip=first)
                break
            kept: list[dict[str, Any]] = []
            for offset, entry in enumerate(bucket.results[first:], start=first):
                compact = {k: v for k, v in entry.items() if v is not None}
                cost = len(json.dumps(compact, separators=(",", ":"), default=str)) + 2
                if (items or kept) and used + shell + cost > budget:
                    resume = Position(after=bucket.start, skip=offset)
                    break
                kept.append(compact)
                used += cost
            if kept or resume is None:
                items.append({"starting_at": bucket.start, "ending_at": bucket.end, "results": kept})
                lines.append(f"{bucket.start} | {len(kept)} result{'' if len(kept) == 1 else 's'}")
                used += shell
            if resume is not None:
                break
    finally:
        await source.aclose()
    finish()
    next_cursor = encode_cursor(digest, resume) if resume is not None else None
    note = (
        f"Stopped after {len(items)} buckets to stay within the output budget; call again with "
        "cursor=next_cursor for the rest (or use view='totals' for sums)."
        if next_cursor
        else None
    )
    structured = {**header, "rows": items, "totals": {}, "groups": len(items), "next_cursor": next_cursor}
    structured["note"] = note
    more = "; more exist" if next_cursor else ""
    head = (
        f"{op.title}, raw buckets from {header['range']['start']} to {header['range']['end']} (UTC): "
        f"{len(items)} buckets{more}. Data is complete through {header['data_through']}. "
        f"Source: {header['endpoint']}."
    )
    text = "\n".join(
        [head, *([note] if note else []), *lines, *([f"next_cursor: {next_cursor}"] if next_cursor else [])]
    )
    return result(text, structured)
