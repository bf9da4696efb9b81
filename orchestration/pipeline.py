"""Run the Dagster jobs in-process, recorded in DAGSTER_HOME so the UI shows the runs later.

Jobs with daily-partitioned assets run over the whole delivered range of days (partition range tags).
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.settings import PROJECT_DIR

DAGSTER_YAML = """\
# Written by touchpoint. DuckDB allows one writer process: every asset that writes the working
# database is in a pool, and each pool runs one step at a time, across runs too.
concurrency:
  pools:
    default_limit: 1
    granularity: op
telemetry:
  enabled: false
"""


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME (default `.dagster` in the project) with the instance config touchpoint needs."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_DIR / ".dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_pipeline(job_name: str = "full_pipeline") -> bool:
    """Execute a job of the code location in this process; True when every step succeeded."""
    ensure_dagster_home()
    from orchestration.defs.project import prepare_manifest

    prepare_manifest()  # the dbt assets are built from target/manifest.json
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    tags: dict[str, str] = {}
    if job.partitions_def is not None:
        # The day-grain loads and the daily incremental facts are partitioned by day: one run over
        # every delivered day (a single-run backfill), so nothing delivered is left out.
        from orchestration.defs.partitions import delivered_range_tags
        from orchestration.settings import landing_dir

        tags = delivered_range_tags(landing_dir(), job.partitions_def)
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, tags=tags)
    return result.success
