"""The declarative shape of a plan: many writes previewed as one, approved once, applied in order.

A `Task` is a tool that builds a plan (a `Draft`: a list of `Change`s) from its arguments and the
organization's current state, e.g. "offboard ana@" or "make everyone at contractor.io a user".
`apply_changes` is the task whose plan is the list the caller gives. The runtime previews every
change with its own operation's preview, refuses or skips what the API would refuse or what is
already so, and the confirmation layer asks once and applies the rest in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..api.credentials.base import Access
from .inventory import ANY_CREDENTIAL
from .preview import Reader

PLAN_MAX = 500
"""The most changes one plan may hold: one approval should stay a decision a person can read."""

OnFailure = Literal["stop", "continue"]


@dataclass(frozen=True)
class Change:
    """One write of a plan: a write tool's name and its arguments (as that tool takes them)."""

    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Draft:
    """What a task wants done, before any preview."""

    title: str
    """One line naming the whole, e.g. "Offboard ana@acme.com"."""
    changes: tuple[Change, ...]
    confirm_text: str | None = None
    """What the human types to approve (default: the plan's scale, e.g. "23 members")."""
    notes: tuple[str, ...] = ()
    """What the task found and left alone, e.g. the keys a member made when they are kept."""


BuildFn = Callable[[Reader, Any], Awaitable[Draft]]


class PlanArguments(BaseModel):
    """What every plan tool takes besides its own arguments."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    on_failure: OnFailure = Field(
        "stop", description="A failed change stops the rest (stop), or the rest still run (continue)."
    )


@dataclass(frozen=True)
class Task:
    """A tool that turns what people say into a plan of writes (an inventory entry like `Operation`)."""

    name: str
    title: str
    description: str
    toolset: str
    input: type[PlanArguments]
    build: BuildFn
    destructive: bool = True
    access: Access = field(default=ANY_CREDENTIAL)
    """Each change is checked against the credential as its own tool would be."""
    uses: tuple[str, ...] = ()
    """The operations it reads and writes through (by tool name); empty: any write tool."""

    @property
    def read_only(self) -> bool:
        return False

    @property
    def oauth_only(self) -> bool:
        return False
