"""The declarative shape of one Admin API operation.

Every module in `tools/` is a list of `Operation`s; `server/` turns each into an MCP tool. An
operation says *what* the API does (method, path, typed input and output, pagination, tier); the
runtime decides *how* (HTTP, retries, paging, confirmation, rendering). Adding an endpoint is one
`Operation`, never new plumbing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel

Method = Literal["GET", "POST", "DELETE"]
Tier = Literal["read", "write"]
Pagination = Literal["none", "id_cursor", "page_token"]

# A server-side filter: given one API item (as JSON) and the filter argument's value, keep it?
ItemFilter = Callable[[Mapping[str, Any], Any], bool]


class Reader(Protocol):
    """Read access to the Admin API, given to previews so they can describe current state."""

    async def get(self, path: str, **query: Any) -> dict[str, Any]:
        """One object (or one list page); raises on API errors."""
        ...

    async def find(self, path: str, **query: Any) -> dict[str, Any] | None:
        """Like `get`, but None when the API says 404."""
        ...

    async def all(self, path: str, **query: Any) -> list[dict[str, Any]]:
        """Every item of an id-cursor list, walked page by page."""
        ...


@dataclass(frozen=True)
class Preview:
    """What a write would change, read from current state, shown to the human before it happens."""

    action: str
    """One line: what will happen, e.g. "Change ana@acme.com's org role: developer → billing"."""
    details: tuple[str, ...] = ()
    """The blast radius and context, one fact per line."""
    confirm_text: str | None = None
    """For destructive writes: what the human must type to confirm (an email or a name)."""
    workspaces: frozenset[str] = frozenset()
    """Workspaces the write touches, for the allowlist ("default" for the default workspace)."""
    creates_workspace: bool = False
    nothing_to_do: str | None = None
    """Set when the write would change nothing: the reason, and no confirmation is asked."""
    refusal: str | None = None
    """Set when current state shows the API would refuse: the reason, and no confirmation is asked."""

    def text(self) -> str:
        return "\n".join([self.action, *(f"- {line}" for line in self.details)])


PreviewFn = Callable[[Reader, Any], Awaitable[Preview]]

_PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Operation:
    """One Admin API operation, exposed as one MCP tool."""

    name: str
    """Tool name, `verb_resource` in snake_case. Part of the public interface."""
    title: str
    """Human title shown by clients."""
    description: str
    """The model's manual: what it does, when to use it, id formats, what it changes."""
    toolset: str
    """Area this tool belongs to (users, workspaces, ...), for `--toolsets`."""
    method: Method
    path: str
    """Path template; `{name}` placeholders are filled from input fields of the same name."""
    input: type[BaseModel]
    """Flat tool arguments. Fields not in the path go to the query (GET/DELETE) or JSON body (POST)."""
    output: type[BaseModel]
    """The API object returned (for a list: one item)."""
    pagination: Pagination = "none"
    page_size: int = 1000
    """The API's largest page, used when walking a list."""
    item_id: str = "id"
    """The item field the API's `after_id`/`before_id` cursor refers to."""
    destructive: bool = False
    idempotent: bool | None = None
    """Defaults to True for reads; a write must say."""
    beta: str | None = None
    """An `anthropic-beta` value this endpoint requires."""
    columns: tuple[str, ...] = ()
    """Fields shown in the compact text rendering (dotted paths reach into objects)."""
    filters: Mapping[str, ItemFilter] = field(default_factory=dict)
    """Input fields applied by the server while streaming, not sent to the API."""
    not_found_hint: str = ""
    """What the model should do when the API says 404 (e.g. which list tool finds valid ids)."""
    preview: PreviewFn | None = None
    """Writes: describes the change from current state before a human confirms it."""
    body_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Flat arguments the API takes nested: {"data_residency": ("default_inference_geo", ...)}."""

    @property
    def tier(self) -> Tier:
        return "read" if self.method == "GET" else "write"

    @property
    def read_only(self) -> bool:
        return self.tier == "read"

    @property
    def is_idempotent(self) -> bool:
        return self.read_only if self.idempotent is None else self.idempotent

    @property
    def is_list(self) -> bool:
        return self.pagination != "none"

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PATH_PARAM.findall(self.path))

    def __post_init__(self) -> None:
        fields = self.input.model_fields
        for name in self.path_params:
            if name not in fields:
                raise ValueError(f"{self.name}: path parameter {name!r} has no input field")
        for name in self.filters:
            if name not in fields:
                raise ValueError(f"{self.name}: filter {name!r} has no input field")
        if self.tier == "write" and self.idempotent is None:
            raise ValueError(f"{self.name}: a write operation must declare whether it is idempotent")
        if self.tier == "write" and self.preview is None:
            raise ValueError(f"{self.name}: a write operation needs a preview for its confirmation")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"{self.name}: tool names are snake_case")

    def api_fields(self) -> tuple[str, ...]:
        """Input fields sent to the API outside the path (query for GET/DELETE, body for POST)."""
        skip = set(self.path_params) | set(self.filters)
        return tuple(name for name in self.input.model_fields if name not in skip)
