"""Ordered collections and the Admin API's ID-cursor pagination over them.

Each collection keeps its keys in one ascending list (ids sort in creation order, see `ids.py`)
next to a dict from key to record. A page is found with `bisect` on that list and read off it:
O(log n + page) for an unfiltered list, whatever the collection's size. A filtered list walks from
the cursor only until the page is full, plus as far as the next match to answer `has_more`.

The envelope, as on the API:

    {"data": [...newest first...], "has_more": bool, "first_id": str | null, "last_id": str | null}

* no cursor: the newest `limit` items;
* `after_id=X`: the `limit` items just older than X (the next page; pass the previous `last_id`);
* `before_id=X`: the `limit` items just newer than X (the previous page; pass the previous
  `first_id`), still newest first, and `has_more` says whether even newer ones exist.

A cursor need not name a live item: a deleted item's id still marks its place, so a walk survives
deletions made while it runs.

The workload identity endpoints page the other way the API does: `{"data": [...], "next_page":
str | null}`, `next_page` an opaque cursor (`encode_page`) standing for the last item's key.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Generic, NamedTuple, TypeVar

from .errors import invalid_request

K = TypeVar("K", str, int)
A = TypeVar("A")
T = TypeVar("T")


class SortedIndex(Mapping[K, T]):
    """Records by key, iterated in ascending key order (oldest first)."""

    __slots__ = ("_items", "_keys")

    def __init__(self) -> None:
        self._keys: list[K] = []
        self._items: dict[K, T] = {}

    def add(self, key: K, item: T) -> None:
        if key in self._items:
            self._items[key] = item
            return
        # New ids are the greatest so far: appending is the common case and O(1).
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)
        else:
            insort(self._keys, key)
        self._items[key] = item

    def extend_sorted(self, pairs: Sequence[tuple[K, T]]) -> None:
        """Bulk append (seeding): `pairs` ascending by key, every key above the current greatest."""
        if not pairs:
            return
        keys = [key for key, _ in pairs]
        if (self._keys and keys[0] <= self._keys[-1]) or any(a >= b for a, b in pairwise(keys)):
            raise ValueError("extend_sorted needs ascending keys above the existing ones")
        self._keys.extend(keys)
        self._items.update(pairs)

    def remove(self, key: K) -> T:
        item = self._items.pop(key)
        del self._keys[bisect_left(self._keys, key)]
        return item

    @property
    def sorted_keys(self) -> Sequence[K]:
        """The ascending key list itself (read it, don't change it)."""
        return self._keys

    def newest_first(self) -> Iterator[T]:
        items = self._items
        return (items[key] for key in reversed(self._keys))

    def __getitem__(self, key: K) -> T:
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    """Newest first."""
    has_more: bool


def paginate(
    keys: Sequence[K],
    get: Callable[[K], T],
    *,
    limit: int,
    after: K | None = None,
    before: K | None = None,
    match: Callable[[T], bool] | None = None,
) -> Page[T]:
    """One page of the items behind ascending `keys`, newest first (see the module docstring)."""
    if before is not None:  # the `limit` items just newer than `before`, nearest first
        start, step = bisect_right(keys, before), 1
    else:
        start, step = (len(keys) - 1 if after is None else bisect_left(keys, after) - 1), -1
    if match is not None:
        page = walk(keys, get, limit, start, step, match)
        if step > 0:
            page.items.reverse()
        return page
    # Unfiltered: a slice, O(log n + page) whatever the collection's size.
    low, high = (start, min(start + limit, len(keys))) if step > 0 else (max(start - limit + 1, 0), start + 1)
    more = high < len(keys) if step > 0 else low > 0
    return Page([get(key) for key in reversed(keys[low:high])], has_more=more)


def walk(
    keys: Sequence[A], get: Callable[[A], T], limit: int, index: int, step: int, match: Callable[[T], bool]
) -> Page[T]:
    """Up to `limit` matching items from `index` on, `step` at a time, in walking order; `has_more`
    says whether another matching item lies further on."""
    found: list[T] = []
    while 0 <= index < len(keys) and len(found) < limit:
        item = get(keys[index])
        if match(item):
            found.append(item)
        index += step
    rest = range(index, -1 if step < 0 else len(keys), step)
    return Page(found, has_more=any(match(get(keys[i])) for i in rest))


def envelope(data: list[dict[str, object]], has_more: bool, id_field: str = "id") -> dict[str, object]:
    """The list response; `first_id`/`last_id` are the first and last items' ids (null when empty)."""
    return {
        "data": data,
        "has_more": has_more,
        "first_id": str(data[0][id_field]) if data else None,
        "last_id": str(data[-1][id_field]) if data else None,
    }


class Window(NamedTuple):
    """What page a list request asks for: its size and at most one cursor (an id, or for the
    `next_page` style the key the opaque cursor stands for, in `after`)."""

    limit: int
    before: str | None = None
    after: str | None = None


_PAGE_CURSOR: Final = "v1:"


def encode_page(key: str) -> str:
    return base64.urlsafe_b64encode((_PAGE_CURSOR + key).encode("utf-8")).decode("ascii").rstrip("=")


def decode_page(raw: str) -> str:
    """The key an opaque `page` cursor stands for (400 if it is not one of ours)."""
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        text = ""
    if not text.startswith(_PAGE_CURSOR) or len(text) > 200:
        raise invalid_request("page: not a cursor from a previous response's next_page")
    return text[len(_PAGE_CURSOR) :]
