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
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel

Method = Literal["GET", "POST", "DELETE"]
Tier = Literal["read", "write"]
Pagination = Literal["none", "id_cursor", "page_token", "report"]

# A server-side filter: given one API item (as JSON) and the filter argument's value, keep it?
ItemFilter = Callable[[Mapping[str, Any], Any], bool]
# A read the server answers itself from the run's state (an `AppState`) and the arguments.
ComputeFn = Callable[[Any, Any], Awaitable[dict[str, Any]]]
# The API values (query or body, after `body_groups`) reshaped where the API nests more than names.
ReshapeFn = Callable[[dict[str, Any]], dict[str, Any]]


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

    def now(self) -> datetime:
        """The server's clock (UTC), for ranges such as "the last 30 days"."""
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

# Prepares a server-side filter's argument with extra reads before streaming (e.g. "unused for N
# days" turns N into the set of keys the usage report shows in use).
FilterSetup = Callable[[Reader, Any], Awaitable[Any]]


@dataclass(frozen=True)
class BucketWidth:
    """One `bucket_width` a report accepts, with the API's limits for it."""

    name: str
    seconds: int
    page_max: int
    """The largest `limit` (buckets per page)."""
    span_days: int
    """The longest range one request may cover; longer ranges are walked in pieces."""


RowsFn = Callable[[Mapping[str, Any], tuple[str, ...]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Report:
    """How a report endpoint's pages become rows the server aggregates exactly.

    Time-bucketed reports (`widths` set) take RFC 3339 `starting_at`/`ending_at`, answer buckets
    `{starting_at, ending_at, results[]}` and page with `page`/`next_page`/`has_more`; per-day
    reports (`widths` empty) take one date per request and answer records.
    """

    dimensions: tuple[str, ...]
    """What rows can be grouped by."""
    metrics: tuple[str, ...]
    """The summed values of a row, in display order."""
    rows: RowsFn
    """One API result (bucket result or record) and the chosen group_by → rows of dimensions and metrics."""
    sort_by: str
    """The metric that ranks groups by default."""
    widths: tuple[BucketWidth, ...] = ()
    money: str | None = None
    """The metric holding an exact decimal amount of cents (shown in dollars)."""
    lag_seconds: int = 300
    """How long after the fact data appears."""
    max_days: int = 366
    """The longest range one call may cover."""
    api_groups: bool = True
    """Whether `group_by` is sent to the API (otherwise the server groups the records)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Dimensions whose ids get a readable label: {"workspace_id": "/v1/organizations/workspaces/{id}"}."""
    betas: Mapping[str, str] = field(default_factory=dict)
    """Arguments that need an `anthropic-beta` value when used: {"speeds": "fast-mode-2026-02-01"}."""
    derive: Callable[[dict[str, Any]], None] | None = None
    """Adds derived values (ratios) to an aggregated row."""


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
    oauth_only: bool = False
    """The API accepts only an OAuth token (`org:admin`) here, never an admin key: with an admin key
    the tool is not offered, and calling it by name says why and how to get a token."""
    compute: ComputeFn | None = None
    """Reads answered by the server itself (e.g. `whoami`) instead of one request to `path`."""
    reshape: ReshapeFn | None = None
    """Builds the API's body from the flat values when it takes constants or unions (e.g. a
    rule's `target: {type, service_account_id}`)."""
    columns: tuple[str, ...] = ()
    """Fields shown in the compact text rendering (dotted paths reach into objects)."""
    formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    """How a column reads in the text rendering when its value is not a plain scalar."""
    filters: Mapping[str, ItemFilter] = field(default_factory=dict)
    """Input fields applied by the server while streaming, not sent to the API."""
    not_found_hint: str = ""
    """What the model should do when the API says 404 (e.g. which list tool finds valid ids)."""
    preview: PreviewFn | None = None
    """Writes: describes the change from current state before a human confirms it."""
    body_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Flat arguments the API takes nested: {"data_residency": ("default_inference_geo", ...)}."""
    param_names: Mapping[str, str] = field(default_factory=dict)
    """Arguments the API names otherwise: {"created_after": "created_at.gte"}."""
    local: tuple[str, ...] = ()
    """Arguments the server uses itself and never sends (e.g. a report's grouping done here)."""
    filter_setups: Mapping[str, FilterSetup] = field(default_factory=dict)
    report: Report | None = None
    forbidden_hint: str = ""
    """What the model should tell the user when the API says 403."""

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
        return self.pagination in ("id_cursor", "page_token")

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PATH_PARAM.findall(self.path))

    def __post_init__(self) -> None:
        fields = self.input.model_fields
        for name in self.path_params:
            if name not in fields:
                raise ValueError(f"{self.name}: path parameter {name!r} has no input field")
        for name in (*self.filters, *self.local, *self.param_names, *self.filter_setups):
            if name not in fields:
                raise ValueError(f"{self.name}: {name!r} names no input field")
        if (self.pagination == "report") != (self.report is not None):
            raise ValueError(f"{self.name}: a report operation has pagination='report' and a report spec")
        if self.tier == "write" and self.idempotent is None:
            raise ValueError(f"{self.name}: a write operation must declare whether it is idempotent")
        if self.tier == "write" and self.preview is None:
            raise ValueError(f"{self.name}: a write operation needs a preview for its confirmation")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"{self.name}: tool names are snake_case")

    def api_fields(self) -> tuple[str, ...]:
        """Input fields sent to the API outside the path (query for GET/DELETE, body for POST)."""
        skip = set(self.path_params) | set(self.filters) | set(self.local)
        return tuple(name for name in self.input.model_fields if name not in skip)
