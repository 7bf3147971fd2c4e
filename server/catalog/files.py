"""Endpoints that move files rather than JSON: an upload taken from a local path, and a download
written to the exports folder.

An `Upload` names the input field holding a local path and how the API takes the file (the
multipart part, archives or a directory's files); the runtime reads it (stdio only, bounded) and
shows what it read in the preview (`SentFiles`), so the human approves exactly those bytes. A
`Download` says what the body is; the runtime streams it into the exports folder and answers with
a resource link, never the bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
"""The largest upload: the API's limit on a marketplace archive, and ample for a plugin's files."""
MAX_UPLOAD_FILES = 1000
"""A directory with more files than this is not a plugin; it is refused before anything is read."""


@dataclass(frozen=True)
class Upload:
    """A write whose body is `multipart/form-data` holding local files."""

    field: str
    """The input field holding the local path (read by the server, never sent to the API)."""
    part: str
    """The multipart part each file is sent as (`files[]`, `archive`)."""
    suffixes: tuple[str, ...] = (".zip",)
    """The archive suffixes a file must have."""
    directory: bool = False
    """A directory may be given: each regular file in it is one part, named by its path within it."""
    manifest: str | None = None
    """A JSON file within the upload that previews read (`.claude-plugin/plugin.json`), if any."""
    max_bytes: int = MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class SentFiles:
    """What an upload read from the local path, as its preview shows it."""

    path: str
    """The path as resolved (symbolic links followed), so the human sees what is really sent."""
    names: tuple[str, ...]
    """Each part's file name: the archive's, or each file's path within the directory."""
    total_bytes: int
    sha256: str
    """Of every part's name and content, in order: what the approval binds."""
    manifest: Mapping[str, Any] | None = None
    """The upload's manifest, parsed, when it has one that is a JSON object."""
    manifest_problem: str | None = None
    """Why the manifest could not be read, when it could not."""

    def summary(self) -> str:
        what = self.names[0] if len(self.names) == 1 else f"{len(self.names)} files"
        return f"{what}, {self.total_bytes:,} bytes, SHA-256 {self.sha256}"


@dataclass(frozen=True)
class Download:
    """A read whose body is a file: written to the exports folder, answered with a resource link."""

    suffix: str
    """The file's suffix in the exports folder (`zip`)."""
    media_type: str
    prefix: str = "file"
    """The first word of the file's name (`plugin`), before the ids in the request path."""
    noun: str = "file"
    """What the file is, for the answer ("plugin archive")."""
    max_bytes: int = 256 * 1024 * 1024
    """A body larger than this is cut off and nothing is kept (the exports folder is not a dump)."""


class DownloadedFile(BaseModel):
    """What a download tool returns (its `output`): where the file is, and how to read it."""

    path: str
    uri: str
    bytes: int
    sha256: str
    media_type: str
