"""A client whose SSE stream drops resumes it with `Last-Event-ID` and loses nothing; the event store
that makes this possible stays bounded however long the server runs."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
import pytest
from mcp.types import JSONRPCNotification

from claude_admin_mcp.server.transports.event_store import RETRY_MILLISECONDS, BoundedEventStore

from .processes import clean_env, free_port, running

VERSION = "2025-11-25"
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


def _rpc(method: str, params: dict[str, Any] | None = None, id: int | None = None) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    if id is not None:
        message["id"] = id
    return json.dumps(message).encode()


def _events(lines: list[str]) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in lines:
        if not line:
            if current:
                events.append(current)
            current = {}
            continue
        field, _, value = line.partition(":")
        current[field] = current.get(field, "") + value.removeprefix(" ")
    return events + ([current] if current else [])


class _Session:
    """A legacy-era MCP session spoken by hand, to drop and resume streams at will."""

    def __init__(self, url: str) -> None:
        self.url = url
        init = {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
        opened = httpx2.post(url, content=_rpc("initialize", init, id=1), headers=HEADERS)
        self.headers = {
            **HEADERS,
            "mcp-session-id": opened.headers["mcp-session-id"],
            "mcp-protocol-version": VERSION,
        }
        assert (
            httpx2.post(url, content=_rpc("notifications/initialized"), headers=self.headers).status_code
            == 202
        )

    def call_and_drop(self, request_id: int, tool: str, arguments: dict[str, Any]) -> dict[str, str]:
        """Call a tool, keep only the stream's opening (priming) event, and hang up."""
        call = _rpc("tools/call", {"name": tool, "arguments": arguments}, id=request_id)
        with httpx2.stream("POST", self.url, content=call, headers=self.headers) as response:
            lines = []
            for line in response.iter_lines():
                lines.append(line)
                if line == "" and any(item.startswith("id:") for item in lines):
                    break
        (priming,) = _events(lines)
        return priming

    def resume(self, last_event_id: str, request_id: int) -> list[dict[str, str]]:
        headers = {**self.headers, "accept": "text/event-stream", "last-event-id": last_event_id}
        lines = []
        with httpx2.stream("GET", self.url, headers=headers, timeout=10) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                lines.append(line)
                if line == "" and f'"id":{request_id}' in "".join(lines).replace(" ", ""):
                    break
        return [event for event in _events(lines) if event.get("data")]


@pytest.mark.e2e
def test_dropped_streams_resume_with_last_event_id_each_in_its_own_session() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    args = ["--sandbox", "--sandbox-users", "12", "--transport", "http", "--port", str(port)]
    with running(args, url, clean_env()):
        alice, bob = _Session(url), _Session(url)
        # Both sessions use request id 7: the SDK's stream ids would collide without per-session events.
        dropped_a = alice.call_and_drop(7, "list_users", {"limit": 4})
        dropped_b = bob.call_and_drop(7, "list_workspaces", {})
        assert dropped_a["data"] == "" and dropped_a["retry"] == str(RETRY_MILLISECONDS)
        time.sleep(0.5)  # the answers are produced while nobody listens

        # Someone else's event id is no handle on their answer: nothing is replayed.
        headers = {**bob.headers, "accept": "text/event-stream", "last-event-id": dropped_a["id"]}
        with httpx2.stream("GET", url, headers=headers, timeout=10) as stolen:
            assert '"result"' not in stolen.read().decode()
        (replayed_a,) = alice.resume(dropped_a["id"], 7)
        (replayed_b,) = bob.resume(dropped_b["id"], 7)
    answer_a, answer_b = json.loads(replayed_a["data"]), json.loads(replayed_b["data"])
    assert answer_a["id"] == 7 and answer_a["result"]["structuredContent"]["count"] == 4
    assert "user_" in json.dumps(answer_a) and "wrkspc_" not in json.dumps(answer_a)
    assert answer_b["id"] == 7 and "wrkspc_" in json.dumps(answer_b) and "user_0" not in json.dumps(answer_b)


def _note(n: int) -> Any:
    return JSONRPCNotification(jsonrpc="2.0", method="notifications/message", params={"n": n})


@pytest.mark.anyio
async def test_the_event_store_replays_in_order_per_session_and_stays_bounded() -> None:
    store = BoundedEventStore(per_stream=3, max_streams=2)
    alice, bob = store.for_session("alice"), store.for_session("bob")
    replayed: list[tuple[str | None, Any]] = []

    async def send(event: Any) -> None:
        replayed.append((event.event_id, event.message.params["n"]))

    priming = await alice.store_event("7", None)
    ids = [await alice.store_event("7", _note(n)) for n in range(5)]
    assert store.held == 3, "three per stream: the priming event and the first two are gone"
    assert await alice.replay_events_after(priming, send) is None, "an evicted id replays nothing"
    assert await bob.replay_events_after(ids[2], send) is None, "another session's id replays nothing"
    assert await alice.replay_events_after(ids[2], send) == "7"
    assert replayed == [(ids[3], 3), (ids[4], 4)]

    await bob.store_event("7", _note(10))  # the same stream id in another session is another stream
    assert store.held == 4
    await bob.store_event("8", _note(20))  # a third stream evicts the least recently written
    assert store.held == 2 and await alice.replay_events_after(ids[3], send) is None
    assert await alice.replay_events_after("not-an-id", send) is None

    for n in range(20_000):  # a long-lived server with many sessions
        await store.for_session(f"s{n % 50}").store_event(str(n % 700), _note(n))
    assert store.held <= 3 * 2
