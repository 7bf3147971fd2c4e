"""What a plan has sent, kept on disk so that applying it again never sends anything twice.

One JSON line per step (`sending` before a change's request, then `applied` or `failed`), flushed
and fsynced before the request goes out: a server killed mid-plan leaves a journal that says which
changes were applied and which were in flight. A plan's journal is read for a day
(`JOURNAL_SECONDS`): the same plan asked again within it applies only what is left.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio

Step = Literal["sending", "applied", "failed"]
JOURNAL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Entry:
    step: Step
    at: float
    request_id: str | None = None


class PlanJournal:
    """The journal of one plan (`<state_dir>/plans/<plan key>.jsonl`)."""

    def __init__(self, folder: Path, key: str) -> None:
        if not key.isalnum():
            raise ValueError("a plan key is letters and digits")
        self.path = folder / f"{key}.jsonl"
        self._lock = anyio.Lock()

    def read(self) -> dict[str, Entry]:
        """The last step of each change (by change key) recorded within the journal's window."""
        latest: dict[str, Entry] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return latest
        horizon = time.time() - JOURNAL_SECONDS
        for line in lines:
            try:
                record = json.loads(line)
                entry = Entry(record["step"], float(record["at"]), record.get("request_id"))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash says nothing
            if entry.at >= horizon:
                latest[str(record["change"])] = entry
        return latest

    async def record(self, change: str, step: Step, request_id: str | None = None) -> None:
        line = json.dumps({"change": change, "step": step, "at": time.time(), "request_id": request_id})
        async with self._lock:
            await anyio.to_thread.run_sync(self._append, line)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
