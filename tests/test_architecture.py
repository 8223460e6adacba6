"""Architecture rules, checked by import-linter (contracts in pyproject.toml):
services never import each other, shared/ never imports a service, domain code does no I/O."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Services never import each other" in result.stdout
    assert "0 broken" in result.stdout


def test_every_service_has_the_same_shape() -> None:
    for service in ("planning", "evaluation", "rewards", "notifications"):
        root = REPO / "services" / service
        for part in (
            "domain",
            "service_layer",
            "adapters",
            "entrypoints",
            "bootstrap.py",
            "__main__.py",
            "adapters/migrations/0001_initial_schema.py",
        ):
            assert (root / part).exists(), f"services/{service}/{part} is missing"
