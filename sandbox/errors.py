"""The Admin API's error body, and the exception the routes raise to produce one.

Every error leaves the sandbox as

    {"type": "error",
     "error": {"type": "<error type>", "message": "...", "details": {"error_code": "..."}},
     "request_id": "req_..."}

with `details` only where the official SDK documents an `error_code` (it maps `(status,
error_code)` to its typed exception classes, e.g. 400 `already_member` -> `AlreadyMemberError`).
The same request id is in the `request-id` header of every response, as on the real API.
Messages never contain a presented credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.responses import JSONResponse

ERROR_TYPES: Final[Mapping[int, str]] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
"""The error `type` that goes with each status (the API's table in its errors page)."""


class ApiError(Exception):
    """An Admin API error: raising it from a route sends the matching JSON error response."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.details: dict[str, object] = dict(details or {})
        """More of `error.details` beside the `error_code` (e.g. the plugin that holds a name)."""
        self.error_type = error_type or ERROR_TYPES.get(status, "api_error")
        self.headers: dict[str, str] = dict(headers or {})

    def body(self, request_id: str) -> dict[str, object]:
        error: dict[str, object] = {"type": self.error_type, "message": self.message}
        if self.error_code is not None:
            error["details"] = {"error_code": self.error_code, **self.details}
        return {"type": "error", "error": error, "request_id": request_id}

    def response(self, request_id: str) -> JSONResponse:
        return JSONResponse(self.body(request_id), status_code=self.status, headers=self.headers)


def invalid_request(message: str, *, error_code: str | None = None) -> ApiError:
    """400 `invalid_request_error`: the request is malformed or the API refuses it as asked."""
    return ApiError(400, message, error_code=error_code)


def not_found(message: str) -> ApiError:
    """404 `not_found_error`: no such object, or no such path."""
    return ApiError(404, message)


def permission_denied(message: str, *, error_code: str | None = None) -> ApiError:
    """403 `permission_error`: the credential may not do this."""
    return ApiError(403, message, error_code=error_code)


def rate_limited(message: str, retry_after_seconds: int) -> ApiError:
    """429 `rate_limit_error` with the `retry-after` header the SDK honours."""
    return ApiError(429, message, headers={"retry-after": str(max(1, retry_after_seconds))})
