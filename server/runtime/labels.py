"""Names beside ids, looked up once per call: a person or a model acting on an answer needs
"ana@acme.com (Ana)" and "Research", not only `user_01…` and `wrkspc_01…`.

A few ids are read one by one; more are found by walking the list they belong to once, so a page
of 100 workspace members costs the pages of the member list, not 100 requests. The reader keeps
what it read for the rest of the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..catalog.operation import Label
from .reader import ApiReader
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


async def add_labels(items: list[dict[str, Any]], labels: Mapping[str, Label], reader: ApiReader) -> None:
    """Put `Label.key(column)` beside each labelled column of `items` (in place)."""
    for column, label in labels.items():
        ids = {str(value) for item in items if (value := lookup(item, column)) is not None}
        if not any(column.split(".")[0] in item for item in items):
            continue
        if len(ids) <= ONE_BY_ONE:
            found = {i: await reader.find_raw(f"{label.listing}/{i}") for i in ids}
        else:
            found = dict(await reader.index(label.listing, ids, **label.query))
        for item in items:
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
