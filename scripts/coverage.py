"""Coverage of the official SDK's organization surface: each endpoint, the tool that calls it, and
the sandbox route that serves it.

The SDK's endpoints are read from its source (every `_get`/`_post`/`_delete`/`_get_api_list` of the
synchronous resources under `client.beta.organization`, with its path template), as the catalog was.

    .venv/bin/python scripts/coverage.py            # the Markdown table and the counts
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import anthropic

from claude_admin_mcp.sandbox.routes import ROUTES
from claude_admin_mcp.server.app import INVENTORY, endpoints_of
from claude_admin_mcp.server.catalog.operation import Operation

RESOURCES = Path(anthropic.__file__).parent / "resources" / "beta" / "organization"
_VERBS = {"_get": "GET", "_get_api_list": "GET", "_post": "POST", "_delete": "DELETE"}


SIBLINGS = {
    ("POST", "/v1/organizations/workspaces/{}/service_accounts"): "add_service_account_to_workspace",
    (
        "DELETE",
        "/v1/organizations/workspaces/{}/service_accounts/{}",
    ): "remove_service_account_from_workspace",
}
"""Endpoints whose change a tool makes by the sibling path the API also has (from the service
account's side: `/service_accounts/{id}/workspaces`): a second tool for the same change would only
give the model two names to choose between."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    area: str
    """The SDK resource it belongs to, e.g. `spend_limits/increase_requests`."""


def sdk_endpoints() -> list[Endpoint]:
    found: dict[tuple[str, str], Endpoint] = {}
    for source in sorted(RESOURCES.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        area = str(source.relative_to(RESOURCES).with_suffix("")).removesuffix("/__init__")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ClassDef) and not node.name.startswith("Async")):
                continue
            for call in ast.walk(node):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                    continue
                verb = _VERBS.get(call.func.attr)
                if verb is None or not call.args:
                    continue
                path = _path_of(call.args[0])
                if path is not None and path.startswith("/v1/organizations"):
                    found.setdefault((verb, path), Endpoint(verb, path, area))
    return sorted(found.values(), key=lambda e: (e.area, e.path, e.method))


def _path_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value  # path_template("/v1/.../{id}", id=...)
        return value if isinstance(value, str) else None
    return None


def _shape(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", path)


def tools_by_endpoint() -> dict[tuple[str, str], list[str]]:
    """(method, path shape) → the tools whose own request it is."""
    owned: dict[tuple[str, str], list[str]] = {}
    for entry in INVENTORY.entries:
        if isinstance(entry, Operation):
            for endpoint in endpoints_of(entry.name):
                owned.setdefault((endpoint["method"], _shape(endpoint["path"])), []).append(entry.name)
    return owned


def routes_by_endpoint() -> dict[tuple[str, str], str]:
    served: dict[tuple[str, str], str] = {}
    for route in ROUTES:
        for method in route.methods or ():
            if method != "HEAD":
                served[(method, _shape(route.path))] = route.name or route.path
    return served


def table() -> tuple[list[tuple[Endpoint, list[str], str | None]], str]:
    owned, served = tools_by_endpoint(), routes_by_endpoint()
    rows = [
        (
            endpoint,
            owned.get((endpoint.method, _shape(endpoint.path)), []),
            served.get((endpoint.method, _shape(endpoint.path))),
        )
        for endpoint in sdk_endpoints()
    ]
    lines = ["| SDK resource | endpoint | tool | sandbox route |", "|---|---|---|---|"]
    by_sibling = 0
    for endpoint, tools, route in rows:
        named = ", ".join(f"`{t}`" for t in tools)
        sibling = SIBLINGS.get((endpoint.method, _shape(endpoint.path)))
        if not tools and sibling is not None:
            named, by_sibling = f"`{sibling}` (by the sibling path)", by_sibling + 1
        lines.append(
            f"| {endpoint.area} | `{endpoint.method} {endpoint.path}` | "
            f"{named or '—'} | {f'`{route}`' if route else '—'} |"
        )
    with_tool = sum(1 for _, tools, _ in rows if tools)
    with_route = sum(1 for _, _, route in rows if route)
    lines.append("")
    lines.append(
        f"{len(rows)} SDK endpoints: {with_tool} with a tool of their own, {by_sibling} more made by a "
        f"tool through a sibling path, {with_route} served by the sandbox."
    )
    return rows, "\n".join(lines)


def main() -> int:
    _, text = table()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
