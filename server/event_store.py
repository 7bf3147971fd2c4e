"""Recent SSE events, in memory, so an HTTP client whose stream drops can resume it (`Last-Event-ID`).

The SDK ships only the `EventStore` interface. This one is bounded twice over, because a server
that lives for weeks must not grow: at most `per_stream` events per stream, and at most
`max_streams` streams, the least recently written evicted first. A client that resumes from an
evicted event gets nothing replayed, as with any unknown id.
"""

from __future__ import annotations

from collections import OrderedDict, deque

from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.types import JSONRPCMessage

RETRY_MILLISECONDS = 2_000
"""How long a client should wait before reconnecting a dropped stream (the SSE `retry` field)."""


class BoundedEventStore(EventStore):
    def __init__(self, per_stream: int = 100, max_streams: int = 256) -> None:
        self.per_stream = per_stream
        self.max_streams = max_streams
        self._streams: OrderedDict[StreamId, deque[tuple[int, JSONRPCMessage | None]]] = OrderedDict()
        self._stream_of: dict[int, StreamId] = {}
        self._next = 0

    @property
    def held(self) -> int:
        """Events held, across streams. (Not `__len__`: the SDK tests the store for truth.)"""
        return len(self._stream_of)

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        self._next += 1
        events = self._streams.get(stream_id)
        if events is None:
            events = self._streams[stream_id] = deque()
            while len(self._streams) > self.max_streams:
                _, evicted = self._streams.popitem(last=False)
                for number, _ in evicted:
                    del self._stream_of[number]
        else:
            self._streams.move_to_end(stream_id)
        if len(events) == self.per_stream:
            del self._stream_of[events.popleft()[0]]
        events.append((self._next, message))
        self._stream_of[self._next] = stream_id
        return str(self._next)

    async def replay_events_after(
        self, last_event_id: EventId, send_callback: EventCallback
    ) -> StreamId | None:
        try:
            after = int(last_event_id)
        except ValueError:
            return None
        stream_id = self._stream_of.get(after)
        if stream_id is None:
            return None
        for number, message in list(self._streams[stream_id]):
            if number > after and message is not None:  # None marks a priming event: nothing to resend
                await send_callback(EventMessage(message, str(number)))
        return stream_id
