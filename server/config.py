"""Settings, from four layers: command-line flags > environment > TOML file > defaults.

Every key of `Settings` may appear in the TOML file (`--config PATH` or `$CLAUDE_ADMIN_MCP_CONFIG`),
as an environment variable `CLAUDE_ADMIN_MCP_<KEY>` (lists comma-separated), and as a flag
`--<key-with-dashes>`. Secrets never live here: credentials come from their own variables
(see `credentials.py`).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

ENV_PREFIX = "CLAUDE_ADMIN_MCP_"
CONFIG_ENV = "CLAUDE_ADMIN_MCP_CONFIG"
DEFAULT_BASE_URL = "https://api.anthropic.com"


class ConfigError(Exception):
    """A configuration problem, worded for the administrator who has to fix it."""


def _default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "claude-admin-mcp"


class Settings(BaseModel):
    """Everything the server can be told. Defaults are what a newcomer should get."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transport: Literal["stdio", "http"] = "stdio"
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    http_token_file: Path | None = None
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_request_bytes: int = Field(1_048_576, ge=16_384, le=67_108_864)
    sandbox: bool = False
    sandbox_users: int = Field(60, ge=1, le=200_000)
    sandbox_rate_limit: int | None = Field(None, ge=1, le=1_000_000)
    """Requests a minute the sandbox allows its organization (None: no limit)."""
    console_session: bool = False
    """The OAuth token is a Console session (only the sandbox has one): org:admin rules allowed."""
    tier: Literal["read-only", "confirm"] = "confirm"
    toolsets: tuple[str, ...] = ("default",)
    tools: tuple[str, ...] = ()
    dynamic_toolsets: bool = True
    """Offer the `toolsets` tool, which turns more areas on while the server runs."""
    base_url: str = DEFAULT_BASE_URL
    anthropic_version: str = "2023-06-01"
    timeout_seconds: float = Field(30.0, gt=0, le=600)
    max_retries: int = Field(3, ge=0, le=10)
    retry_budget_seconds: float = Field(30.0, ge=0, le=600)
    output_budget_tokens: int = Field(20_000, ge=1_000, le=200_000)
    state_dir: Path = Field(default_factory=_default_state_dir)
    audit_log: Path | None = None
    """Default: `state_dir`/audit.jsonl (see `audit_path`)."""
    exports_dir: Path | None = None
    """Where `export_list` writes its files, and downloads (plugin archives) land. Default:
    `state_dir`/exports (see `exports_path`)."""
    allow_workspaces: tuple[str, ...] = ()
    confirm_via: tuple[Literal["form", "url", "page", "token"], ...] = ("form", "url", "page")
    approval_wait_seconds: float = Field(30.0, ge=0, le=600)
    approval_open_browser: bool = True
    approval_factor: Literal["none", "passkey"] = "none"
    public_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.state_dir / "audit.jsonl"

    @property
    def exports_path(self) -> Path:
        return (self.exports_dir or self.state_dir / "exports").expanduser()

    @field_validator(
        "toolsets",
        "tools",
        "allow_workspaces",
        "allowed_hosts",
        "allowed_origins",
        "confirm_via",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("base_url", "public_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local sandbox)")
        # Never echo it: a password in a URL is a secret, and errors and `check` show URLs.
        if "@" in urlsplit(value).netloc:
            raise PydanticCustomError(
                "url_userinfo",
                "must not carry a user name or password (http://user:…@host): the Admin API "
                "authenticates with the credential variables, and a URL is shown in errors and logs",
            )
        return value

    @field_validator("confirm_via")
    @classmethod
    def _some_channel(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one channel: form, url, page, token")
        return tuple(dict.fromkeys(value))

    @field_validator("tier", mode="before")
    @classmethod
    def _tier_alias(cls, value: Any) -> Any:
        return "read-only" if value in ("read_only", "readonly") else value


KEYS: tuple[str, ...] = tuple(Settings.model_fields)


def _env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for key in KEYS:
        value = environ.get(ENV_PREFIX + key.upper())
        if value not in (None, ""):
            layer[key] = value
    # The Anthropic SDKs' own variable points every tool at another host; honour it too.
    if "base_url" not in layer and environ.get("ANTHROPIC_BASE_URL"):
        layer["base_url"] = environ["ANTHROPIC_BASE_URL"]
    return layer


def _toml_layer(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"config file {path}: unknown key {key!r}{hint}")
    return data


def load_settings(flags: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    """Merge the layers. `flags` holds only what was given on the command line (None = not given)."""
    env = os.environ if environ is None else environ
    merged: dict[str, Any] = {}
    config_path = flags.get("config") or env.get(CONFIG_ENV)
    if config_path:
        merged.update(_toml_layer(Path(config_path).expanduser()))
    merged.update(_env_layer(env))
    merged.update({k: v for k, v in flags.items() if k in KEYS and v is not None})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
