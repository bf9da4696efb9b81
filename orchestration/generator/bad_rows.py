"""Bad rows: extra rows that each break exactly one landing-contract rule.

Bad rows are corrupted copies of real rows with a fresh key (so they collide with nothing), or
exact duplicates of an earlier row. The clean rows stay complete; the loader should quarantine
every bad row. Kinds are named for the rule they break.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from orchestration.landing.contracts import Column, SourceTable

CSV_KINDS = ("unparseable", "missing_required", "not_accepted", "out_of_range", "out_of_partition",
             "duplicate_key", "truncated_line", "invalid_encoding")
PARQUET_KINDS = ("null_key", "not_accepted", "out_of_range", "out_of_partition", "duplicate_key")
TYPED = ("DATE", "TIMESTAMP", "INTEGER", "DOUBLE", "BOOLEAN")
_UNPARSEABLE = {"DATE": ("abc", "2026-13-45", "20261301"), "TIMESTAMP": ("abc", "2026-08-01 25:61:00"),
                "INTEGER": ("abc", "1.2.3", "#VALUE!"), "DOUBLE": ("abc", "1.2.3", "#VALUE!"),
                "BOOLEAN": ("maybe", "abc"), "DECIMAL": ("abc", "1.2.3", "#VALUE!")}
_ID = re.compile(r"^([A-Za-z]+)(\d+)$")
INVALID_GBK = b"\xff\xfe"


@dataclass(frozen=True)
class Partition:
    """The date range a file's partition covers (inclusive), or None for full extracts."""

    first: dt.date | None
    last: dt.date | None


def partition_range(grain: str, partition: str) -> Partition:
    if grain == "day":
        d = dt.date.fromisoformat(partition)
        return Partition(d, d)
    if grain == "month":
        first = dt.date.fromisoformat(partition + "-01")
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Partition(first, nxt - dt.timedelta(days=1))
    return Partition(None, None)


def _base_type(column: Column) -> str:
    return "DECIMAL" if column.type.startswith("DECIMAL") else column.type


def applicable(contract: SourceTable, part: Partition) -> dict[str, list[Column | None]]:
    """Which kinds this table can get, and on which columns."""
    cols = contract.columns
    keys = [c for c in cols if c.key]
    kinds: dict[str, list[Column | None]] = {
        "not_accepted": [c for c in cols if c.accepted or c.accepted_from_seed],
        "out_of_range": [c for c in cols if c.min is not None or c.max is not None],
        "out_of_partition": [c for c in cols if (c.in_partition or c.not_after_partition) and part.first],
        "duplicate_key": [None],
    }
    if contract.format == "csv":
        required = [c for c in cols if not c.nullable and not c.key] or [c for c in cols if c.key]
        kinds |= {"unparseable": [c for c in cols if _base_type(c) in TYPED + ("DECIMAL",)],
                  "missing_required": required, "truncated_line": [None]}
        if contract.encoding.lower() in ("gbk", "gb2312", "gb18030"):
            text = [c for c in cols if c.type == "VARCHAR" and not c.key and c.nullable]
            kinds["invalid_encoding"] = [c for c in text if "Chinese" in c.description] or text
    else:
        # a null key must not make two bad rows equal on the rest of the key: with a composite
        # key another (rule-free) VARCHAR key column gets a fresh value
        kinds["null_key"] = [c for c in keys if len(keys) == 1 or freshen_column(contract, c)]
    return {k: v for k, v in kinds.items() if v}


def fresh_key(value: str, serial: int) -> str:
    """A key of the same shape as ``value`` from the top of its numeric range (unused by clean rows)."""
    match = _ID.match(value)
    if match:
        width = len(match.group(2))
        return f"{match.group(1)}{10**width - 1 - serial:0{width}d}"
    return f"{value}_X{serial}"


def bad_value(kind: str, column: Column, original: object, part: Partition, rng: np.random.Generator,
              as_text: bool) -> object:
    """The corrupted value for ``column`` (a CSV field string when ``as_text``)."""
    base = _base_type(column)
    if kind == "unparseable":
        options = _UNPARSEABLE[base]
        return options[int(rng.integers(0, len(options)))]
    if kind == "missing_required" or kind == "null_key":
        return "" if as_text else None
    if kind == "not_accepted":
        return "UNKNOWN"
    if kind == "out_of_range":
        step = int(rng.integers(1, 6))
        below = column.min is not None and (column.max is None or rng.random() < 0.5)
        bound = float(column.min if below else column.max)
        value = bound - step if below else bound + step
        if base == "INTEGER":
            return str(int(value)) if as_text else int(value)
        if base == "DECIMAL":
            return f"{value:.2f}" if as_text else Decimal(f"{value:.2f}")
        value = value + (-0.5 if below else 0.5)
        return repr(value) if as_text else value
    if kind == "out_of_partition":
        assert part.first is not None and part.last is not None
        if column.in_partition and rng.random() < 0.5:
            day = part.first - dt.timedelta(days=int(rng.integers(1, 45)))
        elif rng.random() < 0.3:
            day = dt.date(2031, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))  # far future
        else:
            day = part.last + dt.timedelta(days=int(rng.integers(1, 45)))
        if base == "TIMESTAMP":
            stamp = dt.datetime.combine(day, dt.time(int(rng.integers(8, 20)), int(rng.integers(0, 60))))
            return stamp.strftime("%Y-%m-%d %H:%M:%S") if as_text else stamp
        return day.isoformat() if as_text else day
    raise ValueError(f"no bad value for kind {kind!r}")


@dataclass
class BadRowPlan:
    """One bad row: its kind, the column it breaks, the real row it copies, where it goes."""

    kind: str
    column: Column | None
    source: int
    position: float


def plan_bad_rows(contract: SourceTable, part: Partition, n_rows: int, n_bad: int,
                  rng: np.random.Generator) -> list[BadRowPlan]:
    kinds = applicable(contract, part)
    names = sorted(kinds)
    plans = []
    for _ in range(n_bad):
        kind = names[int(rng.integers(0, len(names)))]
        options = kinds[kind]
        column = options[int(rng.integers(0, len(options)))]
        source = int(rng.integers(0, n_rows))
        low = source + 0.5 if kind == "duplicate_key" else -0.5
        plans.append(BadRowPlan(kind, column, source, float(rng.uniform(low, n_rows - 0.5))))
    return plans


def freshen_column(contract: SourceTable, broken: Column | None) -> str | None:
    """The VARCHAR key column to give a fresh value, so the bad row collides with no real row."""
    for c in contract.columns:
        free = not (c.accepted or c.accepted_from_seed)
        if c.key and c.type == "VARCHAR" and free and (broken is None or c.name != broken.name):
            return c.name
    return None
