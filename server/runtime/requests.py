"""One operation's request, built from validated arguments, and its answer checked against the
shape the tool publishes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from ..api.client import ApiResponse, FilePart, fill_path
from ..api.errors import ApiUnreachable
from ..catalog.operation import Operation
from .secret_files import folder_of, keep_returned, with_values
from .state import RunState


def path_for(op: Operation, args: BaseModel) -> str:
    return fill_path(op.path, {name: str(getattr(args, name)) for name in op.path_params})


async def send(
    op: Operation, args: BaseModel, state: RunState, files: Sequence[FilePart] = ()
) -> ApiResponse:
    """The operation's one request (a non-idempotent write is never retried once it may have
    reached the API: see `AdminApi.request`); with `files`, a multipart body of them and the values.
    Secret values the arguments point at are read into the body only now (`SecretSourceError` if
    they cannot be, before anything is sent), and a secret the API returns once is kept in a file,
    never handed on."""
    values = op.api_values(args)
    folder = folder_of(state.settings.state_dir)
    if op.secret_values is not None:
        values = with_values(op.secret_values, args, values, folder)
    body = values if op.method == "POST" else None
    query = None if op.method == "POST" else values
    response = await state.api.request(
        op.method,
        path_for(op, args),
        query=query,
        body=body,
        beta=op.beta,
        idempotent=op.is_idempotent,
        files=files,
    )
    if op.secret_returned is not None and isinstance(response.data, dict):
        kept = keep_returned(op.secret_returned, response.data, args, folder, state.clock())
        response = replace(response, data=kept)
    return response


def checked(op: Operation, data: Any) -> dict[str, Any]:
    """The API object, verified against the operation's output model (so the schema we publish holds)."""
    try:
        op.output.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise ApiUnreachable(f"the API returned an unexpected shape ({problems})") from None
    assert isinstance(data, dict)
    return data
