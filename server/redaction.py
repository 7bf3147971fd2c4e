"""Last line of defence for secrets: scrub them from log records and outgoing text.

The code never formats a secret on purpose; this catches what slips through (an exception from a
library that echoes a header, a misrouted token). Known secrets are replaced exactly; anything that
looks like an Anthropic credential or a JWT is replaced by shape.
"""

from __future__ import annotations

import json
import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

# Anthropic credentials (sk-ant-admin01-…, sk-ant-oat01-…, sk-ant-api03-…), compact JWTs and
# webhook signing secrets (whsec_…).
_SHAPES = re.compile(
    r"sk-ant-[a-z]+\d*-[A-Za-z0-9_\-]{16,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r"|whsec_[A-Za-z0-9+/=_\-]{16,}"
)
REDACTED = "[redacted]"


def register_secret(secret: str) -> None:
    """Remember a secret so it is scrubbed wherever it appears, inside JSON too (where a quote,
    a backslash or a control character of it is escaped)."""
    if len(secret) >= 8:
        with _lock:
            _secrets.update({secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]})


def redact(text: str) -> str:
    """`text` with every known secret and credential-shaped string replaced."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _SHAPES.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Attached to every handler: a log line never carries a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_log_redaction() -> None:
    """Scrub every handler on the root logger (and any added later through `logging.basicConfig`)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
