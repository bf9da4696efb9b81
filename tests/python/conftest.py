"""Shared fixtures: a small generated operator, an empty landing folder and warehouse path for the
loader tests, and an isolated environment for subprocess runs."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL_CUSTOMERS = 400
SMALL_MONTHS = 2
SMALL_BAD_ROW_SHARE = 0.01


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """An empty landing folder of the test's own."""
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the test's warehouse file goes (not created)."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Landing files of a small operator with bad rows injected (generated once per session)."""
    from orchestration.generator import GeneratorConfig, generate

    out = tmp_path_factory.mktemp("landing")
    generate(GeneratorConfig(customers=SMALL_CUSTOMERS, months=SMALL_MONTHS, seed=7, out=out,
                             start_month="2026-08", bad_row_share=SMALL_BAD_ROW_SHARE), progress=False)
    return out


@pytest.fixture(scope="module")
def tiny_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A benchmark working folder holding the landing files of 60 customers × 1 month (one per
    test module: the harness's runs in it build on each other)."""
    from orchestration.generator import GeneratorConfig, generate

    work = tmp_path_factory.mktemp("bench_work")
    generate(GeneratorConfig(customers=60, months=1, seed=3, out=work / "landing", bad_row_share=0.0))
    return work
