"""What every area's routes share: the state, the caller, lookups that 404, list responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import not_found
from ..models import ApiKey, Invite, User, Workspace
from ..pagination import Page, envelope
from ..store import Caller, SandboxState

T = TypeVar("T")


def sandbox(request: Request) -> SandboxState:
    return cast(SandboxState, request.app.state.sandbox)


def caller(request: Request) -> Caller:
    """Who the request acts as (set by the app's authentication step)."""
    return cast(Caller, request.state.caller)


def record(request: Request, kind: str, **fields: object) -> None:
    """Logs a successful write: the actor is the user the credential acts for, and the credential
    kind (`admin_api_key` or `oauth`) goes along, for the compliance feed's actor shapes."""
    who = caller(request)
    sandbox(request).record_activity(kind, who.user_id, credential=who.kind, **fields)


def ok(data: dict[str, object], status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def list_response(
    page: Page[T], render: Callable[[T], dict[str, object]], id_field: str = "id"
) -> JSONResponse:
    return ok(envelope([render(item) for item in page.items], page.has_more, id_field))


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def find_user(state: SandboxState, user_id: str) -> User:
    user = state.users.get(user_id)
    if user is None:
        raise not_found(f"user_id: no user {_shown(user_id)} in this organization")
    return user


def find_invite(state: SandboxState, invite_id: str) -> Invite:
    invite = state.invites.get(invite_id)
    if invite is None:
        raise not_found(f"invite_id: no invite {_shown(invite_id)} in this organization")
    return invite


def find_workspace(state: SandboxState, workspace_id: str) -> Workspace:
    workspace = state.workspaces.get(workspace_id)
    if workspace is None:
        raise not_found(f"workspace_id: no workspace {_shown(workspace_id)} in this organization")
    return workspace


def find_api_key(state: SandboxState, api_key_id: str) -> ApiKey:
    key = state.api_keys.get(api_key_id)
    if key is None:
        raise not_found(f"api_key_id: no API key {_shown(api_key_id)} in this organization")
    return key
