"""Collects fault-test outcomes and prints them as one table at the end of the run."""

from __future__ import annotations

ROWS: list[tuple[str, str, str]] = []


def record(fault: str, operation: str, outcome: str) -> None:
    ROWS.append((fault, operation, outcome))


def render() -> list[str]:
    if not ROWS:
        return []
    widths = [max(len(row[i]) for row in [("fault", "operation", "outcome"), *ROWS]) for i in range(3)]
    lines = ["fault × operation × outcome (server as a stdio process, sandbox faults)"]
    for row in [("fault", "operation", "outcome"), *sorted(ROWS)]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return lines
