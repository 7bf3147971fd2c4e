"""`export_list`: a whole list written to a CSV or JSONL file in the exports folder, handed back as a
resource link (`exports://NAME`) and a path, never as rows.

Each list is its list operation, as the catalog declares it (path, pagination, API and server-side
filters, columns, names beside ids), walked with the one paginator; each page is written before the
next is asked for, so memory holds one page whatever the list's size. `workspace_members` walks
every active workspace's members (or one workspace's), with the workspace's id and name on each row.

Read-only: it changes nothing in the organization, and offers itself in the read-only tier. Its one
effect is a new file in the server's own exports folder, the way a large answer leaves the server.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult, ResourceLink
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from ..api.client import fill_path
from ..api.errors import ApiError, ApiUnreachable
from ..catalog.inventory import LocalTool
from ..catalog.operation import Label, Operation
from ..catalog.preview import one_line
from .export_files import MEDIA_TYPES, ExportFile, Format, Writer, folder, stem, uri_of
from .failures import api_error_text, unreachable_text, validation_text
from .labels import Names, with_labels
from .lists import list_source
from .paginator import pages
from .requests import path_for
from .results import failure, result
from .state import RunState, run_state
from .tools import ToolArguments, local_read_tool

ENTRY = LocalTool(
    name="export_list",
    toolset="exports",
    uses=(
        "list_users",
        "list_invites",
        "list_workspaces",
        "list_workspace_members",
        "list_api_keys",
        "list_service_accounts",
    ),
)
TITLE = "Export a list to a file"
DESCRIPTION = (
    "Write a whole list to a CSV or JSONL file on the server's machine, every page at the API's pace, "
    "and return its path and an exports:// resource link, not the rows: for spreadsheets and audits. "
    "Filters are the list_ tools'; each says which lists take it. resources/read returns a file's "
    "text; for big files use the path."
)

ListName = Literal["users", "invites", "workspaces", "workspace_members", "api_keys", "service_accounts"]
LISTS: dict[str, str] = {
    "users": "list_users",
    "invites": "list_invites",
    "workspaces": "list_workspaces",
    "workspace_members": "list_workspace_members",
    "api_keys": "list_api_keys",
    "service_accounts": "list_service_accounts",
}
"""Each list an export can write, and the list operation that reads it."""
WORKSPACES_LIST = "list_workspaces"
"""What a per-workspace list (its path names `{workspace_id}`) walks to find the workspaces."""
PER_WORKSPACE = "workspace_id"
WORKSPACE_NAME = Label.key(PER_WORKSPACE)


class ExportBase(ToolArguments):
    model_config = ConfigDict(extra="forbid")

    list: ListName
    format: Format = "csv"


class ExportOutcome(BaseModel):
    path: str
    uri: str
    rows: int
    bytes: int
    format: str
    list: str
    columns: builtins.list[str]


def arguments_model(operations: Mapping[str, Operation]) -> type[ToolArguments]:
    """`list`, `format`, and every filter of the exported lists' operations, typed and described as
    there (optional here), each saying which lists take it."""
    takers: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name, op_name in LISTS.items():
        for field, info in operations[op_name].input.model_fields.items():
            takers.setdefault(field, []).append(name)
            fields.setdefault(field, info)
    filters: dict[str, Any] = {}
    for field, info in fields.items():
        # Required in one operation (a path parameter), optional here: its checks travel with it.
        typed = cast(Any, Annotated)[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        said = f"{info.description} " if info.description else ""
        filters[field] = (typed | None, Field(None, description=f"{said}({', '.join(takers[field])})"))
    return cast(type[ToolArguments], create_model("ExportArguments", __base__=ExportBase, **filters))


class _Run:
    """One export: the walk, its names beside ids, its progress."""

    def __init__(
        self,
        op: Operation,
        state: RunState,
        writer: Writer,
        filters: Mapping[str, Any],
        progress: Callable[[int, int | None, str], Awaitable[None]],
    ) -> None:
        self.op = op
        self.state = state
        self.writer = writer
        self.given = filters
        self.progress = progress
        self.names = {column: Names(state.api, state.styles, label) for column, label in op.labels.items()}
        self.keep: dict[str, Any] = {}
        self.rows = 0
        self.examined = 0

    async def prepare(self, arguments: BaseModel) -> None:
        """The server-side filters' values, prepared once (e.g. the keys the usage report shows used)."""
        reader = self.state.reader()
        for name, spec in self.op.filters.items():
            value = getattr(arguments, name, None)
            if value is not None:
                self.keep[name] = await spec.prepare(reader, value) if spec.prepare is not None else value

    async def walk(self, path_values: Mapping[str, str], workspace_name: str | None = None) -> None:
        """Every page of the list at the operation's path filled with `path_values`, written as it comes."""
        args = self.op.input.model_validate({**self.given, **path_values})
        source = list_source(self.op, self.state, path_for(self.op, args), self.op.api_values(args))
        filters = self.op.filters
        async for page in pages(source):
            items = [
                item
                for item in page.items
                if all(filters[name].keep(item, value) for name, value in self.keep.items())
            ]
            for column, names in self.names.items():
                await names.add(items, column)
            if workspace_name is not None:
                for item in items:
                    item.setdefault(PER_WORKSPACE, path_values[PER_WORKSPACE])
                    item[WORKSPACE_NAME] = workspace_name
            self.writer.write(items)
            self.rows += len(items)
            if page.items:
                self.examined += len(page.items)
                total = page.total if workspace_name is None else None
                await self.progress(
                    self.examined, total, f"{self.rows:,} rows written, {self.examined:,} examined"
                )

    async def every_workspace(self, workspaces: Operation) -> None:
        """The list once per active workspace, newest first (the default workspace has no members list)."""
        async for page in pages(list_source(workspaces, self.state, workspaces.path, {})):
            for workspace in page.items:
                await self.walk({PER_WORKSPACE: str(workspace.get("id"))}, str(workspace.get("name") or "?"))

    async def one_workspace(self, workspace_id: str, workspaces: Operation) -> None:
        data = (await self.state.api.get(fill_path(workspaces.path + "/{id}", {"id": workspace_id}))).data
        name = str(data.get("name") or "?") if isinstance(data, dict) else "?"
        await self.walk({PER_WORKSPACE: workspace_id}, name)


