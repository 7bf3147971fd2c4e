"""Plugins and plugin marketplaces through a real MCP client against the seeded sandbox: reads with
names beside ids, a version's archive downloaded into the exports folder and read back as a
resource, uploads from a local folder or archive (bound to the approval by their SHA-256, refused
when not a local file of the right kind), and previews that say what a change stops."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import tempfile
import tracemalloc
import typing
import zipfile
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import httpx2
import pytest
from anthropic.types.beta.organization import plugin_list_params
from anthropic.types.beta.organization import plugin_marketplace_list_params as marketplace_list
from anthropic.types.beta.organization import plugin_marketplace_update_params as marketplace_update
from anthropic.types.beta.organization.plugins import installation_setting_list_params as settings_list
from anthropic.types.beta.organization.plugins import installation_setting_set_params as settings_set
from anthropic.types.beta.organization.plugins import share_list_params
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import BlobResourceContents, CallToolResult, ResourceLink

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.plugins import MANIFEST, MARKETPLACE_MANIFEST, Plugin, archive_of
from claude_admin_mcp.sandbox.plugins_seed import PUBLIC_REPOSITORY, plugin_files
from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import AdminServer
from claude_admin_mcp.tools import plugin_marketplaces, plugins

from .api import raw_get
from .conftest import CANARY_KEY, MODES, connect, make_server, text_of
from .processes import BIN, clean_env, free_port, running
from .writes import ScriptedHuman, snapshot

TOOLSETS = ["default", "plugins", "plugin_marketplaces"]


def server(sandbox: RunningSandbox, tmp: Path, **overrides: Any) -> AdminServer:
    return make_server(sandbox, **{"toolsets": TOOLSETS, "exports_dir": tmp / "exports", **overrides})


def named(sandbox: RunningSandbox, name: str) -> Plugin:
    return next(p for p in sandbox.state.plugins.plugins.values() if p.name == name)


def outcome(result: CallToolResult) -> str:
    return str((result.structured_content or {}).get("outcome"))


def folder(root: Path, name: str, version: str) -> Path:
    """A plugin's folder on disk, as a developer has it (a .git folder beside it is left out)."""
    for path, content in plugin_files(name, version).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


# -- reads ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_plugins_read_with_owner_served_version_and_settings(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    state = sandbox.state
    deploy, standup = named(sandbox, "acme-deploy-tools"), named(sandbox, "standup-notes")
    owner = state.users[str(standup.owner_user_id)]
    async with connect(server(sandbox, tmp_path)) as client:
        every = await client.call_tool("list_plugins", {})
        members = await client.call_tool("list_plugins", {"owner_type": "user"})
        one = await client.call_tool("get_plugin", {"plugin_id": deploy.id})
        versions = await client.call_tool("list_plugin_versions", {"plugin_id": deploy.id, "limit": 2})
        latest = await client.call_tool("get_plugin_version", {"plugin_id": deploy.id, "version": "latest"})
        settings = await client.call_tool("list_plugin_installation_settings", {"plugin_id": deploy.id})
        shares = await client.call_tool("list_plugin_shares", {"plugin_id": standup.id})
        wrong = await client.call_tool("list_plugin_shares", {"plugin_id": deploy.id})
        bad = await client.call_tool("get_plugin", {"plugin_id": "pluginver_01Nope"})
    items = (every.structured_content or {})["items"]
    assert sorted(item["id"] for item in items) == sorted(state.plugins.plugins)
    assert [item["created_at"] for item in items] == sorted((i["created_at"] for i in items), reverse=True)
    assert [item["id"] for item in (members.structured_content or {})["items"]] == [standup.id]
    assert owner.email in text_of(members), "the owning member's email beside their id"
    got = one.structured_content or {}
    assert got["served_version_id"] == deploy.versions[1] != got["latest_version_id"] == deploy.versions[2]
    assert got["organization_installation_preference"] == "auto_install"
    assert "mcp_server deployer" in text_of(one) and "remote" in text_of(one)
    page = versions.structured_content or {}
    assert [v["id"] for v in page["items"]] == deploy.versions[:0:-1] and page["next_cursor"]
    assert (latest.structured_content or {})["content_scan"]["status"] == "processing"
    assert "processing" in text_of(latest)
    rows = text_of(settings)
    assert "the whole organization | auto_install" in rows and "RBAC group rbac_group_" in rows
    assert len((shares.structured_content or {})["items"]) == len(standup.shares) == 3
    assert wrong.is_error and "installation settings instead" in text_of(wrong)
    assert bad.is_error and "plugin_" in text_of(bad) and "list_plugins" in text_of(bad)


