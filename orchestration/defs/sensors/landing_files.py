"""Sensor: new or changed landing files start a load of exactly the tables they belong to.

Each tick lists every contract's landing folder (name, size, modification time — no reading of
file contents) and compares a fingerprint per table with the cursor. Tables whose fingerprint
changed get their load asset materialized; the loader itself then decides per partition (by
content hash) what is new, changed or unchanged, so a touched-but-identical file costs a skip.
The run key is the set of fingerprints, so a tick never launches the same load twice.
"""


import hashlib
import json
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from orchestration.defs.assets.loads import raw_asset_key
from orchestration.defs.jobs import load_raw_job
from orchestration.defs.partitions import clamped_range_tags, delivered_days
from orchestration.landing.contracts import CONTRACTS
from orchestration.landing.discover import discover_files
from orchestration.settings import landing_dir


def table_fingerprints(landing: Path) -> dict[str, str]:
    """{table name: digest of its delivered files' names, sizes and mtimes} for tables with files."""
    prints = {}
    for table in CONTRACTS:
        files = discover_files(landing, table)
        if not files:
            continue
        listing = sorted((f.relative_path, f.path.stat().st_size, f.path.stat().st_mtime_ns) for f in files)
        prints[table.name] = hashlib.sha1(json.dumps(listing).encode()).hexdigest()[:16]
    return prints


def changed_tables(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(name for name, digest in current.items() if previous.get(name) != digest)


@sensor(
    name="landing_files_sensor", job=load_raw_job, minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Loads the tables whose landing files are new or changed (checked every minute).",
)
def landing_files_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    landing = landing_dir()
    if not landing.is_dir():
        return SkipReason(f"landing folder {landing} does not exist")
    previous = json.loads(context.cursor) if context.cursor else {}
    current = table_fingerprints(landing)
    changed = changed_tables(previous, current)
    if not changed:
        return SkipReason("no new or changed landing files")
    run_key = "landing:" + hashlib.sha1(json.dumps({t: current[t] for t in changed}).encode()).hexdigest()[:16]
    tags = {"touchpoint/trigger": "landing_files", "touchpoint/tables": ",".join(changed)[:200]}
    selection = [raw_asset_key(t) for t in _tables(changed)]
    # Day-grain loads are partitioned by day: the run covers the changed tables' delivered days
    # (one partition-range run; the loader skips the days whose files are unchanged).
    day_tables = [t.name for t in _tables(changed) if t.grain == "day"]
    if day_tables:
        days = delivered_days(landing, day_tables)
        range_tags = clamped_range_tags(days) if days else {}
        if range_tags:
            tags.update(range_tags)
        else:  # no delivered day is a partition (yet): load the other tables only
            context.log.warning(f"days of {', '.join(day_tables)} are outside the daily partitions: not loaded")
            selection = [raw_asset_key(t) for t in _tables(changed) if t.grain != "day"]
            if not selection:
                return SensorResult(skip_reason="changed days are outside the daily partitions",
                                    cursor=json.dumps(current, sort_keys=True))
    request = RunRequest(run_key=run_key, asset_selection=selection, tags=tags)
    return SensorResult(run_requests=[request], cursor=json.dumps(current, sort_keys=True))


def _tables(names: list[str]):
    by_name = {t.name: t for t in CONTRACTS}
    return [by_name[n] for n in names]
