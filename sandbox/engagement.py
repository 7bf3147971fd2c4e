"""What each member did on each day in Claude: the data behind the Claude Enterprise analytics
endpoints (`summaries`, `users`, `apps/chat/projects`, `connectors`, `plugins`, `skills`,
`artifacts`), derived from the same usage model as every report, so the endpoints agree:

* A member is **active** on a day in a product when they consumed tokens in it that day: chat and
  Cowork from their claude.ai streams, Claude Code from their Console login (exactly the members
  and days the Claude Code report has records for). The daily active users of `/summaries` are
  the members of that day's `/users` rows, and the user actors with usage in `analytics/usage`.
* Claude Code metrics (sessions, lines, commits, pull requests, tool decisions) are the Claude
  Code report's records of that member and day, summed (local and remote).
* Chat and Cowork counts follow the day's output tokens (about one message per 400-1,800 output
  tokens); conversations, files, artifacts, skill and connector calls, projects used and the like
  are drawn from a hash of (seed, member, day), so a day always reads the same.
* Connectors, skills, plugins and projects are fixed per member (a few each, drawn from the seed);
  a day's calls are split among them, so a connector's row is exactly the sum of its members'
  calls, and an artifact-type row the sum of the artifacts counted in the members' rows.
* Office, Claude Design and Claude Science see no use here (their metrics are 0); Chat and Cowork
  unified and Claude Tag are not offered, so their fields are left out, as the models allow.
* Members hold no RBAC group (the RBAC area is emulated on its own).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

from .ids import encode_base58
from .models import SeedSnapshot
from .usage_model import DAY, UsageModel

PRODUCT_SOURCES: Final = {"chat": "chat", "cowork": "cowork", "oauth": "claude_code"}
"""The usage model's member sources and the product each is."""
PRODUCTS: Final = ("chat", "claude_code", "cowork")

CONNECTORS: Final = (
    ("asana", "Asana"),
    ("atlassian", "Atlassian"),
    ("github", "GitHub"),
    ("google-drive", "Google Drive"),
    ("hubspot", "HubSpot"),
    ("linear", "Linear"),
    ("mcpsrv_01AcmeWiki7Xq2Hn4Rb8Ld", "Acme Wiki"),
    ("notion", "Notion"),
    ("salesforce", "Salesforce"),
    ("sentry", "Sentry"),
    ("slack", "Slack"),
)
"""(connector_name, display name): names normalized as the API does, one opaque connector id."""
MANAGED_AUTH: Final = frozenset({"atlassian", "github", "google-drive", "mcpsrv_01AcmeWiki7Xq2Hn4Rb8Ld"})
"""Connectors the organization authenticates for its members; members sign in to the others."""
SKILLS: Final = (
    ("acme-brand-guidelines", "Acme brand guidelines", "organization"),
    ("docx", "Word documents", "public"),
    ("incident-postmortem", "Incident postmortem", "organization"),
    ("pdf", "PDF", "public"),
    ("pptx", "PowerPoint decks", "public"),
    ("sql-style-guide", "SQL style guide", "organization"),
    ("weekly-status", "Weekly status", "private"),
    ("xlsx", "Excel spreadsheets", "public"),
)
PLUGINS: Final = (
    ("acme-deploy-tools", "plugin_01AcmeDeployTools4Kp9Wz"),
    ("code-review", "plugin_01CodeReview8Hq3Tn2Xv7Lm"),
    ("commit-commands", "plugin_01CommitCommands5Rb6Yd"),
    ("security-guidance", "plugin_01SecurityGuidance2Jc4"),
    ("third-party", None),
)
"""(plugin_name, plugin_id); `third-party` is the bucket for activity that named no plugin."""
ARTIFACT_TYPES: Final = (
    "application/vnd.ant.code",
    "application/vnd.ant.mermaid",
    "application/vnd.ant.react",
    "image/svg+xml",
    "other",
    "text/html",
    "text/markdown",
)
_ARTIFACT_WEIGHTS: Final = (14, 6, 18, 5, 4, 13, 40)
PROJECT_TOPICS: Final = (
    "Brand Voice",
    "Customer Research",
    "Data Platform",
    "Hiring Loop",
    "Incident Reviews",
    "Legal Review",
    "Onboarding Docs",
    "Pricing Study",
    "Q4 Planning",
    "Roadmap 2027",
    "Sales Enablement",
    "Security Questionnaires",
    "Support Macros",
    "Vendor Contracts",
)

