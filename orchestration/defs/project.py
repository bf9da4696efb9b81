"""The dbt project as Dagster sees it, and how its manifest is prepared."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import PROJECT_DIR, db_path

# dbt runs in the project directory and reads TOUCHPOINT_DB from the environment; make the
# path absolute so Dagster, dbt and the CLI always mean the same file.
os.environ["TOUCHPOINT_DB"] = str(db_path())

# The dbt installed beside this Python, so an unactivated venv still finds it.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

touchpoint_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target=os.environ.get("TOUCHPOINT_TARGET", "duckdb"),
    # dbt artifacts (manifest, run logs); tests point this at a temporary folder.
    target_path=os.environ.get("TOUCHPOINT_DBT_TARGET_PATH", "target"),
)
# Under `dagster dev` this re-parses the project on start; elsewhere (tests, CI, the CLI) the
# manifest is built by `prepare_manifest()` before the definitions are loaded.
touchpoint_project.prepare_if_dev()


def prepare_manifest() -> None:
    """Build target/manifest.json with `dbt parse` (needed before the definitions load)."""
    dbt_cli().cli(["parse", "--quiet"], target_path=touchpoint_project.target_path).wait()


def dbt_cli() -> DbtCliResource:
    """The dbt CLI resource every dbt asset and command uses."""
    return DbtCliResource(project_dir=touchpoint_project, dbt_executable=DBT_EXECUTABLE)
