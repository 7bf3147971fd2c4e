"""Turns a declarative `Operation` into an MCP tool.

The tool's arguments are the operation's input model, flattened into a function signature so the
SDK publishes them as a flat `inputSchema` and validates them; list operations gain `limit` and
`cursor`. Results carry a declared `outputSchema`, structured content, and a compact text rendering.
Arguments are checked here first so a mistake reads as a sentence naming the argument, and
nothing reaches the API unless they are valid.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from .execution import execute
from .registry import Operation
from .reports import ReportArguments
from .schema import compact_input_schema, compact_output_schema
from .tool_errors import validation_text
from .writes import audit_invalid, decide, run_write

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class PageArguments(BaseModel):
    """Arguments every list tool takes in addition to its filters."""

    model_config = ConfigDict(extra="forbid")

    # The bounds say it all; a result cut short by the output budget says so itself.
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous result.")


class ConfirmationArguments(BaseModel):
    """The argument every write tool takes for clients that cannot ask the user themselves."""

    model_config = ConfigDict(extra="forbid")

    # Explained once, in the server instructions, rather than in every write tool's schema.
    confirmation_token: str | None = None


def item_fields(op: Operation) -> tuple[str, ...]:
    return tuple(op.output.model_fields)


def tool_input_model(op: Operation) -> type[BaseModel]:
    """The model the tool validates against: the operation's input, plus paging or confirmation."""
    if op.is_list:
        allowed = item_fields(op)

        def known_fields(value: list[str] | None) -> list[str] | None:
            unknown = [name for name in value or () if name not in allowed]
            if unknown:
                raise PydanticCustomError(
                    "unknown_fields",
                    "unknown field(s) {unknown}; items have: {allowed}",
                    {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)},
                )
            return value

        # Validated here rather than listed as an enum: the output schema already names the fields.
        return create_model(
            f"{op.input.__name__}Page",
            __base__=(op.input, PageArguments),
            fields=(
                Annotated[list[str] | None, AfterValidator(known_fields)],
                Field(None, description="Return only these item fields."),
            ),
        )
    if op.report is not None:
        return create_model(f"{op.input.__name__}Report", __base__=(op.input, ReportArguments))
    if not op.read_only:
        return create_model(f"{op.input.__name__}Write", __base__=(op.input, ConfirmationArguments))
    return op.input


def partial_model(model: type[BaseModel]) -> type[BaseModel]:
    """`model` with every field optional: list items may carry only the `fields` asked for."""
    # Not required, same types: a field left out is simply absent (the API never sends null for it).
    optional: dict[str, Any] = {name: (info.annotation, None) for name, info in model.model_fields.items()}
    return create_model(f"{model.__name__}Item", __base__=model.__base__, **optional)


def list_output_model(op: Operation) -> type[BaseModel]:
    item: Any = partial_model(op.output)
    return create_model(
        f"{op.output.__name__}Page",
        items=(list[item], ...),
        count=(int, Field(description="Items in this result.")),
        next_cursor=(
            str | None,
            Field(None, description="Pass as cursor to get the following items; null at the end."),
        ),
        note=(str | None, Field(None, description="Why the result stopped early, when it did.")),
    )


class WriteOutcome(BaseModel):
    """What every write tool returns, whatever happened; `outcome` is one of `writes.Outcome`.

    Kept generic (the changed object is in `result`, shaped as the matching get_ tool's output) so
    twelve write tools cost the tool list little.
    """

    outcome: str
    applied: bool
    message: str
    preview: str | None = None
    result: dict[str, Any] | None = None
    confirmation_token: str | None = None
    token_expires_at: str | None = None
    request_id: str | None = None


class AdminTool(Tool):
    """An MCP tool backed by an Admin API operation."""

    operation: Operation = Field(exclude=True)
    input_model: type[BaseModel] = Field(exclude=True)

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> Any:
        # Clients such as Claude Desktop send lists as JSON strings; parse those as the SDK does.
        prepared = self.fn_metadata.pre_parse_json(arguments)
        try:
            self.input_model.model_validate(prepared)
        except ValidationError as exc:
            message = validation_text(self.name, exc, list(self.input_model.model_fields))
            if not self.operation.read_only:
                await audit_invalid(self.operation, prepared, message, context)
            raise ToolError(message) from None
        return await super().run(prepared, context, convert_result)


def _signature(model: type[BaseModel], extra: list[inspect.Parameter], returns: Any) -> inspect.Signature:
    params = list(extra)
    for name, info in model.model_fields.items():
        # A default factory travels inside `info` (pydantic refuses a plain default beside it).
        plain_default = not info.is_required() and info.default_factory is None
        default = info.get_default() if plain_default else inspect.Parameter.empty
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=Annotated[info.annotation, info],
            )
        )
    return inspect.Signature(params, return_annotation=returns)


def _synthesize(name: str, body: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    """Give `body` the signature (and matching annotations) the SDK reads to build the tool."""
    body.__name__ = name
    body.__qualname__ = name
    body.__signature__ = signature  # type: ignore[attr-defined]
    annotations = {p.name: p.annotation for p in signature.parameters.values()}
    annotations["return"] = signature.return_annotation
    body.__annotations__ = annotations
    return body


def _read_handler(
    op: Operation, input_model: type[BaseModel], output_model: type[BaseModel]
) -> Callable[..., Any]:
    async def handler(ctx: Context[Any, Any], **kwargs: Any) -> CallToolResult:
        return await execute(op, input_model.model_validate(kwargs), ctx)

    context_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    signature = _signature(input_model, [context_param], Annotated[CallToolResult, output_model])
    return _synthesize(op.name, handler, signature)


def _write_handler(
    op: Operation, input_model: type[BaseModel], output_model: type[BaseModel]
) -> Callable[..., Any]:
    """The body runs `run_write`; a resolver named for the tool runs `decide` first, each round."""

    async def resolver(ctx: Context[Any, Any], **kwargs: Any) -> Any:
        return await decide(op, input_model.model_validate(kwargs), ctx)

    context_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    resolver_fn = _synthesize(
        f"{op.name}_confirmation", resolver, _signature(input_model, [context_param], Any)
    )

    async def handler(ctx: Context[Any, Any], decision: Any, **kwargs: Any) -> CallToolResult:
        return await run_write(op, input_model.model_validate(kwargs), decision, ctx)

    decision_param = inspect.Parameter(
        "decision",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[ElicitationResult[Any], Resolve(resolver_fn)],
    )
    signature = _signature(
        input_model, [context_param, decision_param], Annotated[CallToolResult, output_model]
    )
    return _synthesize(op.name, handler, signature)


def build_tool(op: Operation) -> AdminTool:
    input_model = tool_input_model(op)
    if op.read_only:
        output_model = list_output_model(op) if op.is_list and op.report is None else op.output
        fn = _read_handler(op, input_model, output_model)
    else:
        fn = _write_handler(op, input_model, WriteOutcome)
    annotations = ToolAnnotations(
        title=op.title,
        read_only_hint=op.read_only,
        destructive_hint=op.destructive,
        idempotent_hint=op.is_idempotent,
        open_world_hint=True,
    )
    tool = Tool.from_function(
        fn, name=op.name, title=op.title, description=op.description, annotations=annotations
    )
    tool.parameters = compact_input_schema(tool.parameters)
    tool.fn_metadata.output_schema = compact_output_schema(tool.fn_metadata.output_schema or {})
    fields = {name: getattr(tool, name) for name in Tool.model_fields}
    return AdminTool(**fields, operation=op, input_model=input_model)
