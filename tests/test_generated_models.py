"""The generated models are what the installed SDK declares today (else: run the generator)."""

from __future__ import annotations

import importlib.util
import sys
from typing import get_args

from claude_admin_mcp.tools import sdk_models
from claude_admin_mcp.tools.common import AddableWorkspaceRole, ApiKeyStatus, OrgRole, WorkspaceRole

from .conftest import REPO

GENERATOR = REPO / "scripts" / "generate_models.py"


def test_the_generated_models_are_current() -> None:
    spec = importlib.util.spec_from_file_location("generate_models", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules["generate_models"] = generator
    spec.loader.exec_module(generator)
    committed = (REPO / "tools" / "sdk_models.py").read_text(encoding="utf-8")
    assert generator.generate() == committed, "stale: run .venv/bin/python scripts/generate_models.py"


def test_the_values_arguments_take_are_the_sdks() -> None:
    """The argument types stay typed Literals (the model reads them in the schema); their values
    must be the SDK's."""
    assert set(get_args(OrgRole)) == set(sdk_models.ORG_ROLES)
    assert set(get_args(WorkspaceRole)) == set(sdk_models.WORKSPACE_ROLES)
    assert set(get_args(ApiKeyStatus)) == set(sdk_models.API_KEY_STATUSES)
    assert set(get_args(AddableWorkspaceRole)) < set(sdk_models.WORKSPACE_ROLES)
