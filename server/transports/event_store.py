"""Recent SSE events, in memory, so an HTTP client whose stream drops can resume it (`Last-Event-ID`).

The SDK ships only the `EventStore` interface, and hands one store to every session, keyed by
stream ids that are JSON-RPC request ids: two sessions both have a stream "3". So events are kept
per session (`scope_per_session` gives each session its own view), and a `Last-Event-ID` from
another session replays nothing.

Bounded twice over, because a server that lives for weeks must not grow: at most `per_stream` events
per stream and `max_streams` streams in all, the least recently written evicted first. Resuming from
an evicted event replays nothing, as with any unknown id.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict, deque
from typing import Any

from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.types import JSONRPCMessage

RETRY_MILLISECONDS = 2_000
"""How long a client should wait before reconnecting a dropped stream (the SSE `retry` field)."""

_Key = tuple[str, StreamId]  # (session id, stream id)


class BoundedEventStore:
    """The events of every session, bounded; sessions reach it through `for_session` views."""

    def __init__(self, per_stream: int = 100, max_streams: int = 256) -> None:
        self.per_stream = per_stream
        self.max_streams = max_streams
        self._streams: OrderedDict[_Key, deque[tuple[str, JSONRPCMessage | None]]] = OrderedDict()
        self._stream_of: dict[str, _Key] = {}

    @property
    def held(self) -> int:
        """Events held, across sessions and streams."""
        return len(self._stream_of)

    def for_session(self, session_id: str) -> SessionEvents:
        return SessionEvents(self, session_id)

    def store(self, key: _Key, message: JSONRPCMessage | None) -> EventId:
        event_id = secrets.token_urlsafe(12)  # unguessable: an id is no handle on anyone else's events
        events = self._streams.get(key)
        if events is None:
            events = self._streams[key] = deque()
            while len(self._streams) > self.max_streams:
                _, evicted = self._streams.popitem(last=False)
                for old_id, _ in evicted:
                    del self._stream_of[old_id]
        else:
            self._streams.move_to_end(key)
        if len(events) == self.per_stream:
            del self._stream_of[events.popleft()[0]]
        events.append((event_id, message))
        self._stream_of[event_id] = key
        return event_id

    def after(
        self, session_id: str, event_id: str
    ) -> tuple[StreamId, list[tuple[str, JSONRPCMessage]]] | None:
        """The stream `event_id` belongs to and its later messages, if it is this session's."""
        key = self._stream_of.get(event_id)
        if key is None or key[0] != session_id:
            return None
        events = list(self._streams[key])
        position = next(i for i, (known, _) in enumerate(events) if known == event_id)
        # A None message marks a priming event: nothing to resend.
        return key[1], [(i, m) for i, m in events[position + 1 :] if m is not None]


class SessionEvents(EventStore):
    """One session's view of the shared store."""

    def __init__(self, store: BoundedEventStore, session_id: str) -> None:
        self.store = store
        self.session_id = session_id

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        return self.store.store((self.session_id, stream_id), message)

    async def replay_events_after(
        self, last_event_id: EventId, send_callback: EventCallback
    ) -> StreamId | None:
        found = self.store.after(self.session_id, last_event_id)
        if found is None:
            return None
        stream_id, later = found
        for event_id, message in later:
            await send_callback(EventMessage(message, event_id))
        return stream_id


def scope_per_session(manager: StreamableHTTPSessionManager, store: BoundedEventStore) -> None:
    """Give each new session its own view of `store` (the SDK would share one store between all).

    This wraps the manager's session admission, a private method: `mcp` is pinned to 2.3, and the
    test suite proves sessions stay apart, so an SDK change cannot slip through unnoticed.
    """
    admit = manager._admit_session

    def admit_with_own_events(requestor: Any) -> Any:
        transport = admit(requestor)
        if transport is not None:
            transport._event_store = store.for_session(transport.mcp_session_id or "")
        return transport

    manager._admit_session = admit_with_own_events  # type: ignore[method-assign]
