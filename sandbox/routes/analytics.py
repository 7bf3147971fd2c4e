"""The Claude Enterprise activity endpoints, under `/v1/organizations/analytics/`: `summaries`,
`users`, `apps/chat/projects`, `connectors`, `plugins`, `skills` and `artifacts`.

The data is `engagement.py`'s; dates, filters, ordering and paging are `analytics_params.py`'s.
Choices where the docs are silent:

* `/users` lists the members with any counted activity in the window (the members the daily active
  user counts count), sorted by email; a member with none has no row.
* Entity rows (projects, connectors, plugins, skills) exist where some member used the entity in
  the window; `distinct_user_count` counts the members over the whole window. With `group_by[]`,
  a row per combination that has activity. `product` filters and groups keep only the activity in
  those products.
* In range mode, counts add up over the days and the set-like distinct counts (projects,
  connectors, skills, plugins used) are recounted over the window.
* `/artifacts` answers the full (`artifact_type`, `is_shared`) cube, zeros included, in one page
  (`page` is refused without `group_by[]`); grouped, only the combinations with artifacts.
* Nobody holds an RBAC group here: grouping by `rbac_group_id` gives no rows, and filtering by one
  matches nothing (the summaries' counts are then 0, their seat and invite fields null).
* `order_by` takes the endpoint's sort column or any of its counts, by dotted path as in the
  response (`chat_metrics.message_count`, `distinct_user_count`...); ties follow the sort column.
* Access as in `analytics_reports.py`: a scoped key with `read:analytics`, or the admin key standing
  in for one; tokens get 403 "Missing required scopes".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..analytics_params import (
    Days,
    activity_days,
    day_text,
    filters,
    group_by,
    order,
    page_of,
    scope_of,
)
from ..engagement import (
    ARTIFACT_TYPES,
    CONNECTORS,
    COUNTS,
    MANAGED_AUTH,
    PLUGINS,
    SKILLS,
    MemberDay,
    call_split,
    seat_holders,
)
from ..errors import invalid_request
from ..models import format_ts
from ..params import Query
from ..store import SandboxState
from ._common import ok, sandbox
from .analytics_reports import require_analytics_scope

DAY: Final = 86_400
OFFICE_APPS: Final = ("excel", "outlook", "powerpoint", "word")
CONNECTOR_PRODUCTS: Final = ("chat_cowork_unified", "chat", "claude_code", "cowork", "office_agent")
PLUGIN_PRODUCTS: Final = ("chat_cowork_unified", "claude_code", "cowork")
SKILL_PRODUCTS: Final = CONNECTOR_PRODUCTS
ARTIFACT_PRODUCTS: Final = ("chat_cowork_unified", "chat", "claude_code", "cowork")
SHARE_STATUSES: Final = ("organization", "private", "public")


# -- shared ------------------------------------------------------------------------------------------


class Window:
    """One request's days and the members active on each."""

    def __init__(self, request: Request, *, ranged: bool = True, required: str | None = None) -> None:
        require_analytics_scope(request)
        self.state: SandboxState = sandbox(request)
        self.query = Query(request.query_params)
        self.now = self.state.now_ts()
        self.days: Days = activity_days(self.query, self.now, ranged=ranged, required=required)

    def members(self) -> list[dict[str, MemberDay]]:
        monitoring, activities = self.state.monitoring, self.state.activities
        return [
            monitoring.engagement(activities, self.now, day) for day in range(self.days.first, self.days.end)
        ]

    def email(self, user_id: str) -> str:
        live = self.state.users.get(user_id)
        if live is not None:
            return live.email
        return next((user.email for user in self.state.monitoring.snapshot.users if user.id == user_id), "")

    def user(self, user_id: str) -> dict[str, object]:
        return {"id": user_id, "email_address": self.email(user_id), "type": "user"}


def _answer(window: Window, rows: Sequence[dict[str, object]], *, paged: bool = True) -> JSONResponse:
    if not paged:
        return ok({"data": list(rows), "next_page": None})
    offset, end, following = page_of(window.query, len(rows), scope_of(window.query))
    return ok({"data": list(rows[offset:end]), "next_page": following})


