"""A client whose SSE stream drops resumes it with `Last-Event-ID` and loses nothing; the event store
that makes this possible stays bounded however long the server runs."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
import pytest
from mcp.types import JSONRPCNotification

from claude_admin_mcp.server.event_store import RETRY_MILLISECONDS, BoundedEventStore

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
    events, current = [], {}
    for line in lines:
        if not line:
            if current:
                events.append(current)
            current = {}
            continue
        field, _, value = line.partition(":")
        current[field] = current.get(field, "") + value.removeprefix(" ")
    return events + ([current] if current else [])


@pytest.mark.e2e
def test_a_dropped_tool_call_stream_is_resumed_with_last_event_id() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with running(
        ["--sandbox", "--sandbox-users", "12", "--transport", "http", "--port", str(port)], url, clean_env()
    ):
        init = {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
        opened = httpx2.post(url, content=_rpc("initialize", init, id=1), headers=HEADERS)
        session = {
            **HEADERS,
            "mcp-session-id": opened.headers["mcp-session-id"],
            "mcp-protocol-version": VERSION,
        }
        assert httpx2.post(url, content=_rpc("notifications/initialized"), headers=session).status_code == 202

        # The call's stream opens with a priming event (an id and a retry hint); the client drops it there.
        call = _rpc("tools/call", {"name": "list_users", "arguments": {"limit": 4}}, id=7)
        with httpx2.stream("POST", url, content=call, headers=session) as response:
            lines = []
            for line in response.iter_lines():
                lines.append(line)
                if line == "" and any(item.startswith("id:") for item in lines):
                    break
        (priming,) = _events(lines)
        assert priming["data"] == "" and priming["retry"] == str(RETRY_MILLISECONDS)
        time.sleep(0.5)  # the answer is produced while nobody listens

        resume = {**session, "accept": "text/event-stream", "last-event-id": priming["id"]}
        with httpx2.stream("GET", url, headers=resume, timeout=10) as response:
            assert response.status_code == 200
            lines = []
            for line in response.iter_lines():
                lines.append(line)
                if line == "" and '"id":7' in "".join(lines).replace(" ", ""):
                    break
    (replayed,) = [event for event in _events(lines) if event.get("data")]
    answer = json.loads(replayed["data"])
    assert answer["id"] == 7 and answer["result"]["structuredContent"]["count"] == 4
    assert int(replayed["id"]) > int(priming["id"])


def _note(n: int) -> Any:
    return JSONRPCNotification(jsonrpc="2.0", method="notifications/message", params={"n": n})


@pytest.mark.anyio
async def test_the_event_store_replays_in_order_and_stays_bounded() -> None:
    store = BoundedEventStore(per_stream=3, max_streams=2)
    replayed: list[tuple[str | None, Any]] = []

    async def send(event: Any) -> None:
        replayed.append((event.event_id, event.message.params["n"]))

    priming = await store.store_event("a", None)
    ids = [await store.store_event("a", _note(n)) for n in range(5)]
    assert store.held == 3, "three per stream: the priming event and the first two are gone"
    assert await store.replay_events_after(priming, send) is None, "an evicted id replays nothing"
    assert await store.replay_events_after(ids[2], send) == "a"
    assert replayed == [(ids[3], 3), (ids[4], 4)]

    await store.store_event("b", _note(10))
    await store.store_event("c", _note(20))  # a third stream evicts the least recently written, "a"
    assert store.held == 2 and await store.replay_events_after(ids[3], send) is None
    assert await store.replay_events_after("not-a-number", send) is None

    for n in range(20_000):  # a long-lived server
        await store.store_event(f"s{n % 700}", _note(n))
    assert store.held <= 3 * 2
