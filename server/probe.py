"""`check`: does the credential reach an organization?"""

from __future__ import annotations

from .admin_api import AdminApi, ApiError, ApiUnreachable
from .config import Settings
from .credentials import Credential
from .redaction import redact


async def probe(settings: Settings, credential: Credential) -> tuple[bool, str]:
    """(reachable, a one-line description of the organization or of what went wrong)."""
    api = AdminApi(
        base_url=settings.base_url,
        credential=credential,
        anthropic_version=settings.anthropic_version,
        timeout=settings.timeout_seconds,
        max_retries=1,
        retry_budget=min(settings.retry_budget_seconds, 10.0),
        allowed_methods=frozenset({"GET"}),
    )
    try:
        response = await api.get("/v1/organizations/me")
    except ApiError as exc:
        hint = " (the credential was rejected)" if exc.status == 401 else ""
        rid = f" [request_id={exc.request_id}]" if exc.request_id else ""
        return False, redact(f"unreachable: {exc.error_type} (HTTP {exc.status}) {exc.message}{hint}{rid}")
    except ApiUnreachable as exc:
        return False, redact(f"unreachable: {exc.reason}")
    finally:
        await api.aclose()
    data = response.data if isinstance(response.data, dict) else {}
    return True, f"{data.get('name', '?')} [{data.get('id', '?')}]"
