"""Which endpoint answers a report that several endpoints serve (the Admin API's usage report, the
Usage and Cost Analytics API, the legacy Claude Enterprise reports).

The tool takes every source's arguments (`tools.sources_input`). A call naming `source` gets that
endpoint; otherwise the first source, in the order the operation lists them, whose own arguments
take everything given (and whose credential the API would accept). The chosen operation then runs
as if it were the tool, with its own validation, limits and error hints, and the answer names it.
When no source takes the arguments together, the refusal says what each one lacks.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, ValidationError

from ..api.credentials.base import Credential
from ..catalog.operation import Operation
from .tools import ToolArguments, tool_input_model

_MODELS: dict[int, type[ToolArguments]] = {}


def _model(op: Operation) -> type[ToolArguments]:
    """A source's own tool arguments, not the tool's (built once: operations live as long as the
    server)."""
    model = _MODELS.get(id(op))
    if model is None:
        model = _MODELS[id(op)] = tool_input_model(replace(op, sources=()))
    return model


def _lacks(error: ValidationError) -> str:
    """What a source's validation said, in a few words."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    argument = str(first["loc"][0]) if first["loc"] else where
    if first["type"] == "extra_forbidden":
        return f"takes no {argument}"
    if first["type"] == "literal_error":
        return f"does not take {argument} {first['input']!r}"
    return f"{where}: {first['msg']}"


def _metrics(op: Operation) -> tuple[str, ...]:
    return (*op.report.metrics, "acceptance_rate") if op.report is not None else ()


def choose(op: Operation, args: BaseModel, credential: Credential) -> tuple[Operation, BaseModel] | str:
    """The operation that serves this call and its arguments, or why none can."""
    if not op.sources:
        return op, args
    given = args.model_dump(exclude_unset=True)
    wanted = given.pop("source", None)
    sort_by = given.get("sort_by")
    # A metric no source has is the tool's to refuse (with the metrics it has), not a reason to move on.
    ranks = sort_by is not None and any(sort_by in _metrics(c) for c in (op, *op.sources))
    reasons: list[str] = []
    for candidate in (op, *op.sources):
        if wanted is not None and candidate.source_name != wanted:
            continue
        refusal = credential.refusal(candidate)
        if refusal is not None:
            reasons.append(f"{candidate.source_name} {refusal.reason}")
            continue
        if ranks and sort_by not in _metrics(candidate):
            reasons.append(f"{candidate.source_name} has no metric {sort_by!r}")
            continue
        try:
            return candidate, _model(candidate).model_validate(given)
        except ValidationError as error:
            reasons.append(f"{candidate.source_name} {_lacks(error)}")
    if wanted is not None:
        return f"the source {wanted} cannot answer this: {'; '.join(reasons)}"
    return f"no one endpoint takes these arguments together: {'; '.join(reasons)}"
