"""The approval page in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright
with the system executable), against the server's own page listener and the sandbox.

The server "opens" the page through a hook the test holds (as it would open the user's browser)
while the write call waits; the test's browser then does what a person would.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import MCPError
from mcp.client import ClientRequestContext
from mcp.types import URL_ELICITATION_REQUIRED, CallToolResult, ElicitRequestParams, ElicitResult
from playwright.async_api import Page, async_playwright

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import AdminServer
from claude_admin_mcp.server.confirmation.passkeys import Approvers
from claude_admin_mcp.server.transports.enrollment import Enrollment, run_enrollment

from .api import raw_all
from .conftest import connect, make_server, text_of
from .writes import audit_lines, snapshot

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@asynccontextmanager
async def browser() -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = await chromium.new_context()
            yield await context.new_page()
        finally:
            await chromium.close()


class Desktop:
    """Stands in for the user's desktop: the server asks it to open the approval page."""

    def __init__(self) -> None:
        self.send, self.receive = anyio.create_memory_object_stream[str](16)

    async def __call__(self, url: str) -> bool:
        await self.send.send(url)
        return True

    async def next_url(self) -> str:
        with anyio.fail_after(20):
            return await self.receive.receive()


def page_server(sandbox: RunningSandbox, desktop: Desktop, wait: float = 30, **settings: Any) -> AdminServer:
    return make_server(
        sandbox, open_page=desktop, approval_open_browser=True, approval_wait_seconds=wait, **settings
    )


@asynccontextmanager
async def calling(client: Any, tool: str, arguments: dict[str, Any]) -> AsyncIterator[list[CallToolResult]]:
    """The call runs in the background meanwhile; afterwards the list holds its result."""
    results: list[CallToolResult] = []

    async def run() -> None:
        results.append(await client.call_tool(tool, arguments))

    async with anyio.create_task_group() as group:
        group.start_soon(run)
        yield results


def _developer(sandbox: RunningSandbox) -> dict[str, Any]:
    return raw_all(sandbox, "/v1/organizations/users", roles=["developer"])[0]


def _role_changes(sandbox: RunningSandbox) -> int:
    return sum(1 for a in sandbox.state.activities if "role" in str(a.to_dict().get("type", "")))


