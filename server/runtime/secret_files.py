"""The secrets folder (`<state_dir>/secrets`): secret values the human leaves there for the server,
and secrets the API returns once, kept for the human in its `kept` folder (see `catalog/secrets.py`).

What the human leaves is read only from files of the folder itself (by name: no path reaches
elsewhere, no symbolic link is followed), regular files of theirs that no one else may read, one
`Name: value` a line; or from the server's environment, only variables named
`CLAUDE_ADMIN_MCP_SECRET_…`. What the API returns is written to a new file (mode 0600, never over
another) in `kept` (mode 0700, as is the folder), which no `headers_file` can name. Every value is
registered with the redactor the moment it is read, and no message here ever holds one.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..catalog.secrets import (
    ENV_NAME,
    FILE_NAME,
    FOLDER,
    KEPT,
    SecretReturned,
    SecretSourceError,
    SecretValues,
)
from ..redaction import register_secret

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 65_536
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")
"""A header name (RFC 9110 token)."""
_FILE = re.compile(FILE_NAME)
_ENV = re.compile(ENV_NAME)


def folder_of(state_dir: Path) -> Path:
    return state_dir.expanduser() / FOLDER


def read_values(
    folder: Path,
    file: str | None,
    env: Mapping[str, str] | None,
    noun: str = "header",
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The values, by name, from `file` (in `folder`) and `env` ({name: variable}); registered
    with the redactor before anything else happens to them."""
    values: dict[str, str] = {}
    seen: dict[str, str] = {}

    def add(name: str, value: str, where: str, from_file: bool = False) -> None:
        register_secret(value)
        if not _TOKEN.fullmatch(name):
            if from_file:  # then perhaps part of the value (its colon left out, the value's own taken)
                register_secret(name)
                raise SecretSourceError(f"{where}: its name is not a valid {noun} name (one word, then `:`)")
            raise SecretSourceError(f"{where}: {name[:40]!r} is not a valid {noun} name")
        if name.lower() in seen:
            raise SecretSourceError(f"{noun} {name} is given twice ({seen[name.lower()]} and {where})")
        seen[name.lower()] = where
        values[name] = value

    if file is not None:
        for number, name, value in _lines(folder, file):
            add(name, value, f"{file} line {number}", from_file=True)
    source = os.environ if environ is None else environ
    for name, variable in (env or {}).items():
        if not _ENV.fullmatch(variable):
            raise SecretSourceError(
                f"{noun} {name[:40]!r}: {variable[:80]!r} is not a variable this server reads secrets from "
                f"(only CLAUDE_ADMIN_MCP_SECRET_…, set by the human in the server's environment)"
            )
        found = source.get(variable)
        if not found:
            raise SecretSourceError(f"{variable} is not set in the server's environment")
        add(name, found.strip(), variable)
    return values


def _lines(folder: Path, file: str) -> list[tuple[int, str, str]]:
    if not _FILE.fullmatch(file):
        raise SecretSourceError(f"{file[:80]!r} is not a file name of the secrets folder (no folders)")
    path = folder / file
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SecretSourceError(
            f"no file {file} in the secrets folder {folder}: the human writes it there, one `Name: value` "
            "a line, readable only by them (chmod 600)"
        ) from None
    except OSError as exc:  # a symbolic link (ELOOP), a folder, no permission
        raise SecretSourceError(f"{path} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder, a FIFO, a device (before fdopen refuses)
        os.close(fd)
        raise SecretSourceError(f"{path} is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.getuid():
            raise SecretSourceError(f"{path} belongs to another user")
        if info.st_mode & 0o077:
            raise SecretSourceError(
                f"{path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}): chmod 600 it first"
            )
        if info.st_size > MAX_FILE_BYTES:
            raise SecretSourceError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes")
        raw = handle.read(MAX_FILE_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretSourceError(f"{path} is not UTF-8 text") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or not value.strip():
            register_secret(line.strip())  # a malformed line may still be a secret
            raise SecretSourceError(f"{file} line {number} is not `Name: value`")
        found.append((number, name.strip(), value.strip()))
    if not found:
        raise SecretSourceError(f"{file} holds no `Name: value` line")
    return found


def with_values(spec: SecretValues, args: BaseModel, body: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The request body with the secret values the arguments point at merged into `spec.body`."""
    file, env = getattr(args, spec.file, None), getattr(args, spec.env, None)
    if file is None and not env:
        return body
    values = read_values(folder, file, env, spec.noun)
    return {**body, spec.body: {**(body.get(spec.body) or {}), **values}}


def keep_returned(
    spec: SecretReturned, data: dict[str, Any], args: BaseModel, folder: Path, now: datetime
) -> dict[str, Any]:
    """`data` without the secret, which goes to a new file of its own; `<field>_file` says where
    (or, if it could not be written, is null and `<field>_error` says why)."""
    secret = data.get(spec.field)
    if not isinstance(secret, str) or not secret:
        return data
    register_secret(secret)
    owner = data.get(spec.owner) if spec.owner in data else getattr(args, spec.owner, None)
    tag = re.sub(r"[^A-Za-z0-9_-]", "", str(owner or ""))[:80] or "unknown"
    shown = {key: value for key, value in data.items() if key != spec.field}
    try:
        path = _write_new(folder, f"{spec.noun}-{tag}-{now.strftime('%Y%m%dT%H%M%SZ')}", secret + "\n")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        log.error("the %s of %s could not be written to %s: %s", spec.noun, tag, folder, reason)
        shown[f"{spec.field}_file"] = None
        shown[f"{spec.field}_error"] = (
            f"not kept: the secrets folder {folder} cannot be written ({reason}); it is shown nowhere, "
            "so make the folder writable and replace the secret"
        )
        return shown
    shown[f"{spec.field}_file"] = str(path)
    return shown


def _write_new(folder: Path, stem: str, text: str) -> Path:
    """A new file in the secrets folder's `kept` folder, both folders the user's alone."""
    kept = folder / KEPT
    for level in (folder, kept):
        level.mkdir(mode=0o700, exist_ok=True, parents=True)
        info = level.lstat()
        if not stat.S_ISDIR(info.st_mode):  # a link where the folder should be is not followed
            raise NotADirectoryError(errno.ENOTDIR, "not a folder")
        if info.st_uid != os.getuid():
            raise PermissionError(errno.EPERM, "the folder belongs to another user")
        if stat.S_IMODE(info.st_mode) & 0o077:  # made by hand without umask 077: others could list it
            level.chmod(0o700)
    for attempt in range(100):
        path = kept / (f"{stem}.txt" if attempt == 0 else f"{stem}-{attempt + 1}.txt")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        return path
    raise FileExistsError(f"{kept / stem}.txt and 99 others exist")
