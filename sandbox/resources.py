"""The generic resource store: one kind of object by id, for every CRUD area (users, invites,
workspaces, API keys, service accounts, federation issuers and rules).

A `Resources` is a `SortedIndex` (a read-only mapping id -> object, oldest first) that also
inserts and removes by the object's own id, keeps an optional secondary index (e.g. by e-mail),
answers the area's 404 and serves both of the API's list styles: ID cursors (`data`, `has_more`,
`first_id`, `last_id`) and the opaque `next_page` cursor of the workload identity endpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from .errors import not_found
from .pagination import SortedIndex, Window, encode_page, envelope, paginate


class HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)
Render = Callable[[T], dict[str, object]]


def shown(value: str) -> str:
    """A client-supplied value, quoted and cut short, for an error message."""
    return repr(value if len(value) <= 80 else value[:77] + "...")


class Resources(SortedIndex[str, T]):
    """Objects of one kind by id. `field` and `noun` name them in a 404 (`user_id: no user
    'user_01...' in this organization`); `index_key` maps an object to its secondary-index key."""

    __slots__ = ("_by_key", "_index_key", "field", "noun", "where")

    def __init__(
        self,
        noun: str,
        field: str,
        *,
        where: str = " in this organization",
        index_key: Callable[[T], str] | None = None,
    ) -> None:
        super().__init__()
        self.noun, self.field, self.where = noun, field, where
        self._index_key = index_key
        self._by_key: dict[str, list[str]] = {}

    def put(self, item: T) -> None:
        self.add(item.id, item)
        self._index(item)

    def load(self, items: Sequence[T]) -> None:
        """Bulk `put` (seeding): `items` ascending by id, all newer than any present."""
        self.extend_sorted([(item.id, item) for item in items])
        for item in items:
            self._index(item)

    def remove(self, key: str) -> T:
        item = super().remove(key)
        if self._index_key is not None:
            index_key = self._index_key(item)
            same = self._by_key[index_key]
            same.remove(key)
            if not same:
                del self._by_key[index_key]
        return item

    def _index(self, item: T) -> None:
        if self._index_key is not None:
            same = self._by_key.get(index_key := self._index_key(item))
            if same is None:
                self._by_key[index_key] = [item.id]
            else:
                same.append(item.id)

    def matching(self, index_key: str) -> list[str]:
        """The ids whose secondary-index key is `index_key`, ascending."""
        return sorted(self._by_key.get(index_key, []))

    def find(self, key: str) -> T:
        item = self.get(key)
        if item is None:
            raise not_found(f"{self.field}: no {self.noun} {shown(key)}{self.where}")
        return item

    def page(
        self,
        window: Window,
        render: Render[T],
        *,
        keys: Sequence[str] | None = None,
        match: Callable[[T], bool] | None = None,
    ) -> dict[str, object]:
        """An ID-cursor page of `keys` (ascending ids; default all), newest first."""
        page = paginate(
            self.sorted_keys if keys is None else keys,
            self.__getitem__,
            limit=window.limit,
            after=window.after,
            before=window.before,
            match=match,
        )
        return envelope([render(item) for item in page.items], page.has_more)

    def cursor_page(
        self, window: Window, render: Render[T], match: Callable[[T], bool] | None = None
    ) -> dict[str, object]:
        """A `next_page` page, newest first."""
        page = paginate(
            self.sorted_keys, self.__getitem__, limit=window.limit, after=window.after, match=match
        )
        following = encode_page(page.items[-1].id) if page.has_more and page.items else None
        return {"data": [render(item) for item in page.items], "next_page": following}
