"""Fixtures for the sandbox's tests: running sandboxes and clients for them.

`shared_sandbox` is one sandbox for the whole session: tests that use it must only read.
`sandbox` serves a freshly seeded organization to each test (one server, its state reset before
every test), for tests that write.
"""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox

from ._sandbox_helpers import NOW, OAUTH_TOKEN, http_client, sdk_client


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(users=150, now=NOW, oauth_token=OAUTH_TOKEN)) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def shared_http(shared_sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with http_client(shared_sandbox) as client:
        yield client


@pytest.fixture(scope="session")
def shared_sdk(shared_sandbox: RunningSandbox) -> anthropic.Anthropic:
    return sdk_client(shared_sandbox)


@pytest.fixture(scope="session")
def _writable_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(now=NOW, oauth_token=OAUTH_TOKEN)) as running:
        yield running


@pytest.fixture
def sandbox(_writable_sandbox: RunningSandbox) -> RunningSandbox:
    """A sandbox serving a freshly seeded organization: the test may write."""
    _writable_sandbox.reset()
    return _writable_sandbox


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with http_client(sandbox) as client:
        yield client


@pytest.fixture
def sdk(sandbox: RunningSandbox) -> anthropic.Anthropic:
    return sdk_client(sandbox)
