"""One paginator for both Admin API list styles, with cursors that resume exactly.

- `id_cursor`: `limit`, `after_id` → `data`, `has_more`, `first_id`, `last_id`.
- `page_token`: `limit`, `page` → `data`, `next_page` (and sometimes `has_more`).

A walk keeps only the current page and the items it returns. It stops at the item limit, at the
output budget, after `max_pages` pages, or at the end, and hands back a `Position` just after the
last item it *finished with*, so resuming neither repeats nor skips an item, even when it stopped in
the middle of a page. Items examined and rejected by a filter are never examined again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Style = Literal["id_cursor", "page_token"]
StopReason = Literal["end", "limit", "budget", "pages", "error"]
Item = dict[str, Any]


class CursorError(ValueError):
    """A cursor that is malformed or belongs to another query."""


@dataclass(frozen=True)
class Position:
    """Where a walk stands. Serialised into the opaque `cursor` the model passes back."""

    after: str | None = None
    """id_cursor: the `after_id` to continue from."""
    page: str | None = None
    """page_token: the token of the page being consumed (None = the first page)."""
    skip: int = 0
    """page_token: how many items of that page are already done."""
    size: int | None = None
    """page_token: the page size the token was issued for (a token may assume it)."""


@dataclass
class WalkResult:
    items: list[Item]
    next: Position | None
    """None when the list is exhausted."""
    stopped: StopReason
    examined: int
    pages: int
    used: int = 0
    """Total `cost` of the items returned."""


class WalkInterrupted(Exception):
    """A page failed after the walk had made progress: `partial` holds it, with a resumable position."""

    def __init__(self, partial: WalkResult, cause: Exception) -> None:
        super().__init__(str(cause))
        self.partial = partial
        self.cause = cause


Fetch = Callable[[dict[str, Any]], Awaitable[Mapping[str, Any]]]
OnPage = Callable[[int, int, int | None], Awaitable[None]]


def query_digest(tool: str, arguments: Mapping[str, Any]) -> str:
    """Binds a cursor to the query that produced it."""
    canonical = json.dumps([tool, arguments], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(digest: str, position: Position) -> str:
    payload = {"q": digest, "a": position.after, "p": position.page, "s": position.skip, "n": position.size}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, digest: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            raise TypeError
        after, page, skip, size = payload.get("a"), payload.get("p"), payload.get("s", 0), payload.get("n")
        if not (
            (after is None or isinstance(after, str))
            and (page is None or isinstance(page, str))
            and isinstance(skip, int)
            and skip >= 0
            and (size is None or isinstance(size, int))
        ):
            raise TypeError
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise CursorError(
            "cursor is not one this server issued; pass next_cursor from a previous result unchanged, "
            "or omit cursor to start from the beginning"
        ) from None
    if payload.get("q") != digest:
        raise CursorError(
            "cursor belongs to a different query (other filters or another tool); "
            "repeat the original arguments with it, or omit cursor to start over"
        )
    return Position(after=after, page=page, skip=skip, size=size)


async def walk(
    fetch: Fetch,
    *,
    style: Style,
    start: Position,
    limit: int,
    page_size: int,
    id_field: str = "id",
    keep: Callable[[Item], bool] | None = None,
    shape: Callable[[Item], Item] | None = None,
    cost: Callable[[Item], int] = lambda _item: 0,
    budget: int | None = None,
    typical_cost: float | None = None,
    max_pages: int | None = None,
    on_page: OnPage | None = None,
) -> WalkResult:
    """Walk pages from `start` until `limit` items are kept, the budget or page cap is hit, or the end.

    `keep` filters items while streaming, `shape` trims each kept one (e.g. to chosen fields), and
    `cost` sizes it against `budget`. `on_page`
    is awaited after each page with (items examined, items kept, total if the API said).
    `typical_cost` (an item's usual cost) lets an unfiltered walk fetch only what the budget can
    hold, so a walk cut by the budget does not leave fetched items to be fetched again.
    """
    items: list[Item] = []
    used = 0
    examined = 0
    pages = 0
    position = start
    while True:
        if max_pages is not None and pages >= max_pages:
            return WalkResult(items, position, "pages", examined, pages, used)
        wanted = limit - len(items)
        # Without a filter every item fetched is returned, so fetch no more than needed;
        # with one, the largest page finds matches in the fewest requests.
        size = page_size if keep is not None else max(1, min(page_size, wanted))
        if keep is None and budget is not None and typical_cost:
            # One more than should fit: enough to learn that the budget, not the list, ended the walk.
            size = max(1, min(size, int((budget - used) / typical_cost) + 1))
        params: dict[str, Any] = {"limit": size}
        if style == "id_cursor":
            if position.after is not None:
                params["after_id"] = position.after
        else:
            size = position.size or size
            params["limit"] = size
            if position.page is not None:
                params["page"] = position.page
        try:
            body = await fetch(params)
        except Exception as exc:
            if pages == 0:
                raise
            raise WalkInterrupted(WalkResult(items, position, "error", examined, pages, used), exc) from exc
        pages += 1
        data = body.get("data") or []
        skip = position.skip if style == "page_token" else 0
        page_start = position

        for index in range(skip, len(data)):
            item = data[index]
            matches = keep is None or keep(item)
            if len(items) >= limit:
                if matches:
                    # One more match exists: stop just before it.
                    return WalkResult(
                        items,
                        _resume_at(style, data, index, skip, page_start, id_field, size),
                        "limit",
                        examined,
                        pages,
                        used,
                    )
                examined += 1
                continue
            examined += 1
            if matches:
                kept = shape(item) if shape is not None else item
                item_cost = cost(kept)
                if budget is not None and items and used + item_cost > budget:
                    return WalkResult(
                        items,
                        _resume_at(style, data, index, skip, page_start, id_field, size),
                        "budget",
                        examined - 1,
                        pages,
                        used,
                    )
                items.append(kept)
                used += item_cost
        position = _resume_at(style, data, len(data), skip, page_start, id_field, size)
        if on_page is not None:
            total = body.get("total_count") if isinstance(body.get("total_count"), int) else None
            await on_page(examined, len(items), total)
        next_position = _next_page(style, body, position, size)
        if next_position is None:
            return WalkResult(items, None, "end", examined, pages, used)
        position = next_position
        if len(items) >= limit:
            return WalkResult(items, position, "limit", examined, pages, used)


def _resume_at(
    style: Style, data: list[Item], index: int, skip: int, page_start: Position, id_field: str, size: int
) -> Position:
    """Where to resume to reach item `index` of this page next. Built only where a walk stops, not
    for every item, since the walk's loop runs for every item examined."""
    if index == skip:
        return page_start
    if style == "id_cursor":
        return Position(after=str(data[index - 1].get(id_field)))
    return Position(page=page_start.page, skip=index, size=size)


def _next_page(style: Style, body: Mapping[str, Any], position: Position, size: int) -> Position | None:
    if style == "id_cursor":
        # `position` already stands after the last item of this page; an empty page that
        # claims more would never advance, so it ends the walk.
        if not body.get("has_more") or not body.get("data"):
            return None
        last = body.get("last_id")
        return replace(position, after=str(last)) if last else position
    token = body.get("next_page")
    if not token or body.get("has_more") is False:
        return None
    return Position(page=str(token), skip=0, size=size)
