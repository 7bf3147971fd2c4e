"""Settings precedence: flags > environment > TOML file > defaults; clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_admin_mcp.server.config import ConfigError, Settings, load_settings

from .conftest import REPO


def test_defaults() -> None:
    settings = load_settings({}, environ={})
    assert settings.tier == "confirm"
    assert settings.transport == "stdio"
    assert settings.base_url == "https://api.anthropic.com"
    assert settings.anthropic_version == "2023-06-01"
    assert settings.output_budget_tokens == 20_000


def test_precedence_flags_over_env_over_file_over_defaults(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('tier = "read-only"\nport = 9000\nmax_retries = 1\ntoolsets = ["users"]\n')
    env = {"CLAUDE_ADMIN_MCP_PORT": "9100", "CLAUDE_ADMIN_MCP_MAX_RETRIES": "2"}
    settings = load_settings({"config": str(config), "max_retries": 5}, environ=env)
    assert settings.tier == "read-only"  # file over default
    assert settings.port == 9100  # env over file
    assert settings.max_retries == 5  # flag over env
    assert settings.toolsets == ("users",)


def test_config_file_from_environment_and_lists_from_env(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("sandbox_users = 5\n")
    env = {"CLAUDE_ADMIN_MCP_CONFIG": str(config), "CLAUDE_ADMIN_MCP_TOOLSETS": "users, workspaces"}
    settings = load_settings({}, environ=env)
    assert settings.sandbox_users == 5
    assert settings.toolsets == ("users", "workspaces")


def test_anthropic_base_url_is_honoured_below_our_own_variable() -> None:
    assert (
        load_settings({}, environ={"ANTHROPIC_BASE_URL": "http://127.0.0.1:1/"}).base_url
        == "http://127.0.0.1:1"
    )
    both = {"ANTHROPIC_BASE_URL": "http://a.test", "CLAUDE_ADMIN_MCP_BASE_URL": "http://b.test"}
    assert load_settings({}, environ=both).base_url == "http://b.test"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("toolset = ['users']\n", "unknown key 'toolset' (did you mean 'toolsets'?)"),
        ("tier = 'yolo'\n", "tier"),
        ("port = 'eighty'\n", "port"),
        ("tier = \n", "not valid TOML"),
    ],
)
def test_bad_config_file_gives_clear_error(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings({"config": str(config)}, environ={})
    assert message in str(info.value)


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"config": "/nonexistent/claude-admin.toml"}, environ={})


def test_bad_environment_value_names_the_setting() -> None:
    with pytest.raises(ConfigError, match="base_url"):
        load_settings({}, environ={"CLAUDE_ADMIN_MCP_BASE_URL": "ftp://nope"})


def test_example_config_documents_every_key_and_loads() -> None:
    text = (REPO / "config.example.toml").read_text()
    for key in Settings.model_fields:
        assert f"\n{key} =" in text or f"\n# {key} =" in text, key
    settings = load_settings({"config": str(REPO / "config.example.toml")}, environ={})
    assert settings.tier == "confirm"
    # Every key is preceded by a comment line.
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith("#") and "=" in line:
            assert lines[index - 1].startswith("#"), line
