"""Which credential the server uses, found in the environment; the first kind configured wins.

1. `ANTHROPIC_ADMIN_KEY`: an Admin API key (`admin_key`).
1b. `ANTHROPIC_SCOPED_KEY` (+ `ANTHROPIC_SCOPED_KEY_SCOPES`): a Claude Enterprise scoped key (`scoped_key`).
2. `ANTHROPIC_OAUTH_TOKEN` or `ANTHROPIC_AUTH_TOKEN`: an `org:admin` OAuth token (`oauth_token`).
3. `ANTHROPIC_PROFILE`: a profile Anthropic's tools wrote (`profile`).
4. Workload identity federation from the environment (`workload_identity`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ...config import DEFAULT_BASE_URL
from . import admin_key, oauth_token, profile, scoped_key, workload_identity
from .base import (
    ADMIN_KEY_ENV,
    FEDERATION_RULE_ENV,
    IDENTITY_TOKEN_FILE_ENV,
    ORGANIZATION_ENV,
    PROFILE_ENV,
    Credential,
    CredentialError,
)

Finder = Callable[[Mapping[str, str], str, bool], Credential | None]
KINDS: tuple[Finder, ...] = (
    lambda environ, _base, _console: admin_key.from_environment(environ),
    lambda environ, _base, _console: scoped_key.from_environment(environ),
    lambda environ, _base, console: oauth_token.from_environment(environ, console),
    lambda environ, base, _console: profile.from_environment(environ, base),
    lambda environ, base, _console: workload_identity.from_environment(environ, base),
)
"""Each kind's look at the environment, in order of precedence."""


def discover(
    environ: Mapping[str, str], base_url: str = DEFAULT_BASE_URL, *, console: bool = False
) -> Credential:
    """The first credential configured in `environ`, validated; CredentialError if none is usable.

    `base_url` is where a workload identity token is exchanged (the API the token is then used with);
    `console`: an OAuth token found is a Console session (the sandbox's; see `console_session`).
    """
    for find in KINDS:
        credential = find(environ, base_url, console)
        if credential is not None:
            return credential
    raise CredentialError(
        f"No Admin API credential found. Set {ADMIN_KEY_ENV} to an admin key (sk-ant-admin01-…), or "
        "ANTHROPIC_SCOPED_KEY (with ANTHROPIC_SCOPED_KEY_SCOPES) to a Claude Enterprise scoped key, "
        "or ANTHROPIC_OAUTH_TOKEN to an org:admin OAuth token, or configure workload identity "
        f"federation ({IDENTITY_TOKEN_FILE_ENV}, {FEDERATION_RULE_ENV}, {ORGANIZATION_ENV}) or "
        f"{PROFILE_ENV}. To try the server without one, run it with --sandbox."
    )
