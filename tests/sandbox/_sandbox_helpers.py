"""Shared helpers of the sandbox tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2

from claude_admin_mcp.sandbox.runner import RunningSandbox

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
"""The anchor of every test sandbox: the seeded data is the same on every run."""
OAUTH_TOKEN = "sk-ant-oat01-sandbox-test-token-1234567890abcdefghijklmnop"


def sdk_client(sandbox: RunningSandbox, **options: Any) -> anthropic.Anthropic:
    """The official SDK, strict: a response that does not match its models raises."""
    return anthropic.Anthropic(
        api_key=sandbox.config.admin_key,
        base_url=sandbox.base_url,
        _strict_response_validation=True,
        max_retries=0,
        **options,
    )


def http_client(sandbox: RunningSandbox) -> httpx2.Client:
    return httpx2.Client(
        base_url=sandbox.base_url,
        headers={"x-api-key": sandbox.config.admin_key, "anthropic-version": "2023-06-01"},
    )


def assert_error(
    response: httpx2.Response, status: int, error_type: str, error_code: str | None = None
) -> str:
    """Checks the Admin API error shape exactly; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"type", "error", "request_id"}
    assert body["type"] == "error"
    assert body["request_id"].startswith("req_")
    assert response.headers["request-id"] == body["request_id"]
    error = body["error"]
    assert error["type"] == error_type
    assert isinstance(error["message"], str) and error["message"]
    if error_code is None:
        assert set(error) == {"type", "message"}
    else:
        assert set(error) == {"type", "message", "details"}
        assert error["details"] == {"error_code": error_code}
    return str(error["message"])
