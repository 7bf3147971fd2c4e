"""Failures worded for the model: what happened, the API's own type/message/request id, what to do next."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from ..api.credentials.base import Credential
from ..api.errors import ApiError, ApiUnreachable, CredentialFailure
from ..catalog.operation import Operation
from ..redaction import redact


def _request_id(error: ApiError) -> str:
    return f" [request_id={error.request_id}]" if error.request_id else ""


def _retried(count: int) -> str:
    return f" after {count} retr{'y' if count == 1 else 'ies'}" if count else ""


def api_error_text(op: Operation, error: ApiError, credential: Credential) -> str:
    """One paragraph: the API's error type and message, the request id, and the next step."""
    if isinstance(error, CredentialFailure):
        return redact(f"{op.name} failed: {error.message}{_request_id(error)}\n{error.advice}")
    head = f"{op.name} failed: {error.error_type} (HTTP {error.status}): {error.message}"
    if error.details.get("error_code"):
        head += f" (error_code {error.details['error_code']})"
    head += _request_id(error)
    status = error.status
    if status == 401:
        advice = (
            f"The API rejected the credential from {credential.source}. Check it is current and belongs "
            "to this organization (`claude-admin-mcp check` tests it); an admin may have revoked it."
        )
    elif status == 403 and op.forbidden_hint:
        advice = op.forbidden_hint
    elif status == 403:
        advice = (
            "The credential is valid but not allowed to do this. Service-account and federation tools need "
            "an org:admin OAuth token, not an admin key; other areas may need an admin with more access."
            if credential.kind == "admin_key"
            else "The credential is valid but not allowed to do this; it may lack the org:admin scope."
        )
    elif status == 404:
        advice = op.not_found_hint or "Nothing exists at that id; list the resource to find valid ids."
    elif status == 429:
        wait = f" The API asked to wait {error.retry_after:.0f} s." if error.retry_after else ""
        advice = f"Rate limited{_retried(error.retries)}.{wait} Wait, then call again; do not loop."
    elif status in (500, 502, 503, 504, 529):
        advice = (
            f"The Admin API is failing or overloaded{_retried(error.retries)}. Try again in a minute; "
            "if it persists, check status.anthropic.com."
        )
    elif status == 409:
        advice = "Conflict with the current state (a concurrent change or a duplicate); re-read, then retry."
    else:
        advice = "Fix the arguments the message names and call again."
    return redact(f"{head}\n{advice}")


def unreachable_text(op: Operation, error: ApiUnreachable, *, change_sent: bool = False) -> str:
    if change_sent:  # it may have arrived and been applied before the answer was lost
        advice = (
            "The change may or may not have been applied: read the current state (the matching get_ or "
            "list_ tool) before trying again."
        )
    else:
        advice = "Check the network or ANTHROPIC_BASE_URL, then call again."
    return redact(
        f"{op.name} failed: the Admin API did not answer ({error.reason}){_retried(error.retries)}. {advice}"
    )


def validation_text(tool: str, error: ValidationError, accepted: Sequence[str]) -> str:
    """The pydantic errors as 'argument: problem' lines, without pydantic's URLs and internals."""
    lines = []
    for err in error.errors(include_url=False):
        location = ".".join(str(part) for part in err["loc"]) or "arguments"
        if err["type"] == "extra_forbidden":
            message = f"unknown argument; this tool takes: {', '.join(accepted) or 'no arguments'}"
        elif err["type"] == "missing":
            message = "required"
        else:
            message = err["msg"]
            shown = _short(err.get("input"))
            if shown and err["type"] not in ("id_format", "email_format"):
                message += f" (got {shown})"
        lines.append(f"- {location}: {message}")
    return redact(f"Invalid arguments for {tool}; nothing was sent to the API.\n" + "\n".join(lines))


def _short(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