@pytest.mark.anyio
async def test_approved_in_the_browser_applies_exactly_once(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    user = _developer(fresh_sandbox)
    desktop, audit = Desktop(), tmp_path / "audit.jsonl"
    before = _role_changes(fresh_sandbox)
    async with (
        browser() as page,
        connect(page_server(fresh_sandbox, desktop, audit_log=audit)) as client,
        calling(client, "update_user_role", {"user_id": user["id"], "role": "billing"}) as results,
    ):
        url = await desktop.next_url()
        await page.goto(url)
        assert "developer → billing" in await page.inner_text("#action")
        assert user["email"] in await page.inner_text("#action")
        assert "update_user_role" in await page.inner_text("#tool")
        assert user["id"] in await page.inner_text("#arguments")
        assert fresh_sandbox.state.organization.name in await page.inner_text("#organization")
        assert (
            await page.inner_text("#approve") == "Approve" and await page.inner_text("#decline") == "Decline"
        )
        csrf = _CSRF.search(await page.content())
        assert csrf is not None
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
        assert "Applied" in await page.inner_text("#outcome")
        assert (await page.inner_text("#request_id")).startswith("req_")
        # A second submit of the same form (the page's own cookie and token): nothing more happens.
        again = await page.request.post(url, form={"csrf": csrf.group(1), "decision": "approve"})
        assert again.status == 200 and "already decided" in await again.text()
    (result,) = results
    assert result.structured_content["outcome"] == "applied", text_of(result)
    assert fresh_sandbox.state.users[user["id"]].role == "billing"
    assert _role_changes(fresh_sandbox) == before + 1, "applied exactly once"
    lines = audit_lines(audit)
    assert [line["outcome"] for line in lines] == ["pending", "confirmed", "applied"]
    assert lines[1]["via"] == "page" and lines[0]["confirmation_id"] == lines[1]["confirmation_id"]


@pytest.mark.anyio
async def test_declined_in_the_browser_changes_nothing(fresh_sandbox: RunningSandbox) -> None:
    user = _developer(fresh_sandbox)
    desktop, before = Desktop(), snapshot(fresh_sandbox)
    async with (
        browser() as page,
        connect(page_server(fresh_sandbox, desktop)) as client,
        calling(client, "update_user_role", {"user_id": user["id"], "role": "billing"}) as results,
    ):
        await page.goto(await desktop.next_url())
        await page.click("#decline")
        await page.wait_for_selector("#outcome")
    assert results[0].structured_content["outcome"] == "declined"
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_a_wrong_typed_name_changes_nothing_and_the_right_one_applies(
    fresh_sandbox: RunningSandbox,
) -> None:
    workspace = raw_all(fresh_sandbox, "/v1/organizations/workspaces")[0]
    member = raw_all(fresh_sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members")[0]
    email = fresh_sandbox.state.users[member["user_id"]].email
    desktop = Desktop()
    arguments = {"workspace_id": workspace["id"], "user_id": member["user_id"]}
    async with (
        browser() as page,
        connect(page_server(fresh_sandbox, desktop)) as client,
        calling(client, "remove_workspace_member", arguments) as results,
    ):
        await page.goto(await desktop.next_url())
        await page.fill("#confirm", "someone.else@acme.example")
        await page.click("#approve")
        await page.wait_for_selector("#notice")
        assert "does not match" in await page.inner_text("#notice")
        assert fresh_sandbox.state.member(workspace["id"], member["user_id"]) is not None
        # Case and surrounding spaces are forgiven: it is a check of attention, not a selector.
        await page.fill("#confirm", f"  {email.upper()} ")
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
    assert results[0].structured_content["outcome"] == "applied", text_of(results[0])
    assert fresh_sandbox.state.member(workspace["id"], member["user_id"]) is None


@pytest.mark.anyio
async def test_a_post_without_this_pages_csrf_token_and_cookie_is_refused(
    fresh_sandbox: RunningSandbox,
) -> None:
    users = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[:2]
    desktop, before = Desktop(), snapshot(fresh_sandbox)
    async with browser() as page, connect(page_server(fresh_sandbox, desktop, wait=1)) as client:
        first = await client.call_tool("update_user_role", {"user_id": users[0]["id"], "role": "billing"})
        second = await client.call_tool("update_user_role", {"user_id": users[1]["id"], "role": "billing"})
        url_a, url_b = await desktop.next_url(), await desktop.next_url()
        await page.goto(url_b)
        foreign = _CSRF.search(await page.content())
        await page.goto(url_a)
        own = _CSRF.search(await page.content())
        assert own is not None and foreign is not None
        missing = await page.request.post(url_a, form={"decision": "approve"})
        wrong = await page.request.post(url_a, form={"decision": "approve", "csrf": foreign.group(1)})
        async with httpx2.AsyncClient() as cookieless:
            no_cookie = await cookieless.post(url_a, data={"decision": "approve", "csrf": own.group(1)})
        elsewhere = await page.request.post(
            url_a,
            form={"decision": "approve", "csrf": own.group(1)},
            headers={"origin": "https://evil.example"},
        )
    for refused in (missing.status, wrong.status, no_cookie.status_code, elsewhere.status):
        assert refused == 403
    for pending in (first, second):
        assert pending.structured_content["outcome"] == "pending_approval"
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_an_expired_approval_applies_nothing(fresh_sandbox: RunningSandbox) -> None:
    user = _developer(fresh_sandbox)
    desktop, before = Desktop(), snapshot(fresh_sandbox)
    server = page_server(fresh_sandbox, desktop, wait=0.5)
    async with browser() as page, connect(server) as client:
        pending = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
        approval_id = pending.structured_content["approval_id"]
        url = await desktop.next_url()
        await page.goto(url)
        approval = server.pages.book.get(approval_id)
        assert approval is not None
        approval.expires = time.time() - 1  # five minutes later
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
        assert "5 minutes" in await page.inner_text("#outcome")
        status = await client.call_tool("get_approval", {"approval_id": approval_id})
    assert status.structured_content["status"] == "expired"
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_a_change_in_between_shows_the_new_preview_and_applies_nothing(
    fresh_sandbox: RunningSandbox,
) -> None:
    user = _developer(fresh_sandbox)
    desktop = Desktop()
    async with (
        browser() as page,
        connect(page_server(fresh_sandbox, desktop)) as client,
        calling(client, "update_user_role", {"user_id": user["id"], "role": "billing"}) as results,
    ):
        await page.goto(await desktop.next_url())
        assert "developer → billing" in await page.inner_text("#action")
        httpx2.post(
            f"{fresh_sandbox.base_url}/v1/organizations/users/{user['id']}",
            json={"role": "user"},
            headers={"x-api-key": fresh_sandbox.config.admin_key},
        ).raise_for_status()
        await page.click("#approve")
        await page.wait_for_selector("#notice")
        assert "changed since this page was shown" in await page.inner_text("#notice")
        assert "user → billing" in await page.inner_text("#action")
        assert fresh_sandbox.state.users[user["id"]].role == "user", "nothing applied on the old preview"
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
    assert results[0].structured_content["outcome"] == "applied"
    assert fresh_sandbox.state.users[user["id"]].role == "billing"


XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">"\'><b>bold</b>'


@pytest.mark.anyio
async def test_markup_in_api_data_is_shown_as_text(fresh_sandbox: RunningSandbox) -> None:
    keys = raw_all(fresh_sandbox, "/v1/organizations/api_keys", status="active")
    key = next(k for k in keys if k["workspace_id"])
    fresh_sandbox.state.workspaces[key["workspace_id"]].name = "Ops " + XSS
    fresh_sandbox.state.api_keys[key["id"]].name = XSS
    desktop, dialogs = Desktop(), []
    async with browser() as page, connect(page_server(fresh_sandbox, desktop, wait=1)) as client:
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await client.call_tool("archive_workspace", {"workspace_id": key["workspace_id"]})
        await page.goto(await desktop.next_url())
        await page.wait_for_selector("#details")
        assert await page.evaluate("window.pwned") is None
        assert "<script>window.pwned=1</script>" in await page.inner_text("#action")
        assert XSS in await page.inner_text("#details")
        assert await page.locator("main b").count() == 0, "no markup from the data was rendered"
    assert dialogs == []


@pytest.mark.anyio
async def test_the_passkey_factor_needs_an_enrolled_approvers_passkey(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    user = _developer(fresh_sandbox)
    state_dir = tmp_path / "state"
    audit = tmp_path / "audit.jsonl"
    desktop = Desktop()
    server = page_server(
        fresh_sandbox, desktop, approval_factor="passkey", state_dir=state_dir, audit_log=audit
    )
    async with browser() as page, connect(server) as client:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("WebAuthn.enable")
        await cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )
        # No approver yet: approving is refused on the page.
        async with calling(client, "update_user_role", {"user_id": user["id"], "role": "billing"}):
            await page.goto(await desktop.next_url())
            await page.click("#approve")
            await page.wait_for_selector("#passkey_error")
            assert "no approver is enrolled" in await page.inner_text("#passkey_error")
            await page.click("#decline")
            await page.wait_for_selector("#outcome")
        assert fresh_sandbox.state.users[user["id"]].role == "developer"
        # Enroll Ana with this browser's authenticator, as `claude-admin-mcp approvers add ana` does.
        enrollment = Enrollment(Approvers(state_dir / "approvers.json"), "ana")
        links = Desktop()
        async with anyio.create_task_group() as group:
            group.start_soon(run_enrollment, enrollment, links.send.send_nowait)
            await page.goto(await links.next_url())
            await page.click("#create")
            await page.wait_for_selector("#message")
            assert "ana can now approve" in await page.inner_text("#message")
        assert [a.name for a in Approvers(state_dir / "approvers.json").all()] == ["ana"]
        async with calling(client, "update_user_role", {"user_id": user["id"], "role": "billing"}) as results:
            await page.goto(await desktop.next_url())
            await page.click("#approve")
            await page.wait_for_selector("#outcome")
            assert "ana" in await page.inner_text("#approver")
    assert results[0].structured_content["outcome"] == "applied", text_of(results[0])
    confirmed = [line for line in audit_lines(audit) if line["outcome"] == "confirmed"]
    assert len(confirmed) == 1 and confirmed[0]["approver"] == "ana"


class UrlHuman:
    """A client that declares URL-mode elicitation: it hands the URL on, and consents to open it."""

    def __init__(self) -> None:
        self.urls = Desktop()
        self.completed: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        url = getattr(params, "url", None)
        assert url, "the URL channel asks in URL mode"
        await self.urls(url)
        return ElicitResult(action="accept")

    async def messages(self, message: Any) -> None:
        params = getattr(getattr(message, "root", message), "params", None)
        elicitation_id = getattr(params, "elicitation_id", None)
        if isinstance(elicitation_id, str):
            self.completed.append(elicitation_id)


@pytest.mark.anyio
async def test_the_url_channel_in_the_handshake_era(fresh_sandbox: RunningSandbox) -> None:
    user = _developer(fresh_sandbox)
    human = UrlHuman()
    server = make_server(fresh_sandbox, confirm_via=("url", "page"), approval_wait_seconds=30)
    async with (
        browser() as page,
        connect(server, "legacy", elicitation_callback=human, message_handler=human.messages) as client,
        calling(client, "update_user_role", {"user_id": user["id"], "role": "billing"}) as results,
    ):
        await page.goto(await human.urls.next_url())
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
    (result,) = results
    assert result.structured_content["outcome"] == "applied", text_of(result)
    assert human.completed == [result.structured_content["approval_id"]], "elicitation/complete was sent"
    assert fresh_sandbox.state.users[user["id"]].role == "billing"


@pytest.mark.anyio
async def test_the_url_channel_in_the_stateless_era(fresh_sandbox: RunningSandbox) -> None:
    user = _developer(fresh_sandbox)
    arguments = {"user_id": user["id"], "role": "billing"}
    server = make_server(fresh_sandbox, confirm_via=("url", "page"))
    async with browser() as page, connect(server, "auto", elicitation_callback=UrlHuman()) as client:
        with pytest.raises(MCPError) as asked:
            await client.call_tool("update_user_role", arguments)
        assert asked.value.error.code == URL_ELICITATION_REQUIRED
        (elicitation,) = (asked.value.error.data or {})["elicitations"]
        await page.goto(elicitation["url"])
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
        retried = await client.call_tool("update_user_role", arguments)
    assert retried.structured_content["outcome"] == "applied", text_of(retried)
    assert retried.structured_content["approval_id"] == elicitation["elicitationId"]
    assert fresh_sandbox.state.users[user["id"]].role == "billing"


@pytest.mark.anyio
async def test_a_plan_is_shown_whole_and_approved_once_on_the_page(fresh_sandbox: RunningSandbox) -> None:
    developers = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[:12]
    changes = [
        {"tool": "update_user_role", "arguments": {"user_id": u["id"], "role": "user"}} for u in developers
    ]
    desktop = Desktop()
    before = _role_changes(fresh_sandbox)
    async with (
        browser() as page,
        connect(page_server(fresh_sandbox, desktop, toolsets=["all"])) as client,
        calling(client, "apply_changes", {"changes": changes}) as results,
    ):
        await page.goto(await desktop.next_url())
        shown = await page.inner_text("body")
        # Every change on its own line, more than a single write's preview would show.
        assert all(f"{n}. Change the org role of {u['email']}" in shown for n, u in enumerate(developers, 1))
        await page.fill("#confirm", "12 members")
        await page.click("#approve")
        await page.wait_for_selector("#outcome")
        assert "12 of 12 changes applied" in await page.inner_text("#outcome")
    assert results[0].structured_content["outcome"] == "applied", text_of(results[0])
    assert all(fresh_sandbox.state.users[u["id"]].role == "user" for u in developers)
    assert _role_changes(fresh_sandbox) == before + 12, "each change applied once"
