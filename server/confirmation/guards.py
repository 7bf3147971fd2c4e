"""Guards every channel applies before asking anyone: what the administrator's settings forbid."""

from __future__ import annotations

from ..catalog.preview import Preview
from ..config import Settings

ORG = "org"
"""In `allow_workspaces`: organization-wide writes are allowed too."""


def allowlist_refusal(settings: Settings, preview: Preview) -> str | None:
    """Why `allow_workspaces` forbids this write, if it does. Set, it limits every write that touches
    a workspace (a rule for all workspaces touches all of them) and, unless it names `org`, every
    organization-wide write."""
    allowed = set(settings.allow_workspaces)
    if not allowed:
        return None
    workspaces = allowed - {ORG}
    named = ", ".join(sorted(workspaces)) or "none"
    if preview.creates_workspace:
        return "this server may only change the allowed workspaces, and a new workspace is not one of them"
    if preview.all_workspaces:
        return f"this server may only change workspaces {named}; this reaches every workspace"
    if preview.organization_wide and ORG not in allowed:
        return (
            f"this server may only change workspaces {named}, and this changes the organization as a "
            "whole (add org to allow_workspaces to allow that)"
        )
    outside = sorted(preview.workspaces - workspaces)
    if outside:
        return f"this server may only change workspaces {named}; this touches {', '.join(outside)}"
    return None
