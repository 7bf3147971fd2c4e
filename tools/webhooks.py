"""Organization webhook endpoints: `/v1/organizations/webhooks` (beta `webhooks-2026-10-07`).

An endpoint is an https URL Anthropic sends events to: a customer-managed key (CMEK) failing or
recovering, enforcement actions on the organization's user profiles. Each delivery is signed with
the endpoint's signing secret (`whsec_…`), which the API returns only when the endpoint is created
and when the secret is replaced: the server writes it to a file of the secrets folder that only the
user can read (mode 0600) and answers with the file's path; the secret never reaches the model.
At most 32 endpoints per organization. Without the beta header the API answers 404, as if there
were no such API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader
from claude_admin_mcp.server.catalog.secrets import SecretReturned

from .common import ApiObject, Arguments, Deleted, DeliveryUrl, WebhookEndpointId, listing, organization_wide
from .sdk_models import WebhookEndpoint

PATH = "/v1/organizations/webhooks"
BETA = "webhooks-2026-10-07"
PAGE_MAX = 100
MAX_ENDPOINTS = 32

Event = Literal[
    "external_key.failed",
    "external_key.recovered",
    "user_profile.enforcement_action_opened",
    "user_profile.enforcement_action_resolved",
    "user_profile.program_status_updated",
]
"""The SDK's event types (`sdk_models.WEBHOOK_EVENTS`)."""
EVENT_WORDS = {
    "external_key.failed": "a customer-managed key (CMEK) fails",
    "external_key.recovered": "a customer-managed key recovers",
    "user_profile.enforcement_action_opened": "Anthropic restricts or bans a user profile",
    "user_profile.enforcement_action_resolved": "a restriction or ban of a user profile ends",
    "user_profile.program_status_updated": "a user profile's program status changes",
}
_KEPT = (
    "the server writes it to a file of its secrets folder that only the user can read (mode 0600); the "
    "answer gives that file's path, never the secret"
)


class NewWebhook(WebhookEndpoint):
    """A created endpoint as the tool answers it: its signing secret kept in a file, not shown."""

    signing_secret_file: str | None = None
    signing_secret_error: str | None = None


class SigningSecretKept(ApiObject):
    signing_secret_file: str | None = None
    signing_secret_error: str | None = None


class GetWebhook(Arguments):
    webhook_endpoint_id: WebhookEndpointId


class CreateWebhook(Arguments):
    url: DeliveryUrl = Field(description="Where deliveries go (https).")
    enabled_events: list[Event] = Field(min_length=1)
    name: str | None = None
    description: str | None = None


class UpdateWebhook(Arguments):
    webhook_endpoint_id: WebhookEndpointId
    url: DeliveryUrl | None = None
    enabled_events: list[Event] | None = Field(None, min_length=1, description="Replaces the whole set.")
    name: str | None = None
    description: str | None = None
    state: Literal["enabled", "disabled"] | None = Field(
        None, description="disabled stops deliveries; events meanwhile are never delivered."
    )


def _kept(item: Mapping[str, Any]) -> str:
    """Where the signing secret went, for the user (never the secret)."""
    path = item.get("signing_secret_file")
    if path:
        return f"in {path} (mode 0600: only the user can read it; tell them, never read it out)"
    return str(item.get("signing_secret_error") or "not returned")


def _events_text(events: Any) -> str:
    return ", ".join(map(str, events)) if isinstance(events, list) else str(events)


def _named(hook: WebhookEndpoint) -> str:
    return f"webhook endpoint {hook.name or '(unnamed)'} ({hook.id}) → {hook.url}"


def _confirm(hook: WebhookEndpoint) -> str:
    """What the user types: the endpoint's name, or its URL when it has none."""
    return hook.name or hook.url


def _events(events: Sequence[str]) -> str:
    return listing([EVENT_WORDS.get(event, event) for event in events])


