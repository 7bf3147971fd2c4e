"""Secrets an endpoint takes or returns, declared so the model never holds one.

* `SecretValues`: named secret values an endpoint takes (a telemetry collector's auth headers). The
  tool takes where they are, never what they are: a file the human wrote in the server's secrets
  folder (one `Name: value` a line), or environment variables the human set for the server (named
  `CLAUDE_ADMIN_MCP_SECRET_…`, so no other variable of the server's, its own credential least of
  all, can be sent anywhere). The server reads them as it sends; previews show the names only.
* `SecretReturned`: a secret an endpoint returns once (a webhook's signing secret). The server
  writes it to a file of its own in the secrets folder's `kept` folder (mode 0600) and the result
  carries the file's path in its place.

Either way the values are registered with the redactor as soon as they are read, so none reaches a
result, an error, a log line or the audit log even by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

ENV_PREFIX = "CLAUDE_ADMIN_MCP_SECRET_"
"""The only environment variables a tool may name as the source of a secret value."""
ENV_NAME = rf"^{ENV_PREFIX}[A-Z0-9_]{{1,64}}$"
FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
"""A file of the secrets folder, by name: no folder, so nothing outside it can be named."""
FOLDER = "secrets"
"""The secrets folder, under the state folder."""
KEPT = "kept"
"""The folder within it where the server keeps the secrets the API returns: a `headers_file` names a
file of the secrets folder itself, so no secret the server kept can be sent on as a header."""


class SecretSourceError(ValueError):
    """A secret a tool points at cannot be used; the message says why and never holds a value."""


@dataclass(frozen=True)
class SecretValues:
    """Named secret values an endpoint takes, sent as a map `{name: value}` under `body`."""

    body: str
    """Where the values go in the request body, e.g. "headers"."""
    file: str
    """The input field naming a file of the secrets folder."""
    env: str
    """The input field mapping names to environment variables."""
    noun: str = "header"


@dataclass(frozen=True)
class SecretReturned:
    """A secret an endpoint returns once, kept in a file rather than shown."""

    field: str
    """The response field holding it, e.g. "signing_secret"; the result has `<field>_file` instead."""
    owner: str
    """Whose secret it is, for the file's name: a response field, else an input field of that name."""
    noun: str
    """What it is, for the file's name: "webhook-signing-secret"."""
