"""`GET /v1/organizations/me`: the organization the credential belongs to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._common import ok, sandbox


async def retrieve_organization(request: Request) -> JSONResponse:
    return ok(sandbox(request).organization.to_api())


ROUTES = [Route("/v1/organizations/me", retrieve_organization, methods=["GET"])]