async def _get(api: Reader, endpoint_id: str) -> WebhookEndpoint:
    return await api.get(WebhookEndpoint, f"{PATH}/{endpoint_id}")


async def _preview_create(api: Reader, args: CreateWebhook) -> Preview:
    existing = await api.all(WebhookEndpoint, PATH)
    label = f"'{args.name}' " if args.name else ""
    action = f"Create webhook endpoint {label}→ {args.url}"
    if len(existing) >= MAX_ENDPOINTS:
        return Preview(
            action,
            refusal=f"the organization already has {len(existing)} webhook endpoints, the most it may "
            "have (disabled ones count): delete one first",
        )
    details = [
        f"Anthropic sends it an event when {_events(args.enabled_events)}.",
        f"Its signing secret (whsec_…) is returned only now: {_KEPT}.",
    ]
    same = [hook.name or hook.id for hook in existing if hook.url == args.url]
    if same:
        details.append(f"Endpoints already delivering to this URL: {listing(same)}.")
    return Preview(action, details=tuple(details))


async def _preview_update(api: Reader, args: UpdateWebhook) -> Preview:
    hook = await _get(api, args.webhook_endpoint_id)
    changes: list[str] = []
    details: list[str] = []
    if args.name is not None and args.name != hook.name:
        changes.append(f"name: {hook.name or '(none)'} → {args.name}")
    if args.description is not None and args.description != hook.description:
        changes.append(f"description: {hook.description or '(none)'} → {args.description or '(none)'}")
    if args.url is not None and args.url != hook.url:
        changes.append(f"url: {hook.url} → {args.url}")
        details.append("Deliveries go to the new URL from now on, signed with the same secret.")
    if args.enabled_events is not None and set(args.enabled_events) != set(hook.enabled_events):
        gone = [event for event in hook.enabled_events if event not in args.enabled_events]
        new = [event for event in args.enabled_events if event not in hook.enabled_events]
        changes.append(f"events: {listing(list(hook.enabled_events))} → {listing(list(args.enabled_events))}")
        if gone:
            details.append(f"No event is sent any more when {_events(gone)}.")
        if new:
            details.append(f"An event is sent from now on when {_events(new)}.")
    confirm = None
    if args.state is not None and args.state != hook.state:
        changes.append(f"state: {hook.state} → {args.state}")
        if args.state == "disabled":
            events = args.enabled_events or hook.enabled_events
            details.append(
                f"Deliveries stop: nothing is sent to {args.url or hook.url} when {_events(events)}, "
                "and events while it is disabled are never delivered, not even once it is enabled again."
            )
            confirm = _confirm(hook)
        else:
            reason = f" (Anthropic disabled it: {hook.disabled_reason})" if hook.disabled_reason else ""
            details.append(f"Deliveries resume for events from now on{reason}; missed ones are not sent.")
    action = f"Update {_named(hook)}"
    if not changes:
        return Preview(action, nothing_to_do="it is already so")
    return Preview(action, details=(*changes, *details), confirm_text=confirm)


async def _preview_delete(api: Reader, args: GetWebhook) -> Preview:
    hook = await _get(api, args.webhook_endpoint_id)
    details = [
        f"Deliveries stop for good: nothing is sent to {hook.url} when {_events(hook.enabled_events)}.",
        "Irreversible: the endpoint and its signing secret cannot be restored; a new endpoint gets a new "
        "secret the receiver must be given.",
    ]
    if hook.state == "disabled":
        details.insert(0, "It is disabled already: nothing is being delivered to it now.")
    return Preview(f"Delete {_named(hook)}", details=tuple(details), confirm_text=_confirm(hook))


async def _preview_regenerate(api: Reader, args: GetWebhook) -> Preview:
    hook = await _get(api, args.webhook_endpoint_id)
    return Preview(
        f"Replace the signing secret of {_named(hook)}",
        details=(
            f"The current secret stops working at once: until the receiver at {hook.url} has the new one, "
            "it rejects every delivery's signature.",
            f"The new secret is returned only now: {_KEPT}.",
        ),
        confirm_text=_confirm(hook),
    )


