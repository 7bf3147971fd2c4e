"""The exports folder: files that appear whole or not at all, the CSV and JSONL writers, and an
export read back by name (`exports://NAME`), which can reach nothing but an export in the folder.

A file is written under a hidden temporary name (mode 0600: it holds the organization's members and
keys) and linked to its final name only when complete, never over an existing file. Names are made
by the server from a list name (or a downloaded file's ids) and the time, so no caller's text
reaches a path. Downloaded archives (`.zip`) live here too, and read back as binary.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.types import Resource

from .rendering import lookup

Format = Literal["csv", "jsonl"]
MEDIA_TYPES: dict[str, str] = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
BINARY_TYPES: dict[str, str] = {"zip": "application/zip"}
"""Files the folder holds that are read back as bytes (downloads), by suffix."""
SCHEME = "exports://"
NAME = re.compile(r"^[a-z_]+(?:-[A-Za-z0-9_]+)*-\d{8}T\d{6}Z(?:-\d{1,4})?\.(?:csv|jsonl|zip)$")
"""What the server names a file: `users-20261201T111500Z.csv`, or a download named by the ids in
its path, `plugin_01Ab-pluginver_01Cd-20261201T111500Z.zip` (a suffix when two share a second)."""
MAX_READ_BYTES = 32 * 1024 * 1024
"""The largest export `resources/read` returns: beyond, the path is the way (memory stays bounded)."""
LISTED = 100
"""Exports shown by `resources/list`, newest first."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with these as a formula; API data is data (OWASP's CSV
injection advice: such a cell gets a leading `'`)."""


def folder(path: Path) -> Path:
    """The exports folder, made (0700) if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def csv_cell(value: Any) -> str:
    """A value as a spreadsheet should read it: numbers and booleans plain, objects as JSON, and text
    that a spreadsheet would run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(item: Mapping[str, Any], column: str) -> str:
    # The common case first (a plain field holding text that is no formula): an export runs this
    # for every cell of every row.
    value = item.get(column) if "." not in column else lookup(item, column)
    if type(value) is str and not value.startswith(FORMULA_STARTS):
        return value
    return csv_cell(value)


class Writer:
    """Rows into an open text file: CSV with a header of `columns` (dotted paths reach into objects),
    or JSONL, one object per line."""

    def __init__(self, handle: TextIO, form: Format, columns: Sequence[str]) -> None:
        self._handle = handle
        self._columns = tuple(columns)
        self._csv = csv.writer(handle) if form == "csv" else None
        if self._csv is not None:
            self._csv.writerow(self._columns)

    def write(self, items: Iterable[Mapping[str, Any]]) -> None:
        if self._csv is not None:
            self._csv.writerows([_cell(item, column) for column in self._columns] for item in items)
        else:
            dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            self._handle.write("".join(dumps(item) + "\n" for item in items))


class ExportFile:
    """One export being written: `handle` is a hidden temporary file in the folder; `finish` gives
    it its final name, `discard` (a failure, a cancellation) removes it."""

    def __init__(self, directory: Path, stem: str, form: Format) -> None:
        self._directory = directory
        self._stem = stem
        self._form = form
        descriptor, temporary = tempfile.mkstemp(prefix=f".{stem}-", suffix=".part", dir=directory)
        self._temporary = Path(temporary)
        self.handle: TextIO = os.fdopen(descriptor, "w", encoding="utf-8", newline="")

    def finish(self) -> Path:
        """The complete file under its final name (never over another), and the temporary gone."""
        self.handle.close()
        return _publish(self._temporary, self._directory, self._stem, self._form)

    def discard(self) -> None:
        self.handle.close()
        self._temporary.unlink(missing_ok=True)


class BinaryFile:
    """A downloaded file being written, as `ExportFile` (hidden until `finish`), in binary."""

    def __init__(self, directory: Path, stem: str, suffix: str) -> None:
        self._directory, self._stem, self._suffix = directory, stem, suffix
        descriptor, temporary = tempfile.mkstemp(prefix=f".{stem}-", suffix=".part", dir=directory)
        self._temporary = Path(temporary)
        self.handle: BinaryIO = os.fdopen(descriptor, "w+b")

    def finish(self) -> Path:
        self.handle.close()
        return _publish(self._temporary, self._directory, self._stem, self._suffix)

    def discard(self) -> None:
        self.handle.close()
        self._temporary.unlink(missing_ok=True)


def _publish(temporary: Path, directory: Path, stem: str, suffix: str) -> Path:
    for attempt in range(1, 10_000):
        numbered = "" if attempt == 1 else f"-{attempt}"
        final = directory / f"{stem}{numbered}.{suffix}"
        try:
            os.link(temporary, final)  # fails, rather than replaces, if the name is taken
        except FileExistsError:
            continue
        temporary.unlink()
        return final
    raise OSError(f"no free name for {stem} in {directory}")


def stem(list_name: str, now: datetime) -> str:
    return f"{list_name}-{now:%Y%m%dT%H%M%SZ}"


def uri_of(path: Path) -> str:
    return SCHEME + path.name


def read_export(directory: Path, name: str) -> str:
    """The text of the export `name`: only a regular file directly in the folder, by a name the
    server gives, and not larger than `MAX_READ_BYTES`."""
    data = read_file(directory, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ResourceError(f"{name} is not UTF-8 text (it was not written by export_list)") from None


def read_file(directory: Path, name: str) -> bytes:
    """The bytes of the file `name` in the exports folder, as `read_export` finds it."""
    unknown = ResourceNotFoundError(
        f"no export named {name!r} in the exports folder (export_list gives names like "
        "exports://users-20261201T111500Z.csv)"
    )
    if not NAME.fullmatch(name):
        raise unknown
    path = directory / name
    try:
        # O_NOFOLLOW: a symlink put in the folder is refused, even one swapped in after a check.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise unknown from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise unknown
        if info.st_size > MAX_READ_BYTES:
            raise ResourceError(
                f"{name} holds {info.st_size:,} bytes, more than resources/read returns "
                f"({MAX_READ_BYTES:,}); open {path} on the server's machine instead"
            )
        return handle.read(MAX_READ_BYTES + 1)


def listed(directory: Path) -> list[Resource]:
    """The newest exports in the folder, as `resources/list` shows them."""
    try:
        entries = [
            e for e in os.scandir(directory) if NAME.fullmatch(e.name) and e.is_file(follow_symlinks=False)
        ]
    except OSError:
        return []
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True)
    return [
        Resource(
            uri=SCHEME + entry.name,
            name=entry.name,
            mime_type={**MEDIA_TYPES, **BINARY_TYPES}[entry.name.rsplit(".", 1)[1]],
            size=entry.stat(follow_symlinks=False).st_size,
        )
        for entry in entries[:LISTED]
    ]