def _nested(paths: Mapping[str, object]) -> dict[str, object]:
    """{"a.b": 1, "a.c": 2} -> {"a": {"b": 1, "c": 2}}."""
    out: dict[str, object] = {}
    for path, value in paths.items():
        *parents, leaf = path.split(".")
        node = out
        for name in parents:
            child = node.setdefault(name, {})
            assert isinstance(child, dict)
            node = child
        node[leaf] = value
    return out


def _metric(row: Mapping[str, object], path: str) -> object:
    value: object = row
    for name in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _sorted(
    rows: list[dict[str, object]],
    query: Query,
    sort_column: str,
    metrics: Sequence[str],
    column: Callable[[Mapping[str, object]], str] | None = None,
) -> None:
    """Orders `rows` in place by `order_by` (the sort column, or a count), ties by the sort column
    (read by `column`, or from the row)."""
    order_by, descending = order(query, sort_column=sort_column, metrics=metrics)

    def tie(row: Mapping[str, object]) -> tuple[str, ...]:
        value = column(row) if column is not None else str(_metric(row, sort_column) or "")
        return (value, str(row.get("product") or ""), str(row.get("user_id") or ""))

    def count(row: Mapping[str, object]) -> int:
        value = _metric(row, order_by)
        return value if isinstance(value, int) else 0

    rows.sort(key=tie)
    if order_by != sort_column:
        rows.sort(key=count, reverse=descending)
    elif descending:
        rows.reverse()


def _no_groups(found: Mapping[str, set[str]]) -> bool:
    """Whether an `rbac_group_id` filter excludes everyone (nobody holds a group here)."""
    return "rbac_group_id" in found


# -- /summaries --------------------------------------------------------------------------------------


def _pending_invites(state: SandboxState, moment: int) -> int:
    return sum(
        1
        for invite in state.invites.values()
        if invite.stored_status != "deleted"
        and invite.invited_at <= moment < invite.expires_at
        and (invite.accepted_at is None or invite.accepted_at > moment)
    )


def _active_counts(window: Window, scoped: bool) -> dict[tuple[int, str, int], int]:
    """(day, product or "all", window of 1, 7 or 30 days) -> members active in it, for every day
    asked: one pass over the days with a sliding count per window."""
    monitoring, activities = window.state.monitoring, window.state.activities
    first, end = window.days.first, window.days.end
    daily = {day: {} if scoped else monitoring.active(activities, day) for day in range(first - 29, end)}
    out: dict[tuple[int, str, int], int] = {}
    for width in (1, 7, 30):
        present: dict[tuple[str, str], int] = {}
        for day in range(first - 29, end):
            for member, products in daily[day].items():
                for product in ("all", *products):
                    present[(product, member)] = present.get((product, member), 0) + 1
            if day - width >= first - 29:
                for member, products in daily[day - width].items():
                    for product in ("all", *products):
                        left = present[(product, member)] - 1
                        if left:
                            present[(product, member)] = left
                        else:
                            del present[(product, member)]
            if day >= first:
                for product, _ in present:
                    out[(day, product, width)] = out.get((day, product, width), 0) + 1
    return out


async def summaries(request: Request) -> JSONResponse:
    window = Window(request, required="starting_date")
    query = window.query
    query.limit(default=100, maximum=1000)
    if query.string("page") is not None:
        raise invalid_request("page: invalid page token; the series is returned in full (next_page is null)")
    scoped = _no_groups(filters(query, {"rbac_group_id": None}))
    state = window.state
    holders = list(seat_holders(state.monitoring.usage_model(state.activities)).values())
    counts = _active_counts(window, scoped)
    data: list[dict[str, object]] = []
    for day in range(window.days.first, window.days.end):
        start, end = day * DAY, (day + 1) * DAY
        seats = sum(1 for spans in holders if any(a < end and b > start for a, b in spans))

        def active(product: str, width: int, day: int = day) -> int:
            return counts.get((day, product, width), 0)

        def rate(users: int, seats: int = seats) -> float | None:
            return None if scoped or not seats else round(users / seats * 100, 2)

        entry: dict[str, object] = {
            "starting_at": format_ts(start),
            "ending_at": format_ts(end),
            "daily_active_user_count": active("all", 1),
            "weekly_active_user_count": active("all", 7),
            "monthly_active_user_count": active("all", 30),
            "assigned_seat_count": None if scoped else seats,
            "pending_invite_count": None if scoped else _pending_invites(state, end - 1),
            "daily_adoption_rate": rate(active("all", 1)),
            "weekly_adoption_rate": rate(active("all", 7)),
            "monthly_adoption_rate": rate(active("all", 30)),
        }
        for product in ("chat", "claude_code", "cowork"):
            entry[f"{product}_daily_active_user_count"] = active(product, 1)
            entry[f"{product}_weekly_active_user_count"] = active(product, 7)
            entry[f"{product}_monthly_active_user_count"] = active(product, 30)
        for prefix in ("claude_design", "office_agent", "science"):
            for span in ("daily", "weekly", "monthly"):
                entry[f"{prefix}_{span}_active_user_count"] = 0
        entry["science_entitled_user_count"] = None if scoped else 0
        data.append(entry)
    return _answer(window, data, paged=False)


