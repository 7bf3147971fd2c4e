"""The Admin API sandbox: a faithful emulator of the Anthropic Admin API over HTTP.

`runner.start_sandbox(SandboxConfig(...))` serves a seeded, deterministic demo organization
("Acme Corp (Sandbox)") on loopback; `runner.serve_forever` is the `claude-admin-mcp sandbox`
command. Modules import downward only (`tests/sandbox/test_sandbox_layering.py`), bottom up:

* records: `ids`, `errors`, `models`, `model_catalog`, `tokens`, `cel` (rule conditions);
* collections and derivations: `pagination`, `faults`, `request_limit`, `rate_limit_table`,
  `usage_model`; `params`, `resources` (the generic resource store), `claude_code_model`, `activity_feed`;
* `federation`, `monitoring` (the derived data, given the live data it needs), `report_params`;
* `store` (`SandboxState`); then `exchange` and the seeders `federation_seed`, `seed`;
* `routes/` (one module per API area), `app` (`create_app(state)`), `runner`.
"""

from __future__ import annotations

from .runner import (
    DEFAULT_ADMIN_KEY,
    RunningSandbox,
    SandboxConfig,
    build_state,
    serve_forever,
    start_sandbox,
)
from .store import SandboxState

__all__ = [
    "DEFAULT_ADMIN_KEY",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "build_state",
    "serve_forever",
    "start_sandbox",
]
