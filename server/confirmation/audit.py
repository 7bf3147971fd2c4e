"""The audit log: one JSON line per write event, each carrying the SHA-256 of the line before it.

Editing or deleting a line breaks the chain at the next one, which `verify` (and
`claude-admin-mcp verify-audit PATH`) reports. Appends take an exclusive file lock, so several
server processes can share one log. Nothing secret is written: arguments pass through `redact`,
and a confirmation token is recorded only by its nonce.

Outcomes: invalid, refused, nothing_to_do, pending (a confirmation token was issued), declined,
cancelled, mismatch (the typed confirmation was wrong), token_rejected, confirmed (a human said
yes; the request is about to be sent), applied, failed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import anyio

from ..redaction import redact

GENESIS = "0" * 64
"""The `prev` of the first line."""
_CHUNK = 8192


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _reverse_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The file's lines, last first, reading backwards in chunks (the log only grows)."""
    handle.seek(0, os.SEEK_END)
    position = handle.tell()
    tail = b""
    while position > 0:
        step = min(_CHUNK, position)
        position -= step
        handle.seek(position)
        chunk = handle.read(step) + tail
        lines = chunk.split(b"\n")
        tail = lines[0]
        for line in reversed(lines[1:]):
            if line.strip():
                yield line
    if tail.strip():
        yield tail


class AuditLog:
    """Appends chained lines to `path` (created with its folders, mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _open(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "r+b")

    def _append_locked(self, handle: BinaryIO, entry: dict[str, Any]) -> dict[str, Any]:
        last = next(_reverse_lines(handle), None)
        record = {"time": _utc_now(), **entry, "prev": line_hash(last) if last is not None else GENESIS}
        line = redact(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str))
        handle.seek(0, os.SEEK_END)
        handle.write(line.encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
        return record

    def append_sync(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock, self._open() as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            return self._append_locked(handle, entry)

    async def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(self.append_sync, entry)

    def claim_sync(self, confirmation_id: str, entry: dict[str, Any], window_seconds: float) -> bool:
        """Append `entry` (a `confirmed` line carrying `confirmation_id`) unless a `confirmed` line of
        the last `window_seconds` already carries it: the check and the write are one locked step, so
        one confirmation applies once, whatever the processes."""
        cutoff = datetime.now(UTC).timestamp() - window_seconds
        with self._lock, self._open() as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            for line in _reverse_lines(handle):
                try:
                    record = json.loads(line)
                    when = datetime.fromisoformat(
                        str(record.get("time", "")).replace("Z", "+00:00")
                    ).timestamp()
                except ValueError:
                    break
                if when < cutoff:
                    break
                if record.get("confirmation_id") == confirmation_id and record.get("outcome") == "confirmed":
                    return False
            self._append_locked(handle, {**entry, "confirmation_id": confirmation_id})
            return True

    async def claim(self, confirmation_id: str, entry: dict[str, Any], window_seconds: float) -> bool:
        return await anyio.to_thread.run_sync(self.claim_sync, confirmation_id, entry, window_seconds)


@dataclass(frozen=True)
class Verification:
    lines: int
    problems: list[str]
    head: str
    """Hash of the last line: record it elsewhere to detect a truncated log later."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path) -> Verification:
    """Check every line parses and chains to the one before it."""
    problems: list[str] = []
    previous = GENESIS
    count = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\n")
            if not line.strip():
                problems.append(f"line {number}: empty line")
                continue
            count += 1
            try:
                record = json.loads(line)
            except ValueError:
                problems.append(f"line {number}: not JSON (edited?)")
                previous = line_hash(line)
                continue
            if record.get("prev") != previous:
                problems.append(
                    f"line {number}: chain broken (line {number - 1} was edited, or a line before it deleted)"
                )
            previous = line_hash(line)
    return Verification(count, problems, previous)
