"""Plugin marketplaces (state: `plugins.py`), behind the plugins' beta header (`plugins.gate`).

* List (newest first; `owner_type`, `source`; `limit` 1-1000), retrieve.
* Update: `default_installation_preference` of an organization marketplace (403 for a member's);
  every plugin in it without a setting of its own follows.
* Validate an archive (multipart: exactly one `archive` part with a filename, at most 32 MB, 413
  beyond) or a public GitHub repository (`repository_url`, `ref`): a report, never a refusal, for
  content that cannot be read. `marketplace.json` (`.claude-plugin/`, at the root or in one folder
  wrapping it) lists plugins by `name` and `source`; a source inside the marketplace must hold the
  plugin's manifest (else it would be skipped), a source elsewhere is not fetched here (a warning).
  The one repository the sandbox can read is `plugins_seed.PUBLIC_REPOSITORY`; any other is reported
  as missing or private.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import invalid_request, permission_denied
from ..params import Body, Query, read_json
from ..plugins import MANIFEST, MARKETPLACE_MANIFEST, PREFERENCES, SOURCES, Marketplace, files_in
from ._common import ok, record
from .plugins import gate, multipart, page_of

ARCHIVE_MAX_BYTES: Final = 32 * 1024 * 1024
_REF: Final = re.compile(r"^[A-Za-z0-9._+/-]{1,255}$")
_SHA: Final = re.compile(r"^[0-9a-f]{40}$")


async def list_marketplaces(request: Request) -> JSONResponse:
    state = gate(request)
    query = Query(request.query_params)
    owner = query.enum("owner_type", ("organization", "user"))
    source = query.enum("source", SOURCES)
    found = [
        m
        for m in state.plugins.marketplaces.values()
        if (owner is None or (owner == "organization") == (m.owner_user_id is None))
        and (source is None or m.source == source)
    ]
    return page_of(found, lambda m: (m.created_at, m.id), Marketplace.to_api, query, 1000)


async def retrieve_marketplace(request: Request) -> JSONResponse:
    state = gate(request)
    return ok(state.plugins.marketplaces.find(request.path_params["marketplace_id"]).to_api())


async def update_marketplace(request: Request) -> JSONResponse:
    state = gate(request)
    marketplace = state.plugins.marketplaces.find(request.path_params["marketplace_id"])
    body = Body(await read_json(request, required=True), ("default_installation_preference",))
    wanted = body.enum("default_installation_preference", PREFERENCES, required=True)
    if marketplace.owner_user_id is not None:
        raise permission_denied("a member's personal marketplace cannot be updated through this API")
    if marketplace.default_installation_preference != wanted:
        previous, marketplace.default_installation_preference = (
            marketplace.default_installation_preference,
            wanted,
        )
        record(
            request,
            "claude_plugin_marketplace_updated",
            marketplace_id=marketplace.id,
            previous=previous,
            value=wanted,
        )
    return ok(marketplace.to_api())


def report(files: Mapping[str, bytes] | None, commit: str | None, ref: str | None) -> dict[str, object]:
    """What a synchronization of these files would make of them."""
    base: dict[str, Any] = {
        "type": "plugin_marketplace_validation_report",
        "commit_sha": commit,
        "ref": ref,
        "plugin_errors": [],
        "plugin_warnings": [],
        "total_plugin_count": 0,
        "manifest_error": None,
        "manifest_error_code": None,
        "valid": False,
    }
    if files is None:
        return base | {
            "manifest_error": "The content could not be read.",
            "manifest_error_code": "unreadable",
        }
    raw = files.get(MARKETPLACE_MANIFEST)
    if raw is None:
        return base | {
            "manifest_error": f"{MARKETPLACE_MANIFEST} is missing.",
            "manifest_error_code": "manifest_missing",
        }
    try:
        manifest = json.loads(raw)
        plugins = manifest["plugins"]
        assert isinstance(plugins, list) and all(isinstance(p, dict) for p in plugins)
    except (ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError):
        return base | {
            "manifest_error": f"{MARKETPLACE_MANIFEST} is malformed: it needs a plugins array of objects.",
            "manifest_error_code": "manifest_malformed",
        }
    errors: list[dict[str, object]] = []
    warnings: list[dict[str, object]] = []
    for entry in plugins:
        name = str(entry.get("name") or "?")
        source = entry.get("source")
        if isinstance(source, str) and source.startswith("./"):
            if f"{source[2:].rstrip('/')}/{MANIFEST}" not in files:
                errors.append(
                    {
                        "name": name,
                        "error": f"No {MANIFEST} under {source}.",
                        "error_code": "plugin_not_found",
                    }
                )
        else:
            warnings.append(
                {
                    "name": name,
                    "warnings": [
                        {
                            "error_code": "source_not_checked",
                            "message": "Its source is outside the marketplace; it is checked when the "
                            "marketplace synchronizes.",
                        }
                    ],
                }
            )
    return base | {
        "plugin_errors": errors,
        "plugin_warnings": warnings,
        "total_plugin_count": len(plugins),
        "valid": not errors,
    }


async def validate_archive(request: Request) -> JSONResponse:
    gate(request)
    parts, _ = await multipart(request, "archive", (), ARCHIVE_MAX_BYTES)
    if len(parts) != 1:
        raise invalid_request("archive: send exactly one archive part, with a filename")
    content = parts[0][1]
    files = files_in(content, ARCHIVE_MAX_BYTES * 4, MARKETPLACE_MANIFEST)
    comment = _comment(content)
    return ok(report(files, comment if comment and _SHA.fullmatch(comment) else None, None))


def _comment(content: bytes) -> str | None:
    # A Git host's download records the commit in the zip comment, at the very end of the archive.
    end = content.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(content):
        return None
    length = int.from_bytes(content[end + 20 : end + 22], "little")
    return content[end + 22 : end + 22 + length].decode("ascii", "replace").strip() or None


def _repository(value: object) -> str:
    if not isinstance(value, str):
        raise invalid_request("repository_url: Input should be a valid string")
    parts = urlsplit(value)
    segments = [s for s in parts.path.removesuffix("/").removesuffix(".git").split("/") if s]
    if (
        len(value) > 2048
        or parts.scheme != "https"
        or parts.hostname != "github.com"
        or parts.username
        or parts.password
        or parts.port not in (None, 443, 80)
        or len(segments) != 2
    ):
        raise invalid_request(
            "repository_url: must be the https:// URL of a repository on github.com naming exactly "
            "owner/repo, with no credentials and no port but 443 or 80"
        )
    return "/".join(segments)


async def validate_repository(request: Request) -> JSONResponse:
    state = gate(request)
    body = Body(await read_json(request, required=True), ("repository_url", "ref"))
    repository = _repository(body.required("repository_url"))
    ref = body.raw("ref")
    if ref is not None and (not isinstance(ref, str) or not _REF.fullmatch(ref) or ".." in ref):
        raise invalid_request("ref: 1-255 ASCII letters, digits and . _ - + /, without '..'")
    files = state.plugins.public_repositories.get(repository)
    if files is None or (ref is not None and not _SHA.fullmatch(ref) and ref != "main"):
        missing = report(None, None, ref)
        return ok(
            missing
            | {
                "manifest_error": f"Repository {repository} (ref {ref or 'default'}) is missing, private, "
                "or has no such branch.",
                "manifest_error_code": "repository_not_found",
            }
        )
    commit = ref if ref is not None and _SHA.fullmatch(ref) else "3c1f5e9a2b7d4c6e8f0a1b3c5d7e9f2a4b6c8d0e"
    return ok(report(files, commit, ref if ref is not None and not _SHA.fullmatch(ref) else None))


_MARKETPLACES: Final = "/v1/organizations/plugin_marketplaces"
ROUTES = [
    Route(_MARKETPLACES, list_marketplaces, methods=["GET"]),
    Route(_MARKETPLACES + "/validate_archive", validate_archive, methods=["POST"]),
    Route(_MARKETPLACES + "/validate_repository", validate_repository, methods=["POST"]),
    Route(_MARKETPLACES + "/{marketplace_id}", retrieve_marketplace, methods=["GET"]),
    Route(_MARKETPLACES + "/{marketplace_id}", update_marketplace, methods=["POST"]),
]
