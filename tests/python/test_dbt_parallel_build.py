"""dbt builds two models at a time on DuckDB, and the call-edge batches still run one at a time.

One `dbt compile --inline` against an empty DuckDB file says how many threads the profile gives
and leaves the manifest; neither touches the working database or target/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_DIR

CALL_EDGE_BATCHES = 6


def _compile(target_path: Path, database: Path, **env: str) -> str:
    dbt = str(Path(sys.executable).with_name("dbt"))
    environment = {k: v for k, v in os.environ.items() if k != "TOUCHPOINT_DBT_THREADS"}
    environment.update(TOUCHPOINT_DB=str(database), TOUCHPOINT_TARGET="duckdb", **env)
    proc = subprocess.run([dbt, "compile", "--inline", "select 1", "--target-path", str(target_path)],
                          cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc.stdout


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    work = tmp_path_factory.mktemp("dbt_threads")
    target, database = work / "target", work / "empty.duckdb"
    return target, database, _compile(target, database)


def test_the_duckdb_target_runs_two_threads_unless_told_otherwise(compiled: tuple[Path, Path, str]) -> None:
    target, database, default_run = compiled
    assert "Concurrency: 2 threads (target='duckdb')" in default_run
    assert "Concurrency: 1 threads (target='duckdb')" in _compile(target, database, TOUCHPOINT_DBT_THREADS="1")


def test_each_call_edge_batch_waits_for_the_one_before(compiled: tuple[Path, Path, str]) -> None:
    """Each batch is sized to spill alone at 1M customers: two threads must not run two batches."""
    manifest = json.loads((compiled[0] / "manifest.json").read_text(encoding="utf-8"))

    def parents(n: int) -> set[str]:
        return set(manifest["nodes"][f"model.touchpoint.int_call_edges_batch_{n}"]["depends_on"]["nodes"])

    assert not any(p.startswith("model.touchpoint.int_call_edges_batch_") for p in parents(0))
    for n in range(1, CALL_EDGE_BATCHES):
        assert f"model.touchpoint.int_call_edges_batch_{n - 1}" in parents(n), n
