"""Compact text a model reads easily: one line per item, or one line per field.

Values come from the API and may be written by anyone in the organization (a workspace name, an
email), so a cell is always one line: control characters and the column separator are escaped and
long values cut, and nothing in a value can start a new row or a new instruction-looking line.
The structured content carries the complete values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..catalog.operation import FromItem
from ..redaction import redact

MAX_CELL = 80
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": " ", "|": "¦"}


def lookup(item: Mapping[str, Any], path: str) -> Any:
    """`item["a"]["b"]` for the dotted path "a.b"; None when any step is missing."""
    if "." not in path:
        return item.get(path)
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def cell(value: Any, limit: int = MAX_CELL) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    if not text.isprintable() or "|" in text:
        text = "".join(_ESCAPES.get(ch, ch) if ch in _ESCAPES or ch.isprintable() else "?" for ch in text)
    if len(text) <= limit:
        return text
    # Cut short, a secret would no longer be whole for the redactor that scrubs the finished text.
    return redact(text)[: limit - 1] + "…"


Formats = Mapping[str, Callable[[Any], str] | FromItem]


def _value(item: Mapping[str, Any], column: str, formats: Formats | None) -> Any:
    form = formats.get(column) if formats else None
    if isinstance(form, FromItem):
        return form.render(item)
    value = lookup(item, column)
    if form is not None and value is not None:
        return form(value)
    return value


def table_row(item: Mapping[str, Any], columns: Sequence[str], formats: Formats | None = None) -> str:
    # A formatted column is already a summary (e.g. every limit of a group): give it more room.
    return " | ".join(
        cell(_value(item, column, formats), MAX_CELL * 2 if formats and column in formats else MAX_CELL)
        for column in columns
    )


def table(
    items: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    rows: Sequence[str] | None = None,
    formats: Formats | None = None,
) -> str:
    """A header line and one row per item (`rows`, when the caller already rendered them)."""
    lines = [" | ".join(columns)]
    lines.extend(rows if rows is not None else (table_row(item, columns, formats) for item in items))
    return "\n".join(lines)


def fields(item: Mapping[str, Any], columns: Sequence[str], formats: Formats | None = None) -> str:
    keys = list(columns) or list(item)
    return "\n".join(f"{key}: {cell(_value(item, key, formats), 200)}" for key in keys)
