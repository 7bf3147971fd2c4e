"""Single use, across processes: a confirmation (a token's nonce, a sealed round trip, a browser
approval) is claimed once in a store of its own, under an exclusive file lock.

Kept in the state folder, apart from any audit log: two servers with different `--audit-log`s but
the same keys share one claims store, so a token used through one cannot be used through the other.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path

import anyio

_PRUNE_AT = 4096
"""Claims kept before expired ones are dropped from the file."""


class Claims:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def claim_sync(self, claim_id: str, ttl_seconds: float, now: float | None = None) -> bool:
        """True the first time `claim_id` is claimed within its `ttl_seconds`; False ever after."""
        now = time.time() if now is None else now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            with os.fdopen(fd, "r+", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                live = []
                for line in handle:
                    try:
                        entry = json.loads(line)
                        claimed, until = str(entry["id"]), float(entry["until"])
                    except (ValueError, KeyError, TypeError):
                        continue
                    if until >= now:
                        if claimed == claim_id:
                            return False
                        live.append(line if line.endswith("\n") else line + "\n")
                record = json.dumps({"id": claim_id, "until": now + ttl_seconds}) + "\n"
                if len(live) >= _PRUNE_AT or handle.tell() > 2 * _PRUNE_AT * 80:
                    handle.seek(0)
                    handle.truncate()
                    handle.writelines(live)
                handle.seek(0, os.SEEK_END)
                handle.write(record)
                handle.flush()
                os.fsync(handle.fileno())
        return True

    async def claim(self, claim_id: str, ttl_seconds: float) -> bool:
        return await anyio.to_thread.run_sync(self.claim_sync, claim_id, ttl_seconds)
