"""The environment `make` builds: dependencies compiled to bytecode once, at install.

Where PYTHONDONTWRITEBYTECODE is set, nothing compiled at import is kept: without bytecode from
the install, every process (each dbt call, each pipeline stage, each test subprocess) compiles
pandas, scikit-learn, dbt and Great Expectations from source again.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_every_dependency_install_in_the_makefile_compiles_bytecode() -> None:
    installs = [line for line in MAKEFILE.read_text(encoding="utf-8").splitlines()
                if re.search(r"uv pip (sync|install)\b.*\.lock", line)]
    assert len(installs) >= 2  # the main lockfile and the Spark one
    assert all("--compile-bytecode" in line for line in installs), installs


@pytest.mark.parametrize("module", ["pandas", "sklearn", "dbt.cli.main", "great_expectations"])
def test_dependencies_of_this_environment_have_their_bytecode(module: str) -> None:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    cached = Path(importlib.util.cache_from_source(spec.origin))
    assert cached.exists(), f"{module}: no {cached.name}; build the environment with `make env`"
