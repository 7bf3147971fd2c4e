"""The audit log: one JSON line per write event, each carrying the SHA-256 of the line before it.

Editing or deleting a line breaks the chain at the next one, which `verify` (and
`claude-admin-mcp verify-audit PATH`) reports. The chain alone cannot show lines removed from the
end, or a chain rewritten whole, so the head (line count and last line's hash) is kept apart, in
the state folder, under an HMAC, rewritten atomically after every line. Appends take an exclusive
file lock, so several server processes can share one log. Nothing secret is written: arguments
pass through `redact`, and a confirmation is recorded only by its id.

Outcomes: invalid, refused, nothing_to_do, pending (a confirmation token was issued), declined,
cancelled, mismatch (the typed confirmation was wrong), token_rejected, confirmed (a human said
yes; the request is about to be sent), applied, failed.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import tempfile
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


def head_path_for(log: Path, state_dir: Path) -> Path:
    """Where the head of `log` is kept: in the state folder, named for the log's absolute path."""
    digest = hashlib.sha256(str(log.expanduser().resolve()).encode()).hexdigest()[:16]
    return state_dir / "audit-heads" / f"{digest}.json"


@dataclass(frozen=True)
class Head:
    lines: int
    hash: str


def _head_mac(key: bytes, log: Path, head: Head) -> str:
    message = f"{log.expanduser().resolve()}|{head.lines}|{head.hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def read_head(log: Path, head_path: Path, key: bytes) -> Head | None:
    """The recorded head, or None if there is none or its MAC does not hold."""
    try:
        data = json.loads(head_path.read_text(encoding="utf-8"))
        head = Head(int(data["lines"]), str(data["hash"]))
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return head if hmac.compare_digest(mac, _head_mac(key, log, head)) else None


def _write_head(log: Path, head_path: Path, key: bytes, head: Head) -> None:
    """Atomically: a reader sees the old head or the new one, never half of one."""
    head_path.parent.mkdir(parents=True, exist_ok=True)
    data = {"log": str(log.expanduser().resolve()), "lines": head.lines, "hash": head.hash}
    data["mac"] = _head_mac(key, log, head)
    fd, temporary = tempfile.mkstemp(dir=head_path.parent, prefix=".head-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, head_path)


class AuditLog:
    """Appends chained lines to `path` (created with its folders, mode 0600), keeping its head at
    `head_path` under `key`."""

    def __init__(self, path: Path, head_path: Path, key: bytes) -> None:
        self.path = path
        self.head_path = head_path
        self._key = key
        self._lock = threading.Lock()

    def _open(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "r+b")

    def _count(self, handle: BinaryIO) -> int:
        handle.seek(0)
        return sum(1 for raw in handle if raw.strip())

    def _append_locked(self, handle: BinaryIO, entry: dict[str, Any]) -> dict[str, Any]:
        last = next(_reverse_lines(handle), None)
        record = {"time": _utc_now(), **entry, "prev": line_hash(last) if last is not None else GENESIS}
        line = redact(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str))
        handle.seek(0, os.SEEK_END)
        handle.write(line.encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
        # The count carries on from the recorded head, so lines removed behind its back stay visible.
        known = read_head(self.path, self.head_path, self._key)
        count = known.lines + 1 if known is not None else self._count(handle)
        _write_head(self.path, self.head_path, self._key, Head(count, line_hash(line.encode())))
        return record

    def append_sync(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock, self._open() as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            return self._append_locked(handle, entry)

    async def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(self.append_sync, entry)


@dataclass(frozen=True)
class Verification:
    lines: int
    problems: list[str]
    head: str
    """Hash of the last line."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path, head_path: Path | None = None, key: bytes | None = None) -> Verification:
    """Check every line parses and chains to the one before it, and (given where the head is kept
    and its key) that the log ends where the recorded head says."""
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
    if head_path is not None and key is not None:
        head = read_head(path, head_path, key)
        if head is None:
            problems.append(
                f"no valid head recorded at {head_path} (missing, or edited): removed or rewritten lines "
                "cannot be ruled out"
            )
        elif head.lines != count:
            problems.append(
                f"the log has {count} lines but {head.lines} were written: lines were removed "
                "(or added outside the server)"
            )
        elif head.hash != previous:
            problems.append("the last line is not the one the server wrote: the log was rewritten")
    return Verification(count, problems, previous)
