"""The seeded organization (deterministic, realistic, fast at 100,000 users), ids, and the runner."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import httpx2
import pytest

from claude_admin_mcp.sandbox.ids import ALPHABET, IdGenerator, id_millis, is_id
from claude_admin_mcp.sandbox.models import to_ts
from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, build_state, start_sandbox

from ._sandbox_helpers import NOW


def test_same_seed_and_now_give_the_same_organization() -> None:
    first = build_state(SandboxConfig(users=300, seed=7, now=NOW)).snapshot()
    second = build_state(SandboxConfig(users=300, seed=7, now=NOW)).snapshot()
    assert first == second
    other_seed = build_state(SandboxConfig(users=300, seed=8, now=NOW)).snapshot()
    assert other_seed["users"] != first["users"]
    assert other_seed["organization"] != first["organization"]


def test_ids_sort_in_creation_order() -> None:
    state = build_state(SandboxConfig(users=500, now=NOW))
    checks = [
        ("user_", [(u.id, u.added_at) for u in state.users.values()]),
        ("invite_", [(i.id, i.invited_at) for i in state.invites.values()]),
        ("wrkspc_", [(w.id, w.created_at) for w in state.workspaces.values()]),
        ("apikey_", [(k.id, k.created_at) for k in state.api_keys.values()]),
    ]
    for prefix, pairs in checks:
        ids = [pair[0] for pair in pairs]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert all(is_id(i, prefix) for i in ids)
        assert all(len(i) == len(prefix) + 24 and i[len(prefix) : len(prefix) + 2] == "01" for i in ids)
        times = [pair[1] for pair in pairs]
        assert times == sorted(times), "creation times ascend with the ids"
        assert all(id_millis(i) == t * 1000 for i, t in pairs), "the id embeds its creation time"
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", state.organization.id
    )


def test_id_generator_is_monotonic_even_when_the_clock_goes_back() -> None:
    generator = IdGenerator(seed=3)
    made = [generator.new("user_", ms) for ms in (5_000, 9_000, 1_000, 9_000, 9_000)]
    assert made == sorted(made) and len(set(made)) == 5
    assert list(ALPHABET) == sorted(ALPHABET)


def test_demo_organization_is_realistic() -> None:
    state = build_state(SandboxConfig(users=240, now=NOW))
    users = list(state.users.values())
    roles = Counter(u.role for u in users)
    assert roles["admin"] >= 2
    assert {"billing", "developer", "user", "claude_code_user"} <= set(roles)
    assert roles["developer"] > roles["billing"]
    domains = Counter(u.email.split("@")[1] for u in users)
    assert domains.most_common(1)[0][0] == "acme.com" and 2 <= len(domains) <= 3
    assert len({u.email for u in users}) == len(users)
    start, anchor = to_ts(NOW) - 365 * 86400, to_ts(NOW)
    assert all(start <= u.added_at < anchor for u in users)
    assert state.users[state.primary_owner_id].role == "admin"
    assert state.users[state.admin_key_user_id].role == "admin"

    named = [w for w in state.workspaces.values() if not w.is_default]
    archived = [w for w in named if w.archived_at is not None]
    assert len(named) - len(archived) == 240 // 8 and 1 <= len(archived) <= 2
    assert state.workspaces[state.default_workspace_id].name == "Default"
    assert len({w.name for w in named}) == len(named)

    for user in users:
        joined = state.workspaces_of(user.id)
        assert (len(joined) == 0) if user.role == "admin" else (1 <= len(joined) <= 3)

    now = state.now_ts()
    keys = list(state.api_keys.values())
    assert 0.4 * roles["developer"] <= len(keys) <= 0.8 * roles["developer"]
    assert {k.status(now) for k in keys} == {"active", "inactive", "archived", "expired"}
    assert any(k.workspace_id == state.default_workspace_id for k in keys)
    assert all(k.created_by_user_id in state.users for k in keys)
    assert all(k.created_at >= state.users[str(k.created_by_user_id)].added_at for k in keys)
    archived_ids = {w.id for w in archived}
    assert all(k.status(now) != "active" for k in keys if k.workspace_id in archived_ids)

    invites = list(state.invites.values())
    assert len(invites) >= 240 // 15 - 3
    assert {i.status(now) for i in invites} == {"pending", "accepted", "expired"}
    for invite in invites:
        assert invite.expires_at - invite.invited_at == 21 * 86400
        if invite.status(now) == "pending":
            assert state.user_with_exact_email(invite.email) is None


def test_workspaces_option_overrides_the_count() -> None:
    state = build_state(SandboxConfig(users=60, workspaces=200, now=NOW))
    assert state.active_workspace_count() == 200


def test_seeding_100k_users_is_fast() -> None:
    started = time.perf_counter()
    state = build_state(SandboxConfig(users=100_000, now=NOW))
    elapsed = time.perf_counter() - started
    members = sum(len(m) for m in state.members.values())
    print(
        f"\nseeded 100,000 users, {len(state.api_keys):,} API keys, {members:,} memberships, "
        f"{len(state.invites):,} invites in {elapsed:.2f} s"
    )
    assert len(state.users) == 100_000
    assert elapsed < 10, "generous bound; it takes about a second"


def test_start_sandbox_on_a_given_port_and_stop_twice() -> None:
    with start_sandbox(SandboxConfig(users=5, now=NOW)) as probe:
        port = int(probe.base_url.rsplit(":", 1)[1])
    # The port is free again once stopped: a second sandbox can bind it.
    sandbox = start_sandbox(SandboxConfig(users=5, now=NOW), port=port)
    try:
        assert sandbox.base_url == f"http://127.0.0.1:{port}"
        response = httpx2.get(
            sandbox.base_url + "/v1/organizations/me", headers={"x-api-key": sandbox.config.admin_key}
        )
        assert response.status_code == 200
        assert sandbox.config.admin_key not in repr(sandbox)
    finally:
        sandbox.stop()
    sandbox.stop()
    with pytest.raises(httpx2.TransportError):
        httpx2.get(sandbox.base_url + "/v1/organizations/me", timeout=2)


def test_reset_serves_a_fresh_organization(sandbox: RunningSandbox) -> None:
    headers = {"x-api-key": sandbox.config.admin_key}
    user_id = next(u.id for u in sandbox.state.users.values() if u.role == "user")
    url = f"{sandbox.base_url}/v1/organizations/users/{user_id}"
    assert httpx2.post(url, json={"role": "developer"}, headers=headers).json()["role"] == "developer"
    old = sandbox.state
    fresh = sandbox.reset()
    assert fresh is sandbox.state and fresh is not old
    assert httpx2.get(url, headers=headers).json()["role"] == "user"


def test_default_anchor_is_today() -> None:
    state = build_state(SandboxConfig(users=3))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert all(u.added_at < to_ts(today) for u in state.users.values())
    assert abs(state.now_ts() - time.time()) < 5, "with no anchor the clock is real time"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_serve_forever_prints_one_line_and_stops_on_sigterm() -> None:
    code = (
        "from claude_admin_mcp.sandbox.runner import SandboxConfig, serve_forever\n"
        "config = SandboxConfig(users=10, admin_key='sk-ant-admin01-sandbox-cli-test')\n"
        "serve_forever(config, '127.0.0.1', 0)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"export ANTHROPIC_BASE_URL=(\S+) ANTHROPIC_ADMIN_KEY=(\S+)", line)
        assert match, line
        base_url, key = match.groups()
        assert key == "sk-ant-admin01-sandbox-cli-test"
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx2.get(base_url + "/v1/organizations/me", headers={"x-api-key": key})
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.json()["name"] == "Acme Corp (Sandbox)"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert stdout == "", "nothing on stdout: an MCP server on stdio owns it"
