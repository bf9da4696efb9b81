"""Where things live: the project directory and the paths every component shares.

Relative paths in environment variables are taken relative to the project directory, so dbt
(which runs there), Dagster and the CLI always mean the same DuckDB file.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_DIR / "seeds"


def _project_path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


def db_path() -> Path:
    """The working DuckDB file (env ``TOUCHPOINT_DB``, default ``data/touchpoint.duckdb``)."""
    return _project_path(os.environ.get("TOUCHPOINT_DB", "data/touchpoint.duckdb"))


def landing_dir() -> Path:
    """The landing folder (env ``TOUCHPOINT_LANDING``, default ``data/landing``)."""
    return _project_path(os.environ.get("TOUCHPOINT_LANDING", "data/landing"))


def serving_db_path() -> Path:
    """The serving DuckDB file BI reads (env ``TOUCHPOINT_SERVING_DB``, default ``data/serving.duckdb``)."""
    return _project_path(os.environ.get("TOUCHPOINT_SERVING_DB", "data/serving.duckdb"))


def gx_dir() -> Path:
    """Where Great Expectations keeps its file context and Data Docs (env ``TOUCHPOINT_GX_DIR``,
    default ``gx`` beside the working DuckDB file, so a temporary database gets temporary docs)."""
    value = os.environ.get("TOUCHPOINT_GX_DIR")
    return _project_path(value) if value else db_path().parent / "gx"


# The first day of the daily partitions (Dagster's DailyPartitionsDefinition, China time): early
# enough for every delivered day. The generator's window starts at its --start-month (default
# 2026-08; tests use 2025 days); set TOUCHPOINT_PARTITIONS_START (YYYY-MM-DD) for older data.
DEFAULT_PARTITIONS_START = "2024-01-01"
PARTITIONS_TIMEZONE = "Asia/Shanghai"


def partitions_start() -> str:
    """First day of the daily partitions (env ``TOUCHPOINT_PARTITIONS_START``, YYYY-MM-DD)."""
    from datetime import date

    value = os.environ.get("TOUCHPOINT_PARTITIONS_START", DEFAULT_PARTITIONS_START)
    try:
        date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"TOUCHPOINT_PARTITIONS_START must be a day YYYY-MM-DD (got {value!r})") from error
    return value
