"""Names beside ids, looked up once per call: a person or a model acting on an answer needs
"ana@acme.com (Ana)" and "Research", not only `user_01…` and `wrkspc_01…`.

A few ids are read one by one; more are found by walking the list they belong to once, so a page
of 100 workspace members costs the pages of the member list, not 100 requests. The reader keeps
what it read for the rest of the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api.client import AdminApi, fill_path
from ..api.errors import ApiError, ApiUnreachable
from ..catalog.operation import Label
from .paginator import Source, pages
from .reader import ApiReader, ListStyles
from .rendering import lookup

ONE_BY_ONE = 3
"""Up to this many ids are read by id; more, by walking their list."""


def name_of(item: Mapping[str, Any] | None) -> str:
    """How an object reads for a human: "email (name)", a name, an email, or "?" if unknown."""
    if item is None:
        return "?"
    email, name = item.get("email"), item.get("name")
    if email and name and name != email:
        return f"{email} ({name})"
    return str(name or email or "?")


async def _find(label: Label, ids: set[str], reader: ApiReader) -> dict[str, Mapping[str, Any] | None]:
    """The objects behind `ids` (None for those the API does not know)."""
    if label.kinds:
        found: dict[str, Mapping[str, Any] | None] = {}
        for prefix, kind in label.kinds.items():
            found |= await _find(kind, {i for i in ids if i.startswith(prefix)}, reader)
        return found
    if not ids:
        return {}
    if len(ids) <= ONE_BY_ONE:
        return {i: await reader.find_raw(f"{label.listing}/{i}") for i in ids}
    return dict(await reader.index(label.listing, ids, **label.query))


async def add_labels(items: list[dict[str, Any]], labels: Mapping[str, Label], reader: ApiReader) -> None:
    """Put `Label.key(column)` beside each labelled column of `items` (in place), where the item
    does not carry the name already (a report's actor comes with the member's email)."""
    for column, label in labels.items():
        key = Label.key(column)
        ids = {
            str(value)
            for item in items
            if (value := lookup(item, column)) is not None and item.get(key) is None
        }
        if not any(column.split(".")[0] in item for item in items):
            continue
        found = await _find(label, ids, reader)
        for item in items:
            if item.get(key) is not None:
                continue
            value = lookup(item, column)
            if column.split(".")[0] in item:
                item[Label.key(column)] = label.none if value is None else name_of(found.get(str(value)))


def with_labels(columns: list[str], labels: Mapping[str, Label]) -> list[str]:
    """`columns` with each label's column right after its id column."""
    out: list[str] = []
    for column in columns:
        out.append(column)
        if column in labels:
            out.append(Label.key(column))
    return out


NAMES_KEPT = 50_000
"""Names an export remembers at most (a few MB): an organization up to this size is read once."""


class Names:
    """Names beside ids for a walk of a whole list (an export), where `add_labels`' reader would
    keep every page it read and stop looking after `PREVIEW_MAX_ITEMS`.

    A few unknown ids are read one by one; more, by walking the label's list until every one is found,
    remembering every name seen on the way (up to `NAMES_KEPT`), so the next page usually finds its
    names known. An id the API does not know reads "?".
    """

    def __init__(self, api: AdminApi, styles: ListStyles, label: Label) -> None:
        self._api = api
        self._styles = styles
        self.label = label
        self._known: dict[str, str] = {}

    async def add(self, items: list[dict[str, Any]], column: str) -> None:
        """Put `Label.key(column)` beside `column` in each item (in place)."""
        key = Label.key(column)
        wanted = {str(v) for item in items if (v := lookup(item, column)) is not None} - self._known.keys()
        if wanted:
            await self._find(wanted)
        for item in items:
            value = lookup(item, column)
            item[key] = self.label.none if value is None else self._known.get(str(value), "?")

    async def _find(self, wanted: set[str]) -> None:
        if len(self._known) + len(wanted) > NAMES_KEPT:
            self._known.clear()
        if len(wanted) <= ONE_BY_ONE:
            for ident in wanted:
                try:
                    found = (await self._api.get(fill_path(self.label.listing + "/{id}", {"id": ident}))).data
                except ApiError as exc:
                    if exc.status != 404:
                        raise
                    found = None
                self._known[ident] = name_of(found if isinstance(found, dict) else None)
            return
        style, size, item_id = self._styles.of(self.label.listing)
        query = dict(self.label.query)

        async def fetch(params: dict[str, Any]) -> Mapping[str, Any]:
            data = (await self._api.get(self.label.listing, {**query, **params})).data
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise ApiUnreachable(
                    f"the API returned a list response without a data array for {self.label.listing}"
                )
            return data

        missing = set(wanted)
        stream = pages(Source(fetch, style, size, item_id))
        async for page in stream:
            for item in page.items:
                ident = str(item.get("id")) if isinstance(item, dict) else ""
                if ident in missing or len(self._known) < NAMES_KEPT:
                    self._known[ident] = name_of(item)
                missing.discard(ident)
            if not missing:
                break
        await stream.aclose()
        self._known.update(dict.fromkeys(missing, "?"))
