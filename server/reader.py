"""The read-only view of the Admin API that previews use (the `Reader` of `registry.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .admin_api import AdminApi, ApiError, fill_path
from .pagination import Position, walk

PREVIEW_MAX_ITEMS = 5_000
"""A preview reads at most this many items of one list (it describes, it does not export)."""


def _path(path: str) -> str:
    # Previews build paths from validated ids; fill_path's encoding keeps that a guarantee.
    return fill_path(path, {})


class ApiReader:
    def __init__(self, api: AdminApi, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.api = api
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    async def get(self, path: str, **query: Any) -> dict[str, Any]:
        response = await self.api.get(_path(path), query)
        if not isinstance(response.data, dict):
            raise ApiError(502, "api_error", "expected a JSON object", request_id=response.request_id)
        return response.data

    async def find(self, path: str, **query: Any) -> dict[str, Any] | None:
        try:
            return await self.get(path, **query)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    async def all(self, path: str, **query: Any) -> list[dict[str, Any]]:
        async def fetch(params: dict[str, Any]) -> dict[str, Any]:
            return await self.get(path, **query, **params)

        result = await walk(
            fetch, style="id_cursor", start=Position(), limit=PREVIEW_MAX_ITEMS, page_size=1000
        )
        return result.items