# -- /users ------------------------------------------------------------------------------------------


def _user_counts(member: MemberDay) -> dict[str, object]:
    values: dict[str, object] = {path: member.count(path) for path in COUNTS}
    values["chat_metrics.distinct_shared_artifacts_viewed_count"] = None  # not measured, as documented
    return values


def _user_row(window: Window, member: MemberDay, values: Mapping[str, object]) -> dict[str, object]:
    row = _nested(values)
    row["user"] = window.user(member.user_id)
    row["distinct_user_count"] = None
    row["last_activity_date"] = day_text(member.last_day)
    return row


def _in_project(member: MemberDay, projects: set[str]) -> MemberDay | None:
    """The member's chat activity in these projects only (a `project_id` filter)."""
    found = [member.projects[p] for p in projects if p in member.projects]
    if not found:
        return None
    only = MemberDay(member.user_id, last_day=member.last_day, products={"chat"})
    only.add("chat_metrics.message_count", sum(cell[0] for cell in found))
    only.add("chat_metrics.distinct_conversation_count", sum(cell[1] for cell in found))
    only.sets["chat_metrics.distinct_projects_used_count"] = {p for p in projects if p in member.projects}
    return only


async def users(request: Request) -> JSONResponse:
    window = Window(request)
    query = window.query
    found = filters(query, {"project_id": None, "rbac_group_id": None, "user_id": None})
    grouped = group_by(query, ("rbac_group_id",))
    if "project_id" in found and (grouped or "rbac_group_id" in found):
        raise invalid_request(
            "filter[]: a project_id filter cannot be combined with group_by[] or rbac_group_id"
        )
    rows: list[dict[str, object]] = []
    if not grouped and not _no_groups(found):
        people: dict[str, MemberDay] = {}
        for day in window.members():
            for user_id, member in day.items():
                if "user_id" in found and user_id not in found["user_id"]:
                    continue
                part = _in_project(member, found["project_id"]) if "project_id" in found else member
                if part is None:
                    continue
                if user_id in people:
                    people[user_id].merge(part)
                else:
                    people[user_id] = MemberDay(user_id)
                    people[user_id].merge(part)
        rows = [_user_row(window, member, _user_counts(member)) for member in people.values()]
    _sorted(rows, query, "email_address", COUNTS, lambda row: str(_metric(row, "user.email_address")))
    return _answer(window, rows)


# -- entity endpoints ----------------------------------------------------------------------------------


@dataclass
class Cell:
    """One entity row being summed: its counts and the members behind them."""

    counts: dict[str, int] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)

    def add(self, path: str, value: int) -> None:
        self.counts[path] = self.counts.get(path, 0) + value


Contribution = tuple[str, str, Sequence[int]]
"""(entity, product, values) one member-day adds to an entity."""
Extract = Callable[[MemberDay], Iterable[Contribution]]
Apply = Callable[[Cell, str, str, Sequence[int]], None]


def _cells(
    window: Window,
    found: Mapping[str, set[str]],
    grouped: Sequence[str],
    extract: Extract,
    apply: Apply,
    keep: Callable[[str], bool],
) -> dict[tuple[str, ...], Cell]:
    """Entity rows (entity + the grouped dimensions), summed over the window's members and days."""
    cells: dict[tuple[str, ...], Cell] = {}
    if _no_groups(found) or "rbac_group_id" in grouped:
        return cells
    products = found.get("product")
    for day in window.members():
        for user_id, member in day.items():
            if "user_id" in found and user_id not in found["user_id"]:
                continue
            for entity, product, values in extract(member):
                if (products is not None and product not in products) or not keep(entity):
                    continue
                key = (
                    entity,
                    product if "product" in grouped else "",
                    user_id if "user_id" in grouped else "",
                )
                cell = cells.setdefault(key, Cell())
                cell.members.add(user_id)
                apply(cell, entity, product, values)
    return cells


