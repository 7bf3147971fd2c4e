"""The one result builder: every tool result and every tool error leaves the server through here,
and is redacted on the way, whatever path produced it.

Text is scrubbed of every known secret and of anything shaped like a credential; structured
content too (it is checked as JSON in one pass, and rebuilt only when something matched).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ResourceLink, TextContent

from ..redaction import redact


def result(
    text: str,
    structured: Mapping[str, Any] | None = None,
    *,
    error: bool = False,
    links: Sequence[ResourceLink] = (),
) -> CallToolResult:
    """A tool's answer: a short text rendering for the model, structured content, and links to
    resources the server holds (an export's file), which the client reads apart."""
    return CallToolResult(
        content=[TextContent(type="text", text=redact(text)), *links],
        structured_content=_redacted(structured) if structured is not None else None,
        is_error=error,
    )


def failure(text: str) -> CallToolResult:
    """A tool error the model reads (`isError`), with no structured content."""
    return result(text, error=True)


def refusal(text: str) -> ToolError:
    """An error raised before a tool runs (unknown arguments, a tool not offered): the SDK answers
    it as `isError` with this text after its "Error executing tool" prefix."""
    return ToolError(redact(text))


def _redacted(structured: Mapping[str, Any]) -> dict[str, Any]:
    as_json = json.dumps(structured, ensure_ascii=False, default=str)
    if redact(as_json) == as_json:
        return dict(structured)
    scrubbed: dict[str, Any] = _scrub(dict(structured))
    return scrubbed


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value
