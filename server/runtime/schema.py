"""JSON Schema trimming: the tool list is part of every agent's context, so it carries no filler.

Input schemas keep what a model needs to call correctly (types, enums, patterns, bounds, defaults,
descriptions); output schemas keep only the shape (the tool description and the text rendering say
what it means). Dropped: pydantic's generated `title`s, `default: null`, `additionalProperties: true`
(JSON Schema's default anyway), and the `{"type": "null"}` arm of an optional argument (leaving it
out is how to say null).
"""

from __future__ import annotations

from typing import Any

_NULL = {"type": "null"}


def compact_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    # Unknown arguments are refused with a sentence naming what the tool takes; saying so in every
    # schema (`additionalProperties: false`) would cost the tool list about 700 bytes.
    out = _compact({k: v for k, v in schema.items() if k != "additionalProperties"}, output=False)
    required = set(out.get("required", ()))
    for name, prop in out.get("properties", {}).items():
        if name not in required:
            out["properties"][name] = _drop_null_arm(prop)
    return out  # type: ignore[no-any-return]


def compact_output_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return _compact(_inline_refs(schema), output=True)  # type: ignore[no-any-return]


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace local `$ref`s by their definitions (ours are never recursive): no longer, and a
    client validating each list item no longer resolves a reference per item."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any, depth: int = 0) -> Any:
        if isinstance(node, list):
            return [resolve(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 8:
            target = definitions.get(ref.removeprefix("#/$defs/"))
            if target is not None:
                extra = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolve(target, depth + 1), **extra}
        return {k: resolve(v, depth) for k, v in node.items() if k != "$defs"}

    return resolve(schema)  # type: ignore[no-any-return]


def _drop_null_arm(prop: dict[str, Any]) -> dict[str, Any]:
    arms = prop.get("anyOf")
    if isinstance(arms, list) and _NULL in arms:
        rest = [arm for arm in arms if arm != _NULL]
        merged = {k: v for k, v in prop.items() if k != "anyOf"}
        if len(rest) == 1:
            return {**rest[0], **merged}
        return {**merged, "anyOf": rest}
    return prop


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [{"type": T}, {"type": "null"}]` as the shorter `type: [T, "null"]`."""
    arms = node.get("anyOf")
    if isinstance(arms, list) and len(arms) == 2 and _NULL in arms:
        other = next(arm for arm in arms if arm != _NULL)
        if set(other) == {"type"} and isinstance(other["type"], str):
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            return {"type": [other["type"], "null"], **rest}
    return node


def _compact(node: Any, *, output: bool, in_properties: bool = False) -> Any:
    if isinstance(node, list):
        return [_compact(item, output=output) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if in_properties:
            # Keys here are argument names, never schema keywords.
            out[key] = _compact(value, output=output)
        elif _filler(key, value, output):
            continue
        else:
            nested = key in ("properties", "$defs", "definitions")
            out[key] = _compact(value, output=output, in_properties=nested)
    return _nullable(out) if output else out


def _filler(key: str, value: Any, output: bool) -> bool:
    if key == "title" or (key == "additionalProperties" and value is True):
        return True
    if key == "default":
        return value is None or output
    return output and key == "description"
