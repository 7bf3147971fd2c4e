"""The approval page's own listener for a stdio server: started on first need, on a random loopback
port, inside the server's lifespan, and stopped with it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import anyio
import uvicorn
from anyio.abc import TaskGroup
from starlette.types import ASGIApp

log = logging.getLogger(__name__)


class _Background(uvicorn.Server):
    """A uvicorn server inside another program: the program's own signal handling stays in place."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


LOOPBACK = "127.0.0.1"
PAGE_HOSTS = ("localhost:*", "127.0.0.1:*")
"""Host headers the loopback pages answer (WebAuthn wants the name `localhost`)."""


class PageListener:
    def __init__(self, app: ASGIApp, task_group: TaskGroup) -> None:
        self._app, self._group = app, task_group
        self._server: uvicorn.Server | None = None
        self._base: str | None = None
        self._lock = anyio.Lock()

    async def base_url(self) -> str:
        """`http://localhost:PORT`, listening from the first call on."""
        async with self._lock:
            if self._base is None:
                config = uvicorn.Config(
                    self._app, host=LOOPBACK, port=0, log_level="warning", access_log=False
                )
                server = self._server = _Background(config)
                self._group.start_soon(server.serve)
                while not server.started:
                    await anyio.sleep(0.01)
                port = server.servers[0].sockets[0].getsockname()[1]
                self._base = f"http://localhost:{port}"
                log.info("approval pages at %s", self._base)
            return self._base

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
