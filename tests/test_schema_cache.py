"""The committed tool schemas are what the models generate today (else: write the cache again)."""

from __future__ import annotations

import json

from claude_admin_mcp.server.app import fresh_schemas
from claude_admin_mcp.server.runtime.schema_cache import CACHE_FILE

WRITE = 'python -c "from claude_admin_mcp.server.app import write_schema_cache; write_schema_cache()"'


def test_the_committed_schemas_are_current() -> None:
    committed = json.loads(CACHE_FILE.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(fresh_schemas()))
    stale = sorted(key for key in fresh.keys() | committed.keys() if fresh.get(key) != committed.get(key))
    assert not stale, f"stale tool schemas {stale[:5]}: run {WRITE}"