def _group_fields(key: tuple[str, ...], grouped: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    if "product" in grouped:
        out["product"] = key[1]
    if "user_id" in grouped:
        out["user_id"] = key[2]
    return out


def _matches(found: Mapping[str, set[str]], dimension: str, *names: str | None) -> Callable[[str], bool]:
    wanted = {value.lower() for value in found.get(dimension, ())}
    return lambda _entity: not wanted or any(name is not None and name.lower() in wanted for name in names)


# -- /apps/chat/projects -------------------------------------------------------------------------------


async def projects(request: Request) -> JSONResponse:
    window = Window(request)
    query = window.query
    found = filters(query, {"project_id": None, "rbac_group_id": None, "user_id": None})
    grouped = group_by(query, ("rbac_group_id", "user_id"))
    catalog = window.state.monitoring.engagement_catalog
    wanted = found.get("project_id")

    def extract(member: MemberDay) -> Iterable[Contribution]:
        return ((project, "chat", cell) for project, cell in member.projects.items())

    def apply(cell: Cell, _entity: str, _product: str, values: Sequence[int]) -> None:
        cell.add("message_count", values[0])
        cell.add("distinct_conversation_count", values[1])

    cells = _cells(window, found, grouped, extract, apply, lambda p: wanted is None or p in wanted)
    rows: list[dict[str, object]] = []
    for key, cell in cells.items():
        project = catalog.project_by_id[key[0]]
        row: dict[str, object] = {
            "project_id": project.id,
            "project_name": project.name,
            "created_at": format_ts(project.created_at),
            "created_by": window.user(project.created_by),
            "distinct_user_count": len(cell.members),
            "message_count": cell.counts.get("message_count", 0),
            "distinct_conversation_count": cell.counts.get("distinct_conversation_count", 0),
        }
        rows.append(row | _group_fields(key, grouped))
    _sorted(
        rows, query, "project_id", ("message_count", "distinct_user_count", "distinct_conversation_count")
    )
    return _answer(window, rows)


# -- /connectors -----------------------------------------------------------------------------------------

_CONNECTOR_NAMES: Final = dict(CONNECTORS)
_PRODUCT_METRIC: Final = {
    "chat": "chat_metrics.distinct_conversation_connector_used_count",
    "claude_code": "claude_code_metrics.distinct_session_connector_used_count",
    "cowork": "cowork_metrics.distinct_session_connector_used_count",
}
CONNECTOR_METRICS: Final = (
    "distinct_user_count",
    "read_call_count",
    "write_call_count",
    "unclassified_call_count",
    *_PRODUCT_METRIC.values(),
)


def _normalized(text: str) -> str:
    """A connector as its various sources name it, normalized ("GitHub MCP" -> "github")."""
    text = text.lower().strip()
    for suffix in (" mcp server", " mcp"):
        text = text.removesuffix(suffix)
    return text.replace(" ", "-")


async def connectors(request: Request) -> JSONResponse:
    window = Window(request)
    query = window.query
    found = filters(
        query,
        {"connector_name": None, "product": CONNECTOR_PRODUCTS, "rbac_group_id": None, "user_id": None},
    )
    grouped = group_by(query, ("product", "rbac_group_id", "user_id"))
    wanted = {_normalized(value) for value in found.get("connector_name", ())}

    def keep(name: str) -> bool:
        return not wanted or bool({name.lower(), _normalized(_CONNECTOR_NAMES.get(name, ""))} & wanted)

    def extract(member: MemberDay) -> Iterable[Contribution]:
        return ((name, product, cell) for (name, product), cell in member.connectors.items())

    def apply(cell: Cell, entity: str, product: str, values: Sequence[int]) -> None:
        uses, calls = values
        read, write = call_split(entity)
        reads, writes = calls * read // 100, calls * write // 100
        cell.add(_PRODUCT_METRIC[product], uses)
        cell.add("read_call_count", reads)
        cell.add("write_call_count", writes)
        cell.add("unclassified_call_count", calls - reads - writes)

    rows: list[dict[str, object]] = []
    for key, cell in _cells(window, found, grouped, extract, apply, keep).items():
        name = key[0]
        members = len(cell.members)
        values: dict[str, object] = {path: cell.counts.get(path, 0) for path in _PRODUCT_METRIC.values()}
        values |= {f"office_metrics.{app}.distinct_session_connector_used_count": 0 for app in OFFICE_APPS}
        row = _nested(values) | {
            "connector_name": name,
            "connector_display_name": _CONNECTOR_NAMES.get(name),
            "distinct_user_count": members,
            "individual_auth_distinct_user_count": 0 if name in MANAGED_AUTH else members,
            "managed_auth_distinct_user_count": members if name in MANAGED_AUTH else 0,
            "read_call_count": cell.counts.get("read_call_count", 0),
            "write_call_count": cell.counts.get("write_call_count", 0),
            "unclassified_call_count": cell.counts.get("unclassified_call_count", 0),
        }
        rows.append(row | _group_fields(key, grouped))
    _sorted(rows, query, "connector_name", CONNECTOR_METRICS)
    return _answer(window, rows)


# -- /plugins -----------------------------------------------------------------------------------------------

_PLUGIN_IDS: Final = dict(PLUGINS)
PLUGIN_METRICS: Final = (
    "distinct_user_count",
    "install_count",
    "invocation_count",
    "claude_code_metrics.distinct_session_plugin_used_count",
    "cowork_metrics.distinct_session_plugin_used_count",
)


async def plugins(request: Request) -> JSONResponse:
    window = Window(request)
    query = window.query
    found = filters(
        query, {"plugin_name": None, "product": PLUGIN_PRODUCTS, "rbac_group_id": None, "user_id": None}
    )
    grouped = group_by(query, ("product", "rbac_group_id", "user_id"))
    wanted = {value.lower() for value in found.get("plugin_name", ())}

    def extract(member: MemberDay) -> Iterable[Contribution]:
        return ((name, product, cell) for (name, product), cell in member.plugins.items())

    def apply(cell: Cell, _entity: str, product: str, values: Sequence[int]) -> None:
        sessions, invocations, installs = values
        cell.add(f"{product}_metrics.distinct_session_plugin_used_count", sessions)
        cell.add("invocation_count", invocations)
        cell.add("install_count", installs)

    rows: list[dict[str, object]] = []
    for key, cell in _cells(
        window, found, grouped, extract, apply, lambda n: not wanted or n in wanted
    ).items():
        values: dict[str, object] = {
            f"{product}_metrics.distinct_session_plugin_used_count": cell.counts.get(
                f"{product}_metrics.distinct_session_plugin_used_count", 0
            )
            for product in ("claude_code", "cowork")
        }
        row = _nested(values) | {
            "plugin_name": key[0],
            "plugin_id": _PLUGIN_IDS.get(key[0]),
            "distinct_user_count": len(cell.members),
            "install_count": cell.counts.get("install_count", 0),
            "invocation_count": cell.counts.get("invocation_count", 0),
        }
        rows.append(row | _group_fields(key, grouped))
    _sorted(rows, query, "plugin_name", PLUGIN_METRICS)
    return _answer(window, rows)


# -- /skills ------------------------------------------------------------------------------------------------

_SKILLS: Final = {name: (display, share) for name, display, share in SKILLS}
_SKILL_METRIC: Final = {
    "chat": "chat_metrics.distinct_conversation_skill_used_count",
    "claude_code": "claude_code_metrics.distinct_session_skill_used_count",
    "cowork": "cowork_metrics.distinct_session_skill_used_count",
}
SKILL_METRICS: Final = ("distinct_user_count", "invocation_count", *_SKILL_METRIC.values())


async def skills(request: Request) -> JSONResponse:
    window = Window(request)
    query = window.query
    found = filters(
        query,
        {
            "product": SKILL_PRODUCTS,
            "rbac_group_id": None,
            "share_status": SHARE_STATUSES,
            "skill_name": None,
            "user_id": None,
        },
    )
    grouped = group_by(query, ("product", "rbac_group_id", "user_id"))
    names = {value.lower() for value in found.get("skill_name", ())}
    statuses = found.get("share_status")

    def keep(name: str) -> bool:
        return (not names or name in names) and (statuses is None or _SKILLS[name][1] in statuses)

    def extract(member: MemberDay) -> Iterable[Contribution]:
        return ((name, product, cell) for (name, product), cell in member.skills.items())

    def apply(cell: Cell, _entity: str, product: str, values: Sequence[int]) -> None:
        cell.add(_SKILL_METRIC[product], values[0])
        cell.add("invocation_count", values[1])

    rows: list[dict[str, object]] = []
    for key, cell in _cells(window, found, grouped, extract, apply, keep).items():
        display, share = _SKILLS[key[0]]
        values: dict[str, object] = {path: cell.counts.get(path, 0) for path in _SKILL_METRIC.values()}
        values |= {f"office_metrics.{app}.distinct_session_skill_used_count": 0 for app in OFFICE_APPS}
        row = _nested(values) | {
            "skill_name": key[0],
            "skill_display_name": display,
            "share_status": share,
            "distinct_user_count": len(cell.members),
            "invocation_count": cell.counts.get("invocation_count", 0),
            "enable_count": None,
            "attributed_list_price": None,
            "currency": None,
            "estimated_overage_spend": None,
        }
        rows.append(row | _group_fields(key, grouped))
    _sorted(rows, query, "skill_name", SKILL_METRICS)
    return _answer(window, rows)


# -- /artifacts ---------------------------------------------------------------------------------------------


async def artifacts(request: Request) -> JSONResponse:
    window = Window(request, ranged=False, required="date")
    query = window.query
    found = filters(
        query,
        {
            "artifact_type": None,
            "is_shared": ("true", "false"),
            "product": ARTIFACT_PRODUCTS,
            "rbac_group_id": None,
            "user_id": None,
        },
    )
    grouped = group_by(query, ("product", "rbac_group_id", "user_id"))
    if not grouped:
        query.limit(default=100, maximum=1000)
        if query.string("page") is not None:
            raise invalid_request("page: only valid with group_by[]; the ungrouped cube is never paginated")
    types = found.get("artifact_type")
    shared = {value == "true" for value in found.get("is_shared", ())} or {True, False}

    def extract(member: MemberDay) -> Iterable[Contribution]:
        return (
            (f"{kind}|{int(is_shared)}", product, cell)
            for (kind, is_shared, product), cell in member.artifacts.items()
            if (types is None or kind in types) and is_shared in shared
        )

    def apply(cell: Cell, _entity: str, _product: str, values: Sequence[int]) -> None:
        cell.add("artifacts_created_count", values[0])
        cell.add("published_artifacts_created_count", values[1])

    cells = _cells(window, found, grouped, extract, apply, lambda _: True)
    if not grouped and not _no_groups(found):
        for kind in ARTIFACT_TYPES:
            for is_shared in (False, True):
                if (types is None or kind in types) and is_shared in shared:
                    cells.setdefault((f"{kind}|{int(is_shared)}", "", ""), Cell())
    rows: list[dict[str, object]] = []
    for key, cell in cells.items():
        kind, _, flag = key[0].partition("|")
        row: dict[str, object] = {
            "artifact_type": kind,
            "is_shared": flag == "1",
            "artifacts_created_count": cell.counts.get("artifacts_created_count", 0),
            "published_artifacts_created_count": cell.counts.get("published_artifacts_created_count", 0),
            "distinct_user_count": len(cell.members),
        }
        rows.append(row | _group_fields(key, grouped))
    rows.sort(
        key=lambda row: (
            str(row.get("product", "")),
            str(row.get("user_id", "")),
            str(row["artifact_type"]),
            bool(row["is_shared"]),
        )
    )
    return _answer(window, rows, paged=bool(grouped))


ROUTES = [
    Route("/v1/organizations/analytics/summaries", summaries, methods=["GET"]),
    Route("/v1/organizations/analytics/users", users, methods=["GET"]),
    Route("/v1/organizations/analytics/apps/chat/projects", projects, methods=["GET"]),
    Route("/v1/organizations/analytics/connectors", connectors, methods=["GET"]),
    Route("/v1/organizations/analytics/plugins", plugins, methods=["GET"]),
    Route("/v1/organizations/analytics/skills", skills, methods=["GET"]),
    Route("/v1/organizations/analytics/artifacts", artifacts, methods=["GET"]),
]