@pytest.mark.anyio
async def test_the_plugin_areas_are_off_by_default_and_one_call_turns_them_on(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with connect(make_server(sandbox, exports_dir=tmp_path)) as client:
        before = {tool.name for tool in (await client.list_tools()).tools}
        off = await client.call_tool("list_plugins", {})
        await client.call_tool("toolsets", {"enable": ["plugins", "plugin_marketplaces"]})
        after = {tool.name for tool in (await client.list_tools()).tools}
        on = await client.call_tool("list_plugin_marketplaces", {})
    assert not {name for name in before if "plugin" in name}
    assert off.is_error and 'enable ["plugins"]' in text_of(off)
    assert {"list_plugins", "download_plugin_version", "validate_plugin_marketplace_archive"} <= after
    assert not on.is_error and "acme-library" in text_of(on)


# -- downloads -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_version_downloads_to_the_exports_folder_and_reads_back_as_a_blob(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    deploy = named(sandbox, "acme-deploy-tools")
    stored = sandbox.state.plugins.versions[deploy.versions[0]].archive
    async with connect(server(sandbox, tmp_path)) as client:
        result = await client.call_tool(
            "download_plugin_version", {"plugin_id": deploy.id, "version": deploy.versions[0]}
        )
        done = result.structured_content or {}
        read = await client.read_resource(done["uri"])
        listed = {r.uri: r for r in (await client.list_resources()).resources}
        latest = await client.call_tool(
            "download_plugin_version", {"plugin_id": deploy.id, "version": "latest"}
        )
        missing = await client.call_tool(
            "download_plugin_version", {"plugin_id": deploy.id, "version": "pluginver_01NoSuchThing"}
        )
    assert not result.is_error, text_of(result)
    path = Path(done["path"])
    assert path.parent == tmp_path / "exports" and path.read_bytes() == stored
    assert done["bytes"] == len(stored) and done["sha256"] == hashlib.sha256(stored).hexdigest()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.name.startswith(f"plugin-{deploy.id}-{deploy.versions[0]}-") and path.suffix == ".zip"
    links = [block for block in result.content if isinstance(block, ResourceLink)]
    assert [(link.uri, link.mime_type, link.size) for link in links] == [
        (done["uri"], "application/zip", len(stored))
    ]
    (contents,) = read.contents
    assert isinstance(contents, BlobResourceContents) and contents.mime_type == "application/zip"
    assert contents.blob and hashlib.sha256(base64.b64decode(contents.blob)).hexdigest() == done["sha256"]
    assert listed[done["uri"]].size == len(stored)
    with zipfile.ZipFile(path) as archive:
        assert MANIFEST in archive.namelist()
    assert latest.is_error and "pluginver_" in text_of(latest), "the API takes no `latest` here"
    assert missing.is_error and "list_plugins" in text_of(missing)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [path.name], "a failure leaves nothing"


@pytest.mark.anyio
async def test_a_download_cut_short_is_retried_whole_and_one_that_keeps_failing_leaves_nothing(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    deploy = named(fresh_sandbox, "acme-deploy-tools")
    stored = fresh_sandbox.state.plugins.versions[deploy.versions[1]].archive
    arguments = {"plugin_id": deploy.id, "version": deploy.versions[1]}
    faults = fresh_sandbox.state.faults
    async with connect(server(fresh_sandbox, tmp_path, max_retries=2)) as client:
        cut = faults.add(Fault("truncated", path="/content$", times=1))
        recovered = await client.call_tool("download_plugin_version", arguments)
        faults.clear()
        faults.add(Fault("drop", path="/content$", times=None))
        failed = await client.call_tool("download_plugin_version", arguments)
        faults.clear()
    assert cut.fired == 1 and not recovered.is_error, text_of(recovered)
    done = recovered.structured_content or {}
    assert Path(done["path"]).read_bytes() == stored and done["sha256"] == hashlib.sha256(stored).hexdigest()
    assert failed.is_error and "download_plugin_version" in text_of(failed), text_of(failed)
    assert [p.name for p in (tmp_path / "exports").iterdir()] == [Path(done["path"]).name], "no partial file"


# -- uploads -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_plugin_is_created_from_a_local_folder_exactly_as_previewed(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    source = folder(tmp_path / "release-notes", "release-notes", "1.0.0")
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        result = await client.call_tool("create_plugin", {"path": str(source), "release_notes": "First cut."})
    assert outcome(result) == "applied", text_of(result)
    message = human.messages[0]
    assert f"Sends {source}: 2 files" in message and "SHA-256" in message
    assert "Create plugin release-notes in the organization's library marketplace" in message
    assert ".git" not in message, "a working copy's .git folder is not part of the plugin"
    plugin = named(fresh_sandbox, "release-notes")
    version = fresh_sandbox.state.plugins.versions[plugin.versions[0]]
    assert version.release_notes == "First cut."
    with zipfile.ZipFile(io.BytesIO(version.archive)) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == plugin_files(
            "release-notes", "1.0.0"
        )
    assert (result.structured_content or {})["result"]["id"] == plugin.id


@pytest.mark.anyio
async def test_a_version_uploads_from_an_archive_and_is_served(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    review = named(fresh_sandbox, "security-guidance")
    archive = tmp_path / "security-guidance-1.1.0.zip"
    archive.write_bytes(
        archive_of({f"security-guidance/{k}": v for k, v in plugin_files(review.name, "1.1.0").items()})
    )
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        result = await client.call_tool(
            "create_plugin_version", {"plugin_id": review.id, "path": str(archive)}
        )
    assert outcome(result) == "applied", text_of(result)
    assert "It becomes the version served to members" in human.messages[0]
    assert "version '1.1.0'" in human.messages[0], "read from the manifest inside the archive's folder"
    assert review.served_version_id == review.versions[-1] and len(review.versions) == 3


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_only_the_bytes_the_human_was_shown_are_sent(
    fresh_sandbox: RunningSandbox, tmp_path: Path, mode: str
) -> None:
    """The file changes while the human looks at its preview. Asked within the call (2025-11-25),
    the send finds another SHA-256 and sends nothing; answered in a new request (2026-07-28), the
    preview is read again, differs, and the human is asked about the new bytes."""
    commits = named(fresh_sandbox, "commit-commands")
    archive = tmp_path / "commit-commands.zip"
    archive.write_bytes(archive_of(plugin_files(commits.name, "0.5.0")))
    swapped = archive_of(plugin_files(commits.name, "6.6.6"))
    before = snapshot(fresh_sandbox)

    class SwapsTheFile(ScriptedHuman):
        async def __call__(self, context: Any, params: Any) -> Any:
            archive.write_bytes(swapped)  # after the preview was read
            return await super().__call__(context, params)

    human = SwapsTheFile("accept")
    async with connect(server(fresh_sandbox, tmp_path), mode, elicitation_callback=human) as client:
        result = await client.call_tool(
            "create_plugin_version", {"plugin_id": commits.id, "path": str(archive)}
        )
    if mode == "legacy":
        assert result.is_error and "changed since the preview was approved" in text_of(result)
        assert snapshot(fresh_sandbox) == before, "nothing was sent"
        return
    assert outcome(result) == "applied", text_of(result)
    assert len(human.messages) == 2, "asked again about the new bytes"
    new_digest = hashlib.sha256(b"commit-commands.zip\0" + str(len(swapped)).encode() + b"\0" + swapped)
    assert new_digest.hexdigest() in human.messages[1] and new_digest.hexdigest() not in human.messages[0]
    stored = fresh_sandbox.state.plugins.versions[commits.versions[-1]]
    assert stored.archive == swapped and stored.manifest_version == "6.6.6"


@pytest.mark.anyio
async def test_anything_but_a_local_file_of_the_right_kind_is_refused_clearly(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    deploy = named(fresh_sandbox, "acme-deploy-tools")
    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    huge = tmp_path / "huge.zip"
    with huge.open("wb") as handle:
        handle.truncate(33 * 1024 * 1024)  # sparse: refused by its size before it is read
    linked = folder(tmp_path / "linked", deploy.name, "9.0.0")
    os.symlink("/etc/hostname", linked / "skills" / "secret.txt")
    wrong = tmp_path / "wrong.zip"
    wrong.write_bytes(archive_of(plugin_files("someone-else", "1.0.0")))
    broken = bytearray(archive_of({MANIFEST: b'{"name": "acme-deploy-tools"}' * 20}))
    broken[30 + len(MANIFEST) : 38 + len(MANIFEST)] = b"\xff" * 8  # its deflate stream, after the header
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(broken))
    cases = {
        "relative/plugin.zip": "not an absolute path",
        str(tmp_path / "missing.zip"): "nothing at",
        str(text): "is not a zip archive",
        str(huge): "more than the 33,554,432 an upload may",
        str(linked): "symbolic link",
        str(tmp_path / "linked" / ".claude-plugin" / "plugin.json"): "is not a .zip or .plugin file",
        str(wrong): "not 'acme-deploy-tools'",
        str(damaged): f"holds no {MANIFEST}",
    }
    before = snapshot(fresh_sandbox)
    async with connect(
        server(fresh_sandbox, tmp_path), elicitation_callback=ScriptedHuman("accept")
    ) as client:
        results = {
            path: await client.call_tool("create_plugin_version", {"plugin_id": deploy.id, "path": path})
            for path in cases
        }
    for path, said in cases.items():
        assert outcome(results[path]) == "refused", (path, text_of(results[path]))
        assert said in text_of(results[path]), (path, text_of(results[path]))
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_a_refused_upload_says_nothing_of_what_the_path_holds(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The model names any path; refused before anyone is asked, the answer must not list a folder's
    files, their sizes or a digest (a directory listing, a guess checked by hash), only why."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (private / "salary-review-2026.xlsx").write_bytes(b"PK\x03\x04")
    loose = tmp_path / "backup.zip"
    loose.write_bytes(archive_of({"passwords.txt": b"hunter2"}))
    commits = named(sandbox, "commit-commands")
    human = ScriptedHuman("accept")
    async with connect(server(sandbox, tmp_path), elicitation_callback=human) as client:
        results = [
            await client.call_tool("create_plugin", {"path": str(private)}),
            await client.call_tool("create_plugin_version", {"plugin_id": commits.id, "path": str(loose)}),
        ]
    for result in results:
        said = result.model_dump_json(by_alias=True)
        assert outcome(result) == "refused" and "holds no .claude-plugin/plugin.json" in said, said
        for leak in ("id_ed25519", "salary-review", "2 files", "bytes", "SHA-256"):
            assert leak not in said, leak
    assert human.messages == [], "no one was asked"


@pytest.mark.anyio
async def test_a_zip_bomb_manifest_is_not_inflated_into_memory(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """An archive of 130 KB whose manifest inflates to 128 MB, its directory claiming 100 bytes (a
    member's plugin downloaded to the exports folder, or any archive the model points at): the
    preview reads at most the manifest's limit, whatever the archive claims."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, b" " * (128 * 1024 * 1024))
    data = bytearray(packed.getvalue())
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # the uncompressed size it claims
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(bytes(data))
    commits = named(sandbox, "commit-commands")
    async with connect(server(sandbox, tmp_path)) as client:
        tracemalloc.start()
        try:
            result = await client.call_tool(
                "create_plugin_version", {"plugin_id": commits.id, "path": str(bomb)}
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert outcome(result) == "refused" and MANIFEST in text_of(result), text_of(result)
    assert peak < 64 * 1024 * 1024, f"{peak:,} bytes held at once (inflated: 128 MB)"


@pytest.mark.anyio
async def test_over_http_a_local_path_is_refused(sandbox: RunningSandbox, tmp_path: Path) -> None:
    archive = tmp_path / "marketplace.zip"
    archive.write_bytes(archive_of({MARKETPLACE_MANIFEST: b'{"plugins": []}'}))
    async with connect(server(sandbox, tmp_path, transport="http")) as client:
        result = await client.call_tool("validate_plugin_marketplace_archive", {"path": str(archive)})
    assert outcome(result) == "refused"
    assert "only when the server runs on your machine (stdio)" in text_of(result)


@pytest.mark.anyio
async def test_a_plan_does_not_take_uploads(sandbox: RunningSandbox, tmp_path: Path) -> None:
    changes = [{"tool": "create_plugin", "arguments": {"path": str(tmp_path)}}]
    async with connect(server(sandbox, tmp_path, toolsets=["plugins", "tasks"])) as client:
        result = await client.call_tool("apply_changes", {"changes": changes})
    assert "sends local files: call it on its own" in text_of(result)


# -- previews of what a change stops ---------------------------------------------------------------


@pytest.mark.anyio
async def test_pinning_says_it_cannot_be_undone_and_refuses_unscanned_versions(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    deploy, security = named(fresh_sandbox, "acme-deploy-tools"), named(fresh_sandbox, "security-guidance")
    human = ScriptedHuman("accept", typed=deploy.name)
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        scanning = await client.call_tool(
            "pin_plugin_version", {"plugin_id": deploy.id, "served_version_id": deploy.versions[2]}
        )
        failed = await client.call_tool(
            "pin_plugin_version", {"plugin_id": security.id, "served_version_id": security.versions[0]}
        )
        rolled_back = await client.call_tool(
            "pin_plugin_version", {"plugin_id": deploy.id, "served_version_id": deploy.versions[0]}
        )
    assert outcome(scanning) == "refused" and "still running" in text_of(scanning)
    assert outcome(failed) == "refused" and "scan says fail" in text_of(failed)
    assert outcome(rolled_back) == "applied", text_of(rolled_back)
    message = human.messages[0]
    assert f"Served version: {deploy.versions[1]} → {deploy.versions[0]}" in message
    assert "Pinning cannot be undone" in message
    assert human.schemas[0]["properties"]["confirm"]["description"] == f"Type {deploy.name} to confirm"
    assert (deploy.served_version_id, deploy.served_version_pinned) == (deploy.versions[0], True)


@pytest.mark.anyio
async def test_deleting_a_plugin_lists_what_goes_and_refuses_a_synchronized_one(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    deploy, review = named(fresh_sandbox, "acme-deploy-tools"), named(fresh_sandbox, "code-review")
    human = ScriptedHuman("accept", typed="ACME-deploy-tools ")
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        synced = await client.call_tool("delete_plugin", {"plugin_id": review.id})
        deleted = await client.call_tool("delete_plugin", {"plugin_id": deploy.id})
    assert outcome(synced) == "refused" and "remove it from the repository" in text_of(synced)
    assert outcome(deleted) == "applied", text_of(deleted)
    message = human.messages[0]
    assert "3 versions go with it" in message and "RBAC group rbac_group_" in message
    assert "required" in message and "set_plugin_installation_setting organization not_available" in message
    assert deploy.id not in fresh_sandbox.state.plugins.plugins


@pytest.mark.anyio
async def test_installation_settings_say_who_gains_or_loses_the_plugin(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    deploy, review, standup = (
        named(fresh_sandbox, name) for name in ("acme-deploy-tools", "code-review", "standup-notes")
    )
    legal = next(g for g in fresh_sandbox.state.governance.groups.values() if g.name == "Legal")
    human = ScriptedHuman("accept", typed=review.name)
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        withdrawn = await client.call_tool(
            "set_plugin_installation_setting",
            {"plugin_id": review.id, "target": "organization", "installation_preference": "not_available"},
        )
        same = await client.call_tool(
            "set_plugin_installation_setting",
            {"plugin_id": review.id, "target": legal.id, "installation_preference": "not_available"},
        )
        member = await client.call_tool(
            "set_plugin_installation_setting",
            {"plugin_id": standup.id, "target": "organization", "installation_preference": "required"},
        )
        gone = await client.call_tool(
            "remove_plugin_installation_setting", {"plugin_id": deploy.id, "target": legal.id}
        )
        bad = await client.call_tool(
            "set_plugin_installation_setting",
            {"plugin_id": review.id, "target": "everyone", "installation_preference": "required"},
        )
    assert outcome(withdrawn) == "applied", text_of(withdrawn)
    assert "no setting of its own → not_available" in human.messages[0]
    assert "withdrawn: they cannot use it" in human.messages[0]
    assert "stops inheriting its marketplace's default (now auto_install" in human.messages[0]
    assert review.settings[("organization", None)].preference == "not_available"
    assert outcome(same) == "nothing_to_do"
    assert outcome(member) == "refused" and "shares" in text_of(member)
    assert outcome(gone) == "nothing_to_do" and "holds no setting of its own" in text_of(gone)
    assert bad.is_error and "target" in text_of(bad)


@pytest.mark.anyio
async def test_a_marketplace_default_names_the_plugins_that_follow_it(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    markets = fresh_sandbox.state.plugins.marketplaces.values()
    library = next(m for m in markets if m.library)
    personal = next(m for m in markets if m.owner_user_id is not None)
    human = ScriptedHuman("accept", typed=library.name)
    async with connect(server(fresh_sandbox, tmp_path), elicitation_callback=human) as client:
        result = await client.call_tool(
            "update_plugin_marketplace",
            {"marketplace_id": library.id, "default_installation_preference": "not_available"},
        )
        refused = await client.call_tool(
            "update_plugin_marketplace",
            {"marketplace_id": personal.id, "default_installation_preference": "available"},
        )
    assert outcome(result) == "applied", text_of(result)
    message = human.messages[0]
    assert "available → not_available" in message
    assert "2 plugins without a setting of their own follow it" in message
    assert "commit-commands" in message and "security-guidance" in message and "acme-deploy-tools" in message
    assert library.default_installation_preference == "not_available"
    assert outcome(refused) == "refused" and "personal marketplace" in text_of(refused)


@pytest.mark.anyio
async def test_marketplace_content_is_checked_from_an_archive_or_a_repository(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    files = {
        MARKETPLACE_MANIFEST: b'{"name": "ours", "plugins": [{"name": "lint", "source": "./lint"}, '
        b'{"name": "gone", "source": "./gone"}]}',
        **{f"lint/{path}": content for path, content in plugin_files("lint", "1.0.0").items()},
    }
    archive = tmp_path / "ours.zip"
    archive.write_bytes(archive_of({f"ours-main/{k}": v for k, v in files.items()}))
    human = ScriptedHuman("accept")
    async with connect(server(sandbox, tmp_path), elicitation_callback=human) as client:
        checked = await client.call_tool("validate_plugin_marketplace_archive", {"path": str(archive)})
        repository = await client.call_tool(
            "validate_plugin_marketplace_repository",
            {"repository_url": f"https://github.com/{PUBLIC_REPOSITORY}.git", "ref": "main"},
        )
        bad = await client.call_tool(
            "validate_plugin_marketplace_repository", {"repository_url": "https://gitlab.com/acme/plugins"}
        )
    report = (checked.structured_content or {})["result"]
    assert report["valid"] is False and report["total_plugin_count"] == 2
    assert [e["name"] for e in report["plugin_errors"]] == ["gone"]
    assert "declares 2 plugins" in human.messages[0] and "stores nothing" in human.messages[0]
    assert "skipped: gone" in text_of(checked)
    found = (repository.structured_content or {})["result"]
    assert found["total_plugin_count"] == 3 and [e["name"] for e in found["plugin_errors"]] == ["docs"]
    assert bad.is_error and "github.com" in text_of(bad)


@pytest.mark.anyio
async def test_every_plugin_request_sends_the_beta_header(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """The sandbox answers 404 without it, as the API does; the tools reach it."""
    with pytest.raises(Exception, match="404"):
        raw_get(sandbox, "/v1/organizations/plugins")
    deploy = named(sandbox, "acme-deploy-tools")
    async with connect(server(sandbox, tmp_path)) as client:
        for name, arguments in {
            "list_plugins": {},
            "get_plugin": {"plugin_id": deploy.id},
            "list_plugin_marketplaces": {},
        }.items():
            assert not (await client.call_tool(name, arguments)).is_error, name


# -- a real process over stdio -------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.anyio
async def test_over_stdio_a_version_uploads_and_an_archive_downloads(tmp_path: Path) -> None:
    """The installed command over stdio against a standalone sandbox: the upload is read from this
    machine's disk and approved in the client, the download is read back through resources/read."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"x-api-key": CANARY_KEY, "anthropic-beta": "ce-plugins-2026-09-01"}
    sandbox_args = ["sandbox", "--port", str(port), "--users", "10", "--admin-key", CANARY_KEY]
    with running(sandbox_args, base + "/v1/organizations/me", clean_env()):
        plugins = httpx2.get(base + "/v1/organizations/plugins", headers=headers).json()["data"]
        deploy = next(p for p in plugins if p["name"] == "acme-deploy-tools")
        version = deploy["served_version_id"]
        path = f"/v1/organizations/plugins/{deploy['id']}/versions"
        stored = httpx2.get(f"{base}{path}/{version}/content", headers=headers).content
        archive = tmp_path / "deploy.zip"
        archive.write_bytes(archive_of(plugin_files("acme-deploy-tools", "4.0.0")))
        env = clean_env(
            ANTHROPIC_BASE_URL=base,
            ANTHROPIC_ADMIN_KEY=CANARY_KEY,
            CLAUDE_ADMIN_MCP_TOOLSETS="plugins",
            CLAUDE_ADMIN_MCP_EXPORTS_DIR=str(tmp_path / "exports"),
        )
        params = StdioServerParameters(command=str(BIN), args=[], env=env)
        with tempfile.TemporaryFile("w+") as errlog:
            async with Client(
                stdio_client(params, errlog=errlog), elicitation_callback=ScriptedHuman("accept")
            ) as client:
                got = await client.call_tool(
                    "download_plugin_version", {"plugin_id": deploy["id"], "version": version}
                )
                read = await client.read_resource((got.structured_content or {})["uri"])
                sent = await client.call_tool(
                    "create_plugin_version", {"plugin_id": deploy["id"], "path": str(archive)}
                )
        newest = httpx2.get(base + path, headers=headers, params={"limit": 1}).json()["data"][0]
    (contents,) = read.contents
    assert isinstance(contents, BlobResourceContents) and base64.b64decode(contents.blob) == stored
    assert Path((got.structured_content or {})["path"]).read_bytes() == stored
    assert outcome(sent) == "applied", text_of(sent)
    assert (
        newest["manifest_version"] == "4.0.0"
        and newest["id"] == (sent.structured_content or {})["result"]["id"]
    )


def _choices(annotation: Any) -> set[str]:
    """The values of a Literal, optional or not."""
    if get_origin(annotation) is Literal:
        return {str(value) for value in get_args(annotation)}
    return {value for arm in get_args(annotation) if arm is not type(None) for value in _choices(arm)}


def test_the_choices_plugin_arguments_offer_are_the_sdks() -> None:
    """Every choice a tool offers is one the SDK declares for its endpoint (`directory`, Anthropic's
    own catalog, is never listed, so the tool does not offer it)."""
    hints = typing.get_type_hints
    for ours, field, theirs in (
        (plugins.ListPlugins, "owner_type", hints(plugin_list_params.PluginListParams)),
        (plugins.ListSettings, "target_type", hints(settings_list.InstallationSettingListParams)),
        (plugins.ListShares, "target_type", hints(share_list_params.ShareListParams)),
        (plugins.SetSetting, "installation_preference", hints(settings_set.InstallationSettingSetParams)),
        (
            plugin_marketplaces.UpdateMarketplace,
            "default_installation_preference",
            hints(marketplace_update.PluginMarketplaceUpdateParams),
        ),
    ):
        assert _choices(ours.model_fields[field].annotation) == _choices(theirs[field]), ours
    sources = hints(marketplace_list.PluginMarketplaceListParams)["source"]
    offered = _choices(plugin_marketplaces.ListMarketplaces.model_fields["source"].annotation)
    assert offered == _choices(sources) - {"directory"}
