"""The Admin API sandbox: a faithful emulator of the Anthropic Admin API over HTTP.

`runner.start_sandbox(SandboxConfig(...))` serves a seeded, deterministic demo organization
("Acme Corp (Sandbox)") on loopback; `runner.serve_forever` is the `claude-admin-mcp sandbox`
command. Modules: `ids` (sortable tagged ids), `seed` (the demo organization), `store` (the state
and its accessors), `pagination`, `params` (validation), `errors`, `routes/` (one module per API
area), `app` (`create_app(state)`), `runner`. The monitoring endpoints (usage and cost reports,
Claude Code analytics, rate limits, the compliance activity feed) rest on `monitoring` (what they
keep on the state), `usage_model` (the generative usage model), `model_catalog` (models and
prices), `claude_code_model`, `rate_limit_table`, `activity_feed` and `report_params`.
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