# Every count of a `/users` row, by its dotted path in the response, in the response's order.
CHAT: Final = (
    "connectors_used_count",
    "distinct_artifacts_created_count",
    "distinct_connectors_used_count",
    "distinct_conversation_count",
    "distinct_files_uploaded_count",
    "distinct_projects_created_count",
    "distinct_projects_used_count",
    "distinct_skills_used_count",
    "message_count",
    "shared_conversations_viewed_count",
    "thinking_message_count",
)
COWORK: Final = (
    "action_count",
    "artifacts_created_count",
    "connectors_used_count",
    "dispatch_turn_count",
    "distinct_connectors_used_count",
    "distinct_plugins_used_count",
    "distinct_session_count",
    "distinct_skills_used_count",
    "edit_tool_count",
    "file_edit_count",
    "message_count",
    "multi_edit_tool_count",
    "notebook_edit_tool_count",
    "plugins_used_count",
    "sessions_with_file_edits_count",
    "skills_used_count",
    "write_tool_count",
)
CORE: Final = (
    "artifacts_created_count",
    "commit_count",
    "distinct_session_count",
    "lines_of_code.added_count",
    "lines_of_code.removed_count",
    "pull_request_count",
)
TOOLS: Final = ("edit_tool", "multi_edit_tool", "notebook_edit_tool", "write_tool")
OFFICE_PRODUCT: Final = (
    "connectors_used_count",
    "distinct_connectors_used_count",
    "distinct_session_count",
    "distinct_skills_used_count",
    "message_count",
    "skills_used_count",
)
COUNTS: Final = (
    *(f"chat_metrics.{name}" for name in CHAT),
    *(f"claude_code_metrics.core_metrics.{name}" for name in CORE),
    *(
        f"claude_code_metrics.tool_actions.{tool}.{kind}"
        for tool in TOOLS
        for kind in ("accepted_count", "rejected_count")
    ),
    *(f"cowork_metrics.{name}" for name in COWORK),
    "design_metrics.distinct_projects_created_count",
    "design_metrics.distinct_projects_used_count",
    "design_metrics.distinct_session_count",
    "design_metrics.message_count",
    *(
        f"office_metrics.{app}.{name}"
        for app in ("excel", "outlook", "powerpoint", "word")
        for name in OFFICE_PRODUCT
    ),
    "science_metrics.delegation_count",
    "science_metrics.distinct_session_count",
    "science_metrics.message_count",
    "science_metrics.remote_compute_job_count",
    "science_metrics.skills_used_count",
    "web_search_count",
)
"""Every count of a `/users` row; each is also a metric `order_by` may rank by."""
DISTINCT_SETS: Final = {
    "chat_metrics.distinct_connectors_used_count",
    "chat_metrics.distinct_projects_used_count",
    "chat_metrics.distinct_skills_used_count",
    "cowork_metrics.distinct_connectors_used_count",
    "cowork_metrics.distinct_plugins_used_count",
    "cowork_metrics.distinct_skills_used_count",
}
"""Distinct counts recounted over a range (a project used on two days counts once); the other
distinct counts (conversations, sessions, files) never span two days here, so they add up."""


