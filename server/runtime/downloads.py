"""A read whose answer is a file (`Operation.download`): streamed into the exports folder, a chunk at
a time, and answered with the file's path, size, SHA-256 and an `exports://` resource link, never
its bytes. The file appears whole or not at all; it is named by the ids in the request path and the
time (the API's own file name is not unique), so nothing the API or the caller says reaches a path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from mcp.types import CallToolResult, ResourceLink
from pydantic import BaseModel

from ..catalog.files import Download, DownloadedFile
from ..catalog.operation import Operation
from .export_files import BinaryFile, folder, stem, uri_of
from .requests import path_for
from .results import failure, result
from .state import RunState


async def run_download(op: Operation, args: BaseModel, state: RunState) -> CallToolResult:
    """The file at the operation's path, into the exports folder. API errors propagate (the
    dispatcher words them); a folder that cannot be written is said here."""
    spec = op.download
    assert spec is not None
    names = [str(getattr(args, name)) for name in op.path_params]
    try:
        directory = folder(state.settings.exports_path)
        file = BinaryFile(directory, stem("-".join([spec.prefix, *names]), state.clock()), spec.suffix)
    except OSError as exc:
        return failure(
            f"{op.name}: cannot write in the exports folder {state.settings.exports_path} "
            f"({exc.strerror or exc}). An administrator can set exports_dir (--exports-dir)."
        )
    finished = False
    try:
        sink = _Hashed(file.handle)
        response = await state.api.request(
            "GET",
            path_for(op, args),
            query=op.api_values(args),
            beta=op.beta,
            sink=sink,
            max_bytes=spec.max_bytes,
        )
        if response.media_type not in (None, spec.media_type):
            return failure(
                f"{op.name}: the API answered {response.media_type!s:.60}, not a {spec.noun} "
                f"({spec.media_type}); nothing was kept."
            )
        digest = sink.digest.hexdigest()
        path = file.finish()
        finished = True
    finally:
        if not finished:  # an error, a wrong body or a cancellation: no partial file is left
            file.discard()
    return _answer(op, spec, path, int(response.data), digest, response.request_id)


class _Hashed:
    """The file being written, hashed as it is written (a retry empties both)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()

    def seek(self, offset: int, whence: int = 0, /) -> int:
        return self._handle.seek(offset, whence)

    def truncate(self, size: int | None = None, /) -> int:
        self.digest = hashlib.sha256()
        return self._handle.truncate(size)

    def write(self, data: bytes, /) -> int:
        self.digest.update(data)
        return self._handle.write(data)

    def flush(self) -> None:
        self._handle.flush()


def _answer(
    op: Operation, spec: Download, path: Path, size: int, digest: str, request_id: str | None
) -> CallToolResult:
    uri = uri_of(path)
    rid = f" [request_id={request_id}]" if request_id else ""
    lines = [
        f"Downloaded the {spec.noun}: {size:,} bytes, SHA-256 {digest}.{rid}",
        f"File: {path}",
        f"Resource: {uri} (resources/read returns its bytes; or open the path).",
    ]
    outcome = DownloadedFile(path=str(path), uri=uri, bytes=size, sha256=digest, media_type=spec.media_type)
    link = ResourceLink(
        type="resource_link",
        uri=uri,
        name=path.name,
        title=f"{spec.noun[:1].upper()}{spec.noun[1:]} from {op.name}",
        mime_type=spec.media_type,
        size=size,
    )
    return result("\n".join(lines), outcome.model_dump(), links=[link])
