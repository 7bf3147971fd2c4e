"""The `claude-admin-mcp` command.

    claude-admin-mcp [serve]      MCP over stdio (or --transport http), the way clients start it
    claude-admin-mcp check        which credential, which organization, which tools
    claude-admin-mcp tools        the tools this configuration offers, with their tier
    claude-admin-mcp call TOOL    run one tool through the MCP code path
    claude-admin-mcp sandbox      the Admin API emulator alone, as an HTTP server

Startup problems (no credential, bad settings) print one clear line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
from mcp.types import ResourceLink

from .. import __version__
from ..api.credentials.admin_key import admin_key_credential
from ..api.credentials.base import Credential, CredentialError, Endpoint, Refusal, Unchanging
from ..api.credentials.discover import discover
from ..api.credentials.oauth_token import oauth_token_credential
from ..app import INVENTORY, create_server, endpoints_of, offer_for
from ..config import ConfigError, Settings, load_settings
from ..confirmation.approvals import APPROVAL_TTL_SECONDS
from ..confirmation.audit import head_path_for, verify
from ..confirmation.browser import open_in_browser
from ..confirmation.passkeys import Approvers, PasskeyError, check_name
from ..redaction import install_log_redaction, redact
from ..runtime.whoami import check_lines
from ..transports.enrollment import Enrollment, run_enrollment
from ..transports.http import listen, serve_http
from ..transports.http_security import http_policy
from .local_call import call_tool
from .probe import probe

PROG = "claude-admin-mcp"
COMMANDS = ("serve", "check", "tools", "call", "sandbox", "verify-audit", "approvers")
SANDBOX_OAUTH_TOKEN = "sk-ant-oat01-sandbox-acme-demo-org-admin-oauth-token-4c1e9a7b2d"
"""The sandbox's org:admin OAuth token (a sandbox secret, not a credential), used with `--sandbox`
when the chosen tools include OAuth-only ones."""
SANDBOX_CONSOLE_TOKEN = "sk-ant-oat01-sandbox-acme-demo-console-session-token-7d2f1a9c3e"
"""The bearer token the sandbox treats as a Console session (`--console-session`), the only caller
that may make org:admin federation rules, so that the whole workload identity setup can be tried."""


CALL_EXITS = {
    "applied": 0,
    "nothing_to_do": 0,
    "needs_confirmation": 3,
    "pending_approval": 3,
    "declined": 4,
    "cancelled": 4,
    "mismatch": 4,
    "expired": 4,
    "refused": 5,
    "partial": 6,
}
"""`call`'s exit status by a write's outcome: 0 applied (or already so), 3 waits for a human, 4 not
approved, 5 refused before asking, 6 a plan partly applied; 1 any other failure, 2 a startup or
usage error."""


class StartupError(Exception):
    """Ends the command with one line on stderr and exit status 2."""


def _common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("settings (flags > environment > config file > defaults)")
    g.add_argument("--config", metavar="PATH", help="TOML settings file (default: $CLAUDE_ADMIN_MCP_CONFIG)")
    g.add_argument("--sandbox", action="store_const", const=True, help="use the built-in Admin API emulator")
    g.add_argument("--sandbox-users", type=int, metavar="N", help="members in the sandbox organization")
    g.add_argument(
        "--sandbox-rate-limit",
        type=int,
        metavar="N",
        help="the sandbox allows N requests a minute (default: no limit)",
    )
    g.add_argument("--tier", choices=["read-only", "confirm"], help="read-only hides and refuses every write")
    g.add_argument("--toolsets", metavar="A,B", help="areas to offer: default, all, or names (see `tools`)")
    g.add_argument("--tools", metavar="X,Y", help="single tools to offer in addition to the toolsets")
    g.add_argument(
        "--base-url", metavar="URL", help="Admin API host (default: $ANTHROPIC_BASE_URL or api.anthropic.com)"
    )
    g.add_argument("--anthropic-version", metavar="V", help="anthropic-version header (default 2023-06-01)")
    g.add_argument("--output-budget-tokens", type=int, metavar="N", help="largest tool result, in tokens")
    g.add_argument("--audit-log", metavar="PATH", help="where write attempts are recorded")
    g.add_argument(
        "--allow-workspaces", metavar="ID,ID", help="writes may touch only these workspaces (and org)"
    )
    g.add_argument(
        "--confirm-via",
        metavar="A,B",
        help="approval channels in order: form, url, page, token (token: no human; scripts you trust)",
    )
    g.add_argument("--state-dir", metavar="DIR", help="keys, claims, audit heads, approvers")
    g.add_argument(
        "--exports-dir", metavar="DIR", help="where export_list writes (default: STATE_DIR/exports)"
    )
    g.add_argument(
        "--console-session",
        action="store_const",
        const=True,
        help="the OAuth token is a Console session (only the sandbox has one: org:admin rules allowed)",
    )
    g.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")


def _serve_options(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--transport", choices=["stdio", "http"], help="stdio (default) or streamable HTTP")
    parser.add_argument("--host", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="HTTP port (default 8765); the endpoint is /mcp")


def build_parser() -> argparse.ArgumentParser:
    # `serve` is the default command: its options belong in the first help anyone reads.
    serving = argparse.ArgumentParser(prog=f"{PROG} [serve]", add_help=False)
    _serve_options(serving)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="MCP server for the Anthropic Admin API. Without a COMMAND it serves MCP (serve).",
        epilog=serving.format_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the MCP server (the default command)")
    _serve_options(serve)

    check = sub.add_parser("check", help="test the credential and show what this configuration offers")
    _common(check)

    tools = sub.add_parser("tools", help="list the tools this configuration offers")
    _common(tools)
    tools.add_argument("--json", action="store_true", dest="as_json", help="print the MCP tools/list JSON")

    call = sub.add_parser("call", help="run one tool through the MCP code path and print its result")
    _common(call)
    call.add_argument("tool", help="tool name")
    call.add_argument("--json", dest="arguments", default="{}", metavar="ARGS", help="tool arguments as JSON")
    call.add_argument("--structured", action="store_true", help="print the structured content as JSON")

    verify = sub.add_parser("verify-audit", help="check an audit log's hash chain and recorded head")
    verify.add_argument("path", help="the audit log (see --audit-log)")
    verify.add_argument(
        "--state-dir", metavar="DIR", help="the server's state folder (where the head is kept)"
    )

    approvers = sub.add_parser("approvers", help="the people whose passkey approves writes (passkey factor)")
    approvers.add_argument("action", choices=["add", "list", "remove"])
    approvers.add_argument("name", nargs="?", help="the approver's name (add, remove)")
    approvers.add_argument("--state-dir", metavar="DIR", help="the server's state folder")

    sandbox = sub.add_parser("sandbox", help="serve the Admin API emulator until interrupted")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8800)
    sandbox.add_argument("--users", type=int, default=60)
    sandbox.add_argument("--workspaces", type=int, default=None)
    sandbox.add_argument("--seed", type=int, default=1)
    sandbox.add_argument(
        "--admin-key", default=None, help="the admin key it accepts (default: a fixed sandbox key)"
    )
    sandbox.add_argument(
        "--oauth-token", default=SANDBOX_OAUTH_TOKEN, help="the org:admin OAuth token it also accepts"
    )
    sandbox.add_argument(
        "--console-token",
        default=SANDBOX_CONSOLE_TOKEN,
        help="the bearer token it treats as a Console session (may make org:admin federation rules)",
    )
    sandbox.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        metavar="N",
        help="allow N requests a minute, with anthropic-ratelimit-* headers and 429s (default: no limit)",
    )
    sandbox.add_argument(
        "--rate-limit-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long the emptied bucket takes to refill (default 60; shorter for tests)",
    )
    sandbox.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a failure, e.g. kind=status,status=529,path=/users,times=3 (repeatable)",
    )
    return parser


def _flags(ns: argparse.Namespace) -> dict[str, Any]:
    keys = (
        "config",
        "sandbox",
        "sandbox_users",
        "sandbox_rate_limit",
        "tier",
        "toolsets",
        "tools",
        "base_url",
        "anthropic_version",
        "output_budget_tokens",
        "audit_log",
        "allow_workspaces",
        "confirm_via",
        "state_dir",
        "exports_dir",
        "console_session",
        "log_level",
        "transport",
        "host",
        "port",
    )
    return {key: getattr(ns, key, None) for key in keys}


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)  # stdout belongs to the MCP protocol on stdio
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request lines are ours to log (without query strings); the HTTP library's would repeat them.
    for noisy in ("httpx2", "httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_log_redaction()


class _NoCredential(Unchanging):
    """Stands in where a command only describes tools and never calls the API (as an OAuth token,
    so that every tool is described, OAuth-only ones included)."""

    kind: Literal["oauth_token"] = "oauth_token"
    source = "(none configured)"

    async def headers(self) -> dict[str, str]:
        raise CredentialError("no credential configured")

    def refusal(self, endpoint: Endpoint) -> Refusal | None:
        return None


@contextmanager
def runtime(
    ns: argparse.Namespace, *, need_credential: bool = True, tool: str | None = None, quiet: bool = False
) -> Iterator[tuple[Settings, Credential]]:
    """Settings and credential for this run; with --sandbox, an emulator running for its duration
    (and an audit log of its own, so that no sandbox line lands in the real one)."""
    try:
        settings = load_settings(_flags(ns))
    except ConfigError as exc:
        raise StartupError(str(exc)) from None
    asked = getattr(ns, "log_level", None) or os.environ.get("CLAUDE_ADMIN_MCP_LOG_LEVEL")
    # A one-shot command prints its answer; its log says nothing below a warning unless asked to.
    _configure_logging(settings.log_level if asked or not quiet else "WARNING")
    if not settings.sandbox:
        try:
            credential: Credential = discover(os.environ, settings.base_url, console=settings.console_session)
        except CredentialError as exc:
            if need_credential:
                raise StartupError(str(exc)) from None
            credential = _NoCredential()
        yield settings, credential
        return
    # The emulator is imported only when asked for: it is no part of a production run.
    from claude_admin_mcp.sandbox.runner import SandboxConfig, start_sandbox

    try:
        # The service-account and federation tools need an OAuth token: the sandbox has one too. One
        # tool (`call`) gets what it needs; a server, the token if any tool offered needs it.
        entry = INVENTORY.get(tool) if tool is not None else None
        offered = [entry] if entry is not None else offer_for(settings, _NoCredential()).entries
        oauth = any(e.oauth_only for e in offered)
    except ConfigError:
        oauth = False
    if settings.audit_log is None:
        settings = settings.model_copy(update={"audit_log": settings.state_dir / "sandbox-audit.jsonl"})
    config = SandboxConfig(
        users=settings.sandbox_users,
        oauth_token=SANDBOX_OAUTH_TOKEN,
        console_token=SANDBOX_CONSOLE_TOKEN,
        rate_limit=settings.sandbox_rate_limit,
    )
    with start_sandbox(config) as sandbox:
        logging.getLogger(PROG).info(
            "sandbox organization with %d members at %s", settings.sandbox_users, sandbox.base_url
        )
        if settings.console_session:
            credential = oauth_token_credential(
                "the sandbox's Console session", SANDBOX_CONSOLE_TOKEN, console=True
            )
        elif oauth:
            credential = oauth_token_credential("the sandbox", SANDBOX_OAUTH_TOKEN)
        else:
            credential = admin_key_credential("the sandbox", sandbox.config.admin_key)
        yield settings.model_copy(update={"base_url": sandbox.base_url}), credential


def _serve(ns: argparse.Namespace) -> int:
    with runtime(ns) as (settings, credential):
        try:
            # An unsafe HTTP setup is refused before anything else starts.
            policy = http_policy(settings) if settings.transport == "http" else None
            server = create_server(settings, credential)
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        if policy is not None:
            if policy.made_token is not None:
                # The secret itself is never printed or logged: the command reads it from its file.
                url = f"http://{settings.host}:{settings.port}/mcp"
                print(
                    f"{PROG}: MCP clients need the bearer secret kept in {policy.made_token} (mode 0600). "
                    f"Claude Code: claude mcp add --transport http anthropic-admin {url} "
                    f'--header "Authorization: Bearer $(cat {policy.made_token})"',
                    file=sys.stderr,
                )
            try:
                sock = listen(settings)
            except OSError as exc:
                raise StartupError(
                    f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc} "
                    "(another server on that port? choose another with --port)"
                ) from None
            anyio.run(serve_http, server, settings, policy, server.pages, sock)
        else:
            anyio.run(server.run_stdio_async)
    return 0


def _check(ns: argparse.Namespace) -> int:
    with runtime(ns, quiet=True) as (settings, credential):
        try:
            offered = offer_for(settings, credential).entries
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        print(f"api:          {settings.base_url} (anthropic-version {settings.anthropic_version})")
        ok, report = anyio.run(probe, settings, credential, INVENTORY)
        for line in check_lines(report):
            print(line)
        reads = sum(entry.read_only for entry in offered)
        print(f"tier:         {settings.tier}; toolsets: {', '.join(settings.toolsets)}")
        print(f"tools:        {len(offered)} ({reads} read, {len(offered) - reads} write)")
        print("OK" if ok else "FAILED")
        return 0 if ok else 1


def _tools(ns: argparse.Namespace) -> int:
    with runtime(ns, need_credential=False, quiet=True) as (settings, credential):
        try:
            server = create_server(settings, credential)
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        listed = anyio.run(server.list_tools)
        if ns.as_json:
            # The MCP entry, plus what only the server knows: toolset, tier, the endpoints it calls.
            facts = []
            for tool in listed:
                entry = INVENTORY.get(tool.name)
                facts.append(
                    {
                        **tool.model_dump(by_alias=True, exclude_none=True, mode="json"),
                        "toolset": entry.toolset if entry is not None else None,
                        "tier": "read" if entry is None or entry.read_only else "write",
                        "endpoints": endpoints_of(tool.name),
                    }
                )
            payload = {"tools": facts}
            print(json.dumps(payload, indent=2, ensure_ascii=False))
            return 0
        width = max(len(t.name) for t in listed) if listed else 10
        for tool in listed:
            hints = tool.annotations
            flags = []
            if hints is not None:
                flags.append("read-only" if hints.read_only_hint else "write")
                if hints.destructive_hint:
                    flags.append("destructive")
                if hints.idempotent_hint:
                    flags.append("idempotent")
            print(f"{tool.name:<{width}}  {', '.join(flags):<32}  {tool.title}")
        print(f"\n{len(listed)} tools; tier {settings.tier}; toolsets {', '.join(settings.toolsets)}")
    return 0


def _call(ns: argparse.Namespace) -> int:
    try:
        arguments = json.loads(ns.arguments)
        if not isinstance(arguments, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise StartupError(f"--json must be a JSON object of tool arguments ({exc})") from None
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    with runtime(ns, tool=ns.tool, quiet=True) as (settings, credential):
        if settings.sandbox:
            print(
                f"{PROG}: this sandbox lives for this one command (what it changes is gone afterwards); "
                f"`{PROG} sandbox` keeps one running",
                file=sys.stderr,
            )
        if not interactive:
            # The approval page lives as long as this command: it waits for the decision (5 minutes
            # at most), and the link is printed at once.
            settings = settings.model_copy(update={"approval_wait_seconds": float(APPROVAL_TTL_SECONDS)})

        async def show_link(url: str) -> bool:
            print(f"Approve or decline this change at: {url}", file=sys.stderr, flush=True)
            if settings.approval_open_browser:
                await open_in_browser(url)
            return True

        try:
            server = create_server(settings, credential, open_page=show_link)
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        result = anyio.run(call_tool, server, ns.tool, arguments, interactive)
    if ns.structured and result.structured_content is not None:
        print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    else:
        for block in result.content:
            if not isinstance(block, ResourceLink):  # an export's link: its text names the file already
                print(getattr(block, "text", block))
    outcome = (result.structured_content or {}).get("outcome")
    if isinstance(outcome, str) and outcome in CALL_EXITS:
        return CALL_EXITS[outcome]
    return 1 if result.is_error else 0


def _sandbox(ns: argparse.Namespace) -> int:
    # The emulator is imported only when asked for: it is no part of a production run.
    from claude_admin_mcp.sandbox.faults import Fault
    from claude_admin_mcp.sandbox.runner import SandboxConfig, serve_forever

    if ns.rate_limit is not None and ns.rate_limit < 1:
        raise StartupError("--rate-limit: must be at least 1 request a minute")
    if not ns.rate_limit_window > 0:
        raise StartupError("--rate-limit-window: must be a positive number of seconds")
    _configure_logging("INFO")
    try:
        faults = tuple(Fault.parse(spec) for spec in ns.fault)
    except ValueError as exc:
        raise StartupError(f"--fault: {exc}") from None
    options: dict[str, Any] = {
        "users": ns.users,
        "workspaces": ns.workspaces,
        "seed": ns.seed,
        "faults": faults,
        "rate_limit": ns.rate_limit,
        "rate_limit_window_seconds": ns.rate_limit_window,
    }
    options["oauth_token"] = ns.oauth_token
    options["console_token"] = ns.console_token
    if ns.admin_key:
        options["admin_key"] = ns.admin_key
    print(
        f"{PROG} sandbox: also ANTHROPIC_OAUTH_TOKEN={ns.oauth_token} (org:admin, for service accounts and "
        f"federation), and ANTHROPIC_OAUTH_TOKEN={ns.console_token} with --console-session (a Console "
        "session: org:admin federation rules too). Its data follows today's date.",
        file=sys.stderr,
        flush=True,
    )
    serve_forever(SandboxConfig(**options), ns.host, ns.port)
    return 0


def _state_dir(ns: argparse.Namespace) -> Path:
    try:
        return load_settings({"state_dir": ns.state_dir}).state_dir.expanduser()
    except ConfigError as exc:
        raise StartupError(str(exc)) from None


def _verify_audit(ns: argparse.Namespace) -> int:
    path = Path(ns.path).expanduser()
    if not path.is_file():
        raise StartupError(f"{path} is not a file")
    state_dir = _state_dir(ns)
    key_file = state_dir / "audit.key"
    if key_file.is_file():
        result = verify(path, head_path_for(path, state_dir), key_file.read_bytes())
    else:
        result = verify(path)
        print(f"note: no audit key in {state_dir}: lines removed from the end cannot be detected here")
    for problem in result.problems:
        print(problem)
    state = "intact" if result.ok else f"BROKEN ({len(result.problems)} problems)"
    print(f"{path}: {result.lines} lines, chain {state}; last line's sha256 {result.head}")
    return 0 if result.ok else 1


def _approvers(ns: argparse.Namespace) -> int:
    store = Approvers(_state_dir(ns) / "approvers.json")
    try:
        if ns.action == "list":
            for approver in store.all():
                print(f"{approver.name}  (enrolled {approver.added})")
            return 0
        if ns.name is None:
            raise StartupError(f"approvers {ns.action} needs the approver's NAME")
        name = check_name(ns.name)
        if ns.action == "remove":
            if not store.remove(name):
                raise StartupError(f"no approver is named {name!r}")
            print(f"{name} can no longer approve.")
            return 0
    except PasskeyError as exc:
        raise StartupError(str(exc)) from None
    _configure_logging("WARNING")

    def announce(link: str) -> None:
        print(
            f"Open this link within 10 minutes, in the browser {name} will approve from (it works once):\n"
            f"  {link}",
            flush=True,
        )

    enrolled = anyio.run(run_enrollment, Enrollment(store, name), announce)
    if enrolled is None:
        print(f"{PROG}: the enrollment link expired; nothing was enrolled", file=sys.stderr)
        return 1
    print(f'{name} is enrolled. Set approval_factor = "passkey" to require an approver\'s passkey.')
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in COMMANDS and args[0] not in ("-h", "--help", "--version")):
        args.insert(0, "serve")
    ns = build_parser().parse_args(args)
    handlers = {
        "serve": _serve,
        "check": _check,
        "tools": _tools,
        "call": _call,
        "sandbox": _sandbox,
        "verify-audit": _verify_audit,
        "approvers": _approvers,
    }
    try:
        return handlers[ns.command](ns)
    except StartupError as exc:
        print(f"{PROG}: {redact(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
