"""Coverage of the SDK's organization surface (`scripts/coverage.py`): every endpoint of the areas
has a tool and a sandbox route, and no tool calls an endpoint the SDK does not have."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from claude_admin_mcp.server.app import endpoints_of

from .conftest import REPO

COVERED_AREAS = (
    "users",
    "invites",
    "workspaces",
    "api_keys",
    "rate_limits",
    "service_accounts",
    "federation",
    "spend_limits",
    "rbac_groups",
    "rbac_roles",
    "compliance_settings",
    "analytics",
    "organization",
    "external_keys",
    "telemetry_destinations",
    "webhooks",
    "plugins",
    "plugin_marketplaces",
    "claude_tag",
)
"""The SDK resources the tools cover whole: all of them, so a new SDK area fails the count below."""


def _coverage() -> Any:
    spec = importlib.util.spec_from_file_location("coverage_script", REPO / "scripts" / "coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["coverage_script"] = module
    spec.loader.exec_module(module)
    return module


def test_every_endpoint_of_the_covered_areas_has_a_tool_and_a_route() -> None:
    coverage = _coverage()
    rows, text = coverage.table()
    assert len(rows) == 141, "the SDK 2.10.0 organization surface"
    covered = [row for row in rows if row[0].area.split("/")[0] in COVERED_AREAS]
    assert len(covered) == 141
    for endpoint, tools, route in covered:
        assert route, f"no sandbox route for {endpoint}"
        sibling = coverage.SIBLINGS.get((endpoint.method, coverage._shape(endpoint.path)))
        assert tools or sibling, f"no tool for {endpoint}"
        if sibling:  # the tool named really makes that change, by the other path
            assert endpoints_of(sibling)[0]["method"] == endpoint.method
    assert "141 SDK endpoints: 139 with a tool of their own, 2 more" in text


def test_no_tool_calls_an_endpoint_the_sdk_lacks_unless_the_docs_have_it() -> None:
    coverage = _coverage()
    sdk = {(e.method, coverage._shape(e.path)) for e in coverage.sdk_endpoints()}
    documented_only = {
        ("GET", "/v1/organizations/usage_report/messages"),
        ("GET", "/v1/organizations/cost_report"),
        ("GET", "/v1/organizations/usage_report/claude_code"),
        ("GET", "/v1/compliance/activities"),
    }
    for (method, shape), tools in coverage.tools_by_endpoint().items():
        assert (method, shape) in sdk or (method, shape) in documented_only, (method, shape, tools)
