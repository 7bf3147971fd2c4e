"""`claude-admin-mcp approvers add NAME`: a single-use enrollment page, valid ten minutes, on which an
approver creates the passkey the approval page will ask for (`approval_factor = "passkey"`)."""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..confirmation.passkeys import Approver, Approvers, PasskeyError, enroll, registration_options
from .approval_page import PageGate, _utc, asset, notice, origin_of, page
from .page_listener import LOOPBACK, PAGE_HOSTS, _Background

ENROLLMENT_SECONDS = 600


class Enrollment:
    def __init__(self, store: Approvers, name: str, seconds: float = ENROLLMENT_SECONDS) -> None:
        self.store, self.name = store, name
        self.token = secrets.token_urlsafe(24)
        self.expires = time.time() + seconds
        self.challenge: bytes | None = None
        self.enrolled: Approver | None = None
        self.done = anyio.Event()

    def _ours(self, request: Request) -> bool:
        return (
            hmac.compare_digest(str(request.path_params["token"]), self.token)
            and self.enrolled is None
            and time.time() <= self.expires
        )

    async def show(self, request: Request) -> Response:
        if not self._ours(request):
            return notice(
                "Link not valid", "This enrollment link was used, has expired, or never existed.", 404
            )
        return page("enroll.html", name=self.name, token=self.token, expires=_utc(self.expires), script=True)

    async def options(self, request: Request) -> Response:
        if not self._ours(request):
            return PlainTextResponse("not valid", status_code=404)
        options, self.challenge = registration_options(self.name, self.store.all())
        return JSONResponse(json.loads(options))

    async def finish(self, request: Request) -> Response:
        if not self._ours(request):
            return notice(
                "Link not valid", "This enrollment link was used, has expired, or never existed.", 404
            )
        challenge, self.challenge = self.challenge, None
        form = await request.form()
        try:
            credential = json.loads(str(form.get("attestation") or "null"))
            if challenge is None or not isinstance(credential, dict):
                raise PasskeyError("no passkey was created")
            approver = enroll(self.name, credential, challenge, origin_of(request))
        except (PasskeyError, ValueError) as exc:
            return notice("Not enrolled", f"{exc}. Open the link again to retry.", 400)
        self.store.add(approver)
        self.enrolled = approver
        self.done.set()
        return notice(
            "Enrolled", f"{self.name} can now approve this server's changes with this passkey.", 200
        )

    def app(self) -> PageGate:
        routes = [
            Route("/enroll/{token}", self.show, methods=["GET"]),
            Route("/enroll/{token}/options", self.options, methods=["POST"]),
            Route("/enroll/{token}", self.finish, methods=["POST"]),
            Route("/approval-assets/{name}", asset, methods=["GET"]),
        ]
        return PageGate(Starlette(routes=routes), PAGE_HOSTS)


async def run_enrollment(enrollment: Enrollment, announce: Callable[[str], None]) -> Approver | None:
    """Serve the enrollment page on loopback until it is used or expires; the approver, if enrolled."""
    config = uvicorn.Config(enrollment.app(), host=LOOPBACK, port=0, log_level="warning", access_log=False)
    server = _Background(config)
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        while not server.started:
            await anyio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        announce(f"http://localhost:{port}/enroll/{enrollment.token}")
        with anyio.move_on_after(max(0.0, enrollment.expires - time.time())):
            await enrollment.done.wait()
        await anyio.sleep(0.2)  # let the browser receive its answer
        server.should_exit = True
    return enrollment.enrolled
