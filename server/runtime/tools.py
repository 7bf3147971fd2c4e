"""Turns a declarative `Operation` into an MCP tool, through the SDK's public tool API.

A tool is the SDK's `Tool` over a handler with a real signature (`ctx`, the validated `arguments`,
and for writes a `decision` its resolver fills: those go through `Tool.from_function`, which plans
the resolver), given the operation's own argument model as its `FuncMetadata` (the SDK's hand-built
metadata) and the schemas of the committed cache: the published `inputSchema` is that
model's flat schema, the SDK validates against it once (parsing the JSON strings some clients send
for lists), and the handler receives the validated model whole. List operations gain `limit`,
`cursor` and `fields`; reports their range and view; writes a `confirmation_token`. Results carry a
declared `outputSchema`.
"""

# No `from __future__ import annotations`: the SDK reads the handlers' annotations at registration,
# and a write handler's names its resolver, a local of the function that builds it.

from collections.abc import Awaitable, Callable
from types import UnionType
from typing import Annotated, Any, Literal, Union, cast, get_args, get_origin

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.server.mcpserver.tools.base import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from ..catalog.operation import Operation
from ..catalog.plan import Task
from . import schema_cache
from .reports import ReportArguments

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

ReadHandler = Callable[[Operation, BaseModel, Context[Any, Any]], Awaitable[CallToolResult]]
Decide = Callable[[Operation, BaseModel, Context[Any, Any]], Awaitable[Any]]
Apply = Callable[[Operation, BaseModel, Any, Context[Any, Any]], Awaitable[CallToolResult]]
PlanDecide = Callable[[Task, BaseModel, Context[Any, Any]], Awaitable[Any]]
PlanApply = Callable[[Task, BaseModel, Any, Context[Any, Any]], Awaitable[CallToolResult]]


class ToolArguments(ArgModelBase):
    """Base of every tool's argument model: the SDK validates it once and hands it over whole."""

    def model_dump_one_level(self) -> dict[str, Any]:
        return {"arguments": self}


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


def tool_input_model(op: Operation, tokens: bool = False) -> type[ToolArguments]:
    """The model the tool validates against: the operation's input, plus paging, or for a write the
    `confirmation_token` where the administrator opted in to the token channel."""
    if op.is_list:
        allowed = tuple(op.output.model_fields)

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
            __base__=cast(tuple[type[ToolArguments], ...], (op.input, PageArguments, ToolArguments)),
            fields=(
                Annotated[list[str] | None, AfterValidator(known_fields)],
                Field(None, description="Return only these item fields."),
            ),
        )
    extra: type[BaseModel] | None = None
    if op.report is not None:
        extra = ReportArguments
    elif not op.read_only and tokens:
        extra = ConfirmationArguments
    own = sources_input(op) if op.sources else op.input
    bases = (own, extra, ToolArguments) if extra is not None else (own, ToolArguments)
    # The operation's own model first: its fields, validators and config (extra="forbid") lead.
    return create_model(f"{own.__name__}Tool", __base__=cast(tuple[type[ToolArguments], ...], bases))


def sources_input(op: Operation) -> type[BaseModel]:
    """The arguments of a report served by several endpoints: every source's, once each (a list of
    choices widened to all of theirs), and `source` to pick the endpoint."""
    fields: dict[str, tuple[Any, FieldInfo]] = {}
    for model in (op.input, *(source.input for source in op.sources)):
        for name, info in model.model_fields.items():
            known = fields.get(name)
            annotation = info.annotation if known is None else _widen(name, known[0], info.annotation)
            fields[name] = (annotation, info if known is None else known[1])
    names = tuple(source.source_name for source in (op, *op.sources))
    choice: Any = Literal.__getitem__(names)
    described = Field(
        None,
        description="The endpoint that answers (default: the first that takes every argument given, "
        f"{names[0]} first).",
    )
    definitions: dict[str, Any] = {"source": (choice | None, described), **fields}
    return create_model(f"{op.input.__name__}Sources", __config__=ConfigDict(extra="forbid"), **definitions)


def _widen(name: str, known: Any, other: Any) -> Any:
    """One type for an argument two sources both take: equal, or choices (possibly a list of them,
    possibly optional) widened to the union of both."""
    if known == other:
        return known
    (first, first_optional), (second, second_optional) = _optional(known), _optional(other)
    listed = get_origin(first) is list
    if listed != (get_origin(second) is list):
        raise TypeError(f"{name}: the sources take it with different types")
    if listed:
        first, second = get_args(first)[0], get_args(second)[0]
    if get_origin(first) is not Literal or get_origin(second) is not Literal:
        raise TypeError(f"{name}: the sources take it with different types")
    values = tuple(dict.fromkeys((*get_args(first), *get_args(second))))
    widened: Any = Literal.__getitem__(values)
    if listed:
        widened = list[widened]
    return widened | None if first_optional or second_optional else widened


