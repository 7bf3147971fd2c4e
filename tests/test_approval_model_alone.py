"""The model alone cannot approve: a client without elicitation (as Claude Desktop is) calls every
write tool, replays everything it was given, reads every approval's outcome, GETs every link it was
handed and POSTs to it as a web-fetching agent could. Nothing changes, by the sandbox's own account
(raw HTTP and its state), and the audit log records no confirmation.

With the passkey factor even a client that keeps the page's cookie and posts its form back with the
CSRF token and the typed name (an agent with a shell) approves nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox

from .api import raw_all
from .conftest import connect, make_server, text_of
from .wif import CONSOLE_TOKEN
from .writes import audit_lines, every_plan, every_write, snapshot

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_TYPED = re.compile(r'<strong class="typed">([^<]*)</strong>')


def _raw_view(sandbox: RunningSandbox) -> dict[str, Any]:
    """The organization as the API shows it, read with the admin key over plain HTTP."""
    view: dict[str, Any] = {
        path: raw_all(sandbox, f"/v1/organizations/{path}")
        for path in ("users", "invites", "workspaces", "api_keys")
    }
    view["members"] = {
        w["id"]: raw_all(sandbox, f"/v1/organizations/workspaces/{w['id']}/members")
        for w in view["workspaces"]
    }
    return view


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@pytest.mark.anyio
@pytest.mark.parametrize("factor", ["none", "passkey"])
async def test_a_model_alone_changes_nothing(
    fresh_sandbox: RunningSandbox, tmp_path: Path, factor: str
) -> None:
    fresh_sandbox.state.console_token = CONSOLE_TOKEN
    writes = every_write(fresh_sandbox, True, set())
    writes += every_plan(fresh_sandbox, writes)
    before, raw_before = snapshot(fresh_sandbox), _raw_view(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    server = make_server(
        fresh_sandbox, oauth=True, toolsets=("all",), audit_log=audit, approval_factor=factor
    )
    given: list[str] = []
    outcomes: dict[str, str] = {}
    async with connect(server) as client:  # declares no elicitation
        for name, arguments in writes:
            first = await client.call_tool(name, arguments)
            content = first.structured_content or {}
            outcomes[name] = str(content.get("outcome"))
            given += [*_strings(content), text_of(first)]
            again = await client.call_tool(name, arguments)  # the same call: reports, never applies
            assert (again.structured_content or {}).get("outcome") != "applied", name
            given += _strings(again.structured_content or {})
        assert set(outcomes.values()) <= {"pending_approval", "refused", "nothing_to_do"}, outcomes
        assert list(outcomes.values()).count("pending_approval") >= len(writes) // 2, outcomes
        approval_ids = sorted({s for s in given if re.fullmatch(r"[A-Za-z0-9_-]{32}", s)})
        urls = sorted(
            {u for s in given for u in re.findall(r"http://localhost:\d+/approve/[A-Za-z0-9_-]+", s)}
        )
        assert approval_ids and urls
        for approval_id in approval_ids:
            status = await client.call_tool("get_approval", {"approval_id": approval_id})
            assert (status.structured_content or {}).get("status") in (None, "pending"), text_of(status)
        # Everything it holds, as a confirmation token, as an approval, as any argument.
        for name, arguments in writes:
            for value in approval_ids[:3] + urls[:2]:
                replay = await client.call_tool(name, {**arguments, "confirmation_token": value})
                assert replay.is_error, name
                for extra in ("approval_id", "approve", "approved"):
                    forged = await client.call_tool(name, {**arguments, extra: value})
                    assert forged.is_error, (name, extra)
        # The links, as a web-fetching agent would use them (the server still serving its pages).
        async with httpx2.AsyncClient(timeout=10) as http:
            for url in urls:
                page = await http.get(url)  # a web-fetch tool's GET
                assert page.status_code == 200 and "Approve" in page.text
                naive = await http.post(url, data={"decision": "approve"})
                assert naive.status_code == 403, naive.text
                csrf = _CSRF.search(page.text)
                assert csrf is not None
                fetched = httpx2.AsyncClient(timeout=10)  # no cookie from the page: a fetch tool keeps none
                async with fetched:
                    scraped = await fetched.post(url, data={"decision": "approve", "csrf": csrf.group(1)})
                assert scraped.status_code == 403, scraped.text
        if factor == "passkey":
            # A full HTTP client: the page's cookie, its CSRF token, the typed name. No passkey, no change.
            for url in urls:
                async with httpx2.AsyncClient(timeout=10) as browserless:
                    page = await browserless.get(url)
                    csrf, typed = _CSRF.search(page.text), _TYPED.search(page.text)
                    assert csrf is not None
                    form = {
                        "decision": "approve",
                        "csrf": csrf.group(1),
                        "confirm": typed.group(1) if typed else "",
                    }
                    posted = await browserless.post(url, data=form)
                    assert posted.status_code == 200 and "passkey" in posted.text, posted.text[:300]
    assert snapshot(fresh_sandbox) == before, "nothing changed in the sandbox"
    assert _raw_view(fresh_sandbox) == raw_before, "nothing changed, by the API's own account"
    recorded = {line["outcome"] for line in audit_lines(audit)}
    assert not recorded & {"confirmed", "applied"}, recorded
