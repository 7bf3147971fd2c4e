"""The paginator on its own, over both API list styles, against an in-memory list served page by page.

Properties: a walk resumed from each returned position yields every item exactly once, in order,
whatever the page size, limit, filter and budget; memory holds one page plus the output.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claude_admin_mcp.server.runtime.paginator import (
    Budget,
    CursorError,
    Fetch,
    OnPage,
    Position,
    Source,
    Style,
    WalkInterrupted,
    WalkResult,
    decode_cursor,
    encode_cursor,
    query_digest,
)
from claude_admin_mcp.server.runtime.paginator import walk as walk_source

Item = dict[str, Any]


async def walk(
    fetch: Fetch,
    *,
    style: Style,
    start: Position,
    limit: int,
    page_size: int,
    keep: Callable[[Item], bool] | None = None,
    cost: Callable[[Item], int] = lambda _item: 0,
    budget: int | None = None,
    typical_cost: float | None = None,
    max_pages: int | None = None,
    on_page: OnPage | None = None,
) -> WalkResult:
    """The paginator's walk, with its arguments spelled out as the tests vary them."""
    return await walk_source(
        Source(fetch, style, page_size),
        start,
        Budget(limit, budget, cost, typical_cost, max_pages),
        keep=keep,
        on_page=on_page,
    )


class IdCursorList:
    """Serves `items` like the Admin API's after_id lists."""

    def __init__(self, items: list[Item], max_page: int) -> None:
        self.items, self.max_page, self.calls, self.largest, self.served = items, max_page, 0, 0, 0

    async def __call__(self, params: dict[str, Any]) -> Mapping[str, Any]:
        self.calls += 1
        limit = min(params["limit"], self.max_page)
        start = 0
        if "after_id" in params:
            start = next(i for i, it in enumerate(self.items) if it["id"] == params["after_id"]) + 1
        page = self.items[start : start + limit]
        self.largest = max(self.largest, len(page))
        self.served += len(page)
        return {
            "data": page,
            "has_more": start + limit < len(self.items),
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }


class PageTokenList:
    """Serves `items` like the page/next_page lists (opaque tokens), optionally without has_more."""

    def __init__(self, items: list[Item], with_has_more: bool) -> None:
        self.items, self.with_has_more, self.calls = items, with_has_more, 0

    async def __call__(self, params: dict[str, Any]) -> Mapping[str, Any]:
        self.calls += 1
        start = int(base64.b64decode(params["page"]).decode()) if "page" in params else 0
        end = start + params["limit"]
        token = base64.b64encode(str(end).encode()).decode() if end < len(self.items) else None
        body: dict[str, Any] = {"data": self.items[start:end], "next_page": token}
        if self.with_has_more:
            body["has_more"] = token is not None
        return body


def _items(n: int) -> list[Item]:
    return [{"id": f"item_{i:05d}", "n": i, "text": "x" * (i % 13)} for i in range(n)]


async def _drain(fetch: Fetch, style: Style, **options: Any) -> tuple[list[Item], int]:
    out: list[Item] = []
    position = Position()
    calls = 0
    while True:
        result = await walk(fetch, style=style, start=position, **options)
        out.extend(result.items)
        calls += 1
        assert calls < 10_000
        if result.next is None:
            return out, calls
        position = result.next


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 120),
    page=st.integers(1, 17),
    limit=st.integers(1, 25),
    every=st.integers(1, 4),
    budget=st.none() | st.integers(1, 400),
    typical=st.none() | st.floats(1, 60),
    style=st.sampled_from(["id_cursor", "page_token", "page_token_no_has_more"]),
)
def test_resumed_walks_yield_each_item_exactly_once(
    n: int, page: int, limit: int, every: int, budget: int | None, typical: float | None, style: str
) -> None:
    items = _items(n)
    fetch: Fetch = (
        IdCursorList(items, page) if style == "id_cursor" else PageTokenList(items, style == "page_token")
    )
    keep = (lambda item: item["n"] % every == 0) if every > 1 else None
    out, _ = anyio.run(
        lambda: _drain(
            fetch,
            "id_cursor" if style == "id_cursor" else "page_token",
            limit=limit,
            page_size=page,
            keep=keep,
            cost=lambda item: 10 + len(item["text"]),
            budget=budget,
            typical_cost=typical,
        )
    )
    expected = [it for it in items if keep is None or keep(it)]
    assert [it["id"] for it in out] == [it["id"] for it in expected]


@pytest.mark.anyio
async def test_limit_stops_without_fetching_more_than_needed() -> None:
    fetch = IdCursorList(_items(100), 1000)
    result = await walk(fetch, style="id_cursor", start=Position(), limit=10, page_size=1000)
    assert [it["n"] for it in result.items] == list(range(10))
    assert fetch.largest == 10 and result.stopped == "limit"
    resumed = await walk(fetch, style="id_cursor", start=result.next or Position(), limit=5, page_size=1000)
    assert [it["n"] for it in resumed.items] == list(range(10, 15))


