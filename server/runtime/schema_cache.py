"""The published JSON schemas of every tool, generated once and committed: start-up reads them
instead of asking pydantic for about 120 schemas (most of the server's start-up time).

The argument models themselves still validate every call; only what tools/list publishes comes from
here, and a tool's argument model is built on its first call (`runtime/tools.py`, `DeferredTool`).
`tests/test_schema_cache.py` fails when the file is stale, and says how to write it again:

    .venv/bin/python -c "from claude_admin_mcp.server.app import write_schema_cache; write_schema_cache()"
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .schema import compact_input_schema, compact_output_schema

CACHE_FILE = Path(__file__).with_name("tool_schemas.json")
Schemas = tuple[dict[str, Any], dict[str, Any]]
Models = Callable[[], tuple[type[BaseModel], type[BaseModel]]]
_loaded: dict[str, list[dict[str, Any]]] | None = None
_live = False


def key(tool: str, tokens: bool) -> str:
    """One tool in one shape (a write with or without `confirmation_token`)."""
    return f"{tool}|token" if tokens else tool


def schemas(
    tool: str, tokens: bool, models: Callable[[], tuple[type[BaseModel], type[BaseModel]]]
) -> Schemas:
    """The (input, output) schemas a tool publishes: from the committed file, or generated from
    `models()` (the argument and output models, built only when the file lacks them)."""
    global _loaded
    if _loaded is None:
        _loaded = json.loads(CACHE_FILE.read_text(encoding="utf-8")) if CACHE_FILE.exists() else {}
    found = None if _live else _loaded.get(key(tool, tokens))
    if found is not None:
        return found[0], found[1]
    arguments, output = models()
    return (
        compact_input_schema(arguments.model_json_schema(by_alias=True)),
        compact_output_schema(output.model_json_schema()),
    )


Built = tuple[str, bool, type[BaseModel], type[BaseModel]]
"""A tool's name, whether it takes a confirmation token, its argument and output models."""


def generated(build_all: Callable[[], list[Built]]) -> dict[str, Any]:
    """Every tool's schemas generated now (ignoring the file), keyed as the file is."""
    global _live
    _live = True
    try:
        cache: dict[str, Any] = {}
        for tool, tokens, arguments, output in build_all():
            models = functools.partial(_pair, arguments, output)
            cache[key(tool, tokens)] = list(schemas(tool, tokens, models))
        return cache
    finally:
        _live = False


def _pair(arguments: type[BaseModel], output: type[BaseModel]) -> tuple[type[BaseModel], type[BaseModel]]:
    return arguments, output


def write(cache: dict[str, Any]) -> None:
    CACHE_FILE.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n", encoding="utf-8")
