"""Sensor: every failed run is recorded where an operator looks.

Dagster shows failed runs in the run list already; this sensor makes them visible as a
*sensor tick* (with the failing steps in its log) on the Automation page, and appends one JSON
line per failure to ``$DAGSTER_HOME/run_failures.jsonl`` for whatever alerting reads files.
"""


import json
import os
from datetime import UTC, datetime
from pathlib import Path

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor


def failure_log_path() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or ".dagster") / "run_failures.jsonl"


def record_failure(run_id: str, job_name: str, message: str, failed_steps: list[str]) -> dict:
    """Append one failure record; returns it."""
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "run_id": run_id, "job": job_name,
              "failed_steps": failed_steps, "message": message[:2000]}
    path = failure_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


@run_failure_sensor(name="run_failure_recorder", default_status=DefaultSensorStatus.RUNNING,
                    description="Records every failed run (sensor tick log + DAGSTER_HOME/run_failures.jsonl).")
def run_failure_recorder(context: RunFailureSensorContext) -> None:
    failed_steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    message = context.failure_event.message or "run failed"
    record_failure(context.dagster_run.run_id, context.dagster_run.job_name, message, failed_steps)
    context.log.error(f"run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed "
                      f"at {', '.join(failed_steps) or 'run level'}: {message}")
