"""The one dispatcher for reads: a single object, a list or a report, and every API failure turned
into a tool error the model can act on. (Writes go through `confirmation`, which sends with
`requests.send` and answers with the same result builder.)"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import BaseModel

from ..api.errors import ApiError, ApiUnreachable, MethodNotAllowed
from ..catalog.operation import Operation
from . import rendering
from .downloads import run_download
from .failures import api_error_text, unreachable_text
from .labels import add_labels, with_labels
from .lists import run_list
from .paginator import CursorError
from .reports import run_report
from .requests import checked, send
from .results import failure, result
from .sources import choose
from .state import run_state


async def read(op: Operation, args: BaseModel, ctx: Context[Any, Any]) -> CallToolResult:
    state = run_state(ctx)
    reader = state.reader()
    try:
        if op.report is not None:
            chosen = choose(op, args, state.credential)
            if isinstance(chosen, str):
                return failure(f"{op.name}: {chosen}. Nothing was asked of the API.")
            op, args = chosen
            return await run_report(op, args, state, reader, ctx)
        if op.is_list:
            return await run_list(op, args, state, reader, ctx)
        if op.download is not None:
            return await run_download(op, args, state)
        item = checked(op, (await send(op, args, state)).data)
        shown = dict(item)  # names beside ids in the text; the structured object stays the API's
        await add_labels([shown], op.labels, reader)
        columns = with_labels(list(op.columns), op.labels)
        return result(rendering.fields(shown, columns, op.formats), item)
    except ApiError as exc:
        return failure(api_error_text(op, exc, state.credential))
    except ApiUnreachable as exc:
        return failure(unreachable_text(op, exc))
    except CursorError as exc:
        return failure(f"{op.name}: {exc}")
    except MethodNotAllowed as exc:
        return failure(f"{op.name} refused: {exc}. The server runs in the read-only tier.")
