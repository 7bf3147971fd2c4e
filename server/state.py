"""What one server run shares between tool calls: settings, the credential and the API client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context

from .admin_api import AdminApi
from .config import Settings
from .credentials import Credential


@dataclass
class AppState:
    settings: Settings
    credential: Credential
    api: AdminApi


def app_state(ctx: Context[Any, Any]) -> AppState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, AppState):
        raise RuntimeError("the server was started without its lifespan")
    return state