def _optional(annotation: Any) -> tuple[Any, bool]:
    """(the type without None, whether None was allowed)."""
    if get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
        rest = [arm for arm in get_args(annotation) if arm is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return annotation, False


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
    """What every write tool returns, whatever happened (`outcome` names it).

    Kept generic (the changed object is in `result`, shaped as the matching get_ tool's output) so
    twelve write tools cost the tool list little; what does not apply is left out, not null.
    """

    outcome: str
    applied: bool
    message: str
    preview: str | SkipJsonSchema[None] = None
    result: dict[str, Any] | SkipJsonSchema[None] = None
    request_id: str | SkipJsonSchema[None] = None
    approval_id: str | SkipJsonSchema[None] = None
    approval_url: str | SkipJsonSchema[None] = None


class TokenWriteOutcome(WriteOutcome):
    """With the token channel opted in, a write may also answer with a confirmation token."""

    confirmation_token: str | SkipJsonSchema[None] = None
    token_expires_at: str | SkipJsonSchema[None] = None


def annotations_of(op: Operation) -> ToolAnnotations:
    return ToolAnnotations(
        title=op.title,
        read_only_hint=op.read_only,
        destructive_hint=op.destructive,
        idempotent_hint=op.is_idempotent,
        open_world_hint=True,
    )


def with_model(tool: Tool, arguments: type[ToolArguments], output: type[BaseModel]) -> Tool:
    """`tool` validating against `arguments` and publishing `output` (both schemas compacted)."""
    tokens = "confirmation_token" in arguments.model_fields
    input_schema, output_schema = schema_cache.schemas(tool.name, tokens, lambda: (arguments, output))
    metadata = FuncMetadata(arg_model=arguments, output_schema=output_schema, output_model=output)
    return tool.model_copy(update={"fn_metadata": metadata, "parameters": input_schema})


Models = Callable[[], tuple[type[ToolArguments], type[BaseModel]]]


class DeferredTool(Tool):
    """The SDK's `Tool`, registered and listed at once from the committed schemas; its argument
    model (pydantic's `create_model`, a millisecond or two a tool: most of start-up with every tool
    registered) and a write's resolver plan are built on its first call, by `build`. The suite builds
    every one (`tests/test_schema_cache.py`), so a model that cannot be built fails there, not in a
    user's first call."""

    build: Callable[[], Tool] | None = Field(default=None, exclude=True)

    def ready(self) -> Tool:
        """This tool, complete (built now if it was not yet)."""
        if self.build is not None:
            built = self.build()
            self.fn, self.fn_metadata, self.is_async = built.fn, built.fn_metadata, built.is_async
            self.context_kwarg, self.parameters = built.context_kwarg, built.parameters
            self.resolved_params, self.resolver_plans = built.resolved_params, built.resolver_plans
            self.build = None
        return self

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> Any:
        self.ready()
        return await super().run(arguments, context, convert_result)


def deferred(
    name: str,
    title: str,
    description: str,
    annotations: ToolAnnotations,
    tokens: bool,
    models: Models,
    build: Callable[[type[ToolArguments], type[BaseModel]], Tool],
) -> Tool:
    """A `DeferredTool`: what tools/list shows now, `build(*models())` at its first call."""
    made: list[tuple[type[ToolArguments], type[BaseModel]]] = []

    def once() -> tuple[type[ToolArguments], type[BaseModel]]:
        if not made:
            made.append(models())
        return made[0]

    input_schema, output_schema = schema_cache.schemas(name, tokens, once)

    async def unbuilt(**_: Any) -> Any:
        raise RuntimeError(f"{name} ran before it was built")

    return DeferredTool.model_construct(
        fn=unbuilt,
        name=name,
        title=title,
        description=description,
        parameters=input_schema,
        fn_metadata=FuncMetadata.model_construct(arg_model=ToolArguments, output_schema=output_schema),
        is_async=True,
        context_kwarg="ctx",
        resolved_params={},
        resolver_plans={},
        annotations=annotations,
        icons=None,
        meta=None,
        build=lambda: build(*once()),
    )


def local_read_tool(
    handler: Callable[..., Awaitable[CallToolResult]],
    name: str,
    title: str,
    description: str,
    arguments: type[ToolArguments],
    output: type[BaseModel],
    *,
    open_world: bool,
) -> Tool:
    """A read-only tool the server answers itself (`whoami`, `get_approval`)."""
    annotations = ToolAnnotations(
        title=title,
        read_only_hint=True,
        destructive_hint=False,
        idempotent_hint=True,
        open_world_hint=open_world,
    )
    return plain_tool(handler, name, title, description, annotations, arguments, output)


def plain_tool(
    handler: Callable[..., Awaitable[CallToolResult]],
    name: str,
    title: str,
    description: str,
    annotations: ToolAnnotations,
    arguments: type[ToolArguments],
    output: type[BaseModel],
) -> Tool:
    """A tool whose handler takes `(ctx, arguments)` and nothing a resolver fills: the SDK's `Tool`
    built from what we already know, without `Tool.from_function` inspecting the handler and
    generating a schema we would replace (start-up time)."""
    input_schema, output_schema = schema_cache.schemas(name, False, lambda: (arguments, output))
    return Tool(
        fn=handler,
        name=name,
        title=title,
        description=description,
        parameters=input_schema,
        fn_metadata=FuncMetadata(arg_model=arguments, output_schema=output_schema, output_model=output),
        is_async=True,
        context_kwarg="ctx",
        annotations=annotations,
    )


def read_tool(op: Operation, run: ReadHandler) -> Tool:
    async def handler(ctx: Context[Any, Any], arguments: BaseModel) -> CallToolResult:
        return await run(op, arguments, ctx)

    def models() -> tuple[type[ToolArguments], type[BaseModel]]:
        return tool_input_model(op), list_output_model(op) if op.is_list else op.output

    def build(arguments: type[ToolArguments], output: type[BaseModel]) -> Tool:
        return plain_tool(handler, op.name, op.title, op.description, annotations_of(op), arguments, output)

    return deferred(op.name, op.title, op.description, annotations_of(op), False, models, build)


def write_tool(op: Operation, decide: Decide, apply: Apply, *, tokens: bool) -> Tool:
    """The resolver runs `decide` (guards, preview, the question) on every round; the body `apply`."""

    async def resolver(ctx: Context[Any, Any], arguments: BaseModel) -> Any:
        return await decide(op, arguments, ctx)

    async def handler(
        ctx: Context[Any, Any],
        arguments: BaseModel,
        decision: Annotated[ElicitationResult[Any], Resolve(resolver)],
    ) -> CallToolResult:
        return await apply(op, arguments, decision, ctx)

    def models() -> tuple[type[ToolArguments], type[BaseModel]]:
        return tool_input_model(op, tokens), TokenWriteOutcome if tokens else WriteOutcome

    def build(arguments: type[ToolArguments], output: type[BaseModel]) -> Tool:
        tool = Tool.from_function(
            handler, name=op.name, title=op.title, description=op.description, annotations=annotations_of(op)
        )
        return with_model(tool, arguments, output)

    return deferred(op.name, op.title, op.description, annotations_of(op), tokens, models, build)


def plan_tool(task: Task, decide: PlanDecide, apply: PlanApply, *, tokens: bool) -> Tool:
    """A task's tool: its plan is previewed, approved and applied like one write."""

    async def resolver(ctx: Context[Any, Any], arguments: BaseModel) -> Any:
        return await decide(task, arguments, ctx)

    async def handler(
        ctx: Context[Any, Any],
        arguments: BaseModel,
        decision: Annotated[ElicitationResult[Any], Resolve(resolver)],
    ) -> CallToolResult:
        return await apply(task, arguments, decision, ctx)

    annotations = ToolAnnotations(
        title=task.title,
        read_only_hint=False,
        destructive_hint=task.destructive,
        idempotent_hint=True,  # applied again, a plan sends only what is left
        open_world_hint=True,
    )

    def models() -> tuple[type[ToolArguments], type[BaseModel]]:
        bases = (task.input, ConfirmationArguments, ToolArguments) if tokens else (task.input, ToolArguments)
        model = cast(
            type[ToolArguments],
            create_model(f"{task.input.__name__}Tool", __base__=cast(tuple[type[ToolArguments], ...], bases)),
        )
        return model, TokenWriteOutcome if tokens else WriteOutcome

    def build(arguments: type[ToolArguments], output: type[BaseModel]) -> Tool:
        tool = Tool.from_function(
            handler, name=task.name, title=task.title, description=task.description, annotations=annotations
        )
        return with_model(tool, arguments, output)

    return deferred(task.name, task.title, task.description, annotations, tokens, models, build)