@pytest.mark.anyio
async def test_budget_cut_mid_page_resumes_at_the_next_item() -> None:
    fetch = PageTokenList(_items(50), with_has_more=False)
    result = await walk(
        fetch, style="page_token", start=Position(), limit=50, page_size=20, cost=lambda _: 10, budget=75
    )
    assert result.stopped == "budget" and len(result.items) == 7
    assert result.next == Position(page=None, skip=7, size=20)
    resumed = await walk(fetch, style="page_token", start=result.next, limit=3, page_size=20)
    assert [it["n"] for it in resumed.items] == [7, 8, 9]


@pytest.mark.anyio
async def test_filter_over_a_large_list_stops_at_the_page_cap_with_a_cursor() -> None:
    fetch = IdCursorList(_items(5_000), 100)
    result = await walk(
        fetch, style="id_cursor", start=Position(), limit=10, page_size=100, keep=lambda _: False, max_pages=5
    )
    assert result.items == [] and result.stopped == "pages" and result.examined == 500
    assert result.next == Position(after="item_00499")


@pytest.mark.anyio
async def test_exact_end_is_reported_as_the_end() -> None:
    fetch = IdCursorList(_items(10), 1000)
    result = await walk(fetch, style="id_cursor", start=Position(), limit=10, page_size=1000)
    assert len(result.items) == 10 and result.next is None


@pytest.mark.anyio
async def test_progress_is_reported_per_page_and_increases() -> None:
    seen: list[tuple[int, int]] = []

    async def on_page(examined: int, kept: int, total: int | None) -> None:
        seen.append((examined, kept))

    fetch = IdCursorList(_items(35), 10)
    await walk(fetch, style="id_cursor", start=Position(), limit=100, page_size=10, on_page=on_page)
    assert [e for e, _ in seen] == [10, 20, 30, 35]


@pytest.mark.anyio
async def test_cancellation_stops_a_walk_promptly() -> None:
    class Slow(IdCursorList):
        async def __call__(self, params: dict[str, Any]) -> Mapping[str, Any]:
            await anyio.sleep(0.05)
            return await super().__call__(params)

    fetch = Slow(_items(10_000), 10)
    with anyio.move_on_after(0.3):
        await walk(fetch, style="id_cursor", start=Position(), limit=10_000, page_size=10)
    assert fetch.calls < 10


def test_cursor_round_trip_and_binding() -> None:
    digest = query_digest("list_users", {"roles": ["developer"]})
    position = Position(after="user_01ABC")
    cursor = encode_cursor(digest, position)
    assert decode_cursor(cursor, digest) == position
    with pytest.raises(CursorError, match="different query"):
        decode_cursor(cursor, query_digest("list_users", {}))
    for bad in ["", "!!!", "bm90IGpzb24", base64.urlsafe_b64encode(json.dumps([1]).encode()).decode()]:
        with pytest.raises(CursorError, match="not one this server issued"):
            decode_cursor(bad, digest)


@pytest.mark.anyio
async def test_a_failure_after_progress_hands_back_the_items_and_a_resumable_position() -> None:
    class FailsOnce(IdCursorList):
        async def __call__(self, params: dict[str, Any]) -> Mapping[str, Any]:
            if self.calls == 2:
                self.calls += 1
                raise ConnectionError("page 3 lost")
            return await super().__call__(params)

    items = _items(100)
    fetch = FailsOnce(items, 10)
    keep = lambda item: item["n"] % 2 == 0  # noqa: E731
    with pytest.raises(WalkInterrupted) as info:
        await walk(fetch, style="id_cursor", start=Position(), limit=100, page_size=10, keep=keep)
    partial = info.value.partial
    assert partial.stopped == "error" and [it["n"] for it in partial.items] == list(range(0, 20, 2))
    assert isinstance(info.value.cause, ConnectionError)
    resumed = await walk(
        fetch, style="id_cursor", start=partial.next or Position(), limit=100, page_size=10, keep=keep
    )
    assert [it["n"] for it in partial.items + resumed.items] == list(range(0, 100, 2))


@pytest.mark.anyio
async def test_a_failure_on_the_first_page_is_just_the_error() -> None:
    async def broken(params: dict[str, Any]) -> Mapping[str, Any]:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        await walk(broken, style="id_cursor", start=Position(), limit=5, page_size=5)


@pytest.mark.anyio
async def test_budget_cut_walks_fetch_about_what_they_return_once_the_size_is_known() -> None:
    items = _items(2000)
    fetch = IdCursorList(items, 1000)
    position: Position | None = Position()
    returned = 0
    calls = 0
    while position is not None:
        result = await walk(
            fetch,
            style="id_cursor",
            start=position,
            limit=1000,
            page_size=1000,
            cost=lambda _: 10,
            budget=1000,
            typical_cost=10.0,
        )
        returned += len(result.items)
        calls += 1
        position = result.next
    assert returned == 2000 and calls == 20
    assert fetch.served <= returned + calls, "at most one item per call is fetched twice"
