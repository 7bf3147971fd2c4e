"""Claude Enterprise scoped keys (`sk-ant-api01-…`): which endpoints a key's scopes open.

A scoped key reaches members and invites, RBAC groups and roles, spend limits, analytics, the
compliance feed, plugins and Claude Tag, each by its scope (reads `read:…`, writes `write:…`; a
rule naming several scopes takes any one); the organization itself with any scope. Everything else
belongs to Console organizations (workspaces, API keys, usage and cost, rate limits, federation):
403 for any scoped key. Configured by `SandboxConfig.scoped_keys`.
"""

from __future__ import annotations

import re
from typing import Final

from .errors import ApiError

_ORG = r"^/v1/organizations"
RULES: Final[tuple[tuple[str, re.Pattern[str], str | None], ...]] = tuple(
    (methods, re.compile(path), scope)
    for methods, path, scope in (
        ("GET", _ORG + r"/me$", None),
        ("GET", _ORG + r"/(users|invites)(/[^/]+)?$", "read:members"),
        ("POST DELETE", _ORG + r"/(users|invites)(/.*)?$", "write:members"),
        ("GET", _ORG + r"/rbac_(groups|roles)(/.*)?$", "read:rbac_groups"),
        ("POST DELETE", _ORG + r"/rbac_groups(/.*)?$", "write:rbac_groups"),
        ("GET", _ORG + r"/spend_limit(s|_increase_requests)(/.*)?$", "read:spend_limits"),
        ("POST DELETE", _ORG + r"/spend_limit(s|_increase_requests)(/.*)?$", "write:spend_limits"),
        ("GET", _ORG + r"/analytics/.*$", "read:analytics"),
        ("GET", r"^/v1/compliance/activities$", "read:compliance_activities"),
        (
            "GET",
            _ORG + r"/plugin(s|_marketplaces)(/.*)?$",
            "read:plugins read:org_audit read:compliance_org_data",
        ),
        ("POST", _ORG + r"/plugin_marketplaces/validate_(archive|repository)$", "read:plugins write:plugins"),
        ("POST DELETE", _ORG + r"/plugin(s|_marketplaces)(/.*)?$", "write:plugins"),
        ("GET", _ORG + r"/claude_tag/.*$", "read:claude_tag"),
        ("POST DELETE", _ORG + r"/claude_tag/.*$", "write:claude_tag"),
    )
)


def check(method: str, path: str, scopes: frozenset[str]) -> None:
    """403 unless the key's scopes open this endpoint."""
    for methods, pattern, scope in RULES:
        if method.upper() in methods.split() and pattern.match(path):
            # A rule may name several scopes: any one of them opens the endpoint.
            if scope is None or set(scope.split()) & scopes:
                return
            raise ApiError(
                403,
                f"Missing required scopes. Got: {sorted(scopes)} Needed: {scope.split()}",
                error_type="permission_error",
                # Claude Tag names this refusal (the SDK has a typed error for it); the others do not.
                error_code="api_key_scope_missing" if "/claude_tag/" in path else None,
            )
    raise ApiError(
        403,
        "This endpoint is not available to scoped API keys: it belongs to Console organizations "
        "(use an Admin API key)",
        error_type="permission_error",
    )
