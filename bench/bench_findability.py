"""Findability: does a host's tool search find the right tool for what administrators ask?

Hosts that search their tools themselves (Claude Code's tool search, the API's BM25 tool-search tool)
rank tool definitions by BM25 over their name, title and description. This ranks every tool of the
server (all areas, an OAuth credential: everything reachable) the same way for each everyday request
in `bench/data/dev_requests.jsonl` (requests as people write them, each with the endpoint that answers
it, `../shared/requests/dev.jsonl` as given), and reports how often the right tool is among the top
3. `bench/data/integrations_requests.jsonl` is a second set, ours, of requests for the integration
areas (external keys, telemetry, webhooks, plugins, Claude Tag); it is reported on its own line so
the dev set stays the one measure. The right tool is the one the row names,
or else any tool whose endpoints (`tools --json`) include the row's endpoint; a row whose endpoint no
tool calls yet counts as a miss. Target: at least 95% top-3.

    .venv/bin/python -m bench.bench_findability [--show]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_admin_mcp.server.app import INVENTORY, build_tool, endpoints_of
from claude_admin_mcp.server.catalog.plan import Task
from claude_admin_mcp.server.config import Settings

DEV_SET = Path(__file__).parent / "data" / "dev_requests.jsonl"
INTEGRATIONS_SET = Path(__file__).parent / "data" / "integrations_requests.jsonl"
TARGET = 0.95
TOP = 3

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = "a an and are as at be by for from in is it of on or that the this to with i we our my me us you"
STOP_WORDS = frozenset(
    f"{_STOP} your can do does did what which who how all any each please just now".split(" ")
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "ed", "es", "er", "ly", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalnum()


def tokens(text: str) -> list[str]:
    """Lower-cased words, lightly stemmed, with `snake_case` names split; CJK runs as bigrams (what a
    search index without a dictionary can do for languages written without spaces)."""
    out: list[str] = []
    for raw in _WORD.findall(text.lower()):
        if any(_is_cjk(ch) for ch in raw):
            run = [ch for ch in raw if _is_cjk(ch)]
            out += ["".join(run[i : i + 2]) for i in range(max(1, len(run) - 1))]
            rest = "".join(ch if not _is_cjk(ch) else " " for ch in raw).split()
            out += [_stem(word) for word in rest]
        elif raw not in STOP_WORDS:
            out.append(_stem(raw))
    return out


@dataclass
class Index:
    names: list[str]
    documents: list[Counter[str]]
    lengths: list[int]
    frequencies: Counter[str]
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def of(cls, tools: Sequence[dict[str, Any]]) -> Index:
        documents = []
        for tool in tools:
            text = " ".join(
                [tool["name"].replace("_", " "), tool.get("title") or "", tool.get("description") or ""]
            )
            documents.append(Counter(tokens(text)))
        frequencies: Counter[str] = Counter()
        for document in documents:
            frequencies.update(set(document))
        return cls([t["name"] for t in tools], documents, [sum(d.values()) for d in documents], frequencies)

    def rank(self, query: str) -> list[str]:
        average = sum(self.lengths) / len(self.lengths)
        total = len(self.documents)
        terms = tokens(query)
        scores = []
        for name, document, length in zip(self.names, self.documents, self.lengths, strict=True):
            score = 0.0
            for term in terms:
                frequency = document.get(term, 0)
                if not frequency:
                    continue
                idf = math.log(1 + (total - self.frequencies[term] + 0.5) / (self.frequencies[term] + 0.5))
                score += (
                    idf
                    * frequency
                    * (self.k1 + 1)
                    / (frequency + self.k1 * (1 - self.b + self.b * length / average))
                )
            scores.append((score, name))
        return [name for score, name in sorted(scores, key=lambda pair: -pair[0]) if score > 0]


def all_tools() -> list[dict[str, Any]]:
    """Every tool the server knows, whatever the credential (an index of all of them, as a host
    that loaded `--toolsets all` would search)."""
    settings = Settings(toolsets=("all",), state_dir=Path("/tmp/claude-admin-mcp-findability"))
    tools = []
    for entry in INVENTORY.entries:
        tool = build_tool(entry.name, settings)
        tools.append(
            {
                "name": tool.name,
                "title": tool.title or "",
                "description": tool.description or "",
                "endpoints": endpoints_of(tool.name),
                "task": isinstance(entry, Task),
                "any": isinstance(entry, Task) and not entry.uses,  # apply_changes: every write
            }
        )
    return tools


def right_tools(row: dict[str, Any], tools: Sequence[dict[str, Any]]) -> set[str]:
    """The row's tool, or the tool whose own endpoint answers it; and the tasks that call that tool
    (offboard_user answers "get him out of the org" as well as remove_user does)."""
    own = (
        {row["tool"]}
        if row.get("tool")
        else {
            tool["name"]
            for tool in tools
            if tool["endpoints"][:1] and _said(tool["endpoints"][0]) in row["endpoints"]
        }
    )
    own_endpoints = {_said(e) for tool in tools if tool["name"] in own for e in tool["endpoints"][:1]}
    tasks = {
        tool["name"]
        for tool in tools
        if tool.get("task") and own_endpoints & {_said(e) for e in tool["endpoints"]} and not tool.get("any")
    }
    return own | tasks


def _said(endpoint: dict[str, str]) -> str:
    return f"{endpoint['method']} {endpoint['path']}"


def run(path: Path = DEV_SET, show: bool = False) -> dict[str, Any]:
    tools = all_tools()
    index = Index.of(tools)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    hits = 0
    by_language: dict[str, list[int]] = {"English": [0, 0], "other languages": [0, 0]}
    misses: list[tuple[str, set[str], list[str]]] = []
    for row in rows:
        wanted = right_tools(row, tools)
        ranked = index.rank(row["request"])[:TOP]
        # Requests written with letters beyond ASCII (accents, CJK, Hangul) are the other languages.
        tally = by_language["English" if row["request"].isascii() else "other languages"]
        tally[1] += 1
        if wanted & set(ranked):
            hits += 1
            tally[0] += 1
        else:
            misses.append((row["request"], wanted, ranked))
    share = hits / len(rows)
    print(
        f"findability ({path.stem}): {hits} of {len(rows)} requests have the right tool "
        f"in the top {TOP} ({share:.0%}); "
        f"{len(tools)} tools ranked by BM25 over name, title and description"
    )
    print("  " + "; ".join(f"{lang}: {hit} of {total}" for lang, (hit, total) in by_language.items()))
    if show:
        for request, wanted, ranked in misses:
            print(f"  miss: {request[:90]!r}\n        wanted {sorted(wanted) or 'no tool yet'}, got {ranked}")
    return {
        "hits": hits,
        "total": len(rows),
        "share": share,
        "misses": misses,
        "tools": len(tools),
        "by_language": by_language,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="print each miss")
    parser.add_argument("--set", type=Path, help="a JSONL file of requests (default: both sets)")
    ns = parser.parse_args()
    for path in [ns.set] if ns.set else [DEV_SET, INTEGRATIONS_SET]:
        run(path, ns.show)


if __name__ == "__main__":
    main()
