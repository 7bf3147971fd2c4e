"""External keys (CMEK configs), telemetry destinations and organization webhook endpoints:
`state.hooks`.

* `external_keys` (`ekey_...`): a KMS key's coordinates (AWS, GCP or Azure), a geo, an optional
  user profile. A config is `attached` while any workspace, archived ones included, names it in
  `external_key_id` (`attached_to`); `reachable` says whether the emulated KMS answers the
  validation round trip.
* `destinations` (`tdst_...`): an OTLP/HTTP collector, the headers sent to it (stored, never
  returned: reads show `header_names`), which workspaces it covers (`all`, or an `include` /
  `exclude` list of workspace id -> when it was added), its traces settings, state and delivery
  health. `collector_status` is the HTTP status the emulated collector answers a test span with.
* `webhooks` (`whep_...`, the sandbox's prefix: the API documents none): an https URL, the events
  sent to it, its state and signing secret (`whsec_...`, returned only on creation and rotation).

`snapshot()` holds no secret (no header value, no signing secret): tests compare it whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from .models import Workspace, format_ts
from .resources import Resources

WEBHOOK_EVENTS: Final = (
    "external_key.failed",
    "external_key.recovered",
    "user_profile.enforcement_action_opened",
    "user_profile.enforcement_action_resolved",
    "user_profile.program_status_updated",
)
Coverage = Literal["all", "include", "exclude"]
DisabledReason = Literal["caller", "sustained_failure", "invalid_address", "redirect"]


@dataclass(slots=True)
class ExternalKey:
    id: str
    provider_config: dict[str, object]
    created_at: int
    updated_at: int
    display_name: str | None = None
    geo: str = "us"
    user_profile_id: str | None = None
    reachable: bool = True

    def to_api(self, attached: bool) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "external_key",
            "attachment": {"type": "attached" if attached else "unattached"},
            "created_at": format_ts(self.created_at),
            "display_name": self.display_name,
            "geo": self.geo,
            "provider_config": dict(self.provider_config),
            "updated_at": format_ts(self.updated_at),
            "user_profile_id": self.user_profile_id,
        }


@dataclass(slots=True)
class Webhook:
    id: str
    url: str
    enabled_events: list[str]
    signing_secret: str
    created_at: int
    updated_at: int
    name: str = ""
    description: str = ""
    state: Literal["enabled", "disabled"] = "enabled"
    disabled_reason: str = ""
    """Why Anthropic disabled it; empty when enabled, or disabled by a caller."""

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "created_at": format_ts(self.created_at),
            "description": self.description,
            "disabled_reason": self.disabled_reason,
            "enabled_events": list(self.enabled_events),
            "name": self.name,
            "state": self.state,
            "updated_at": format_ts(self.updated_at),
            "url": self.url,
        }


@dataclass(slots=True)
class TelemetryDestination:
    id: str
    endpoint_url: str
    coverage: Coverage
    created_at: int
    updated_at: int
    display_name: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    listed: dict[str, int] = field(default_factory=dict)
    """Workspace id -> when it was added to the list, oldest first."""
    enabled: bool = True
    disabled_reason: DisabledReason = "caller"
    content_mode: Literal["metadata_only", "content"] = "metadata_only"
    traces_enabled: bool = True
    traces_endpoint_url: str | None = None
    max_content_bytes: int | None = None
    last_error: str | None = None
    last_error_at: int | None = None
    last_success_at: int | None = None
    collector_status: int = 200
    last_test_at: float | None = None

    def to_api(self) -> dict[str, object]:
        state: dict[str, object] = (
            {"type": "enabled"}
            if self.enabled
            else {"type": "disabled", "reason": {"type": self.disabled_reason}}
        )
        return {
            "id": self.id,
            "type": "telemetry_destination",
            "created_at": format_ts(self.created_at),
            "delivery_health": {
                "last_error": self.last_error,
                "last_error_at": None if self.last_error_at is None else format_ts(self.last_error_at),
                "last_success_at": None if self.last_success_at is None else format_ts(self.last_success_at),
            },
            "display_name": self.display_name,
            "endpoint_url": self.endpoint_url,
            "header_names": list(self.headers),
            "state": state,
            "traces": {
                "content_mode": self.content_mode,
                "enabled": self.traces_enabled,
                "endpoint_url": self.traces_endpoint_url,
                "max_content_bytes": self.max_content_bytes,
            },
            "updated_at": format_ts(self.updated_at),
            "workspaces": {"type": self.coverage},
        }

    def entry_api(self, workspace_id: str) -> dict[str, object]:
        return {
            "type": "telemetry_destination_workspace",
            "telemetry_destination_id": self.id,
            "workspace_id": workspace_id,
            "created_at": format_ts(self.listed[workspace_id]),
        }

    def covers(self, workspace_id: str) -> bool:
        """Whether the spans of this (existing) workspace go to the destination's coverage."""
        if self.coverage == "all":
            return True
        return (workspace_id in self.listed) == (self.coverage == "include")


class HooksState:
    def __init__(self) -> None:
        self.external_keys: Resources[ExternalKey] = Resources("external key", "external_key_id")
        self.destinations: Resources[TelemetryDestination] = Resources(
            "telemetry destination", "destination_id"
        )
        self.webhooks: Resources[Webhook] = Resources("webhook endpoint", "webhook_endpoint_id")

    @staticmethod
    def attached_to(key_id: str, workspaces: Iterable[Workspace]) -> list[str]:
        """The workspaces (archived ones included) whose data the key encrypts."""
        return [ws.id for ws in workspaces if ws.external_key_id == key_id]

    def snapshot(self) -> dict[str, object]:
        return {
            "external_keys": [
                {**key.to_api(False), "attachment": None, "reachable": key.reachable}
                for key in self.external_keys.values()
            ],
            "telemetry_destinations": [
                {**destination.to_api(), "listed": dict(destination.listed)}
                for destination in self.destinations.values()
            ],
            "webhooks": [webhook.to_api() for webhook in self.webhooks.values()],
        }
