"""Plans: many changes previewed as one, approved once, applied in order with an outcome each.

Through a real MCP client against the sandbox; the sandbox's own state and the requests it saw
(an `observe` fault counts them) prove what was sent, and what was not.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.catalog.plan import PLAN_MAX
from claude_admin_mcp.server.confirmation.journal import PlanJournal
from claude_admin_mcp.server.runtime.plans import change_key, plan_key

from .api import raw_all, raw_get
from .conftest import MODES, connect, make_server, text_of
from .processes import BIN, clean_env
from .writes import ScriptedHuman, audit_lines, snapshot

TASKS = ["all"]


class Agrees(ScriptedHuman):
    """Types what the question asks for (the plan's scale, or an email), after `then` runs."""

    def __init__(self, then: Any = None) -> None:
        super().__init__("accept")
        self.then = then

    async def __call__(self, context: Any, params: Any) -> Any:
        schema = params.requested_schema or {}
        if "confirm" in schema.get("properties", {}):
            self.typed = (
                schema["properties"]["confirm"]["description"]
                .removeprefix("Type ")
                .removesuffix(" to confirm")
            )
        if self.then is not None:
            self.then()
        return await super().__call__(context, params)


def _role(user_id: str, role: str) -> dict[str, Any]:
    return {"tool": "update_user_role", "arguments": {"user_id": user_id, "role": role}}


def _people(sandbox: RunningSandbox) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    users = raw_all(sandbox, "/v1/organizations/users")
    developers = [u for u in users if u["role"] == "developer"]
    admin = next(u for u in users if u["role"] == "admin")
    return developers, admin


def _counts(result: Any) -> dict[str, int]:
    content = result.structured_content or {}
    assert "result" in content, text_of(result)
    counts: dict[str, int] = content["result"]["counts"]
    return counts


def _remove(sandbox: RunningSandbox, user_id: str) -> None:
    """Another administrator removes a member (straight through the API)."""
    response = httpx2.delete(
        f"{sandbox.base_url}/v1/organizations/users/{user_id}",
        headers={"x-api-key": sandbox.config.admin_key, "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 200


def _observe(sandbox: RunningSandbox) -> Fault:
    return sandbox.state.faults.add(Fault("observe", times=None))


def _sent(fault: Fault) -> list[str]:
    return [seen for seen in fault.seen if not seen.startswith("GET")]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_one_preview_one_approval_and_the_preview_is_what_applies(
    fresh_sandbox: RunningSandbox, mode: str, tmp_path: Path
) -> None:
    developers, admin = _people(fresh_sandbox)
    a, b, c, already = developers[:4]
    raw_user = f"/v1/organizations/users/{already['id']}"
    assert raw_get(fresh_sandbox, raw_user)["role"] == "developer"
    changes = [
        _role(a["id"], "user"),
        _role(b["id"], "user"),
        _role(already["id"], "developer"),  # already so: listed, not sent
        _role(admin["id"], "user"),  # the API cannot change an admin: listed refused, not sent
        _role(c["id"], "billing"),
    ]
    audit = tmp_path / "audit.jsonl"
    observed = _observe(fresh_sandbox)
    human = Agrees()
    server = make_server(fresh_sandbox, toolsets=TASKS, audit_log=audit)
    async with connect(server, mode, elicitation_callback=human) as client:
        result = await client.call_tool("apply_changes", {"changes": changes})
    assert len(human.messages) == 1, text_of(result)
    message = human.messages[0]
    assert "Plan: 3 changes (3 × Change member's org role); 1 already so; 1 refused" in message, message
    for number, user, role in ((1, a, "user"), (2, b, "user"), (5, c, "billing")):
        assert f"- {number}. Change the org role of {user['email']}" in message and f"→ {role}" in message
    assert f"- 3. already so: {already['email']} already has the role developer" in message
    assert "- 4. refused, not sent: " in message and admin["email"] in message
    assert human.typed == "3 members", "the typed confirmation names the plan's scale"
    # What applied is exactly what the preview said would.
    content = result.structured_content or {}
    assert content["outcome"] == "applied", text_of(result)
    assert content["result"]["counts"] == {"applied": 3, "nothing_to_do": 1, "refused": 1}
    state = fresh_sandbox.state
    assert [state.users[u["id"]].role for u in (a, b, c)] == ["user", "user", "billing"]
    assert state.users[admin["id"]].role == "admin"
    assert sorted(_sent(observed)) == sorted(f"POST /v1/organizations/users/{u['id']}" for u in (a, b, c))
    # One audit line per change, each carrying the plan and its one approval.
    items = [line for line in audit_lines(audit) if line.get("plan_item")]
    assert [line["plan_item"] for line in items] == [1, 2, 3, 4, 5]
    assert [line["outcome"] for line in items] == [
        "applied",
        "applied",
        "nothing_to_do",
        "refused",
        "applied",
    ]
    assert len({line["confirmation_id"] for line in items}) == 1 and items[0]["confirmation_id"]
    assert len({line["plan"] for line in items}) == 1
    assert all(line["request_id"].startswith("req_") for line in items if line["outcome"] == "applied")


@pytest.mark.anyio
@pytest.mark.parametrize("on_failure", ["stop", "continue"])
async def test_a_change_that_fails_stops_the_rest_or_not(
    fresh_sandbox: RunningSandbox, on_failure: str
) -> None:
    developers, _ = _people(fresh_sandbox)
    first, gone, last = developers[:3]

    def someone_removes_them_meanwhile() -> None:
        # Between the preview and the approval, another admin removes a member the plan changes.
        _remove(fresh_sandbox, gone["id"])

    changes = [_role(first["id"], "user"), _role(gone["id"], "user"), _role(last["id"], "user")]
    # The handshake era: the body runs on the answer of the question the preview asked, in one call.
    async with connect(
        make_server(fresh_sandbox, toolsets=TASKS),
        "legacy",
        elicitation_callback=Agrees(someone_removes_them_meanwhile),
    ) as client:
        result = await client.call_tool("apply_changes", {"changes": changes, "on_failure": on_failure})
    content = result.structured_content or {}
    text = text_of(result)
    assert result.is_error
    assert "result" in content, (content, text)
    problems = {p["number"]: p for p in content["result"]["problems"]}
    assert problems[2]["outcome"] == "failed" and "404" in problems[2]["message"], text
    assert problems[2]["request_id"].startswith("req_")
    assert fresh_sandbox.state.users[first["id"]].role == "user"
    if on_failure == "stop":
        assert content["outcome"] == "partial" and problems[3]["outcome"] == "skipped", text
        assert fresh_sandbox.state.users[last["id"]].role == "developer"
    else:
        assert content["outcome"] == "partial" and 3 not in problems, text
        assert fresh_sandbox.state.users[last["id"]].role == "user"
    assert "Applying the same plan again sends only what is left." in text


@pytest.mark.anyio
async def test_a_plan_that_changes_between_rounds_is_asked_again(fresh_sandbox: RunningSandbox) -> None:
    """2026-07-28: the answer comes back in a new request, and the plan is built again. If it differs
    from what the human answered (a member newly matching, a member gone), the human is asked again
    with the new plan: nothing is applied that they were not shown."""
    users = raw_all(fresh_sandbox, "/v1/organizations/users")
    domain = next(u["email"].split("@")[1] for u in users if not u["email"].endswith("@acme.com"))
    newcomer = next(u for u in users if u["email"].endswith("@" + domain) and u["role"] == "user")
    # They already have the role the plan gives: left out, until someone changes their role meanwhile.
    rounds: list[int] = []

    def one_more_matches() -> None:
        rounds.append(1)
        if len(rounds) == 1:
            fresh_sandbox.state.users[newcomer["id"]].role = "developer"

    human = Agrees(one_more_matches)
    async with connect(
        make_server(fresh_sandbox, toolsets=TASKS), "auto", elicitation_callback=human
    ) as client:
        grew = await client.call_tool("change_member_roles", {"email_domain": domain, "role": "user"})
    assert len(human.messages) == 2, human.messages
    assert newcomer["email"] not in human.messages[0] and newcomer["email"] in human.messages[1]
    assert (grew.structured_content or {})["outcome"] == "applied", text_of(grew)
    assert fresh_sandbox.state.users[newcomer["id"]].role == "user"

    developers, _ = _people(fresh_sandbox)
    first, gone = [u for u in developers if not u["email"].endswith("@" + domain)][:2]

    def one_is_removed() -> None:
        if gone["id"] in fresh_sandbox.state.users:
            _remove(fresh_sandbox, gone["id"])

    shrinking = Agrees(one_is_removed)
    async with connect(
        make_server(fresh_sandbox, toolsets=TASKS), "auto", elicitation_callback=shrinking
    ) as client:
        shrank = await client.call_tool(
            "apply_changes", {"changes": [_role(first["id"], "user"), _role(gone["id"], "user")]}
        )
    assert len(shrinking.messages) == 2 and "2. refused, not sent" in shrinking.messages[1]
    assert _counts(shrank) == {"applied": 1, "refused": 1}
    assert fresh_sandbox.state.users[first["id"]].role == "user"


@pytest.mark.anyio
async def test_a_plan_the_allowlist_refuses_is_refused_whole_before_asking(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    allowed, other = raw_all(fresh_sandbox, "/v1/organizations/workspaces")[:2]
    developers, _ = _people(fresh_sandbox)
    outsiders = [
        u
        for u in developers
        if fresh_sandbox.state.member(allowed["id"], u["id"]) is None
        and fresh_sandbox.state.member(other["id"], u["id"]) is None
    ]
    changes = [
        {
            "tool": "add_workspace_member",
            "arguments": {"workspace_id": w["id"], "user_id": u["id"], "workspace_role": "workspace_user"},
        }
        for w, u in ((allowed, outsiders[0]), (other, outsiders[1]))
    ]
    before = snapshot(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    human = Agrees()
    server = make_server(fresh_sandbox, toolsets=TASKS, allow_workspaces=[allowed["id"]], audit_log=audit)
    async with connect(server, elicitation_callback=human) as client:
        result = await client.call_tool("apply_changes", {"changes": changes})
    assert result.is_error and (result.structured_content or {})["outcome"] == "refused"
    assert "may only change" in text_of(result)
    assert human.messages == [], "never put to the human"
    assert snapshot(fresh_sandbox) == before
    assert [line["outcome"] for line in audit_lines(audit)] == ["refused"]


@pytest.mark.anyio
async def test_a_wrong_plan_is_a_clear_error_and_changes_nothing(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    developers, _ = _people(fresh_sandbox)
    user = developers[0]["id"]
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([{"tool": "delete_everything", "arguments": {}}], "'delete_everything' is not a write tool"),
        ([{"tool": "list_users", "arguments": {}}], "'list_users' is not a write tool"),
        ([{"tool": "apply_changes", "arguments": {"changes": []}}], "'apply_changes' is not a write tool"),
        ([_role(user, "overlord")], "change 1 (update_user_role): role:"),
        ([_role("nobody", "user")], "change 1 (update_user_role): user_id:"),
        ([_role(user, "user"), _role(user, "user")], "change 2 repeats change 1"),
        (
            [_role(user, "user"), _role(user, "billing")],
            f"changes 1 and 2 both apply update_user_role to {user}",
        ),
    ]
    before = snapshot(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    human = Agrees()
    async with connect(
        make_server(fresh_sandbox, toolsets=TASKS, audit_log=audit), elicitation_callback=human
    ) as client:
        for changes, said in cases:
            result = await client.call_tool("apply_changes", {"changes": changes})
            assert result.is_error and said in text_of(result), (said, text_of(result))
            assert "Nothing changed" in text_of(result)
        too_many = await client.call_tool(
            "apply_changes", {"changes": [_role(user, "user")] * (PLAN_MAX + 1)}
        )
        assert too_many.is_error and f"at most {PLAN_MAX}" in text_of(too_many)
    assert human.messages == [] and snapshot(fresh_sandbox) == before
    assert {line["outcome"] for line in audit_lines(audit)} == {"invalid"}


@pytest.mark.anyio
async def test_declined_changes_nothing_and_applied_again_sends_only_what_is_left(
    fresh_sandbox: RunningSandbox,
) -> None:
    developers, _ = _people(fresh_sandbox)
    changes = [_role(u["id"], "user") for u in developers[:4]]
    before = snapshot(fresh_sandbox)
    async with connect(
        make_server(fresh_sandbox, toolsets=TASKS), elicitation_callback=ScriptedHuman("decline")
    ) as client:
        declined = await client.call_tool("apply_changes", {"changes": changes})
    assert (declined.structured_content or {})["outcome"] == "declined" and snapshot(fresh_sandbox) == before
    # Someone else changes one of them meanwhile; the plan then applies the other three, once.
    httpx2.post(
        f"{fresh_sandbox.base_url}/v1/organizations/users/{developers[0]['id']}",
        json={"role": "user"},
        headers={"x-api-key": fresh_sandbox.config.admin_key, "anthropic-version": "2023-06-01"},
    ).raise_for_status()
    observed = _observe(fresh_sandbox)
    async with connect(make_server(fresh_sandbox, toolsets=TASKS), elicitation_callback=Agrees()) as client:
        first = await client.call_tool("apply_changes", {"changes": changes})
        again = await client.call_tool("apply_changes", {"changes": changes})
    assert _counts(first) == {"nothing_to_do": 1, "applied": 3}
    assert (again.structured_content or {})["outcome"] == "nothing_to_do", text_of(again)
    assert len(_sent(observed)) == 3


@pytest.mark.anyio
async def test_a_change_in_doubt_is_never_sent_again(fresh_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """A create sent just before the server stopped (the journal says `sending`, no answer): the plan
    applied again lists it as not sent again, and sends the rest."""
    developers, _ = _people(fresh_sandbox)
    sent_before = {"email": "in.doubt@acme.com", "role": "user"}
    invite: dict[str, Any] = {"tool": "create_invite", "arguments": sent_before}
    changes = [invite, _role(developers[0]["id"], "user")]
    arguments = {"changes": changes, "on_failure": "stop"}
    organization = fresh_sandbox.state.organization.id
    journal = PlanJournal(tmp_path / "plans", plan_key("apply_changes", arguments, organization))
    await journal.record(change_key("create_invite", sent_before), "sending")
    observed = _observe(fresh_sandbox)
    human = Agrees()
    server = make_server(fresh_sandbox, toolsets=TASKS, state_dir=tmp_path)
    async with connect(server, elicitation_callback=human) as client:
        result = await client.call_tool("apply_changes", arguments)
    assert "1. not sent again: Invite in.doubt@acme.com" in human.messages[0], human.messages[0]
    assert _counts(result) == {"in_doubt": 1, "applied": 1}
    assert _sent(observed) == [f"POST /v1/organizations/users/{developers[0]['id']}"]
    assert not any(i.email == "in.doubt@acme.com" for i in fresh_sandbox.state.invites.values())
    journal.path.unlink()


@pytest.mark.anyio
async def test_a_plan_through_the_token_channel(fresh_sandbox: RunningSandbox) -> None:
    developers, _ = _people(fresh_sandbox)
    changes = [_role(u["id"], "billing") for u in developers[:2]]
    server = make_server(fresh_sandbox, toolsets=TASKS, confirm_via=("token",))
    async with connect(server) as client:
        first = await client.call_tool("apply_changes", {"changes": changes})
        content = first.structured_content or {}
        assert content["outcome"] == "needs_confirmation"
        assert all(u["email"] in content["preview"] for u in developers[:2])
        other = await client.call_tool(
            "apply_changes", {"changes": changes[:1], "confirmation_token": content["confirmation_token"]}
        )
        assert other.is_error, "a token binds the whole plan"
        applied = await client.call_tool(
            "apply_changes", {"changes": changes, "confirmation_token": content["confirmation_token"]}
        )
    assert (applied.structured_content or {})["outcome"] == "applied", text_of(applied)
    assert all(fresh_sandbox.state.users[u["id"]].role == "billing" for u in developers[:2])


# -- tasks -------------------------------------------------------------------------------------------


def _member_of_two(sandbox: RunningSandbox) -> tuple[dict[str, Any], list[str]]:
    workspaces = [w["id"] for w in raw_all(sandbox, "/v1/organizations/workspaces")]
    for user in raw_all(sandbox, "/v1/organizations/users", roles=["developer"]):
        theirs = [w for w in workspaces if sandbox.state.member(w, user["id"]) is not None]
        keys = raw_all(sandbox, "/v1/organizations/api_keys", created_by_user_id=user["id"], status="active")
        if len(theirs) >= 2 and keys:
            return user, theirs
    raise AssertionError("the seed has a developer in two workspaces with a key")


@pytest.mark.anyio
async def test_offboarding_a_member(fresh_sandbox: RunningSandbox) -> None:
    user, workspaces = _member_of_two(fresh_sandbox)
    keys = raw_all(
        fresh_sandbox, "/v1/organizations/api_keys", created_by_user_id=user["id"], status="active"
    )
    human = Agrees()
    async with connect(make_server(fresh_sandbox, toolsets=TASKS), elicitation_callback=human) as client:
        result = await client.call_tool(
            "offboard_user", {"email": user["email"].upper(), "deactivate_keys": True}
        )
    message = human.messages[0]
    assert message.splitlines()[1].startswith(f"Offboard {user['email']}")
    assert f"Sign {user['email']}" in message and "from the organization" in message
    assert message.count("from workspace") == len(workspaces) and all(k["name"] in message for k in keys)
    assert human.typed == user["email"]
    assert (result.structured_content or {})["outcome"] == "applied", text_of(result)
    state = fresh_sandbox.state
    assert user["id"] not in state.users
    assert all(state.member(w, user["id"]) is None for w in workspaces)
    assert all(
        raw_get(fresh_sandbox, f"/v1/organizations/api_keys/{k['id']}")["status"] == "inactive" for k in keys
    )


@pytest.mark.anyio
async def test_everyone_at_a_domain_gets_one_role(fresh_sandbox: RunningSandbox) -> None:
    users = raw_all(fresh_sandbox, "/v1/organizations/users")
    domain = next(u["email"].split("@")[1] for u in users if not u["email"].endswith("@acme.com"))
    theirs = [u for u in users if u["email"].endswith("@" + domain)]
    changing = [u for u in theirs if u["role"] not in ("user", "admin", "owner", "primary_owner")]
    assert changing
    human = Agrees()
    async with connect(make_server(fresh_sandbox, toolsets=TASKS), elicitation_callback=human) as client:
        result = await client.call_tool("change_member_roles", {"email_domain": domain, "role": "user"})
    assert f"Give the members at {domain} the org role user: {len(changing)} change" in human.messages[0]
    assert human.typed == f"{len(changing)} member{'s' if len(changing) != 1 else ''}"
    assert (result.structured_content or {})["outcome"] == "applied", text_of(result)
    after = {u["id"]: u["role"] for u in raw_all(fresh_sandbox, "/v1/organizations/users")}
    assert all(after[u["id"]] == "user" for u in changing)
    assert all(after[u["id"]] == u["role"] for u in users if u not in changing)


@pytest.mark.anyio
async def test_unused_keys_old_invites_and_new_members(fresh_sandbox: RunningSandbox) -> None:
    workspace = raw_all(fresh_sandbox, "/v1/organizations/workspaces")[0]
    developers, _ = _people(fresh_sandbox)
    joiners = [u for u in developers if fresh_sandbox.state.member(workspace["id"], u["id"]) is None][:3]
    pending = raw_all(fresh_sandbox, "/v1/organizations/invites", statuses=["pending"])
    async with connect(make_server(fresh_sandbox, toolsets=TASKS), elicitation_callback=Agrees()) as client:
        listed = await client.call_tool("list_api_keys", {"unused_days": 30, "status": "active"})
        unused = {item["id"] for item in (listed.structured_content or {})["items"]}
        keys = await client.call_tool("deactivate_unused_keys", {"unused_days": 30})
        invites = await client.call_tool("withdraw_old_invites", {"older_than_days": 0})
        added = await client.call_tool(
            "add_workspace_members",
            {
                "workspace_id": workspace["id"],
                "emails": [u["email"] for u in joiners] + ["stranger@elsewhere.example"],
                "workspace_role": "workspace_developer",
            },
        )
    assert unused and _counts(keys) == {"applied": len(unused)}
    assert all(
        raw_get(fresh_sandbox, f"/v1/organizations/api_keys/{k}")["status"] == "inactive" for k in unused
    )
    assert _counts(invites) == {"applied": len(pending)}
    assert raw_all(fresh_sandbox, "/v1/organizations/invites", statuses=["pending"]) == []
    assert (added.structured_content or {}).get("outcome") == "applied", text_of(added)
    assert all(fresh_sandbox.state.member(workspace["id"], u["id"]) is not None for u in joiners)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_fifty_role_changes_read_the_members_once(fresh_sandbox: RunningSandbox, mode: str) -> None:
    """Previews reuse what the call read: one walk of the members, not fifty reads (per round: the
    2026-07-28 era builds the plan again when the answer comes back)."""
    users = [
        u for u in raw_all(fresh_sandbox, "/v1/organizations/users") if u["role"] in ("developer", "user")
    ]
    changes = [_role(u["id"], "billing") for u in users[:50]]
    observed = fresh_sandbox.state.faults.add(Fault("observe", times=None))
    async with connect(
        make_server(fresh_sandbox, toolsets=TASKS), mode, elicitation_callback=Agrees()
    ) as client:
        result = await client.call_tool("apply_changes", {"changes": changes})
    assert _counts(result) == {"applied": len(changes)}
    walks = [seen for seen in observed.seen if seen.startswith("GET /v1/organizations/users")]
    assert len(walks) == (1 if mode == "legacy" else 2), walks
    reads = [seen for seen in observed.seen if seen.startswith("GET")]
    assert len(reads) == len(walks) + 1, reads  # and the organization, once (audit lines name it)
    assert len(_sent(observed)) == len(changes)


def test_plan_keys_ignore_how_failures_are_handled() -> None:
    changes = {"changes": [_role("user_1", "user")]}
    assert plan_key("apply_changes", {**changes, "on_failure": "stop"}) == plan_key(
        "apply_changes", {**changes, "on_failure": "continue"}
    )
    assert plan_key("apply_changes", changes) != plan_key("offboard_user", changes)


def test_the_cli_says_a_plan_applied_in_part_with_its_own_exit_status(fresh_sandbox: RunningSandbox) -> None:
    developers, _ = _people(fresh_sandbox)
    broken = developers[1]["id"]
    fresh_sandbox.state.faults.add(
        Fault("status", status=500, method="POST", path=f"/users/{broken}$", times=None)
    )
    env = clean_env(
        ANTHROPIC_BASE_URL=fresh_sandbox.base_url,
        ANTHROPIC_ADMIN_KEY=fresh_sandbox.config.admin_key,
        CLAUDE_ADMIN_MCP_CONFIRM_VIA="token",
        CLAUDE_ADMIN_MCP_MAX_RETRIES="0",
    )
    arguments = {"changes": [_role(u["id"], "user") for u in developers[:3]], "on_failure": "continue"}

    def call(args: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        command = [str(BIN), "call", "apply_changes", "--toolsets", "tasks", "--json", json.dumps(args)]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    asked = call(arguments)
    assert asked.returncode == 3, asked.stdout + asked.stderr
    token = re.search(r'confirmation_token="([^"]+)"', asked.stdout)
    assert token is not None, asked.stdout
    done = call({**arguments, "confirmation_token": token.group(1)})
    assert done.returncode == 6, done.stdout + done.stderr
    assert "2 of 3 changes applied" in done.stdout and "2. failed:" in done.stdout
    assert fresh_sandbox.state.users[broken].role == "developer"
