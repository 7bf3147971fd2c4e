"""Plugins and plugin marketplaces in the sandbox, through the official SDK (strict models, typed
errors) and raw HTTP where the SDK cannot go (no beta header, a malformed upload)."""

from __future__ import annotations

import anthropic
import httpx2
import pytest
from anthropic.types.beta.organization.beta_plugin_name_taken_error import BetaPluginNameTakenError
from anthropic.types.beta.organization.beta_scan_failed_error import BetaScanFailedError
from anthropic.types.beta.organization.beta_scan_pending_error import BetaScanPendingError

from claude_admin_mcp.sandbox.models import format_ts
from claude_admin_mcp.sandbox.plugins import MANIFEST, MARKETPLACE_MANIFEST, Plugin, archive_of
from claude_admin_mcp.sandbox.plugins_seed import PUBLIC_REPOSITORY, plugin_files
from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import assert_error

BETA = {"anthropic-beta": "ce-plugins-2026-09-01"}


def _named(sandbox: RunningSandbox, name: str) -> Plugin:
    return next(p for p in sandbox.state.plugins.plugins.values() if p.name == name)


def test_without_the_beta_header_every_path_is_unknown(shared_http: httpx2.Client) -> None:
    for path in ("/v1/organizations/plugins", "/v1/organizations/plugin_marketplaces"):
        assert_error(shared_http.get(path), 404, "not_found_error")
        assert shared_http.get(path, headers=BETA).status_code == 200


