"""The form channel: MCP form elicitation, in both protocol eras (the SDK's `Elicit`).

Destructive changes ask the human to type the target's email or name; others, yes or no.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, create_model

from ..catalog.preview import Preview


class Approval(BaseModel):
    approve: bool = Field(description="Apply this change?")


def elicitation_schema(preview: Preview) -> type[BaseModel]:
    """Destructive changes ask the human to type the target's email or name; others, yes or no."""
    if preview.confirm_text is None:
        return Approval
    return create_model(
        "TypedConfirmation",
        confirm=(str, Field(description=f"Type {preview.confirm_text} to confirm")),
    )


def elicitation_message(preview: Preview, organization: str) -> str:
    ask = (
        f"This cannot be undone lightly. Type {preview.confirm_text} to confirm, or decline."
        if preview.confirm_text is not None
        else "Approve to apply it, or decline."
    )
    return f"In {organization}:\n{preview.text()}\n{ask}"


def typed_matches(typed: str, expected: str) -> bool:
    """Forgiving of case and spacing: the typed name proves attention, not spelling.

    The preview already binds the exact target; a workspace name that differs only by case
    ("Research" vs "research") names the same thing to the person typing it.
    """

    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    return norm(typed) == norm(expected)
