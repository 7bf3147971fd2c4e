"""JSON Schema trimming: the tool list is part of every agent's context, so it carries no filler."""

from __future__ import annotations

from typing import Any


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's generated `title`s (property names already say it) and `default: null`s."""
    return _compact(schema)  # type: ignore[no-any-return]


def _compact(node: Any, *, in_properties: bool = False) -> Any:
    if isinstance(node, list):
        return [_compact(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if in_properties:
            # Keys here are argument names, never schema keywords.
            out[key] = _compact(value)
        elif key == "title" or (key == "default" and value is None):
            continue
        else:
            out[key] = _compact(value, in_properties=key in ("properties", "$defs", "definitions"))
    return out