def test_lists_walk_newest_first_with_filters(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    plugins = shared_sdk.beta.organization.plugins
    state = shared_sandbox.state.plugins
    walked = list(plugins.list(limit=1))
    expected = sorted(state.plugins.values(), key=lambda p: (p.created_at, p.id), reverse=True)
    assert [p.id for p in walked] == [p.id for p in expected]
    library = next(m for m in state.marketplaces.values() if m.library)
    in_library = {p.name for p in plugins.list(marketplace_id=library.id)}
    assert in_library == {"acme-deploy-tools", "commit-commands", "security-guidance"}
    assert [p.name for p in plugins.list(owner_type="user")] == ["standup-notes"]
    since = "2026-07-01T00:00:00Z"
    recent = {p.id for p in plugins.list(created_at_gte=since, created_at_lt="2027-01-01T00:00:00Z")}
    newer = {p.id for p in expected if format_ts(p.created_at) >= since}
    assert recent == newer and 0 < len(newer) < len(expected)
    deploy = _named(shared_sandbox, "acme-deploy-tools")
    versions = list(plugins.versions.list(deploy.id, limit=1))
    assert [v.id for v in versions] == deploy.versions[::-1]
    fetched = plugins.retrieve(deploy.id)
    assert fetched.organization_installation_preference == "auto_install"
    assert fetched.organization_installation_preference_inherited is False
    review = plugins.retrieve(_named(shared_sandbox, "code-review").id)
    assert (
        review.organization_installation_preference,
        review.organization_installation_preference_inherited,
    ) == (
        "auto_install",
        True,
    ), "inherited from its marketplace's default"
    marketplaces = list(shared_sdk.beta.organization.plugin_marketplaces.list(limit=1))
    assert {m.source for m in marketplaces} == {"manual", "github"}
    assert [m.name for m in shared_sdk.beta.organization.plugin_marketplaces.list(owner_type="user")] == [
        "personal"
    ]


def test_create_refuses_a_taken_name_with_the_holder(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    plugins = sdk.beta.organization.plugins
    commits = _named(sandbox, "commit-commands")
    archive = archive_of(plugin_files(commits.name, "9.9.9"))
    with pytest.raises(BetaPluginNameTakenError) as taken:
        plugins.create(files=[("commits.zip", archive, "application/zip")])
    assert taken.value.error_code == "plugin_name_taken"
    assert taken.value.details.plugin_id == commits.id
    created = plugins.create(
        files=[(path, content) for path, content in plugin_files("fresh", "1.0.0").items()]
    )
    assert created.name == "fresh" and created.served_version_id == created.latest_version_id
    with pytest.raises(anthropic.BadRequestError):
        plugins.create(files=[("x.zip", archive_of({"README.md": b"no manifest"}), "application/zip")])
    with pytest.raises(anthropic.BadRequestError):
        plugins.versions.create(created.id, files=[(MANIFEST, plugin_files("other", "2.0.0")[MANIFEST])])


def test_pinning_follows_the_scans_and_sticks(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    plugins = sdk.beta.organization.plugins
    deploy, security = _named(sandbox, "acme-deploy-tools"), _named(sandbox, "security-guidance")
    with pytest.raises(BetaScanPendingError):
        plugins.update(deploy.id, served_version_id=deploy.versions[2])
    with pytest.raises(BetaScanFailedError):
        plugins.update(security.id, served_version_id=security.versions[0])
    pinned = plugins.update(deploy.id, served_version_id=deploy.versions[0])
    assert (pinned.served_version_id, pinned.served_version_pinned) == (deploy.versions[0], True)
    added = plugins.versions.create(
        deploy.id, files=[(MANIFEST, plugin_files(deploy.name, "3.0.0")[MANIFEST])]
    )
    after = plugins.retrieve(deploy.id)
    assert after.latest_version_id == added.id and after.served_version_id == deploy.versions[0], "pinned"
    standup = _named(sandbox, "standup-notes")
    with pytest.raises(anthropic.PermissionDeniedError):
        plugins.update(standup.id, served_version_id=standup.versions[0])


def test_download_answers_the_stored_archive(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    plugins = shared_sdk.beta.organization.plugins
    deploy = _named(shared_sandbox, "acme-deploy-tools")
    body = plugins.versions.download(deploy.versions[1], plugin_id=deploy.id)
    assert body.read() == shared_sandbox.state.plugins.versions[deploy.versions[1]].archive
    assert body.headers["content-type"] == "application/zip"
    with pytest.raises(anthropic.BadRequestError):
        plugins.versions.download("latest", plugin_id=deploy.id)


def test_member_downloads_are_recorded_and_organization_ones_are_not(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    plugins = sdk.beta.organization.plugins
    standup, deploy = _named(sandbox, "standup-notes"), _named(sandbox, "acme-deploy-tools")
    before = len(sandbox.state.activities)
    plugins.versions.download(deploy.versions[0], plugin_id=deploy.id)
    plugins.versions.download(standup.versions[0], plugin_id=standup.id)
    recorded = sandbox.state.activities[before:]
    assert [(a.type, a.fields["plugin_id"]) for a in recorded] == [
        ("claude_plugin_archive_accessed", standup.id)
    ]


def test_settings_and_shares_belong_to_their_kind_of_plugin(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    plugins = sdk.beta.organization.plugins
    deploy, standup = _named(sandbox, "acme-deploy-tools"), _named(sandbox, "standup-notes")
    engineering = next(g for g in sandbox.state.governance.groups.values() if g.name == "Engineering")
    settings = list(plugins.installation_settings.list(deploy.id, limit=1))
    assert [s.target.type for s in settings] == ["rbac_group", "organization"], "most recently created first"
    assert [
        s.target.type for s in plugins.installation_settings.list(deploy.id, target_type="rbac_group")
    ] == ["rbac_group"]
    with pytest.raises(anthropic.NotFoundError):
        plugins.installation_settings.list(standup.id)
    with pytest.raises(anthropic.NotFoundError):
        plugins.shares.list(deploy.id)
    assert {s.target.type for s in plugins.shares.list(standup.id)} == {
        "organization",
        "rbac_group",
        "organization_member",
    }
    removed = plugins.installation_settings.remove("organization", plugin_id=deploy.id)
    assert removed.type == "plugin_installation_setting_deleted"
    assert plugins.retrieve(deploy.id).organization_installation_preference_inherited is True
    with pytest.raises(anthropic.NotFoundError):
        plugins.installation_settings.remove("organization", plugin_id=deploy.id)
    plugins.installation_settings.set(
        engineering.id, plugin_id=deploy.id, installation_preference="available"
    )
    assert deploy.settings[("rbac_group", engineering.id)].preference == "available"
    sdk.beta.organization.rbac_groups.delete(engineering.id)
    assert ("rbac_group", engineering.id) not in deploy.settings, "a deleted group's settings go with it"


def test_delete_takes_versions_and_refuses_a_synchronized_plugin(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    plugins = sdk.beta.organization.plugins
    deploy, review = _named(sandbox, "acme-deploy-tools"), _named(sandbox, "code-review")
    versions = list(deploy.versions)
    assert plugins.delete(deploy.id).type == "plugin_deleted"
    assert not set(versions) & set(sandbox.state.plugins.versions)
    with pytest.raises(anthropic.NotFoundError):
        plugins.retrieve(deploy.id)
    with pytest.raises(anthropic.BadRequestError):
        plugins.delete(review.id)


def test_marketplace_defaults_and_validation_reports(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    marketplaces = sdk.beta.organization.plugin_marketplaces
    state = sandbox.state.plugins
    library = next(m for m in state.marketplaces.values() if m.library)
    personal = next(m for m in state.marketplaces.values() if m.owner_user_id is not None)
    assert (
        marketplaces.update(
            library.id, default_installation_preference="required"
        ).default_installation_preference
        == "required"
    )
    commits = sdk.beta.organization.plugins.retrieve(_named(sandbox, "commit-commands").id)
    assert commits.organization_installation_preference == "required", "its plugins follow"
    with pytest.raises(anthropic.PermissionDeniedError):
        marketplaces.update(personal.id, default_installation_preference="available")
    good = archive_of(
        {MARKETPLACE_MANIFEST: b'{"plugins": [{"name": "far", "source": {"source": "github"}}]}'}, b"a" * 40
    )
    report = marketplaces.validate_archive(archive=("m.zip", good, "application/zip"))
    assert report.valid and report.total_plugin_count == 1 and report.commit_sha == "a" * 40
    assert [w.name for w in report.plugin_warnings] == ["far"]
    unreadable = marketplaces.validate_archive(archive=("m.zip", b"not a zip", "application/zip"))
    assert not unreadable.valid and unreadable.manifest_error_code == "unreadable"
    found = marketplaces.validate_repository(repository_url=f"https://github.com/{PUBLIC_REPOSITORY}/")
    assert found.total_plugin_count == 3 and [e.name for e in found.plugin_errors] == ["docs"]
    missing = marketplaces.validate_repository(repository_url="https://github.com/acme/private", ref="dev")
    assert not missing.valid and missing.manifest_error_code == "repository_not_found"
    for url in ("http://github.com/a/b", "https://user:pw@github.com/a/b", "https://github.com/a/b/c"):
        with pytest.raises(anthropic.BadRequestError):
            marketplaces.validate_repository(repository_url=url)
    with pytest.raises(anthropic.BadRequestError):
        marketplaces.validate_repository(repository_url=f"https://github.com/{PUBLIC_REPOSITORY}", ref="a..b")


def test_a_malformed_upload_is_refused(http: httpx2.Client) -> None:
    path = "/v1/organizations/plugin_marketplaces/validate_archive"
    json_body = http.post(path, headers=BETA, json={"archive": "x"})
    assert "multipart/form-data" in assert_error(json_body, 400, "invalid_request_error")
    extra = http.post(path, headers=BETA, files=[("archive", ("a.zip", b"PK"))], data={"note": "x"})
    assert "note" in assert_error(extra, 400, "invalid_request_error")
    two = http.post(path, headers=BETA, files=[("archive", ("a.zip", b"PK")), ("archive", ("b.zip", b"PK"))])
    assert "exactly one" in assert_error(two, 400, "invalid_request_error")
    plain = http.post("/v1/organizations/plugins", headers=BETA, files=[("files", ("a.zip", b"PK"))])
    assert "files[]" in assert_error(plain, 400, "invalid_request_error")
