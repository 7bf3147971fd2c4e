"""The server's keys, one per purpose, each in its own 0600 file in the state folder, so that
confirmations survive restarts and hold across processes (two `claude-admin-mcp call` runs):

- `token.key`: the MAC of confirmation tokens;
- `request-state.key`: the sealing of 2026-07-28 confirmation round trips;
- `audit.key`: the MAC of the audit log's head.

Separate keys: a value made for one purpose is never accepted for another.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


def load_key(path: Path) -> bytes:
    """The key kept at `path` (made on first use), or a per-process key if it cannot be kept."""
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot read %s (%s); its confirmations will last only this process", path, exc)
        return secrets.token_bytes(32)
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    except FileExistsError:
        return path.read_bytes()
    except OSError as exc:
        log.warning("cannot keep %s (%s); its confirmations will last only this process", path, exc)
    return key


@dataclass(frozen=True)
class Keys:
    token: bytes = field(repr=False)
    request_state: bytes = field(repr=False)
    audit: bytes = field(repr=False)

    @classmethod
    def load(cls, state_dir: Path) -> Keys:
        return cls(
            load_key(state_dir / "token.key"),
            load_key(state_dir / "request-state.key"),
            load_key(state_dir / "audit.key"),
        )