async def export(
    operations: Mapping[str, Operation], ctx: Context[Any, Any], arguments: BaseModel
) -> CallToolResult:
    state = run_state(ctx)
    chosen = cast(ExportBase, arguments)
    list_name, form = chosen.list, chosen.format
    op = operations[LISTS[list_name]]
    refusal = state.credential.refusal(op)
    if refusal is not None:
        return failure(
            f"export_list: {list_name} {refusal.reason}: {refusal.explanation}. Nothing was exported. "
            f"{refusal.remedy}"
        )
    given = arguments.model_dump(mode="json", exclude_none=True, exclude={"list", "format"})
    accepted = list(op.input.model_fields)
    unknown = sorted(set(given) - set(accepted))
    if unknown:
        return failure(
            f"export_list: {list_name} takes the filters {', '.join(accepted) or 'none'}; not "
            f"{', '.join(unknown)}. Nothing was exported."
        )
    per_workspace = PER_WORKSPACE in op.path_params
    try:
        directory = folder(state.settings.exports_path)
        file = ExportFile(directory, stem(list_name, state.clock()), form)
    except OSError as exc:
        return failure(
            f"export_list: cannot write in the exports folder {state.settings.exports_path} "
            f"({exc.strerror or exc}). An administrator can set exports_dir (--exports-dir)."
        )
    columns = export_columns(op, per_workspace)
    run = _Run(op, state, Writer(file.handle, form, columns), given, ctx.report_progress)
    finished = False
    try:
        await run.prepare(arguments)
        workspaces = operations[WORKSPACES_LIST]
        if not per_workspace:
            await run.walk({})
        elif PER_WORKSPACE in given:
            await run.one_workspace(str(given[PER_WORKSPACE]), workspaces)
        else:
            await run.every_workspace(workspaces)
        path = file.finish()
        finished = True
    except ApiError as exc:
        return failure(_not_written(api_error_text(op, exc, state.credential), run.rows))
    except ApiUnreachable as exc:
        return failure(_not_written(unreachable_text(op, exc), run.rows))
    except ValidationError as exc:
        return failure(validation_text("export_list", exc, ["list", "format", *accepted]))
    except OSError as exc:
        return failure(f"export_list: writing the export failed ({exc.strerror or exc}); nothing was kept.")
    finally:
        if not finished:  # a failure or a cancellation: no half export is left to look whole
            file.discard()
    return _answer(list_name, form, path, run.rows, columns, given)


def export_columns(op: Operation, per_workspace: bool) -> list[str]:
    """The CSV header: the operation's columns, then the rest of its item's fields (an object field
    reached by a dotted column is not repeated whole), each labelled id with its name beside it."""
    reached = {column.split(".")[0] for column in op.columns if "." in column}
    columns = [*op.columns, *(f for f in op.output.model_fields if f not in op.columns and f not in reached)]
    named = list(op.labels)
    if per_workspace:
        columns = [PER_WORKSPACE, *(c for c in columns if c != PER_WORKSPACE)]
        named.append(PER_WORKSPACE)
    return with_labels(columns, dict.fromkeys(named, Label("")))  # only which ids are named matters here


def _not_written(problem: str, rows: int) -> str:
    return f"{problem}\nNo file was kept (the export stopped after {rows:,} rows; call again to start over)."


def _answer(
    list_name: str, form: Format, path: Path, rows: int, columns: list[str], given: Mapping[str, Any]
) -> CallToolResult:
    size = path.stat().st_size
    uri = uri_of(path)
    # The model's own arguments, echoed as one line each (a value cannot forge a line of the answer).
    filters = ", ".join(
        f"{name}={one_line(value if isinstance(value, str) else json.dumps(value))}"
        for name, value in given.items()
    )
    what = f"{list_name} ({filters})" if filters else list_name
    shape = "CSV" if form == "csv" else "JSONL (one API object per line, names beside ids added)"
    lines = [
        f"Exported {what} to {shape}: {rows:,} rows, {size:,} bytes.",
        f"Columns: {', '.join(columns)}",
        f"File: {path}",
        f"Resource: {uri} (resources/read returns its text; for a big file, open the path).",
    ]
    outcome = ExportOutcome(
        path=str(path), uri=uri, rows=rows, bytes=size, format=form, list=list_name, columns=columns
    )
    link = ResourceLink(
        type="resource_link",
        uri=uri,
        name=path.name,
        title=f"Export of {list_name}",
        mime_type=MEDIA_TYPES[form],
        size=size,
    )
    return result("\n".join(lines), outcome.model_dump(), links=[link])


def export_tool(operations: Mapping[str, Operation]) -> Tool:
    """The tool over the catalog's list operations (`operations` by name: the runtime knows no area)."""
    missing = {*LISTS.values(), WORKSPACES_LIST} - set(operations)
    if missing:
        raise ValueError(f"export_list needs the list operations {sorted(missing)}")

    async def handler(ctx: Context[Any, Any], arguments: BaseModel) -> CallToolResult:
        return await export(operations, ctx, arguments)

    return local_read_tool(
        handler, ENTRY.name, TITLE, DESCRIPTION, arguments_model(operations), ExportOutcome, open_world=True
    )
