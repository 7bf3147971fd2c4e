"""Running the sandbox: in a background thread for tests and the `--sandbox` mode, or in the
foreground for `claude-admin-mcp sandbox`.

    with start_sandbox(SandboxConfig(users=200)) as sandbox:
        client = anthropic.Anthropic(api_key=sandbox.config.admin_key, base_url=sandbox.base_url)
        ...
        sandbox.state.users   # the emulated organization, readable directly

The server is uvicorn on a loopback socket bound before it starts (port 0 picks a free port, known
at once), with its own event loop in a daemon thread. It logs nothing on stdout (an MCP server on
stdio owns stdout): no access log, and only warnings, to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import sys
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType, TracebackType
from typing import Final

import uvicorn
from starlette.applications import Starlette

from .app import create_app
from .faults import Fault
from .request_limit import RequestLimit
from .seed import build_demo_state
from .store import SandboxState

DEFAULT_ADMIN_KEY: Final = "sk-ant-admin01-sandbox-acme-demo-admin-key-9f3c27b1e8d04a6c95b2f7e1d3a8c604"
"""The documented sandbox admin key. A sandbox secret, not a real credential."""

STARTUP_TIMEOUT_SECONDS: Final = 15.0


@dataclass(frozen=True)
class SandboxConfig:
    users: int = 60
    workspaces: int | None = None
    """Named non-archived workspaces; None = `max(3, users // 8)` capped at 100."""
    seed: int = 1
    admin_key: str = DEFAULT_ADMIN_KEY
    oauth_token: str | None = None
    """An `org:admin` OAuth token the sandbox also accepts (as `Authorization: Bearer`)."""
    now: datetime | None = None
    """Anchor for the seeded data and the clock; None = today 00:00 UTC for data, real time for the clock."""
    faults: tuple[Fault, ...] = ()
    """Failures to inject from the start (see `faults.py`)."""
    console_token: str | None = field(default=None, repr=False)
    """A bearer token the sandbox treats as a Console session (it may manage `org:admin` federation
    rules, which OAuth tokens may not); None = no Console."""
    min_token_lifetime_seconds: int = 60
    """The floor of the minted-token lifetime (60 on the real API); tests lower it to get tokens
    that expire in seconds, and rules may then ask for lifetimes down to it."""
    compliance_api: bool = True
    """Whether the Compliance API was enabled for the organization: without it the admin key gets
    403 from `GET /v1/compliance/activities`."""
    rate_limit: int | None = None
    """Requests per minute the organization may make (`request_limit.py`); None = no limit and no
    `anthropic-ratelimit-*` headers."""
    rate_limit_window_seconds: float = 60.0
    """How long the emptied bucket takes to refill (a minute, as on the API); tests shorten it."""
    scoped_keys: tuple[tuple[str, frozenset[str]], ...] = field(default=(), repr=False)
    """Claude Enterprise scoped keys it accepts, with their scopes (`scoped_keys.py`)."""


def build_state(config: SandboxConfig) -> SandboxState:
    """The seeded state a sandbox with this configuration serves (no server)."""
    state = build_demo_state(
        users=config.users,
        workspaces=config.workspaces,
        seed=config.seed,
        now=config.now,
        admin_key=config.admin_key,
        oauth_token=config.oauth_token,
    )
    for fault in config.faults:
        state.faults.add(fault)
    if config.min_token_lifetime_seconds < 1:
        raise ValueError("min_token_lifetime_seconds must be at least 1")
    state.console_token = config.console_token
    state.scoped_keys = dict(config.scoped_keys)
    state.federation.min_token_lifetime_seconds = config.min_token_lifetime_seconds
    state.compliance_api_enabled = config.compliance_api
    if config.rate_limit is not None:
        state.request_limit = RequestLimit(config.rate_limit, config.rate_limit_window_seconds)
    # The seeded organization lives as long as the server: move it out of the garbage collector's
    # sight, so a full collection never pauses a request to walk 100,000 users.
    gc.collect()
    gc.freeze()
    return state


def _uvicorn_config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None,  # leave the host process's logging alone
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=2,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when
    # the socket says it is TCP, and `socket.create_server` leaves proto 0. Without NODELAY the
    # response's header and body writes meet the client's delayed ACK: 40 ms per request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _BackgroundServer(uvicorn.Server):
    """uvicorn whose main loop wakes at once when asked to stop, instead of at its next 0.1 s
    tick: tests start and stop many sandboxes."""

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.1)
            should_exit = await self.on_tick(counter)

    def request_stop(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wake.set)


class RunningSandbox:
    """A sandbox serving in a background thread; stop it with `stop()` or a `with` block."""

    def __init__(
        self,
        config: SandboxConfig,
        app: Starlette,
        base_url: str,
        server: _BackgroundServer,
        thread: threading.Thread,
        sock: socket.socket,
    ) -> None:
        self.config = config
        self.state: SandboxState = app.state.sandbox
        self.base_url = base_url
        self._app = app
        self._server = server
        self._thread = thread
        self._socket = sock

    def reset(self) -> SandboxState:
        """Serves a freshly seeded state from now on (same configuration) and returns it.

        Cheaper than a new sandbox, so test suites can give every test a pristine organization."""
        self.state = self._app.state.sandbox = build_state(self.config)
        return self.state

    def stop(self) -> None:
        """Stops serving and waits (bounded) for the thread; calling it twice is harmless."""
        self._server.request_stop()
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        # Never the admin key: a repr ends up in logs and test output.
        return f"RunningSandbox(base_url={self.base_url!r}, users={len(self.state.users)})"


def start_sandbox(
    config: SandboxConfig = SandboxConfig(), host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Seeds, starts serving in a daemon thread, and returns once connections are accepted."""
    app = create_app(build_state(config))
    sock = _bind(host, port)
    server = _BackgroundServer(_uvicorn_config(app))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="claude-admin-mcp-sandbox", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=5)
            sock.close()
            raise RuntimeError("the Admin API sandbox did not start")
        time.sleep(0.005)
    return RunningSandbox(config, app, _url(host, sock), server, thread, sock)


class _ForegroundServer(uvicorn.Server):
    """uvicorn, stopping on SIGINT/SIGTERM without re-raising the signal afterwards (uvicorn's
    default), so the command exits 0 after a clean shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            if self.should_exit and signum == signal.SIGINT:
                self.force_exit = True  # a second Ctrl-C: stop waiting for open connections
            self.should_exit = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve_forever(config: SandboxConfig, host: str, port: int) -> None:
    """Serves in the foreground until SIGINT or SIGTERM (for `claude-admin-mcp sandbox`)."""
    state = build_state(config)
    sock = _bind(host, port)
    base_url = _url(host, sock)
    print(
        f"Admin API sandbox for {state.organization.name} ({len(state.users)} users) at {base_url} -- "
        f"export ANTHROPIC_BASE_URL={base_url} ANTHROPIC_ADMIN_KEY={config.admin_key}",
        file=sys.stderr,
        flush=True,
    )
    try:
        _ForegroundServer(_uvicorn_config(create_app(state))).run(sockets=[sock])
    finally:
        sock.close()
