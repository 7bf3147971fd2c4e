"""`POST /v1/oauth/token`: the workload identity (RFC 7523 jwt-bearer) token exchange.

No credential is needed (the assertion in the JSON body is the credential); the logic, the
checks and the reasons recorded for denials are in `exchange.py`. The request and the response
carry secrets (the assertion, the minted token): neither is ever logged or echoed in an error.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..exchange import exchange, parse_request
from ..params import read_json
from ._common import sandbox


async def token(request: Request) -> JSONResponse:
    asked = parse_request(await read_json(request, required=True))
    response = exchange(sandbox(request), asked, str(request.state.request_id))
    # RFC 6749 §5.1: token responses must not be cached.
    return JSONResponse(response, headers={"cache-control": "no-store", "pragma": "no-cache"})


ROUTES = [Route("/v1/oauth/token", token, methods=["POST"])]
