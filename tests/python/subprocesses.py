"""Running the `touchpoint` console script in a subprocess that touches nothing outside a temp dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def isolated_env(tmp: Path, landing: Path) -> dict[str, str]:
    """Environment for a `touchpoint` subprocess that touches nothing outside `tmp`."""
    env = dict(os.environ)
    env.update(
        TOUCHPOINT_DB=str(tmp / "touchpoint.duckdb"),
        TOUCHPOINT_LANDING=str(landing),
        DAGSTER_HOME=str(tmp / "dagster_home"),
        TOUCHPOINT_SERVING_DB=str(tmp / "serving.duckdb"),
        TOUCHPOINT_GX_DIR=str(tmp / "gx"),
        TOUCHPOINT_DUCKDB_MEMORY="2GB",
    )
    return env


def touchpoint_bin() -> str:
    exe = Path(sys.executable).with_name("touchpoint")
    assert exe.exists(), f"console script missing at {exe}: install the project (make env)"
    return str(exe)

