"""Find a source table's delivered files in the landing folder and work out their partitions.

Layout (see `contracts.py`)::

    <landing>/<source>/<table>/<table>_<partition>.<csv|parquet>

A file whose name does not follow the pattern, or whose partition is not a valid day / month /
``full`` for the table's grain, is still returned (with ``problem`` set) so the loader can refuse
it visibly instead of ignoring a delivery. Hidden files and anything starting with ``_`` (markers
such as ``_SUCCESS``, folders such as ``_truth``) are not deliveries and are skipped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.landing.contracts import Grain, SourceTable

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
_EXAMPLE = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "full": "full"}


@dataclass(frozen=True)
class LandingFile:
    """One delivered file of a source table."""

    table: SourceTable
    path: Path
    relative_path: str  # POSIX path relative to the landing root; stored as `_source_file`
    partition: str | None  # None when the file name does not give a valid partition
    problem: str | None = None  # why the file cannot be loaded, judged from its name alone


def partition_problem(grain: Grain, partition: str) -> str | None:
    """Why ``partition`` is not a valid partition for ``grain`` (None when it is valid)."""
    expected = f"a {grain} partition ({_EXAMPLE[grain]})"
    if grain == "full":
        return None if partition == "full" else f"{partition!r} is not {expected}"
    pattern = _DAY if grain == "day" else _MONTH
    if not pattern.fullmatch(partition):
        return f"{partition!r} is not {expected}"
    try:
        partition_bounds(grain, partition)
    except ValueError:
        return f"{partition!r} is not a real calendar {'day' if grain == 'day' else 'month'}"
    return None


def partition_bounds(grain: Grain, partition: str) -> tuple[date, date] | None:
    """First and last day a partition covers; None for ``full`` (no time bounds)."""
    if grain == "full":
        return None
    if grain == "day":
        day = date.fromisoformat(partition)
        return day, day
    year, month = (int(part) for part in partition.split("-"))
    first = date(year, month, 1)  # raises ValueError for month 13
    return first, date(year, month, calendar.monthrange(year, month)[1])


def table_folder(landing: Path, table: SourceTable) -> Path:
    return Path(landing) / table.source / table.table


def discover_files(landing: Path, table: SourceTable) -> list[LandingFile]:
    """Every delivered file of ``table``, valid partitions first in partition order."""
    folder = table_folder(landing, table)
    if not folder.is_dir():
        return []
    name_pattern = re.compile(rf"{re.escape(table.table)}_(?P<partition>.+)\.(?P<ext>[A-Za-z0-9.]+)")
    found: list[LandingFile] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("_", ".")) or not path.is_file():
            continue
        relative = path.relative_to(landing).as_posix()
        match = name_pattern.fullmatch(path.name)
        expected_name = f"{table.table}_<{_EXAMPLE[table.grain]}>.{table.format}"
        if match is None:
            found.append(LandingFile(table, path, relative, None,
                                     f"unexpected file name {path.name!r}: expected {expected_name}"))
            continue
        partition, ext = match["partition"], match["ext"]
        problem = partition_problem(table.grain, partition)
        if problem is not None:
            problem = f"file name {path.name!r} does not name a valid partition: {problem}"
        elif ext != table.format:
            problem = (f"{path.name!r} is a .{ext} file but {table.name} is delivered as "
                       f"{table.format} ({expected_name})")
        found.append(LandingFile(table, path, relative, partition if problem is None else None, problem))
    return sorted(found, key=lambda f: (f.partition is None, f.partition or "", f.relative_path))
