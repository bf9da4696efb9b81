"""sqlfluff (DuckDB dialect, jinja templater; config in .sqlfluff) is clean over the dbt project,
so `make test` — and with it CI — fails on a style or parse error, exactly as `make lint` reports it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration.settings import PROJECT_DIR

LINTED = ["models", "macros", "snapshots", "tests/dbt"]


def test_sqlfluff_is_clean() -> None:
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    paths = [p for p in LINTED if (PROJECT_DIR / p).exists()]
    proc = subprocess.run([sqlfluff, "lint", *paths, "--processes", "2", "--disable-progress-bar", "--nocolor"],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900)
    failing = [line for line in proc.stdout.splitlines() if line.startswith(("==", "L:"))]
    assert proc.returncode == 0, "sqlfluff found problems (fix, or `sqlfluff fix <file>`):\n" + \
        "\n".join(failing[:200]) + proc.stderr[-2000:]


def test_sqlfluff_config_targets_duckdb() -> None:
    config = (PROJECT_DIR / ".sqlfluff").read_text(encoding="utf-8")
    assert "dialect = duckdb" in config
