"""What can go wrong talking to the Admin API, as exceptions the runtime turns into tool errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """The API answered with an error (after any retries)."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        request_id: str | None,
        retries: int = 0,
        retry_after: float | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.request_id = request_id
        self.retries = retries
        self.retry_after = retry_after
        self.details = dict(details or {})


class CredentialFailure(ApiError):
    """The credential could not authenticate the request, which was therefore never sent: e.g. a
    workload identity token exchange refused, or an identity token file that cannot be read.
    `message` says what failed (naming the rule and organization, never a secret), `advice` what
    to do."""

    def __init__(self, message: str, *, advice: str, request_id: str | None = None) -> None:
        super().__init__(401, "authentication_error", message, request_id=request_id)
        self.advice = advice


class ApiUnreachable(Exception):
    """No answer from the API: connection refused, timed out, or the body was unreadable."""

    def __init__(self, reason: str, *, retries: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retries = retries


class MethodNotAllowed(Exception):
    """The read-only tier's client refuses every method but GET."""