_COLUMNS = ("id", "name", "url", "state", "enabled_events", "disabled_reason")
_FORMATS = {"enabled_events": _events_text}
_404 = (
    "No webhook endpoint has that id (or webhooks are not on for this organization); list_webhooks "
    "finds them."
)

_AREA: dict[str, Any] = {"toolset": "webhooks", "beta": BETA}
"""What every operation of this area shares: its toolset and beta header."""

OPERATIONS = [
    Operation(
        name="list_webhooks",
        title="List webhook endpoints",
        description="Organization webhook endpoints: URLs Anthropic sends events to (a customer-managed "
        "key fails or recovers, a user profile is restricted), enabled or not. Beta.",
        method="GET",
        path=PATH,
        input=Arguments,
        output=WebhookEndpoint,
        pagination="id_cursor",
        page_size=PAGE_MAX,
        columns=_COLUMNS,
        formats=_FORMATS,
        empty_hint="No endpoint yet, or webhooks are not on for this organization (the account team turns "
        "them on).",
        **_AREA,
    ),
    Operation(
        name="get_webhook",
        title="Get webhook endpoint",
        description="One webhook endpoint by id: URL, events, state, why Anthropic disabled it.",
        method="GET",
        path=PATH + "/{webhook_endpoint_id}",
        input=GetWebhook,
        output=WebhookEndpoint,
        columns=(*_COLUMNS, "description", "created_at", "updated_at"),
        formats=_FORMATS,
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="create_webhook",
        title="Create webhook endpoint",
        description="Create a webhook: an https URL that gets events when a customer-managed encryption "
        "key fails or recovers, or a user profile is restricted. Its signing secret goes to a file only "
        "the user reads; the answer gives the path.",
        method="POST",
        path=PATH,
        input=CreateWebhook,
        output=NewWebhook,
        idempotent=False,
        preview=organization_wide(_preview_create),
        secret_returned=SecretReturned(field="signing_secret", owner="id", noun="webhook-signing-secret"),
        columns=("id", "name", "url", "state", "enabled_events", "signing_secret"),
        formats={**_FORMATS, "signing_secret": FromItem(_kept)},
        **_AREA,
    ),
    Operation(
        name="update_webhook",
        title="Update webhook endpoint",
        description="Change a webhook endpoint's URL, events, name or description, or disable/enable it "
        "(disabling stops deliveries: the user types its name).",
        method="POST",
        path=PATH + "/{webhook_endpoint_id}",
        input=UpdateWebhook,
        output=WebhookEndpoint,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_update),
        columns=_COLUMNS,
        formats=_FORMATS,
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="delete_webhook",
        title="Delete webhook endpoint",
        description="Delete a webhook endpoint: its deliveries stop for good. The user types its name.",
        method="DELETE",
        path=PATH + "/{webhook_endpoint_id}",
        input=GetWebhook,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete),
        columns=("id", "type"),
        not_found_hint=_404,
        **_AREA,
    ),
    Operation(
        name="regenerate_webhook_signing_secret",
        title="Replace webhook signing secret",
        description="Rotate a webhook endpoint's signing secret (e.g. it leaked): the old one stops at "
        "once. The new one goes to a file only the user reads; the answer gives the path.",
        method="POST",
        path=PATH + "/{webhook_endpoint_id}/regenerate_signing_secret",
        input=GetWebhook,
        output=SigningSecretKept,
        destructive=True,
        idempotent=False,
        preview=organization_wide(_preview_regenerate),
        secret_returned=SecretReturned(
            field="signing_secret", owner="webhook_endpoint_id", noun="webhook-signing-secret"
        ),
        columns=("signing_secret",),
        formats={"signing_secret": FromItem(_kept)},
        not_found_hint=_404,
        **_AREA,
    ),
]
