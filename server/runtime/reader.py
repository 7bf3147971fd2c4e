"""The read-only view of the Admin API that previews and filters use (the catalog's `Reader`).

Typed: what it reads is validated into the caller's model, so a preview reads `user.role`. Lists
are walked by the one paginator in the style and page size the catalog declares for that path.
One reader serves one tool call and remembers what it read, so a preview that asks twice for the
same workspace costs one request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..api.client import AdminApi, fill_path
from ..api.errors import ApiError, ApiUnreachable
from ..catalog.files import SentFiles
from ..catalog.operation import Operation
from .paginator import Source, Style, collect, pages
from .secret_files import read_values

M = TypeVar("M", bound=BaseModel)

PREVIEW_MAX_ITEMS = 5_000
"""A preview reads at most this many items of one list (it describes, it does not export)."""


class ListStyles:
    """Which paging style and page size each list path has, from the catalog's list operations, and
    the `anthropic-beta` value a read needs (the spend-limit list, every webhook and plugin read do)."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._patterns: list[tuple[re.Pattern[str], Style, int, str]] = []
        self._betas: list[tuple[re.Pattern[str], str]] = []
        for op in operations:
            pattern = re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(op.path)) + "$")
            if op.beta and op.method == "GET":  # a beta area's objects are read with its beta too
                self._betas.append((pattern, op.beta))
            if op.pagination == "none":
                continue
            style: Style = "id_cursor" if op.pagination == "id_cursor" else "page_token"
            size = op.page_size
            if op.report is not None and op.report.widths:
                size = op.report.widths[0].page_max  # the default width's page (reports page by token)
            self._patterns.append((pattern, style, size, op.item_id))

    def of(self, path: str) -> tuple[Style, int, str]:
        for pattern, style, size, item_id in self._patterns:
            if pattern.match(path):
                return style, size, item_id
        raise LookupError(f"no list operation in the catalog serves {path}")

    def beta(self, path: str) -> str | None:
        return next((beta for pattern, beta in self._betas if pattern.match(path)), None)


class ApiReader:
    def __init__(self, api: AdminApi, styles: ListStyles, clock: Any, secrets: Path) -> None:
        self.api = api
        self._styles = styles
        self._clock = clock
        self._secrets = secrets
        self._seen: dict[str, Any] = {}
        self._missing: set[str] = set()
        self.uploading: SentFiles | None = None
        """What the write being previewed uploads, once the runtime has read it."""

    def now(self) -> datetime:
        now: datetime = self._clock()
        return now

    def credential_details(self) -> Mapping[str, Any]:
        return self.api.credential.details()

    def secret_names(self, file: str | None, env: Mapping[str, str] | None) -> list[str]:
        return list(read_values(self._secrets, file, env))

    def sent_files(self) -> SentFiles | None:
        return self.uploading

    async def page(self, path: str, **query: Any) -> dict[str, Any]:
        key = repr((path, sorted(query.items())))
        if key not in self._seen:
            # Previews build paths from validated ids; fill_path's encoding keeps that a guarantee.
            beta = self._styles.beta(path)
            response = await self.api.request("GET", fill_path(path, {}), query=query, beta=beta)
            if not isinstance(response.data, dict):
                raise ApiError(502, "api_error", "expected a JSON object", request_id=response.request_id)
            self._seen[key] = response.data
        body: dict[str, Any] = self._seen[key]
        return body

    async def get(self, model: type[M], path: str, **query: Any) -> M:
        return _validated(model, await self.page(path, **query), path)

    async def find(self, model: type[M], path: str, **query: Any) -> M | None:
        found = await self.find_raw(path, **query)
        return None if found is None else _validated(model, found, path)

    async def find_raw(self, path: str, **query: Any) -> dict[str, Any] | None:
        """One object as the API sent it, or None when the API says 404 (remembered too)."""
        key = repr((path, sorted(query.items())))
        if key in self._missing:
            return None
        try:
            return await self.page(path, **query)
        except ApiError as exc:
            if exc.status == 404:
                self._missing.add(key)
                return None
            raise

    def lists(self, path: str) -> bool:
        """Whether `path` is a list the catalog knows how to walk."""
        try:
            self._styles.of(path)
        except LookupError:
            return False
        return True

    async def index(self, path: str, ids: set[str], **query: Any) -> dict[str, dict[str, Any]]:
        """The items of the list at `path` whose id is in `ids`, walking it until all are found
        (or `PREVIEW_MAX_ITEMS` were read: the rest stay unknown)."""
        style, size, item_id = self._styles.of(path)
        found: dict[str, dict[str, Any]] = {}

        async def fetch(params: dict[str, Any]) -> Mapping[str, Any]:
            return await self.page(path, **query, **params)

        read = 0
        async for page in pages(Source(fetch, style, size, item_id)):
            self._remember(path, page.items, item_id)
            for item in page.items:
                if str(item.get(item_id)) in ids:
                    found[str(item[item_id])] = item
            read += len(page.items)
            if len(found) == len(ids) or read >= PREVIEW_MAX_ITEMS:
                break
        return found

    async def all(self, model: type[M], path: str, **query: Any) -> list[M]:
        style, size, item_id = self._styles.of(path)

        async def fetch(params: dict[str, Any]) -> Mapping[str, Any]:
            return await self.page(path, **query, **params)

        items = await collect(Source(fetch, style, size, item_id), PREVIEW_MAX_ITEMS)
        self._remember(path, items, item_id)
        return [_validated(model, item, path) for item in items]

    def _remember(self, path: str, items: Iterable[Mapping[str, Any]], item_id: str) -> None:
        # An item of a list is the object its own path answers: a later read of it costs nothing.
        for item in items:
            if item.get(item_id) is not None:
                self._seen.setdefault(repr((f"{path}/{item[item_id]}", [])), dict(item))


def _validated(model: type[M], data: Any, path: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise ApiUnreachable(f"the API returned an unexpected shape for {path} ({problems})") from None
