"""`get_approval`: the outcome of a write waiting on the approval page, for the agent that asked.

Read-only: nothing it is given or answers can approve anything. An approval is shown only to the
MCP session that asked for it.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from ..catalog.inventory import LocalTool
from ..runtime.results import failure, result
from ..runtime.tools import ToolArguments, local_read_tool
from .state import server_state, session_key

ENTRY = LocalTool(name="get_approval", toolset="approvals")
TITLE = "Get approval outcome"
DESCRIPTION = "The outcome of a write left pending_approval: approved (with its result), declined or expired."


class ApprovalArguments(ToolArguments):
    model_config = ConfigDict(extra="forbid")

    approval_id: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$", description="From pending_approval.")


class ApprovalStatus(BaseModel):
    approval_id: str
    tool: str
    status: str
    message: str
    preview: str
    result: dict[str, Any] | SkipJsonSchema[None] = None
    request_id: str | SkipJsonSchema[None] = None
    approver: str | SkipJsonSchema[None] = None


async def _get_approval(ctx: Context[Any, Any], arguments: ApprovalArguments) -> CallToolResult:
    state = server_state(ctx)
    approval = state.approvals.get(arguments.approval_id)
    if approval is None or approval.session != session_key(ctx):
        return failure(
            "get_approval: no approval with that id for this session (approvals last 5 minutes, and each "
            "belongs to the session that asked for it)."
        )
    if approval.status != "pending":
        approval.reported = True
    status = ApprovalStatus(
        approval_id=approval.id,
        tool=approval.tool,
        status=approval.status,
        message=approval.message or "Waiting for the user's decision on the approval page.",
        preview=approval.preview.text(),
        result=approval.result,
        request_id=approval.request_id,
        approver=approval.approver,
    )
    text = f"{approval.tool}: {approval.status}. {status.message}"
    return result(text, status.model_dump(exclude_none=True))


def approval_tool() -> Tool:
    return local_read_tool(
        _get_approval, ENTRY.name, TITLE, DESCRIPTION, ApprovalArguments, ApprovalStatus, open_world=False
    )
