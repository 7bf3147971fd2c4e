"""Who may talk to the streamable HTTP endpoint (PRODUCT §8).

Three gates, decided once at startup from the settings and checked on every request:

- a bearer secret (`CLAUDE_ADMIN_MCP_HTTP_TOKEN`, or the file named by `http_token_file`), compared
  in constant time. With a real credential one is always required, loopback included (other local
  users and processes are not the administrator): without a configured one the server makes one,
  kept in the state folder (`http-token`, mode 0600), and says how to connect with it. Only the
  sandbox may serve loopback without one, and never anything beyond loopback;
- `Host` and `Origin` validation against DNS rebinding (the SDK's check, given our lists);
- a request body limit.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import ConfigError, Settings
from ..redaction import register_secret

log = logging.getLogger(__name__)

TOKEN_ENV = "CLAUDE_ADMIN_MCP_HTTP_TOKEN"
MIN_TOKEN_CHARS = 32
TOKEN_ADVICE = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")


@dataclass(frozen=True)
class HttpPolicy:
    """What the HTTP endpoint accepts; built by `http_policy` and enforced by `BearerGate` and the SDK."""

    token: str | None
    allowed_hosts: tuple[str, ...]
    allowed_origins: tuple[str, ...]
    max_request_bytes: int
    made_token: Path | None = None
    """Where the server kept the secret it made itself (None: it was configured, or there is none)."""

    def transport_security(self) -> TransportSecuritySettings:
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=list(self.allowed_hosts),
            allowed_origins=list(self.allowed_origins),
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host in ("", "0.0.0.0", "::", "[::]")


def _host_pattern(host: str) -> str:
    bare = host.strip("[]")
    return f"[{bare}]:*" if ":" in bare else f"{bare}:*"


def read_token(settings: Settings, environ: Mapping[str, str]) -> str | None:
    """The configured bearer secret, or None. A bad one is a `ConfigError` that never quotes it."""
    token = environ.get(TOKEN_ENV) or None
    source = TOKEN_ENV
    if token is None and settings.http_token_file is not None:
        path = settings.http_token_file.expanduser()
        source = f"http_token_file {path}"
        try:
            token = path.read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source} cannot be read: {exc.__class__.__name__}") from None
        if token is None:
            raise ConfigError(f"{source} is empty; put the bearer secret in it ({TOKEN_ADVICE})")
    if token is None:
        return None
    token = token.strip()
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token) or not token.isprintable():
        raise ConfigError(
            f"the HTTP bearer secret from {source} must be at least {MIN_TOKEN_CHARS} printable "
            f"characters without spaces; {TOKEN_ADVICE}"
        )
    register_secret(token)
    return token


def made_token(state_dir: Path) -> tuple[str, Path]:
    """The bearer secret the server keeps for itself (made on first use, mode 0600)."""
    path = state_dir / "http-token"
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read: {exc.__class__.__name__}") from None
    if len(token) < MIN_TOKEN_CHARS:
        token = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
    register_secret(token)
    return token, path


def http_policy(settings: Settings, environ: Mapping[str, str] | None = None) -> HttpPolicy:
    """Decide what the endpoint accepts, or refuse to start with a `ConfigError` saying what to set."""
    token = read_token(settings, os.environ if environ is None else environ)
    kept: Path | None = None
    if token is None and not settings.sandbox:
        token, kept = made_token(settings.state_dir)
    host = settings.host
    if not is_loopback(host) and token is None:
        raise ConfigError(
            f"refusing to serve MCP on {host or 'every address'} without authentication: anyone who "
            f"can reach it could administer the organization. Set {TOKEN_ENV} (or http_token_file) "
            f"to a bearer secret ({TOKEN_ADVICE}), or keep host = 127.0.0.1"
        )
    hosts = list(LOOPBACK_HOSTS)
    if not is_loopback(host) and not _is_wildcard(host):
        hosts.append(_host_pattern(host))
    hosts.extend(settings.allowed_hosts)
    if _is_wildcard(host) and not settings.allowed_hosts:
        raise ConfigError(
            f"host {host or '(all)'} listens on every address, so the Host header is the only way to "
            "tell the server's own name from a DNS-rebinding attacker's: list the names clients use "
            'in allowed_hosts (e.g. allowed_hosts = ["mcp.acme.internal:*"])'
        )
    origins = (*LOOPBACK_ORIGINS, *settings.allowed_origins)
    return HttpPolicy(token, tuple(hosts), origins, settings.max_request_bytes, kept)


class BearerGate:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <secret>`, except the
    approval pages (`open_paths`), which a browser reaches without one (their own gates hold them).

    Lifespan events pass through. The comparison is constant-time (`hmac.compare_digest` on bytes),
    and a refusal says what is wrong without echoing what was sent.
    """

    def __init__(self, app: ASGIApp, token: str, open_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self._expected = token.encode()
        self._open = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(self._open):
            await self.app(scope, receive, send)
            return
        supplied = _bearer(scope)
        if supplied is not None and hmac.compare_digest(supplied, self._expected):
            await self.app(scope, receive, send)
            return
        problem = "missing bearer token" if supplied is None else "wrong bearer token"
        client = scope.get("client") or ("?", 0)
        log.warning("HTTP request refused (%s) from %s", problem, client[0])
        body = json.dumps(
            {"error": "unauthorized", "message": f"{problem}: send Authorization: Bearer <{TOKEN_ENV}>"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="claude-admin-mcp"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.partition(b" ")
            if scheme.lower() == b"bearer" and credentials.strip():
                return bytes(credentials.strip())
            return b""
    return None
