"""A bare HTTP view of the sandbox, independent of the server under test: the expected answers."""

from __future__ import annotations

from typing import Any

import httpx2

from claude_admin_mcp.sandbox.runner import RunningSandbox


def raw_get(sandbox: RunningSandbox, path: str, **params: Any) -> Any:
    query: list[tuple[str, str | int | float | bool | None]] = []
    for name, value in params.items():
        if isinstance(value, list):
            query.extend((f"{name}[]", str(v)) for v in value)
        elif isinstance(value, bool):
            query.append((name, "true" if value else "false"))
        elif value is not None:
            query.append((name, str(value)))
    response = httpx2.get(
        sandbox.base_url + path,
        params=query,
        headers={"x-api-key": sandbox.config.admin_key, "anthropic-version": "2023-06-01"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def raw_all(sandbox: RunningSandbox, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of an id-cursor list, walked the plain way."""
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = raw_get(sandbox, path, limit=1000, after_id=after, **params)
        items.extend(page["data"])
        if not page["has_more"]:
            return items
        after = page["last_id"]
