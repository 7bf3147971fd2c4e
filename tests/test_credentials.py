"""Credential discovery: first found wins; a missing or malformed one names the variable to set."""

from __future__ import annotations

import pytest

from claude_admin_mcp.server.api.credentials.base import CredentialError
from claude_admin_mcp.server.api.credentials.discover import discover

from .conftest import CANARY_KEY, CANARY_TOKEN


@pytest.mark.anyio
async def test_admin_key_is_sent_as_x_api_key() -> None:
    credential = discover({"ANTHROPIC_ADMIN_KEY": CANARY_KEY, "ANTHROPIC_OAUTH_TOKEN": CANARY_TOKEN})
    assert credential.kind == "admin_key" and credential.source == "ANTHROPIC_ADMIN_KEY"
    assert await credential.headers() == {"x-api-key": CANARY_KEY}


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN"])
async def test_oauth_token_is_sent_as_bearer(name: str) -> None:
    credential = discover({name: CANARY_TOKEN + "\n"})
    assert credential.kind == "oauth_token" and credential.source == name
    headers = await credential.headers()
    assert headers["authorization"] == f"Bearer {CANARY_TOKEN}"


def test_credential_repr_holds_no_secret() -> None:
    credential = discover({"ANTHROPIC_ADMIN_KEY": CANARY_KEY})
    assert CANARY_KEY not in repr(credential)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "Set ANTHROPIC_ADMIN_KEY"),
        ({"ANTHROPIC_ADMIN_KEY": "   "}, "Set ANTHROPIC_ADMIN_KEY"),
        ({"ANTHROPIC_ADMIN_KEY": "sk-ant-api03-" + "x" * 40}, "standard API key"),
        ({"ANTHROPIC_ADMIN_KEY": CANARY_TOKEN}, "holds an OAuth token"),
        ({"ANTHROPIC_ADMIN_KEY": "hunter2-hunter2-hunter2"}, "does not look like an admin key"),
        ({"ANTHROPIC_ADMIN_KEY": CANARY_KEY[:30] + " " + CANARY_KEY[30:]}, "malformed"),
        ({"ANTHROPIC_OAUTH_TOKEN": CANARY_KEY}, "holds an admin key"),
        ({"ANTHROPIC_AUTH_TOKEN": "not-a-token-at-all-xxxxxxxx"}, "does not look like an OAuth access token"),
    ],
)
def test_missing_or_malformed_credentials(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(CredentialError) as info:
        discover(environ)
    message = str(info.value)
    assert expected in message
    for value in environ.values():
        if len(value.strip()) > 8:
            assert value.strip() not in message
