"""Helpers for write tests: scripted humans (elicitation answers) and sandbox state checks."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult

from claude_admin_mcp.sandbox.runner import RunningSandbox

Human = Callable[[ClientRequestContext, ElicitRequestParams], Awaitable[ElicitResult]]


class ScriptedHuman:
    """An elicitation callback that answers as told and remembers what it was shown."""

    def __init__(self, action: str = "accept", typed: str | None = None, approve: bool = True) -> None:
        self.action, self.typed, self.approve = action, typed, approve
        self.messages: list[str] = []
        self.schemas: list[dict[str, Any]] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.messages.append(params.message)
        schema = getattr(params, "requested_schema", None) or {}
        self.schemas.append(schema)
        if self.action != "accept":
            return ElicitResult(action=self.action)
        properties = schema.get("properties", {})
        if "confirm" in properties:
            return ElicitResult(action="accept", content={"confirm": self.typed or ""})
        return ElicitResult(action="accept", content={"approve": self.approve})


def snapshot(sandbox: RunningSandbox) -> Any:
    """The whole organization, for proving that nothing changed."""
    return json.loads(json.dumps(sandbox.state.snapshot(), default=str))


def audit_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
