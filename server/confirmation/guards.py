"""Guards every channel applies before asking anyone: what the administrator's settings forbid."""

from __future__ import annotations

from ..catalog.preview import Preview
from ..config import Settings


def allowlist_refusal(settings: Settings, preview: Preview) -> str | None:
    """Why `allow_workspaces` forbids this write, if it does."""
    allowed = set(settings.allow_workspaces)
    if not allowed:
        return None
    if preview.creates_workspace:
        return "this server may only change the allowed workspaces, and a new workspace is not one of them"
    outside = sorted(preview.workspaces - allowed)
    if outside:
        allowed_text = ", ".join(sorted(allowed))
        return f"this server may only change workspaces {allowed_text}; this touches {', '.join(outside)}"
    return None
