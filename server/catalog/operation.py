"""The declarative shape of one Admin API operation.

Every module in `tools/` is a list of `Operation`s; the runtime turns each into an MCP tool. An
operation says *what* the API does (method, path, typed input and output, pagination, tier); the
runtime decides *how* (HTTP, retries, paging, confirmation, rendering). Adding an endpoint is one
`Operation`, never new plumbing. Where an endpoint needs more than fields, it gets a small typed
hook (`reshape`, a `Filter`'s `prepare`, a `Report`'s `rows`), never a special case in the runtime.

Input fields become flat tool arguments. Path placeholders are filled from the fields of the same
name; the other fields go to the query (GET/DELETE) or the JSON body (POST) under their
`serialization_alias` if they have one, except `filters` (applied by the server) and fields marked
`Field(exclude=True)` (used by the server itself, e.g. a report's own grouping).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from ..api.credentials.base import OAUTH_ONLY, ORG_ADMIN_ACCESS, Access
from .files import Download, Upload
from .preview import PreviewFn, Reader
from .secrets import SecretReturned, SecretValues

__all__ = [
    "OAUTH_ONLY",
    "ORG_ADMIN_ACCESS",
    "Access",
    "BucketWidth",
    "Days",
    "Download",
    "Filter",
    "Operation",
    "Report",
    "Upload",
]

Method = Literal["GET", "POST", "DELETE"]
Tier = Literal["read", "write"]
Pagination = Literal["none", "id_cursor", "page_token", "report"]

# The API values (query or body) reshaped where the API nests more than names.
ReshapeFn = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Filter:
    """A list argument the server applies while streaming, never sent to the API."""

    keep: Callable[[Mapping[str, Any], Any], bool]
    """Given one API item (as JSON) and the prepared argument, keep the item?"""
    prepare: Callable[[Reader, Any], Awaitable[Any]] | None = None
    """Turns the argument into what `keep` compares against, with reads of its own (e.g. "unused
    for N days" into the keys the usage report shows in use), once per call."""
    says: Callable[[Reader, Any], str] | None = None
    """What the answer should say the filter checked (e.g. the window of days), given the argument."""


@dataclass(frozen=True)
class Label:
    """A readable name beside an id column (a member's email and name, a workspace's name): looked
    up once per call in a list of the API, never with one request per row."""

    listing: str
    """The list whose items carry the id (as `id`) and the name, e.g. "/v1/organizations/users"
    (empty for a column of ids of several kinds, named by `kinds`)."""
    query: Mapping[str, Any] = field(default_factory=dict)
    """Extra query for that list, e.g. {"include_archived": True}."""
    none: str | None = None
    """What a null id means (e.g. "Default workspace")."""
    kinds: Mapping[str, Label] = field(default_factory=dict)
    """For a column holding ids of several kinds (a report's `actor`): the label of each id
    prefix ("user_", "apikey_")."""

    @staticmethod
    def key(column: str) -> str:
        """Where the name goes: "user_id" → "user_name", "created_by.id" → "created_by_name"."""
        return column.removesuffix(".id").removesuffix("_id").replace(".", "_") + "_name"


@dataclass(frozen=True)
class FromItem:
    """A text column computed from the whole item rather than one field (e.g. what an activity did)."""

    render: Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class BucketWidth:
    """One `bucket_width` a report accepts, with the API's limits for it."""

    name: str
    seconds: int
    page_max: int
    """The largest `limit` (buckets per page)."""
    span_days: int
    """The longest range one request may cover; longer ranges are walked in pieces."""


@dataclass(frozen=True)
class Days:
    """A list of whole UTC days (the analytics activity endpoints): the tool takes `range` as agents
    say it ("yesterday", "last week") and the server sends the complete days it covers, as one day
    (`single`) or a start and exclusive end; today, still incomplete, is left out."""

    single: str | None = "date"
    start: str | None = "starting_date"
    end: str | None = "ending_date"


RowsFn = Callable[[Mapping[str, Any], tuple[str, ...]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Report:
    """How a report endpoint's pages become rows the server aggregates exactly.

    Time-bucketed reports (`widths` set) take RFC 3339 `starting_at`/`ending_at`, answer buckets
    `{starting_at, ending_at, results[]}` and page with `page`/`next_page`/`has_more`; per-day
    reports (`widths` empty) take one date per request and answer records.
    """

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
    betas: Mapping[str, str] = field(default_factory=dict)
    """Arguments that need an `anthropic-beta` value when used: {"speeds": "fast-mode-2026-02-01"}."""
    derive: Callable[[dict[str, Any]], None] | None = None
    """Adds derived values (ratios) to an aggregated row."""
    flat: bool = False
    """Each page item is one row with its own `starting_at`/`ending_at` (its bucket, or none: the
    request's range), paged `limit` rows at a time, rather than a bucket of `results`."""
    earliest: str | None = None
    """The earliest moment the endpoint has data for (RFC 3339), if it has one."""
    max_age_days: int | None = None
    """How far back the range may start, if the endpoint limits it."""


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
    """Flat tool arguments (see the module docstring for where each goes)."""
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
    """An `anthropic-beta` value this endpoint requires (the SDK sends one for 52 endpoints)."""
    access: Access = ORG_ADMIN_ACCESS
    """Which credentials the API accepts here (`OAUTH_ONLY`: never an admin key). A credential the
    API would refuse is not offered the tool, and calling it by name says why and what would do."""
    reshape: ReshapeFn | None = None
    """Builds the API's body from the flat values where it nests them or takes unions (e.g. a
    rule's `target: {type, service_account_id}`)."""
    columns: tuple[str, ...] = ()
    """Fields shown in the compact text rendering (dotted paths reach into objects)."""
    formats: Mapping[str, Callable[[Any], str] | FromItem] = field(default_factory=dict)
    """How a column reads in the text rendering when its value is not a plain scalar."""
    labels: Mapping[str, Label] = field(default_factory=dict)
    """Id columns shown with a readable name beside them (lists, single objects, report groups)."""
    filters: Mapping[str, Filter] = field(default_factory=dict)
    """Input fields applied by the server while streaming, not sent to the API."""
    not_found_hint: str = ""
    """What the model should do when the API says 404 (e.g. which list tool finds valid ids)."""
    empty_hint: str = ""
    """What an empty list means, when "0 items" alone would mislead (e.g. "inherits the org's limits")."""
    forbidden_hint: str = ""
    """What the model should tell the user when the API says 403."""
    preview: PreviewFn | None = None
    """Writes: describes the change from current state before a human confirms it."""
    report: Report | None = None
    days: Days | None = None
    """A list of whole UTC days: the input's `range` becomes the API's day parameters."""
    secret_values: SecretValues | None = None
    """Secret values the endpoint takes (a collector's auth headers): the tool names where the human
    left them, and the server reads them only as it sends (see `secrets.py`)."""
    secret_returned: SecretReturned | None = None
    """A secret the endpoint returns once (a webhook's signing secret): kept in a file, never shown."""
    sources: tuple[Operation, ...] = ()
    """Other endpoints that answer the same question (a newer API, a legacy one), each a full
    operation of its own: the tool takes `source` (an endpoint's path under /v1/organizations/),
    and without one the first operation, this one included, that takes every argument given."""
    upload: Upload | None = None
    """A write whose body is local files sent as `multipart/form-data`: the path field is read by the
    server, never sent; the other values go as form fields."""
    download: Download | None = None
    """A read whose body is a file: written to the exports folder and answered with a resource link."""

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
    def oauth_only(self) -> bool:
        return not self.access.admin_key

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
        for name in self.filters:
            if name not in fields:
                raise ValueError(f"{self.name}: filter {name!r} names no input field")
        if (self.pagination == "report") != (self.report is not None):
            raise ValueError(f"{self.name}: a report operation has pagination='report' and a report spec")
        if self.tier == "write" and self.idempotent is None:
            raise ValueError(f"{self.name}: a write operation must declare whether it is idempotent")
        if self.tier == "write" and self.preview is None:
            raise ValueError(f"{self.name}: a write operation needs a preview for its confirmation")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"{self.name}: tool names are snake_case")
        if self.days is not None and "range" not in fields:
            raise ValueError(f"{self.name}: a list of days takes `range`")
        for source in self.sources:
            if source.report is None or self.report is None or source.sources:
                raise ValueError(f"{self.name}: sources are reports of a report, one level deep")
        if self.secret_values is not None:
            for name in (self.secret_values.file, self.secret_values.env):
                if name not in fields:
                    raise ValueError(f"{self.name}: secret values come from input field {name!r}")
        if self.upload is not None and (self.method != "POST" or self.upload.field not in fields):
            raise ValueError(f"{self.name}: an upload is a POST with an input field for its local path")
        if self.download is not None and (self.method != "GET" or self.is_list):
            raise ValueError(f"{self.name}: a download is a GET of one file")

    @property
    def source_name(self) -> str:
        """What the tool's `source` argument calls this endpoint: its path under /v1/organizations/."""
        return self.path.removeprefix("/v1/organizations/")

    def api_fields(self) -> frozenset[str]:
        """Input fields sent to the API outside the path (query for GET/DELETE, body for POST)."""
        skip = {*self.path_params, *self.filters, *((self.upload.field,) if self.upload else ())}
        if self.secret_values is not None:  # where the secrets are is the server's business only
            skip |= {self.secret_values.file, self.secret_values.env}
        return frozenset(
            name for name, info in self.input.model_fields.items() if name not in skip and not info.exclude
        )

    def api_values(self, args: BaseModel) -> dict[str, Any]:
        """What the API receives besides the path, as JSON values, leaving out what was not given."""
        # An argument left out (None) is not sent; a null inside a value is (it can mean "clear this").
        dumped = args.model_dump(mode="json", include=set(self.api_fields()), by_alias=True)
        values = {name: value for name, value in dumped.items() if value is not None}
        return self.reshape(values) if self.reshape is not None else values
