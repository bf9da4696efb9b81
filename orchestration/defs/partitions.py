"""The daily partitions shared by the day-grain landing loads and the incremental dbt facts.

One `DailyPartitionsDefinition` (China time, from `settings.partitions_start()`): a run for a
partition key, or a key range (a backfill is one run: `BackfillPolicy.single_run()`), loads and
rebuilds just those days. Runs without a partition (`touchpoint run`, the demo) are given the
whole delivered range by `delivered_range_tags`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from dagster import AssetExecutionContext, BackfillPolicy, DailyPartitionsDefinition

from orchestration.settings import PARTITIONS_TIMEZONE, partitions_start

DAILY_PARTITIONS = DailyPartitionsDefinition(start_date=partitions_start(), timezone=PARTITIONS_TIMEZONE)
DAILY_BACKFILL_POLICY = BackfillPolicy.single_run()

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def partition_days(context: AssetExecutionContext) -> tuple[date, date] | None:
    """The run's days as a half-open window [first day, day after the last); None when unpartitioned."""
    if not context.has_partition_key and not context.has_partition_key_range:
        return None
    window = context.partition_time_window
    return window.start.date(), window.end.date()


def delivered_days(landing: Path, tables: list[str] | None = None) -> tuple[date, date] | None:
    """First and last day delivered by the day-grain tables (all, or those named) in ``landing``
    (None when there are none)."""
    from orchestration.landing.contracts import CONTRACTS
    from orchestration.landing.discover import discover_files

    days = [f.partition for t in CONTRACTS if t.grain == "day" and (tables is None or t.name in tables)
            for f in discover_files(Path(landing), t) if f.partition is not None]
    if not days:
        return None
    return date.fromisoformat(min(days)), date.fromisoformat(max(days))


def delivered_range_tags(landing: Path, partitions: DailyPartitionsDefinition = DAILY_PARTITIONS,
                         now: datetime | None = None) -> dict[str, str]:
    """Run tags for one run over every delivered day that is a partition (the whole range).

    Days outside the partitions (before the start date, or after the last complete day) cannot be
    addressed by a partitioned run; a ValueError names them, so nothing is silently left unloaded.
    """
    delivered = delivered_days(landing)
    keys = partitions.get_partition_keys(current_time=now)
    if delivered is None or not keys:
        # Nothing delivered yet: the first partition, so the run still builds (and loads nothing).
        return {RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[0]} if keys else {}
    first, last = (d.isoformat() for d in delivered)
    if first < keys[0] or last > keys[-1]:
        raise ValueError(
            f"delivered days {first}..{last} fall outside the daily partitions {keys[0]}..{keys[-1]}: "
            "set TOUCHPOINT_PARTITIONS_START (YYYY-MM-DD) to a day on or before the first delivered day"
            if first < keys[0] else
            f"delivered days {first}..{last} reach past the last complete day {keys[-1]} (China time)")
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def clamped_range_tags(days: tuple[date, date], partitions: DailyPartitionsDefinition = DAILY_PARTITIONS,
                       now: datetime | None = None) -> dict[str, str]:
    """Range tags for the partitions among ``days`` (first, last inclusive); {} when none of them is one."""
    keys = partitions.get_partition_keys(current_time=now)
    first, last = max(days[0].isoformat(), keys[0]) if keys else "", min(days[1].isoformat(), keys[-1]) if keys else ""
    if not keys or first > last:
        return {}
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}
