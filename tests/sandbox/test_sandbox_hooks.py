"""External keys, telemetry destinations and webhook endpoints in the sandbox, through the official
SDK (strict models, typed errors, its own beta headers) and raw HTTP where the SDK cannot go (no
beta header, invalid bodies). Secrets the API takes or returns are checked never to come back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types.user_profile_not_found_error import UserProfileNotFoundError

from claude_admin_mcp.sandbox.hooks import TelemetryDestination, Webhook
from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import assert_error

WEBHOOKS = "/v1/organizations/webhooks"
TELEMETRY = "/v1/organizations/telemetry_destinations"
KEYS = "/v1/organizations/external_keys"
WEBHOOK_BETA = {"anthropic-beta": "webhooks-2026-10-07"}
TELEMETRY_BETA = {"anthropic-beta": "telemetry-destinations-2026-08-11"}
VALUE = "Bearer canary-collector-token-Qm93zT"


def _hook(sandbox: RunningSandbox, name: str) -> Webhook:
    return next(w for w in sandbox.state.hooks.webhooks.values() if w.name == name)


def _destination(sandbox: RunningSandbox, name: str) -> TelemetryDestination:
    return next(d for d in sandbox.state.hooks.destinations.values() if d.display_name == name)


def _live(sandbox: RunningSandbox) -> list[str]:
    return [w.id for w in sandbox.state.workspaces.values() if w.archived_at is None and not w.is_default]


# -- webhooks ------------------------------------------------------------------------------------


def test_without_the_beta_header_webhooks_do_not_exist(shared_http: httpx2.Client) -> None:
    assert_error(shared_http.get(WEBHOOKS), 404, "not_found_error")
    assert_error(shared_http.post(WEBHOOKS, json={}), 404, "not_found_error")
    assert shared_http.get(WEBHOOKS, headers=WEBHOOK_BETA).status_code == 200


def test_the_signing_secret_comes_back_only_on_creation_and_rotation(
    sdk: anthropic.Anthropic, http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    hooks = sdk.beta.organization.webhooks
    created = hooks.create(
        url="https://hooks.example.com/a", enabled_events=["external_key.failed"], name="a"
    )
    assert created.signing_secret.startswith("whsec_") and len(created.signing_secret) > 30
    assert sandbox.state.hooks.webhooks[created.id].signing_secret == created.signing_secret
    reads = [
        http.get(WEBHOOKS, headers=WEBHOOK_BETA).text,
        http.get(f"{WEBHOOKS}/{created.id}", headers=WEBHOOK_BETA).text,
        http.post(f"{WEBHOOKS}/{created.id}", json={"name": "b"}, headers=WEBHOOK_BETA).text,
    ]
    assert all("whsec_" not in text and "signing_secret" not in text for text in reads)
    rotated = hooks.regenerate_signing_secret(created.id).signing_secret
    assert rotated != created.signing_secret and rotated.startswith("whsec_")
    assert sandbox.state.hooks.webhooks[created.id].signing_secret == rotated
    assert created.signing_secret not in str(sandbox.state.snapshot())
    assert rotated not in str(sandbox.state.snapshot()), "the snapshot holds no secret"


def test_disabling_and_enabling_a_webhook(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    hooks = sdk.beta.organization.webhooks
    broken = _hook(sandbox, "trust-and-safety")
    assert broken.state == "disabled" and broken.disabled_reason, "Anthropic disabled it"
    enabled = hooks.update(broken.id, state="enabled")
    assert (enabled.state, enabled.disabled_reason) == ("enabled", "")
    alerts = _hook(sandbox, "security-alerts")
    disabled = hooks.update(alerts.id, state="disabled", enabled_events=[])
    assert (disabled.state, disabled.disabled_reason) == ("disabled", ""), "a caller gives no reason"
    assert disabled.enabled_events == ["external_key.failed", "external_key.recovered"], "[] keeps the set"
    replaced = hooks.update(alerts.id, enabled_events=["user_profile.program_status_updated"])
    assert replaced.enabled_events == ["user_profile.program_status_updated"]
    deleted = hooks.delete(alerts.id)
    assert (deleted.id, deleted.type) == (alerts.id, "webhook_endpoint_deleted")
    with pytest.raises(anthropic.NotFoundError):
        hooks.retrieve(alerts.id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.com", "enabled_events": ["external_key.failed"]}, "url"),
        ({"url": "https://hooks.example.com", "enabled_events": []}, "enabled_events"),
        ({"url": "https://hooks.example.com", "enabled_events": ["user.created"]}, "enabled_events"),
        ({"enabled_events": ["external_key.failed"]}, "url"),
        ({"url": "https://hooks.example.com", "enabled_events": ["external_key.failed"], "x": 1}, "x"),
    ],
)
def test_invalid_webhooks_are_refused(shared_http: httpx2.Client, body: dict[str, Any], field: str) -> None:
    message = assert_error(
        shared_http.post(WEBHOOKS, json=body, headers=WEBHOOK_BETA), 400, "invalid_request_error"
    )
    assert message.startswith(field)


def test_at_most_32_webhooks(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    body = {"url": "https://hooks.example.com", "enabled_events": ["external_key.failed"]}
    while len(sandbox.state.hooks.webhooks) < 32:
        assert http.post(WEBHOOKS, json=body, headers=WEBHOOK_BETA).status_code == 200
    assert "32" in assert_error(
        http.post(WEBHOOKS, json=body, headers=WEBHOOK_BETA), 400, "invalid_request_error"
    )


def test_webhook_lists_page_both_ways(
    http: httpx2.Client, sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    for index in range(5):
        sdk.beta.organization.webhooks.create(
            url=f"https://hooks.example.com/{index}", enabled_events=["external_key.failed"]
        )
    newest_first = [w.id for w in sandbox.state.hooks.webhooks.newest_first()]
    assert [w.id for w in sdk.beta.organization.webhooks.list(limit=2)] == newest_first
    assert [w.id for w in sdk.beta.organization.webhooks.list(limit=2, order="asc")] == newest_first[::-1]
    first = http.get(WEBHOOKS, params={"limit": 0}, headers=WEBHOOK_BETA).json()
    assert len(first["data"]) == 7 and not first["has_more"], "0 means 20"
    before = http.get(
        WEBHOOKS, params={"before_id": newest_first[3], "limit": 2}, headers=WEBHOOK_BETA
    ).json()
    assert [w["id"] for w in before["data"]] == newest_first[:2] and before["has_more"]


# -- telemetry destinations ----------------------------------------------------------------------


def test_telemetry_needs_its_beta_header(shared_http: httpx2.Client) -> None:
    message = assert_error(shared_http.get(TELEMETRY), 400, "invalid_request_error")
    assert "telemetry-destinations-2026-08-11" in message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint_url": "https://10.0.0.7"}, "endpoint_url"),
        ({"endpoint_url": "https://otel.example.com:4318"}, "endpoint_url"),
        ({"endpoint_url": "https://otel.example.com/v1?x=1"}, "endpoint_url"),
        ({"endpoint_url": "https://user:pw@otel.example.com"}, "endpoint_url"),
        ({"endpoint_url": "http://otel.example.com"}, "endpoint_url"),
        ({"headers": {"Content-Type": VALUE}}, "headers"),
        ({"headers": {"anthropic_version": VALUE}}, "headers"),
        ({"headers": {"X-Key": VALUE, "x-key": VALUE}}, "headers"),
        ({"headers": {"x-key": VALUE + "\u00e9"}}, "headers.x-key"),
        ({"headers": {"x-key": " " + VALUE}}, "headers.x-key"),
        ({"headers": {f"x-{i}": VALUE for i in range(21)}}, "headers"),
        ({"workspaces": {"type": "all", "workspace_ids": []}}, "workspaces.workspace_ids"),
        (
            {"workspaces": {"type": "include", "workspace_ids": ["wrkspc_01NoSuchOne"]}},
            "workspaces.workspace_ids",
        ),
        ({"traces": {"endpoint_url": "https://elsewhere.example.com/traces"}}, "traces.endpoint_url"),
        ({"traces": {"enabled": None}}, "traces.enabled"),
        ({"traces": {"max_content_bytes": 0}}, "traces.max_content_bytes"),
    ],
)
def test_invalid_destinations_are_refused_without_quoting_a_header_value(
    shared_http: httpx2.Client, change: dict[str, Any], field: str
) -> None:
    body = {"endpoint_url": "https://otel.example.com", "workspaces": {"type": "all"}, **change}
    response = shared_http.post(TELEMETRY, json=body, headers=TELEMETRY_BETA)
    assert assert_error(response, 400, "invalid_request_error").startswith(field)
    assert VALUE not in response.text and "canary-collector" not in response.text


def test_header_values_are_kept_and_never_returned(
    sdk: anthropic.Anthropic, http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    telemetry = sdk.beta.organization.telemetry_destinations
    live = _live(sandbox)
    created = telemetry.create(
        endpoint_url="https://otel.example.com/otlp",
        workspaces={"type": "include", "workspace_ids": live[:2]},
        headers={"authorization": VALUE, "x-team": "platform-team-7"},
        traces={"endpoint_url": "https://otel.example.com/custom/traces"},
    )
    assert created.header_names == ["authorization", "x-team"]
    stored = sandbox.state.hooks.destinations[created.id]
    assert stored.headers == {"authorization": VALUE, "x-team": "platform-team-7"}
    texts = [
        http.get(TELEMETRY, headers=TELEMETRY_BETA).text,
        http.get(f"{TELEMETRY}/{created.id}", headers=TELEMETRY_BETA).text,
        str(sandbox.state.snapshot()),
    ]
    assert all(VALUE not in text for text in texts)
    # Setting a value needs endpoint_url; null removes one; a new host drops every header first.
    refused = http.post(
        f"{TELEMETRY}/{created.id}", json={"headers": {"x-team": "ops"}}, headers=TELEMETRY_BETA
    )
    assert "endpoint_url" in assert_error(refused, 400, "invalid_request_error")
    removed = telemetry.update(created.id, headers={"X-Team": None})
    assert removed.header_names == ["authorization"]
    moved = telemetry.update(
        created.id,
        endpoint_url="https://collector.example.org",
        headers={"x-new": "v" * 12},
        traces={"endpoint_url": None},
    )
    assert moved.header_names == ["x-new"] and stored.headers == {"x-new": "v" * 12}
    assert moved.traces.endpoint_url is None


def test_coverage_lists_and_the_filter(
    sdk: anthropic.Anthropic, http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    telemetry = sdk.beta.organization.telemetry_destinations
    live = _live(sandbox)
    honeycomb, datadog = _destination(sandbox, "Honeycomb"), _destination(sandbox, "Datadog (Platform)")
    listed = next(iter(datadog.listed))
    covering = {d.id for d in telemetry.list(workspace_ids=[listed])}
    assert covering == {honeycomb.id, datadog.id}
    other = next(w for w in live if w != listed)
    assert {d.id for d in telemetry.list(workspace_ids=[other])} == {honeycomb.id}
    assert not telemetry.list(workspace_ids=["wrkspc_01NotOfThisOrg"]).data, "not even 'all' matches"
    entry = telemetry.workspaces.add(other, destination_id=datadog.id)
    assert telemetry.workspaces.add(other, destination_id=datadog.id).created_at == entry.created_at
    walked = [e.workspace_id for e in telemetry.workspaces.list(datadog.id, limit=1)]
    assert walked == [other, listed], "newest entry first"
    telemetry.workspaces.remove(listed, destination_id=datadog.id)
    with pytest.raises(anthropic.NotFoundError):
        telemetry.workspaces.remove(listed, destination_id=datadog.id)
    assert not telemetry.workspaces.list(honeycomb.id).data, "all: no list"
    refused = http.post(f"{TELEMETRY}/{honeycomb.id}/workspaces/{other}", headers=TELEMETRY_BETA)
    assert "every workspace" in assert_error(refused, 400, "invalid_request_error")
    switched = telemetry.update(datadog.id, workspaces={"type": "exclude"})
    assert switched.workspaces.type == "exclude" and not datadog.listed, "a new type without ids: empty"
    archived = next(w.id for w in sandbox.state.workspaces.values() if w.archived_at is not None)
    refused = http.post(f"{TELEMETRY}/{datadog.id}/workspaces/{archived}", headers=TELEMETRY_BETA)
    assert "archived" in assert_error(refused, 400, "invalid_request_error")


def test_a_test_span_reports_the_collectors_answer_and_changes_nothing(
    sdk: anthropic.Anthropic, http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    telemetry = sdk.beta.organization.telemetry_destinations
    datadog, honeycomb = _destination(sandbox, "Datadog (Platform)"), _destination(sandbox, "Honeycomb")
    before = datadog.to_api()
    failed = telemetry.test(datadog.id)
    assert failed.result.type == "failure" and failed.result.error == "HTTP error (status 403)"
    assert datadog.to_api() == before, "configuration, state and delivery health unchanged"
    assert telemetry.test(honeycomb.id).result.type == "success"
    again = http.post(f"{TELEMETRY}/{datadog.id}/test", headers=TELEMETRY_BETA)
    assert_error(again, 429, "rate_limit_error")
    assert int(again.headers["retry-after"]) <= 11
    clock = sandbox.state.clock
    sandbox.state.clock = lambda: clock() + timedelta(seconds=11)
    assert http.post(f"{TELEMETRY}/{datadog.id}/test", headers=TELEMETRY_BETA).status_code == 200


def test_disabling_keeps_the_apis_reason_and_at_most_ten(
    sdk: anthropic.Anthropic, http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    telemetry = sdk.beta.organization.telemetry_destinations
    datadog, honeycomb = _destination(sandbox, "Datadog (Platform)"), _destination(sandbox, "Honeycomb")
    again = telemetry.update(datadog.id, state={"type": "disabled"})
    assert again.state.type == "disabled" and again.state.reason.type == "sustained_failure"
    off = telemetry.update(honeycomb.id, state={"type": "disabled"})
    assert off.state.reason.type == "caller"  # type: ignore[union-attr]
    assert telemetry.update(honeycomb.id, state={"type": "enabled"}).state.type == "enabled"
    body = {"endpoint_url": "https://otel.example.com", "workspaces": {"type": "all"}}
    while len(sandbox.state.hooks.destinations) < 10:
        assert http.post(TELEMETRY, json=body, headers=TELEMETRY_BETA).status_code == 200
    assert "10" in assert_error(
        http.post(TELEMETRY, json=body, headers=TELEMETRY_BETA), 400, "invalid_request_error"
    )
    deleted = telemetry.delete(honeycomb.id)
    assert (deleted.id, deleted.type) == (honeycomb.id, "telemetry_destination_deleted")


# -- external keys -------------------------------------------------------------------------------


def test_external_keys_by_provider(sdk: anthropic.Anthropic, http: httpx2.Client) -> None:
    keys = sdk.beta.organization.external_keys
    aws = keys.create(
        provider_config={
            "type": "aws",
            "kms_arn": "arn:aws:kms:eu-west-1:111122223333:key/0b7e2f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        },
        display_name="EU",
    )
    assert aws.provider_config.region == "eu-west-1", "derived from the ARN"  # type: ignore[union-attr]
    assert aws.attachment.type == "unattached" and aws.geo == "us"
    azure = keys.create(
        provider_config={
            "type": "azure",
            "key_name": "k",
            "tenant_id": "t",
            "vault_uri": "https://acme-keys.vault.azure.net",
        }
    )
    assert azure.provider_config.type == "azure"
    for config, field in (
        ({"type": "aws", "kms_arn": "arn:aws:s3:::bucket"}, "provider_config.kms_arn"),
        ({"type": "gcp", "key_name": "my-key"}, "provider_config.key_name"),
        (
            {"type": "azure", "key_name": "k", "tenant_id": "t", "vault_uri": "https://x.example.com"},
            "provider_config.vault_uri",
        ),
        ({"type": "gcp", "key_name": "k", "kms_arn": "x"}, "provider_config.kms_arn"),
        ({"type": "oracle"}, "type"),
    ):
        response = http.post(KEYS, json={"provider_config": config})
        assert assert_error(response, 400, "invalid_request_error").startswith(field), config
    with pytest.raises(UserProfileNotFoundError):
        keys.create(
            provider_config={"type": "gcp", "key_name": "projects/p/locations/l/keyRings/r/cryptoKeys/k"},
            user_profile_id="uprof_01Nobody",
        )


def test_a_key_in_use_keeps_its_coordinates_and_cannot_be_deleted(
    sdk: anthropic.Anthropic, http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    keys = sdk.beta.organization.external_keys
    by_name = {k.display_name: k for k in keys.list()}
    production, retired = by_name["Acme production"], by_name["Retired Azure key"]
    assert production.attachment.type == "attached"
    users = [w for w in sandbox.state.workspaces.values() if w.external_key_id == production.id]
    assert len(users) == 1
    refused = http.delete(f"{KEYS}/{production.id}")
    assert "used by 1 workspace" in assert_error(refused, 400, "invalid_request_error")
    moved = http.post(
        f"{KEYS}/{production.id}",
        json={
            "provider_config": {"type": "gcp", "key_name": "projects/p/locations/l/keyRings/r/cryptoKeys/k"}
        },
    )
    assert_error(moved, 400, "invalid_request_error")
    assert keys.update(production.id, display_name="Prod").display_name == "Prod", "the name can change"
    assert keys.validate(production.id).status == "success"
    failed = keys.validate(retired.id)
    assert failed.status == "failure" and failed.error
    assert keys.delete(retired.id).type == "external_key_deleted"
    assert [k.display_name for k in keys.list(limit=1)] == ["EU staging", "Prod"]
