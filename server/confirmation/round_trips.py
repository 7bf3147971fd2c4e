"""Which 2026-07-28 round trip a request belongs to, so one confirmed answer applies once.

In that protocol era a confirmation arrives as a retried `tools/call` carrying the client's answer
and the server's sealed `requestState`. The SDK opens that state before the tool runs and hands the
tool only the (deterministic) plaintext, so a resent final round would look like a new one. This
codec is the SDK's own AES-GCM codec plus a note of which sealed token the current request carried:
each token is minted once (random nonce), so its digest names one round trip.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextvars import ContextVar

from mcp.server.request_state import AESGCMRequestStateCodec, RequestStateSecurity

REQUEST_STATE_TTL_SECONDS = 600.0
_opened: ContextVar[str | None] = ContextVar("claude_admin_mcp_round_trip", default=None)


class RecordingCodec:
    """`AESGCMRequestStateCodec`, noting the digest of each token it opens for this request."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        self._inner = AESGCMRequestStateCodec(keys)

    def seal(self, payload: bytes) -> str:
        return self._inner.seal(payload)

    def unseal(self, token: str) -> bytes:
        payload = self._inner.unseal(token)
        _opened.set(hashlib.sha256(token.encode()).hexdigest()[:32])
        return payload


def take_round_trip() -> str | None:
    """The current request's round-trip id (None on the first round and in the handshake era)."""
    value = _opened.get()
    _opened.set(None)
    return value


def request_state_security(key: bytes, audience: str) -> RequestStateSecurity:
    """Sealed state under a kept key, so a confirmation in flight survives a restart."""
    return RequestStateSecurity(codec=RecordingCodec([key]), ttl=REQUEST_STATE_TTL_SECONDS, audience=audience)
