"""The one inventory: for toolsets × tier × credential, which tools a run offers, and why not the rest.

tools/list, the refusal of a tool called by name, `check`, `whoami` and the CLI all ask it, so what
is offered and what is said about the rest never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from ..api.credentials.base import Access, Credential, Refusal
from ..config import ConfigError

TierName = Literal["read-only", "confirm"]
USABLE = "usable"


class Entry(Protocol):
    """Anything offered as a tool: an `Operation`, or a tool the server answers itself."""

    @property
    def name(self) -> str: ...

    @property
    def toolset(self) -> str: ...

    @property
    def read_only(self) -> bool: ...

    @property
    def oauth_only(self) -> bool: ...

    @property
    def access(self) -> Access: ...


ANY_CREDENTIAL = Access(scopes=frozenset({"*"}))


@dataclass(frozen=True)
class LocalTool:
    """A tool the server answers itself (e.g. `whoami`), listed with a toolset like any other."""

    name: str
    toolset: str
    read_only: bool = True
    oauth_only: bool = False
    access: Access = ANY_CREDENTIAL
    """Answered by the server itself: any credential may call it."""
    uses: tuple[str, ...] = ()
    """The operations whose endpoints it calls (by tool name), for `tools --json`."""
    calls: tuple[tuple[str, str], ...] = ()
    """Endpoints it calls that no operation names: (method, path)."""


@dataclass(frozen=True)
class Offer:
    """What one run offers."""

    entries: tuple[Entry, ...]
    """Offered, in listing order."""
    withheld: Mapping[str, str]
    """Every other known tool: why not, and what would offer it."""
    toolsets: tuple[str, ...]
    """The toolsets chosen (resolved: no `default` or `all`)."""

    @property
    def names(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.entries)


def refused(credential: Credential, entry: Entry) -> Refusal | None:
    """Why the API would refuse this credential for the tool, if it would: a report that other
    endpoints also answer (`Operation.sources`) is usable when any of them takes the credential."""
    refusal = credential.refusal(entry)
    others: tuple[Entry, ...] = getattr(entry, "sources", ())
    if refusal is not None and any(credential.refusal(other) is None for other in others):
        return None
    return refusal


class Inventory:
    def __init__(
        self,
        entries: Iterable[Entry],
        toolsets: Sequence[str],
        default: Sequence[str],
        with_writes: Sequence[str] = (),
        descriptions: Mapping[str, str] | None = None,
    ) -> None:
        """`with_writes`: toolsets offered whenever a write tool is (the approval tools);
        `descriptions`: what each toolset is for, in a few words."""
        order = {name: index for index, name in enumerate(toolsets)}
        listed = list(entries)
        unknown = {entry.toolset for entry in listed} - set(order)
        if unknown:
            raise ValueError(f"entries name toolsets that are not declared: {sorted(unknown)}")
        # Listing order: by toolset, then as given (a local tool joins its toolset's end).
        self.entries: tuple[Entry, ...] = tuple(sorted(listed, key=lambda entry: order[entry.toolset]))
        self.toolsets: tuple[str, ...] = tuple(toolsets)
        self.default: tuple[str, ...] = tuple(default)
        self._by_name = {entry.name: entry for entry in self.entries}
        self.with_writes = frozenset(with_writes)
        self.descriptions: Mapping[str, str] = descriptions or {}

    def get(self, name: str) -> Entry | None:
        return self._by_name.get(name)

    def resolve(self, toolsets: Iterable[str]) -> tuple[str, ...]:
        """Toolset names as given (with `default` and `all`) → the toolsets, in listing order."""
        wanted = set(toolsets)
        if "default" in wanted:
            wanted |= set(self.default)
        if "all" in wanted:
            wanted |= set(self.toolsets)
        unknown = wanted - set(self.toolsets) - {"default", "all"}
        if unknown:
            choices = ", ".join(("all", "default", *self.toolsets))
            raise ConfigError(f"unknown toolset(s) {', '.join(sorted(unknown))}; choose from: {choices}")
        return tuple(name for name in self.toolsets if name in wanted)

    def offer(
        self,
        *,
        toolsets: Iterable[str],
        tools: Iterable[str],
        tier: TierName,
        credential: Credential,
        dynamic: bool = False,
    ) -> Offer:
        """What a run with these settings and this credential offers; ConfigError for unknown names."""
        given = tuple(toolsets)
        chosen = self.resolve(given)
        singles = set(tools)
        unknown_tools = singles - set(self._by_name)
        if unknown_tools:
            raise ConfigError(
                f"unknown tool(s) {', '.join(sorted(unknown_tools))}; `claude-admin-mcp tools` lists them"
            )
        reasons = {
            entry.name: self._why_not(entry, chosen, given, singles, tier, credential, dynamic)
            for entry in self.entries
        }
        if any(reasons[entry.name] is None and not entry.read_only for entry in self.entries):
            for entry in self.entries:
                if entry.toolset in self.with_writes:
                    reasons[entry.name] = None
        offered = tuple(entry for entry in self.entries if reasons[entry.name] is None)
        withheld = {name: reason for name, reason in reasons.items() if reason is not None}
        return Offer(offered, withheld, chosen)

    def _why_not(
        self,
        entry: Entry,
        chosen: tuple[str, ...],
        given: tuple[str, ...],
        singles: set[str],
        tier: TierName,
        credential: Credential,
        dynamic: bool,
    ) -> str | None:
        refusal = refused(credential, entry)
        if refusal is not None:
            return f"{entry.name} {refusal.reason}: {refusal.explanation}. Nothing was sent. {refusal.remedy}"
        if tier == "read-only" and not entry.read_only:
            return (
                f"{entry.name} changes the organization, and this server runs in the read-only tier: "
                "it can only read. Nothing was changed. An administrator can restart it with --tier confirm."
            )
        if entry.toolset not in chosen and entry.name not in singles and dynamic:
            return (
                f"{entry.name} is in the {entry.toolset} toolset, which is off. Turn it on with the "
                f'toolsets tool (enable ["{entry.toolset}"]), then call {entry.name}; nothing was sent.'
            )
        if entry.toolset not in chosen and entry.name not in singles:
            return (
                f"{entry.name} is in the {entry.toolset} toolset, which this server does not offer. An "
                f"administrator can add it with --toolsets {','.join((*given, entry.toolset))} "
                f"(or --tools {entry.name})."
            )
        return None

    def toolset_access(self, credential: Credential) -> dict[str, str]:
        """Every toolset of Admin API tools: `USABLE`, or why this credential can use none of them
        (tools the server answers itself, which any credential may call, do not count)."""
        access: dict[str, str] = {}
        for toolset in self.toolsets:
            api_entries = [e for e in self.entries if e.toolset == toolset and e.access != ANY_CREDENTIAL]
            if not api_entries:
                continue
            refusals = [refused(credential, entry) for entry in api_entries]
            first = next((refusal for refusal in refusals if refusal is not None), None)
            access[toolset] = first.reason if first is not None and all(refusals) else USABLE
        return access
