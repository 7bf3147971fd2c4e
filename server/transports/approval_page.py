"""The approval page: where a human approves or declines a write in a browser.

Served on loopback (stdio: a listener started on first need, on a random port; streamable HTTP:
under the same server, outside its bearer gate, since a browser holds no bearer secret). Each
approval's page is at `/approve/<id>`: the id (192 random bits) is the only handle on it. The page
shows the organization, the credential, the tool, the arguments and the server's own preview, all
escaped (a template engine with autoescape, under a CSP that runs no inline script and loads nothing
from elsewhere). Approving is a POST carrying the page's CSRF token, which must match the one in a
SameSite=Strict cookie the page set; with the passkey factor, also an enrolled approver's passkey
assertion over a challenge the page fetched. The POST applies the previewed change once, or shows
the new preview if the organization changed, then the outcome and the API's request id.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:  # loaded when the first page is served (see _jinja)
    from jinja2 import Environment, PackageLoader

from ..confirmation import browser
from ..confirmation.approvals import Approval, ApprovalBook
from ..confirmation.passkeys import Approvers, PasskeyError, authenticate, authentication_options

log = logging.getLogger(__name__)

PATHS = ("/approve/", "/approvals/", "/approval-assets/", "/enroll/")
"""Where the approval pages live (the HTTP transport routes these past its bearer gate)."""
CSRF_COOKIE = "approval_csrf"
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
ASSETS = {"approval.css": "text/css; charset=utf-8", "passkey.js": "text/javascript; charset=utf-8"}


@functools.cache
def _jinja() -> tuple[Environment, PackageLoader]:
    """The template environment and the static assets' loader, made when a page is first served
    (importing jinja2 at start-up would slow every server's first tools/list for no page)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("claude_admin_mcp.server.transports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return environment, PackageLoader("claude_admin_mcp.server.transports", "static")


def page(template: str, code: int = 200, **context: Any) -> HTMLResponse:
    environment, _ = _jinja()
    return HTMLResponse(environment.get_template(template).render(**context), status_code=code)


def notice(heading: str, message: str, status: int) -> HTMLResponse:
    return page("message.html", status, heading=heading, message=message)


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def origin_of(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


class PageGate:
    """ASGI middleware for the pages: the Host header must be one of ours (no DNS rebinding), and
    every response carries the security headers."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app, self.hosts = app, tuple(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
        if not any(fnmatch(host, pattern) for pattern in self.hosts):
            await PlainTextResponse("unknown host", status_code=421)(scope, receive, send)
            return

        async def secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    *((k.encode(), v.encode()) for k, v in HEADERS.items()),
                ]
            await send(message)

        await self.app(scope, receive, secured)


class ApprovalPages:
    def __init__(self, book: ApprovalBook, approvers: Approvers, passkey: bool) -> None:
        self.book, self.approvers, self.passkey = book, approvers, passkey

    def routes(self) -> list[Route]:
        return [
            Route("/approve/{approval_id}", self.show, methods=["GET"]),
            Route("/approve/{approval_id}", self.decide, methods=["POST"]),
            Route("/approve/{approval_id}/passkey", self.passkey_options, methods=["POST"]),
            Route("/approvals/{key}", self.listing, methods=["GET"]),
            Route("/approval-assets/{name}", asset, methods=["GET"]),
        ]

    def _approval(self, request: Request) -> Approval | None:
        return self.book.get(str(request.path_params["approval_id"]))

    async def _render(self, approval: Approval, notice_text: str = "") -> HTMLResponse:
        response = page(
            "approval.html",
            approval_id=approval.id,
            organization=approval.organization,
            credential=approval.credential,
            tool=approval.tool,
            action=approval.preview.action,
            details=approval.preview.details,
            arguments=json.dumps(approval.arguments, indent=2, ensure_ascii=False),
            confirm_text=approval.preview.confirm_text,
            status=approval.status,
            message=approval.message,
            request_id=approval.request_id,
            approver=approval.approver,
            notice=notice_text,
            csrf=approval.csrf(),
            passkey=self.passkey,
            script=self.passkey and approval.status == "pending",
            expires=_utc(approval.expires),
            listing_url=await self.book.listing_url(),
        )
        if approval.status == "pending":
            # Strict: a page of another site can neither send it nor read it.
            response.set_cookie(
                CSRF_COOKIE, approval.csrf(), path=f"/approve/{approval.id}", httponly=True, samesite="strict"
            )
        return response

    async def show(self, request: Request) -> Response:
        approval = self._approval(request)
        if approval is None:
            return notice("No such approval", "This approval does not exist, or is long gone.", 404)
        return await self._render(approval)

    def _form_is_ours(self, approval: Approval, request: Request, presented: str) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        expected = approval.csrf()
        origin = request.headers.get("origin")
        return (
            bool(presented)
            and hmac.compare_digest(presented, expected)
            and hmac.compare_digest(cookie, expected)
            and (origin is None or origin == origin_of(request))
        )

    async def passkey_options(self, request: Request) -> Response:
        approval = self._approval(request)
        if approval is None or approval.status != "pending":
            return PlainTextResponse("no pending approval here", status_code=404)
        if not self._form_is_ours(approval, request, request.headers.get("x-csrf-token", "")):
            return PlainTextResponse("refused: not this page's request", status_code=403)
        try:
            options, challenge = authentication_options(self.approvers.all())
        except PasskeyError as exc:
            return PlainTextResponse(str(exc), status_code=409)
        approval.challenge = challenge
        return JSONResponse(json.loads(options))

    async def decide(self, request: Request) -> Response:
        approval = self._approval(request)
        if approval is None:
            return notice("No such approval", "This approval does not exist, or is long gone.", 404)
        form = await request.form()
        if not self._form_is_ours(approval, request, str(form.get("csrf", ""))):
            log.warning("approval %s… refused a POST without this page's CSRF token", approval.id[:6])
            return notice(
                "Refused",
                "This request did not come from this approval's page (its CSRF token or cookie is missing "
                "or wrong). Nothing changed. Open the approval link again in your browser.",
                403,
            )
        decision = str(form.get("decision", ""))
        if decision not in ("approve", "decline"):
            return notice("Refused", "Choose Approve or Decline. Nothing changed.", 400)
        approver: str | None = None
        if self.passkey and decision == "approve" and approval.status == "pending":
            challenge, approval.challenge = approval.challenge, None  # one assertion per challenge
            try:
                credential = json.loads(str(form.get("assertion") or "null"))
                if challenge is None or not isinstance(credential, dict):
                    raise PasskeyError("approving needs an enrolled approver's passkey")
                approver = authenticate(self.approvers, credential, challenge, origin_of(request)).name
            except (PasskeyError, ValueError) as exc:
                return await self._render(approval, f"Not approved: {exc}. Nothing changed.")
        before = approval.status
        await browser.decide(
            approval,
            "approve" if decision == "approve" else "decline",
            str(form.get("confirm", "")),
            approver,
        )
        if approval.status == "pending" and approval.changed:
            approval.changed = False
            text = (
                "The organization changed since this page was shown: this is the new preview. "
                "Nothing was applied; approve again if it is still what you want."
            )
            return await self._render(approval, text)
        if approval.status == "pending":
            return await self._render(approval, approval.message)
        if before != "pending":
            return await self._render(approval, "This approval was already decided; nothing more was done.")
        return await self._render(approval)

    async def listing(self, request: Request) -> Response:
        if not hmac.compare_digest(str(request.path_params["key"]), self.book.listing_key):
            return notice("Not found", "There is nothing here.", 404)
        pending = [
            {"id": a.id, "preview": a.preview, "tool": a.tool, "until": _utc(a.expires)}
            for a in self.book.pending()
        ]
        return page("approvals.html", approvals=pending)


async def asset(request: Request) -> Response:
    name = str(request.path_params["name"])
    if name not in ASSETS:
        return PlainTextResponse("not found", status_code=404)
    environment, assets = _jinja()
    source, _, _ = assets.get_source(environment, name)
    return Response(source, media_type=ASSETS[name])


def approval_app(pages: ApprovalPages, hosts: Sequence[str]) -> ASGIApp:
    return PageGate(Starlette(routes=pages.routes()), hosts)


Start = Callable[[], Awaitable[str]]
