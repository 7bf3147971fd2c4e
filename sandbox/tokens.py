"""Access tokens minted by the workload identity exchange (`POST /v1/oauth/token`).

A token is `sk-ant-oat01-` plus 64 random URL-safe characters from `secrets` (not from the
seeded stream: a token must not be guessable from the seed). The store keeps only the token's
SHA-256 digest next to what it grants (service account, scope, workspace, expiry), so neither the
state, its snapshot nor a repr ever holds a usable token. Lookup is by digest: a dict lookup on a
hash reveals nothing about how close a guess was.

Expired tokens are kept for a day so that presenting one is reported as expired rather than as
unknown; after that they are forgotten.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

TOKEN_PREFIX: Final = "sk-ant-oat01-"
KEEP_EXPIRED_SECONDS: Final = 86_400


@dataclass(frozen=True, slots=True)
class MintedToken:
    """What a minted token grants. Holds no secret."""

    service_account_id: str
    oauth_scope: str
    workspace_id: str
    federation_rule_id: str
    issued_at: int
    expires_at: int

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.oauth_scope.split())

    def expired(self, now: int) -> bool:
        return now >= self.expires_at


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class TokenStore:
    """The minted tokens, by digest."""

    def __init__(self) -> None:
        self._by_digest: dict[bytes, MintedToken] = {}

    def mint(self, grant: MintedToken, now: int) -> str:
        """A new token for `grant`; the only time the token itself exists in the sandbox."""
        self._forget_expired(now)
        token = TOKEN_PREFIX + secrets.token_urlsafe(48)
        self._by_digest[_digest(token)] = grant
        return token

    def find(self, token: str) -> MintedToken | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        return self._by_digest.get(_digest(token))

    def grants(self) -> list[MintedToken]:
        """Every remembered grant (for tests), oldest first."""
        return list(self._by_digest.values())

    def _forget_expired(self, now: int) -> None:
        cutoff = now - KEEP_EXPIRED_SECONDS
        for digest in [d for d, grant in self._by_digest.items() if grant.expires_at < cutoff]:
            del self._by_digest[digest]

    def __len__(self) -> int:
        return len(self._by_digest)

    def __repr__(self) -> str:
        return f"TokenStore({len(self._by_digest)} tokens)"
