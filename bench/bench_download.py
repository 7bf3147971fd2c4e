"""Downloading a large plugin version through the MCP server, against a bare script doing the same.

A version of about 30 MB (incompressible files, stored as the API stores them) is uploaded to a
standalone sandbox. The server (a stdio subprocess, `--toolsets plugins`) answers one
`download_plugin_version` call by streaming the archive into its exports folder; the baseline is a
bare `httpx2` script streaming the same GET into a file and hashing it as it comes (the tool's
answer carries the file's SHA-256). Both files must be byte for byte equal to
what the sandbox stores. The server's resident memory is sampled every 20 ms during the downloads:
streaming keeps it flat, whatever the archive's size. Targets: at most 1.3 times the bare script;
peak server memory under 150 MB.

    .venv/bin/python -m bench.bench_download [--megabytes 30] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from mcp import Client

from .bench_export import Sampler
from .harness import (
    bare_client,
    child_pid,
    interleaved_medians,
    mcp_client,
    memory_kib,
    print_table,
    sandbox_process,
)

TARGET = 1.3
TARGET_MB = 150
BETA = {"anthropic-beta": "ce-plugins-2026-09-01"}
MANIFEST = ".claude-plugin/plugin.json"


def big_version(name: str, megabytes: int) -> bytes:
    """A plugin archive of about `megabytes` MB: its manifest and incompressible assets."""
    rng = random.Random(f"bench-download:{megabytes}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, f'{{"name": "{name}", "version": "9.0.0"}}')
        for index in range(megabytes):
            archive.writestr(f"assets/blob-{index:03}.bin", rng.randbytes(1024 * 1024))
    return buffer.getvalue()


def upload(base: str, megabytes: int) -> tuple[str, str]:
    """(plugin id, version id) of the large version, uploaded straight to the sandbox."""
    with bare_client(base) as http:
        plugins = http.get("/v1/organizations/plugins", headers=BETA).json()["data"]
        plugin = next(p for p in plugins if p["name"] == "acme-deploy-tools")
        archive = ("big.zip", big_version(plugin["name"], megabytes), "application/zip")
        response = http.post(
            f"/v1/organizations/plugins/{plugin['id']}/versions", headers=BETA, files=[("files[]", archive)]
        )
        response.raise_for_status()
        return str(plugin["id"]), str(response.json()["id"])


def bare_download(base: str, path: str, folder: Path) -> Path:
    """The archive streamed into a file and hashed as it comes (the tool's answer gives its SHA-256
    too), the plain way."""
    hashed = hashlib.sha256()
    descriptor, temporary = tempfile.mkstemp(prefix=".bare-", suffix=".part", dir=folder)
    with (
        os.fdopen(descriptor, "wb") as handle,
        bare_client(base) as http,
        http.stream("GET", path, headers=BETA) as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_bytes():
            hashed.update(chunk)
            handle.write(chunk)
    final = folder / f"bare-{hashed.hexdigest()[:16]}-{random.random():.9f}.zip"
    os.replace(temporary, final)
    return final


async def mcp_download(client: Client, plugin_id: str, version: str) -> Path:
    result = await client.call_tool("download_plugin_version", {"plugin_id": plugin_id, "version": version})
    assert not result.is_error and result.structured_content is not None, result
    return Path(result.structured_content["path"])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def run(megabytes: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-download-") as scratch, sandbox_process(20) as base:
        exports, bare = Path(scratch) / "exports", Path(scratch) / "bare"
        bare.mkdir()
        plugin_id, version = upload(base, megabytes)
        path = f"/v1/organizations/plugins/{plugin_id}/versions/{version}/content"
        with bare_client(base) as http:
            stored = hashlib.sha256(http.get(path, headers=BETA).content).hexdigest()
        async with mcp_client(base, "--toolsets", "plugins", "--exports-dir", str(exports)) as client:
            await client.list_tools()
            pid = child_pid("claude-admin-mcp")
            idle_mb = memory_kib(pid, "VmRSS") / 1024
            with Sampler(pid) as sampler:
                bare_s, mcp_s, bare_file, mcp_file = await interleaved_medians(
                    lambda: bare_download(base, path, bare),
                    lambda: mcp_download(client, plugin_id, version),
                    repeats,
                )
            peak_mb = memory_kib(pid) / 1024
        assert digest(mcp_file) == digest(bare_file) == stored, "the files differ from what the API stores"
        size = mcp_file.stat().st_size
    sampled_mb = max(sampler.samples) / 1024
    ratio = mcp_s / bare_s
    print_table(
        f"Download of a {size / 1e6:.0f} MB plugin version, MCP (stdio) vs a bare httpx2 script streaming it",
        ["file", "bare (s)", "MCP (s)", "ratio", "server RSS idle / sampled max / peak (MB)", "targets"],
        [
            [
                f"{size / 1e6:.1f} MB",
                f"{bare_s:.3f}",
                f"{mcp_s:.3f}",
                f"{ratio:.2f}",
                f"{idle_mb:.0f} / {sampled_mb:.0f} / {peak_mb:.0f}",
                f"≤ {TARGET}x, < {TARGET_MB} MB",
            ]
        ],
    )
    return {
        "bytes": size,
        "bare_s": bare_s,
        "mcp_s": mcp_s,
        "ratio": ratio,
        "idle_mb": idle_mb,
        "sampled_mb": sampled_mb,
        "peak_mb": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    ns = parser.parse_args()
    asyncio.run(run(ns.megabytes, ns.repeats))


if __name__ == "__main__":
    main()
