"""The generated models are what the installed SDK declares today (else: run the generator)."""

from __future__ import annotations

import importlib.util
import sys

from .conftest import REPO

GENERATOR = REPO / "scripts" / "generate_models.py"


def test_the_generated_models_are_current() -> None:
    spec = importlib.util.spec_from_file_location("generate_models", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules["generate_models"] = generator
    spec.loader.exec_module(generator)
    committed = (REPO / "tools" / "sdk_models.py").read_text(encoding="utf-8")
    assert generator.generate() == committed, "stale: run .venv/bin/python scripts/generate_models.py"