def _hash(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    created_at: int
    created_by: str


@dataclass(frozen=True, slots=True)
class Habits:
    """What one member uses: fixed for the seed, so their days read alike."""

    projects: tuple[str, ...]
    connectors: tuple[str, ...]
    skills: tuple[str, ...]
    plugins: tuple[str, ...]


class Catalog:
    """The organization's chat projects and each seat holder's habits, drawn from the seed."""

    def __init__(self, snapshot: SeedSnapshot, seat_holders: Sequence[str]) -> None:
        rng = random.Random(f"claude-admin-mcp-sandbox-engagement:{snapshot.seed}")
        added = {user.id: user.added_at for user in snapshot.users}
        holders = sorted(seat_holders)
        count = min(500, max(3, len(holders) // 8)) if holders else 0
        self.projects: list[Project] = []
        for index in range(count):
            creator = holders[rng.randrange(len(holders))]
            earliest = added[creator] + DAY
            created = rng.randrange(earliest, max(earliest + 1, snapshot.anchor - 7 * DAY))
            topic = PROJECT_TOPICS[index % len(PROJECT_TOPICS)]
            name = topic if index < len(PROJECT_TOPICS) else f"{topic} {index // len(PROJECT_TOPICS) + 1}"
            ident = "claude_proj_01" + encode_base58(_hash(snapshot.seed, "project", index) % 58**22)
            self.projects.append(Project(ident, name, created - created % 60, creator))
        self.projects.sort(key=lambda project: project.id)
        self.project_by_id = {project.id: project for project in self.projects}
        names = [name for name, _ in CONNECTORS]
        skills = [name for name, _, kind in SKILLS if kind != "private"]
        plugins = [name for name, _ in PLUGINS]
        self.habits: dict[str, Habits] = {}
        for user in holders:
            projects = rng.sample(self.projects, min(len(self.projects), rng.choice((0, 1, 1, 2))))
            own = ("weekly-status",) if rng.random() < 0.05 else ()
            self.habits[user] = Habits(
                tuple(project.id for project in projects),
                tuple(sorted(rng.sample(names, rng.choice((0, 1, 2, 2, 3))))),
                tuple(sorted(rng.sample(skills, rng.choice((0, 1, 1, 2, 3))))) + own,
                tuple(sorted(rng.sample(plugins, rng.choice((0, 0, 1, 2))))),
            )


@dataclass(slots=True)
class MemberDay:
    """One member's activity on one day (or, summed, over a range)."""

    user_id: str
    counts: dict[str, int] = field(default_factory=dict)
    """Nonzero counts by dotted path (`COUNTS`), the set-based distinct counts excepted."""
    sets: dict[str, set[str]] = field(default_factory=dict)
    products: set[str] = field(default_factory=set)
    last_day: int = 0
    projects: dict[str, list[int]] = field(default_factory=dict)
    """project id -> [messages, conversations]."""
    connectors: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(connector, product) -> [conversations or sessions using it, calls]."""
    skills: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(skill, product) -> [conversations or sessions using it, invocations]."""
    plugins: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(plugin, product) -> [sessions using it, invocations, installs]."""
    artifacts: dict[tuple[str, bool, str], list[int]] = field(default_factory=dict)
    """(artifact type, shared, product) -> [created, published]."""

    def add(self, path: str, value: int) -> None:
        if value:
            self.counts[path] = self.counts.get(path, 0) + value

    def count(self, path: str) -> int:
        if path in DISTINCT_SETS:
            return len(self.sets.get(path, ()))
        return self.counts.get(path, 0)

    def merge(self, other: MemberDay) -> None:
        """Adds another day of the same member (a range rollup)."""
        for path, value in other.counts.items():
            self.add(path, value)
        for path, members in other.sets.items():
            self.sets.setdefault(path, set()).update(members)
        self.products |= other.products
        self.last_day = max(self.last_day, other.last_day)
        _sum_into(self.projects, other.projects)
        _sum_into(self.connectors, other.connectors)
        _sum_into(self.skills, other.skills)
        _sum_into(self.plugins, other.plugins)
        _sum_into(self.artifacts, other.artifacts)


K = TypeVar("K", bound=Hashable)


def _sum_into(table: dict[K, list[int]], more: Mapping[K, list[int]]) -> None:
    for key, values in more.items():
        known = table.get(key)
        if known is None:
            table[key] = list(values)
        else:
            for index, value in enumerate(values):
                known[index] += value


def _split(rng: random.Random, total: int, names: Sequence[str]) -> dict[str, int]:
    """`total` calls shared among `names`, unevenly."""
    if not total or not names:
        return {}
    weights = [rng.uniform(0.2, 1.0) for _ in names]
    scale = total / sum(weights)
    shares = [int(weight * scale) for weight in weights]
    shares[0] += total - sum(shares)
    return {name: share for name, share in zip(names, shares, strict=True) if share}


def _artifacts(rng: random.Random, member: MemberDay, product: str, count: int, share: float) -> None:
    for _ in range(count):
        kind = rng.choices(ARTIFACT_TYPES, _ARTIFACT_WEIGHTS)[0]
        shared = rng.random() < share
        published = shared and rng.random() < 0.3
        cell = member.artifacts.setdefault((kind, shared, product), [0, 0])
        cell[0] += 1
        cell[1] += int(published)


def _chat(
    rng: random.Random, member: MemberDay, habits: Habits, tokens: Sequence[int], live: Sequence[str]
) -> None:
    messages = max(1, round(tokens[4] / rng.uniform(400, 1200)))
    conversations = max(1, min(messages, round(messages / rng.uniform(2.5, 8))))
    artifacts = round(messages * rng.uniform(0, 0.1))
    member.products.add("chat")
    member.add("chat_metrics.message_count", messages)
    member.add("chat_metrics.thinking_message_count", round(messages * rng.uniform(0, 0.35)))
    member.add("chat_metrics.distinct_conversation_count", conversations)
    member.add("chat_metrics.distinct_files_uploaded_count", round(messages * rng.uniform(0, 0.12)))
    member.add("chat_metrics.distinct_artifacts_created_count", artifacts)
    member.add("chat_metrics.distinct_projects_created_count", int(rng.random() < 0.02))
    member.add("chat_metrics.shared_conversations_viewed_count", round(rng.uniform(0, 1.4)))
    in_projects = _split(rng, round(messages * rng.uniform(0.15, 0.5)), live)
    for project, count in in_projects.items():
        member.projects[project] = [count, max(1, min(conversations, round(count / rng.uniform(3, 8))))]
    member.sets["chat_metrics.distinct_projects_used_count"] = set(in_projects)
    skills = _split(rng, round(messages * rng.uniform(0, 0.15)), habits.skills)
    member.sets["chat_metrics.distinct_skills_used_count"] = set(skills)
    for skill, invocations in skills.items():
        member.skills[(skill, "chat")] = [min(conversations, invocations), invocations]
    connectors = _split(rng, round(messages * rng.uniform(0.05, 0.6)), habits.connectors)
    member.add("chat_metrics.connectors_used_count", sum(connectors.values()))
    member.sets["chat_metrics.distinct_connectors_used_count"] = set(connectors)
    for connector, count in connectors.items():
        member.connectors[(connector, "chat")] = [min(conversations, count), count]
    member.add("web_search_count", tokens[5])
    _artifacts(rng, member, "chat", artifacts, 0.15)


def _cowork(rng: random.Random, member: MemberDay, habits: Habits, tokens: Sequence[int]) -> None:
    messages = max(1, round(tokens[4] / rng.uniform(600, 1800)))
    sessions = max(1, min(messages, round(messages / rng.uniform(3, 10))))
    actions = round(messages * rng.uniform(1, 4))
    edits, writes = round(actions * rng.uniform(0, 0.3)), round(actions * rng.uniform(0, 0.1))
    artifacts = round(sessions * rng.uniform(0, 0.8))
    member.products.add("cowork")
    prefix = "cowork_metrics."
    for name, value in (
        ("message_count", messages),
        ("distinct_session_count", sessions),
        ("action_count", actions),
        ("dispatch_turn_count", round(messages * rng.uniform(0, 0.3))),
        ("artifacts_created_count", artifacts),
        ("edit_tool_count", edits),
        ("write_tool_count", writes),
        ("file_edit_count", edits + writes),
        ("sessions_with_file_edits_count", min(sessions, edits + writes)),
    ):
        member.add(prefix + name, value)
    skills = _split(rng, round(sessions * rng.uniform(0, 1.2)), habits.skills)
    member.add(prefix + "skills_used_count", sum(skills.values()))
    member.sets[prefix + "distinct_skills_used_count"] = set(skills)
    for skill, calls in skills.items():
        member.skills[(skill, "cowork")] = [min(sessions, calls), calls]
    connectors = _split(rng, round(actions * rng.uniform(0, 0.3)), habits.connectors)
    member.add(prefix + "connectors_used_count", sum(connectors.values()))
    member.sets[prefix + "distinct_connectors_used_count"] = set(connectors)
    for connector, calls in connectors.items():
        member.connectors[(connector, "cowork")] = [min(sessions, calls), calls]
    plugins = _split(rng, round(sessions * rng.uniform(0, 0.8)), habits.plugins)
    member.add(prefix + "plugins_used_count", sum(plugins.values()))
    member.sets[prefix + "distinct_plugins_used_count"] = set(plugins)
    for plugin, calls in plugins.items():
        member.plugins[(plugin, "cowork")] = [min(sessions, calls), calls, 0]
    member.add("web_search_count", tokens[5])
    _artifacts(rng, member, "cowork", artifacts, 0.1)


def _number(record: Mapping[str, object], *path: str) -> int:
    value: object = record
    for name in path:
        assert isinstance(value, Mapping)
        value = value[name]
    assert isinstance(value, int)
    return value


def _claude_code(
    rng: random.Random, member: MemberDay, habits: Habits, records: Iterable[Mapping[str, object]]
) -> None:
    core = "claude_code_metrics.core_metrics."
    sessions = 0
    for record in records:
        sessions += _number(record, "core_metrics", "num_sessions")
        member.add(core + "distinct_session_count", _number(record, "core_metrics", "num_sessions"))
        member.add(core + "commit_count", _number(record, "core_metrics", "commits_by_claude_code"))
        member.add(
            core + "pull_request_count", _number(record, "core_metrics", "pull_requests_by_claude_code")
        )
        member.add(
            core + "lines_of_code.added_count", _number(record, "core_metrics", "lines_of_code", "added")
        )
        member.add(
            core + "lines_of_code.removed_count", _number(record, "core_metrics", "lines_of_code", "removed")
        )
        for tool in TOOLS:
            for kind, field_name in (("accepted", "accepted_count"), ("rejected", "rejected_count")):
                member.add(
                    f"claude_code_metrics.tool_actions.{tool}.{field_name}",
                    _number(record, "tool_actions", tool, kind),
                )
    if not sessions:
        return
    member.products.add("claude_code")
    artifacts = round(sessions * rng.uniform(0, 0.3))
    member.add(core + "artifacts_created_count", artifacts)
    _artifacts(rng, member, "claude_code", artifacts, 0.05)
    plugins = _split(rng, round(sessions * rng.uniform(0, 1.5)), habits.plugins)
    for plugin, calls in plugins.items():
        member.plugins[(plugin, "claude_code")] = [min(sessions, max(1, calls // 2)), calls, 0]
    if habits.plugins and rng.random() < 0.03:
        installed = habits.plugins[rng.randrange(len(habits.plugins))]
        member.plugins.setdefault((installed, "claude_code"), [0, 0, 0])[2] += 1
    connectors = _split(rng, round(sessions * rng.uniform(0, 2)), habits.connectors)
    for connector, calls in connectors.items():
        member.connectors[(connector, "claude_code")] = [min(sessions, max(1, calls // 2)), calls]


def member_days(
    catalog: Catalog,
    seed: int,
    day: int,
    tokens: Mapping[tuple[str, str], Sequence[int]],
    records: Mapping[str, Sequence[Mapping[str, object]]],
) -> dict[str, MemberDay]:
    """Every active member's day: `tokens` by (member, source), Claude Code `records` by member."""
    members = sorted({owner for (owner, _), values in tokens.items() if any(values[:5])})
    out: dict[str, MemberDay] = {}
    end = (day + 1) * DAY
    for user_id in members:
        rng = random.Random(_hash(seed, "engagement", user_id, day))
        habits = catalog.habits.get(user_id, Habits((), (), (), ()))
        live = [p for p in habits.projects if catalog.project_by_id[p].created_at < end]
        member = MemberDay(user_id, last_day=day)
        chat, cowork = tokens.get((user_id, "chat")), tokens.get((user_id, "cowork"))
        if chat is not None and any(chat[:5]):
            _chat(rng, member, habits, chat, live)
        if cowork is not None and any(cowork[:5]):
            _cowork(rng, member, habits, cowork)
        _claude_code(rng, member, habits, records.get(user_id, ()))
        if member.products:
            out[user_id] = member
    return out


def day_tokens(model: UsageModel, day: int) -> dict[tuple[str, str], list[int]]:
    """The day's usage of each member in each of their claude.ai and Claude Code sources."""
    selected = [index for index, stream in enumerate(model.streams) if stream.source in PRODUCT_SOURCES]
    totals = model.aggregate(
        selected,
        lambda stream: (stream.owner, stream.source),
        [(day * DAY, (day + 1) * DAY)],
        (day + 1) * DAY,
    )[0]
    out: dict[tuple[str, str], list[int]] = {}
    for key, values in totals.items():
        assert isinstance(key, tuple)
        owner, source = key
        out[(str(owner), str(source))] = values
    return out


def call_split(connector: str) -> tuple[int, int]:
    """Percent of a connector's calls that read, and that write (the rest are unclassified)."""
    mix = _hash("connector-calls", connector)
    return 55 + mix % 26, 10 + (mix >> 8) % 21


def seat_holders(model: UsageModel) -> dict[str, list[tuple[int, int]]]:
    """Members with a seat (claude.ai or Claude Code usage) and the periods they held it."""
    out: dict[str, list[tuple[int, int]]] = {}
    for index, stream in enumerate(model.streams):
        if stream.source in PRODUCT_SOURCES:
            out.setdefault(stream.owner, []).extend(model.intervals[index])
    return out
