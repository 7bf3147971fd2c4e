"""`check`: does the credential reach an organization, and as whom?"""

from __future__ import annotations

from typing import Any

from ..api.client import AdminApi
from ..api.credentials.base import Credential
from ..catalog.inventory import Inventory
from ..config import Settings
from ..runtime.whoami import describe


async def probe(
    settings: Settings, credential: Credential, inventory: Inventory
) -> tuple[bool, dict[str, Any]]:
    """(reachable, the identity report `whoami` gives, with `problem` saying what went wrong)."""
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
        report = await describe(credential, api, inventory, sandbox=settings.sandbox)
    finally:
        await api.aclose()
    return report["organization"] is not None, report
