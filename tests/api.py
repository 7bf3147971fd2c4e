"""A bare HTTP view of the sandbox, independent of the server under test: the expected answers."""

from __future__ import annotations

from typing import Any

import httpx2

from claude_admin_mcp.sandbox.runner import RunningSandbox


def raw_get(sandbox: RunningSandbox, path: str, *, bearer: str | None = None, **params: Any) -> Any:
    """GET with the admin key, or with `bearer` (an OAuth token) as the OAuth-only endpoints need."""
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
        headers={
            **({"authorization": f"Bearer {bearer}"} if bearer else {"x-api-key": sandbox.config.admin_key}),
            "anthropic-version": "2023-06-01",
        },
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


def raw_all_pages(
    sandbox: RunningSandbox, path: str, *, bearer: str | None = None, **params: Any
) -> list[Any]:
    """Every item of a page-token list (`page` → `next_page`), walked the plain way."""
    items: list[Any] = []
    page = None
    while True:
        body = raw_get(sandbox, path, bearer=bearer, limit=100, page=page, **params)
        items.extend(body["data"])
        if not body.get("next_page"):
            return items
        page = body["next_page"]
