"""The demo organization's external keys, telemetry destinations and webhook endpoints.

* External keys: `Acme production` (AWS KMS, us-east-1) used by the first live named workspace (so
  attached: it can be neither reconfigured nor deleted); `EU staging` (Google Cloud KMS,
  unattached); `Retired Azure key` (Azure Key Vault, unattached, and its KMS no longer answers:
  validation fails).
* Telemetry destinations: `Honeycomb` (all workspaces, header `x-honeycomb-team`, metadata only,
  delivering); `Datadog (Platform)` (an include list of the second live named workspace, header
  `dd-api-key`, content mode, disabled by the API after sustained failures: its collector answers
  403).
* Webhook endpoints: `security-alerts` (CMEK failures and recoveries, enabled) and
  `trust-and-safety` (enforcement actions; disabled by Anthropic after failed deliveries).

Header values and signing secrets come from the seed (never returned by any read).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Final

from . import ids
from .hooks import ExternalKey, TelemetryDestination, Webhook
from .models import Workspace
from .store import SandboxState

DAY: Final = 86_400
HOUR: Final = 3_600


def _secret(seed: int, name: str, size: int = 32) -> str:
    digest = hashlib.sha512(f"sandbox-hooks:{seed}:{name}".encode()).digest()[:size]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _keys(state: SandboxState, anchor: int, live: list[Workspace]) -> None:
    keys = state.hooks.external_keys
    specs: tuple[tuple[int, str, dict[str, object], bool], ...] = (
        (
            anchor - 200 * DAY,
            "Acme production",
            {
                "type": "aws",
                "kms_arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "region": "us-east-1",
                "role_arn": None,
            },
            True,
        ),
        (
            anchor - 60 * DAY,
            "EU staging",
            {
                "type": "gcp",
                "key_name": "projects/acme-staging/locations/europe-west1/keyRings/claude/cryptoKeys/claude",
            },
            True,
        ),
        (
            anchor - 30 * DAY,
            "Retired Azure key",
            {
                "type": "azure",
                "key_name": "claude-workspaces",
                "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "vault_uri": "https://acme-retired.vault.azure.net",
                "client_id": None,
            },
            False,
        ),
    )
    for created, name, config, reachable in specs:
        key = ExternalKey(
            state.new_id(ids.EXTERNAL_KEY, created), config, created, created, name, reachable=reachable
        )
        keys.put(key)
    if live:
        live[0].external_key_id = next(iter(keys))


def _destinations(state: SandboxState, anchor: int, live: list[Workspace]) -> None:
    seed = state.seed
    honeycomb = TelemetryDestination(
        state.new_id(ids.TELEMETRY_DESTINATION, anchor - 90 * DAY),
        "https://api.honeycomb.io",
        "all",
        anchor - 90 * DAY,
        anchor - 90 * DAY,
        display_name="Honeycomb",
        headers={"x-honeycomb-team": _secret(seed, "honeycomb")},
        last_success_at=anchor - HOUR,
        last_error="timeout",
        last_error_at=anchor - 12 * DAY,
    )
    datadog = TelemetryDestination(
        state.new_id(ids.TELEMETRY_DESTINATION, anchor - 40 * DAY),
        "https://otlp.datadoghq.com",
        "include",
        anchor - 40 * DAY,
        anchor - 5 * DAY,
        display_name="Datadog (Platform)",
        headers={"dd-api-key": _secret(seed, "datadog")},
        enabled=False,
        disabled_reason="sustained_failure",
        content_mode="content",
        max_content_bytes=16_384,
        last_error="HTTP error (status 403)",
        last_error_at=anchor - 5 * DAY,
        last_success_at=anchor - 9 * DAY,
        collector_status=403,
    )
    if len(live) > 1:
        datadog.listed[live[1].id] = anchor - 40 * DAY
    state.hooks.destinations.put(honeycomb)
    state.hooks.destinations.put(datadog)


def _webhooks(state: SandboxState, anchor: int) -> None:
    specs: tuple[tuple[int, str, str, str, list[str], str], ...] = (
        (
            anchor - 150 * DAY,
            "security-alerts",
            "https://hooks.acme.com/anthropic/security",
            "Pages the on-call when a customer-managed key fails",
            ["external_key.failed", "external_key.recovered"],
            "",
        ),
        (
            anchor - 45 * DAY,
            "trust-and-safety",
            "https://ts.acme.com/hooks/anthropic",
            "",
            ["user_profile.enforcement_action_opened", "user_profile.enforcement_action_resolved"],
            "Deliveries failed for 72 hours (last: HTTP 503)",
        ),
    )
    for created, name, url, description, events, reason in specs:
        webhook = Webhook(
            state.new_id(ids.WEBHOOK, created),
            url,
            events,
            "whsec_" + _secret(state.seed, name),
            created,
            anchor - 2 * DAY if reason else created,
            name=name,
            description=description,
            state="disabled" if reason else "enabled",
            disabled_reason=reason,
        )
        state.hooks.webhooks.put(webhook)


def seed_hooks(state: SandboxState, anchor: int, workspaces: list[Workspace]) -> None:
    live = [w for w in workspaces if w.archived_at is None and not w.is_default]
    _keys(state, anchor, live)
    _destinations(state, anchor, live)
    _webhooks(state, anchor)
