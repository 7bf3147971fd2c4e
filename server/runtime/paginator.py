"""The one paginator: both Admin API list styles, for list tools, reports, previews and exports.

- `id_cursor`: `limit`, `after_id` → `data`, `has_more`, `first_id`, `last_id`.
- `page_token`: `limit`, `page` → `data`, `next_page` (and sometimes `has_more`).

`pages` is the primitive: every page from a `Position` on, one at a time, holding only the current
page. `walk` (list tools) stops at an item limit, an output budget, a page cap or the end, and hands
back a `Position` just after the last item it *finished with*, so resuming neither repeats nor
skips an item, even when it stopped in the middle of a page; items a filter rejected are never
examined again. `collect` (previews) gathers a bounded list. Cursors given to the model encode a
`Position` bound to the query that produced it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Style = Literal["id_cursor", "page_token"]
StopReason = Literal["end", "limit", "budget", "pages", "error"]
Item = dict[str, Any]
Fetch = Callable[[dict[str, Any]], Awaitable[Mapping[str, Any]]]
"""One request: given the paging parameters (`limit`, `after_id` or `page`), the response body."""
OnPage = Callable[[int, int, int | None], Awaitable[None]]
"""Progress after each page: (items examined, items kept, total if the API said)."""


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


@dataclass(frozen=True)
class Source:
    """A list endpoint as the paginator sees it."""

    fetch: Fetch
    style: Style
    page_size: int
    """The API's largest page."""
    id_field: str = "id"
    """The item field an `after_id` refers to."""


@dataclass(frozen=True)
class Page:
    items: list[Item]
    start: Position
    """Where this page was asked from (its first `start.skip` items were already done)."""
    size: int
    """The `limit` it was asked with."""
    total: int | None
    """The list's total, when the API said."""
    next: Position | None
    """The following page, or None at the end."""


async def pages(
    source: Source, start: Position = Position(), size: Callable[[], int] | None = None
) -> AsyncGenerator[Page, None]:
    """Every page from `start`, in order. `size` picks each request's `limit` (default: the largest)."""
    position = start
    while True:
        limit = max(1, min(source.page_size, size() if size is not None else source.page_size))
        params: dict[str, Any] = {"limit": limit}
        if source.style == "id_cursor":
            if position.after is not None:
                params["after_id"] = position.after
        else:
            # A page token may assume the size it was issued for.
            limit = params["limit"] = position.size or limit
            if position.page is not None:
                params["page"] = position.page
        body = await source.fetch(params)
        data = body.get("data") or []
        total = body.get("total_count")
        page = Page(data, position, limit, total if isinstance(total, int) else None, None)
        page = replace(page, next=_next_page(source, body, page))
        yield page
        if page.next is None:
            return
        position = page.next


def _next_page(source: Source, body: Mapping[str, Any], page: Page) -> Position | None:
    if source.style == "id_cursor":
        # An empty page that claims more would never advance, so it ends the walk.
        if not body.get("has_more") or not page.items:
            return None
        last = body.get("last_id") or page.items[-1].get(source.id_field)
        return Position(after=str(last))
    token = body.get("next_page")
    if not token or body.get("has_more") is False:
        return None
    return Position(page=str(token), size=page.size)


def resume_at(source: Source, page: Page, index: int) -> Position:
    """Where to resume to reach item `index` of `page` next. Built only where a walk stops, not for
    every item, since a walk's loop runs for every item examined."""
    if index == page.start.skip:
        return page.start
    if source.style == "id_cursor":
        return Position(after=str(page.items[index - 1].get(source.id_field)))
    return Position(page=page.start.page, skip=index, size=page.size)


async def collect(source: Source, limit: int) -> list[Item]:
    """Up to `limit` items from the start of the list (for previews, which describe, not export)."""
    items: list[Item] = []
    async for page in pages(source, size=lambda: limit - len(items)):
        items.extend(page.items[: limit - len(items)])
        if len(items) >= limit:
            break
    return items


@dataclass(frozen=True)
class Budget:
    """What stops a walk besides the end of the list."""

    limit: int
    """Items to return."""
    chars: int | None = None
    """The largest total `cost` of the items returned."""
    cost: Callable[[Item], int] = lambda _item: 0
    """An item's size against `chars` (after `shape`)."""
    typical: float | None = None
    """An item's usual cost: lets an unfiltered walk fetch only what `chars` can hold, so a walk cut
    by the budget does not leave fetched items to be fetched again."""
    max_pages: int | None = None


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


async def walk(
    source: Source,
    start: Position,
    budget: Budget,
    *,
    keep: Callable[[Item], bool] | None = None,
    shape: Callable[[Item], Item] | None = None,
    on_page: OnPage | None = None,
) -> WalkResult:
    """Walk pages from `start` until the budget stops it or the list ends.

    `keep` filters items while streaming and `shape` trims each kept one (e.g. to chosen fields)
    before it is costed.
    """
    result = WalkResult([], start, "end", 0, 0)

    def size() -> int:
        # Without a filter every item fetched is returned, so fetch no more than needed;
        # with one, the largest page finds matches in the fewest requests.
        if keep is not None:
            return source.page_size
        wanted = budget.limit - len(result.items)
        if budget.chars is not None and budget.typical:
            # One more than should fit: enough to learn that the budget, not the list, ended the walk.
            wanted = min(wanted, int((budget.chars - result.used) / budget.typical) + 1)
        return wanted

    stream = pages(source, start, size)
    while True:
        if budget.max_pages is not None and result.pages >= budget.max_pages:
            result.stopped = "pages"
            break
        try:
            page = await anext(stream)
        except StopAsyncIteration:
            break
        except Exception as exc:
            if result.pages == 0:
                raise
            result.stopped = "error"
            raise WalkInterrupted(result, exc) from exc
        result.pages += 1
        stop = _take(source, page, budget, keep, shape, result)
        if stop is not None:
            result.next, result.stopped = stop
            await stream.aclose()
            return result
        if on_page is not None:
            await on_page(result.examined, len(result.items), page.total)
        result.next = page.next
        if page.next is None:
            result.stopped = "end"
            return result
        if len(result.items) >= budget.limit:
            result.stopped = "limit"
            await stream.aclose()
            return result
    await stream.aclose()
    return result


def _take(
    source: Source,
    page: Page,
    budget: Budget,
    keep: Callable[[Item], bool] | None,
    shape: Callable[[Item], Item] | None,
    result: WalkResult,
) -> tuple[Position, StopReason] | None:
    """Take the page's items into `result`; where to resume and why, if the walk stops inside it."""
    for index in range(page.start.skip, len(page.items)):
        item = page.items[index]
        matches = keep is None or keep(item)
        if len(result.items) >= budget.limit:
            if matches:  # one more match exists: stop just before it
                return resume_at(source, page, index), "limit"
            result.examined += 1
            continue
        result.examined += 1
        if not matches:
            continue
        kept = shape(item) if shape is not None else item
        cost = budget.cost(kept)
        if budget.chars is not None and result.items and result.used + cost > budget.chars:
            result.examined -= 1
            return resume_at(source, page, index), "budget"
        result.items.append(kept)
        result.used += cost
    return None


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
