"""The local files an upload write sends (`Operation.upload`): read from the path the caller gave,
checked and bounded before anything is sent, and read again when the write is applied, so the bytes
sent are the bytes the human approved, or nothing is sent.

A path names a file on the server's machine: that is the user's own only when the server runs on
their desktop (stdio). Over HTTP it is refused, as is anything but an absolute path to a regular
file of the expected kind (or, where the API takes one, a folder of regular files), within the size
limit. A folder's symbolic links are refused rather than followed (one could lead anywhere).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import anyio

from ..api.client import FilePart
from ..catalog.files import MAX_UPLOAD_FILES, SentFiles, Upload
from ..catalog.preview import Preview, one_line

MANIFEST_MAX_BYTES = 1024 * 1024
SKIPPED_FOLDERS = frozenset({".git"})
"""Folders of a plugin's working copy that are no part of the plugin."""
LISTED_NAMES = 8
"""File names a preview shows before "+N more"."""
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BOUNDED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""The compressions a manifest is read from: each inflates at most what is asked of it."""


class UploadError(Exception):
    """The local path cannot be sent; the message says why and what would do."""


@dataclass(frozen=True)
class Payload:
    """What an upload sends: the multipart parts, and their summary as the preview shows it."""

    sent: SentFiles
    parts: tuple[FilePart, ...]


async def load(upload: Upload, given: str, transport: str) -> Payload:
    """The upload at the path `given`, read off the event loop (a file of up to 32 MB)."""
    return await anyio.to_thread.run_sync(read, upload, given, transport)


def read(upload: Upload, given: str, transport: str) -> Payload:
    kinds = " or ".join(upload.suffixes) + (" file, or a folder" if upload.directory else " file")
    if transport != "stdio":
        raise UploadError(
            "a local path can be sent only when the server runs on your machine (stdio): over HTTP it "
            "would name a file on the server's machine. Use a stdio server (Claude Desktop, Claude Code) "
            "or `claude-admin-mcp call` on the machine that holds the file"
        )
    path = Path(given).expanduser()
    if not path.is_absolute():
        raise UploadError(f"{_shown(given)} is not an absolute path; give the full path of the {kinds}")
    try:
        resolved = path.resolve(strict=True)
        info = resolved.stat()
    except OSError:
        raise UploadError(f"nothing at {_shown(given)} (expected a {kinds})") from None
    if resolved.is_dir():
        if not upload.directory:
            raise UploadError(f"{_shown(str(resolved))} is a folder; this takes a {kinds}")
        parts = _folder(resolved, upload)
    elif resolved.is_file():
        parts = [(resolved.name, _archive(resolved, info.st_size, upload, kinds))]
    else:
        raise UploadError(f"{_shown(str(resolved))} is not a regular file (expected a {kinds})")
    digest = hashlib.sha256()
    for name, content in parts:
        digest.update(name.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
    manifest, problem = _manifest(parts, upload.manifest) if upload.manifest else (None, None)
    sent = SentFiles(
        path=str(resolved),
        names=tuple(name for name, _ in parts),
        total_bytes=sum(len(content) for _, content in parts),
        sha256=digest.hexdigest(),
        manifest=manifest,
        manifest_problem=problem,
    )
    media = {name: _media_type(name) for name, _ in parts}
    return Payload(sent, tuple((upload.part, (name, content, media[name])) for name, content in parts))


def shown(preview: Preview, sent: SentFiles) -> Preview:
    """The preview with what is sent first, and the digest the approval binds."""
    names = list(sent.names[:LISTED_NAMES])
    more = f" (+{len(sent.names) - LISTED_NAMES} more)" if len(sent.names) > LISTED_NAMES else ""
    lines = [f"Sends {sent.path}: {sent.summary()}."]
    if len(sent.names) > 1:
        lines.append(f"Files: {', '.join(names)}{more}.")
    return replace(preview, details=(*lines, *preview.details), upload_sha256=sent.sha256)


def _shown(value: str) -> str:
    return repr(one_line(value, 200))


def _archive(path: Path, size: int, upload: Upload, kinds: str) -> bytes:
    if not path.name.lower().endswith(tuple(suffix.lower() for suffix in upload.suffixes)):
        raise UploadError(f"{_shown(str(path))} is not a {kinds}")
    if size > upload.max_bytes:
        raise UploadError(
            f"{_shown(str(path))} holds {size:,} bytes, more than the {upload.max_bytes:,} an upload may"
        )
    with path.open("rb") as handle:
        content = handle.read(upload.max_bytes + 1)
    if len(content) > upload.max_bytes:
        raise UploadError(f"{_shown(str(path))} grew past {upload.max_bytes:,} bytes while it was read")
    if not content.startswith(_ZIP_MAGIC):
        raise UploadError(f"{_shown(str(path))} is not a zip archive (its first bytes say otherwise)")
    return content


def _folder(root: Path, upload: Upload) -> list[tuple[str, bytes]]:
    found: list[Path] = []
    for directory, folders, files in os.walk(root, followlinks=False):
        here = Path(directory)
        folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS)
        for name in [*folders, *files]:
            if (here / name).is_symlink():
                inside = (here / name).relative_to(root).as_posix()
                raise UploadError(
                    f"the folder holds a symbolic link ({_shown(inside)}); replace it with the file"
                )
        found.extend(here / name for name in sorted(files))
        if len(found) > MAX_UPLOAD_FILES:
            raise UploadError(f"{_shown(str(root))} holds more than {MAX_UPLOAD_FILES:,} files")
    if not found:
        raise UploadError(f"{_shown(str(root))} holds no files")
    parts: list[tuple[str, bytes]] = []
    total = 0
    for file in found:
        if not file.is_file():
            raise UploadError(f"{_shown(file.relative_to(root).as_posix())} is not a regular file")
        with file.open("rb") as handle:
            content = handle.read(upload.max_bytes - total + 1)
        total += len(content)
        if total > upload.max_bytes:
            raise UploadError(
                f"{_shown(str(root))} holds more than the {upload.max_bytes:,} bytes an upload may"
            )
        parts.append((file.relative_to(root).as_posix(), content))
    return sorted(parts)


def _manifest(parts: list[tuple[str, bytes]], name: str) -> tuple[dict[str, Any] | None, str | None]:
    """The manifest `name` from a folder's files, or from inside a single archive (at its root, or
    in the one folder wrapping everything)."""
    files = dict(parts)
    raw = files.get(name)
    if raw is None and len(parts) == 1:
        raw = _from_archive(parts[0][1], name)
    if raw is None:
        return None, f"it holds no {name}"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, f"its {name} is not valid JSON"
    if not isinstance(data, dict):
        return None, f"its {name} is not a JSON object"
    return data, None


def _from_archive(content: bytes, name: str) -> bytes | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
            tops = {PurePosixPath(member).parts[0] for member in members}
            wrapped = f"{next(iter(tops))}/{name}" if len(tops) == 1 else None
            for candidate in (name, wrapped):
                info = members.get(candidate) if candidate else None
                # What an archive says of a member's size is its own claim: read no more than the
                # limit, and only what inflates in bounded steps (zlib does; bzip2 and LZMA do not).
                if (
                    info is not None
                    and info.compress_type in _BOUNDED
                    and info.file_size <= MANIFEST_MAX_BYTES
                ):
                    with archive.open(info) as member:
                        raw = member.read(MANIFEST_MAX_BYTES + 1)
                    return raw if len(raw) <= MANIFEST_MAX_BYTES else None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):  # a damaged archive
        return None
    return None


def _media_type(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".zip", ".plugin")):
        return "application/zip"
    if lowered.endswith((".json", ".md", ".txt", ".yaml", ".yml", ".sh", ".py", ".js", ".ts")):
        return "text/plain" if not lowered.endswith(".json") else "application/json"
    return "application/octet-stream"
