"""The token channel: for a client that cannot ask the user, the first call returns the preview and
a token; calling again with the same arguments and the token applies the change. A token is an
HMAC over the tool, the exact arguments, a nonce, an expiry and a digest of the preview the human
saw, so nothing about the arguments is stored server-side; it is refused for other arguments,
after expiry, once used, and when the organization changed since the preview.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from ..catalog.preview import Preview

TOKEN_TTL_SECONDS = 300
_PREFIX = "cfm1"


class TokenError(Exception):
    """A confirmation token that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class TokenClaims:
    nonce: str
    expires: int
    preview: str


def preview_digest(preview: Preview) -> str:
    material = json.dumps(
        [preview.text(), preview.confirm_text, sorted(preview.workspaces), preview.creates_workspace],
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(tool: str, arguments: dict[str, Any]) -> bytes:
    return json.dumps([tool, arguments], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class ConfirmationTokens:
    def __init__(self, key: bytes, ttl: int = TOKEN_TTL_SECONDS) -> None:
        self._key = key
        self.ttl = ttl

    def _mac(self, tool: str, arguments: dict[str, Any], payload: str) -> str:
        digest = hmac.new(self._key, _canonical(tool, arguments) + b"." + payload.encode(), hashlib.sha256)
        return _b64(digest.digest())

    def issue(
        self, tool: str, arguments: dict[str, Any], preview: str, now: float | None = None
    ) -> tuple[str, TokenClaims]:
        claims = TokenClaims(
            secrets.token_urlsafe(12), int((now if now is not None else time.time()) + self.ttl), preview
        )
        raw = {"n": claims.nonce, "e": claims.expires, "p": claims.preview}
        payload = _b64(json.dumps(raw, separators=(",", ":")).encode())
        return f"{_PREFIX}.{payload}.{self._mac(tool, arguments, payload)}", claims

    def verify(
        self, token: str, tool: str, arguments: dict[str, Any], now: float | None = None
    ) -> TokenClaims:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _PREFIX:
            raise TokenError(
                "the confirmation_token is not one this server issued; call without it to get one"
            )
        _, payload, mac = parts
        if not hmac.compare_digest(mac, self._mac(tool, arguments, payload)):
            raise TokenError(
                "the confirmation_token was issued for different arguments (or another tool); "
                "a token only applies the exact change it previewed. Call without it to preview this change"
            )
        try:
            claims = json.loads(_unb64(payload))
            result = TokenClaims(str(claims["n"]), int(claims["e"]), str(claims["p"]))
        except (ValueError, KeyError, TypeError):
            raise TokenError("the confirmation_token is damaged; call without it to get a new one") from None
        if (now if now is not None else time.time()) > result.expires:
            raise TokenError("the confirmation_token expired; call without it to preview the change again")
        return result
