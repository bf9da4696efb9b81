"""Property test: random CSV partitions with random corruption.

For any file, every record read is either loaded or quarantined (never both, never lost); every
good record is loaded with exactly its values and its line number; every corrupted record is
quarantined at its line with the reason its corruption should give; and re-loading changes
nothing. Row values come from the contract, so the same test covers a UTF-8 daily table with
free text, the GBK call-centre export and a monthly table.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.landing.contracts import Column, SourceTable, contract
from orchestration.landing.discover import partition_bounds
from orchestration.landing.load_landing import load_table
from orchestration.landing.validate import seed_codes
from tests.python.landing_files import csv_text, file_path, quarantine, query, raw_contents

PARTITIONS = {"service__complaints": "2025-06-30", "callcenter__hotline_calls": "2025-02-28",
              "crm__customers": "2024-02"}
TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019 ,;\"'\n-_>:") + list("话费客户投诉信号已解决谢谢")),
               max_size=12)
BAD_BYTES = {"utf-8": b"\xff\xfe", "gbk": b"\x81\x7f"}


def _bounds(table: SourceTable, partition: str) -> tuple[dt.date, dt.date]:
    return partition_bounds(table.grain, partition) or (dt.date(2020, 1, 1), dt.date(2025, 12, 31))


@st.composite
def valid_value(draw, col: Column, table: SourceTable, partition: str, key: str) -> str:
    if col.key and col.type == "VARCHAR":
        return key
    required = col.key or not col.nullable
    if not required and draw(st.integers(0, 4)) == 0:
        return ""
    first, last = _bounds(table, partition)
    if col.accepted:
        return draw(st.sampled_from(col.accepted))
    if col.accepted_from_seed:
        return draw(st.sampled_from(seed_codes(*col.accepted_from_seed)))
    if col.type == "VARCHAR":
        return draw(TEXT.filter(lambda t: t != "" or not required))
    if col.type == "BOOLEAN":
        return draw(st.sampled_from(["true", "false"]))
    if col.type == "INTEGER":
        return str(draw(st.integers(int(col.min if col.min is not None else -1000),
                                    int(col.max if col.max is not None else 100_000))))
    if col.type in ("DATE", "TIMESTAMP"):
        lo, hi = (first, last) if col.in_partition else (dt.date(1950, 1, 1), last if col.not_after_partition
                                                          else dt.date(2030, 1, 1))
        day = draw(st.dates(lo, hi))
        if col.type == "DATE":
            return day.isoformat()
        return f"{day} {draw(st.times()).replace(microsecond=0)}"
    raise AssertionError(f"no generator for {col.type}")


def corruptions(col: Column, table: SourceTable) -> list[tuple[str, str]]:
    """(reason_code, bad text) this column can be corrupted with."""
    out = []
    if col.type != "VARCHAR":
        out.append(("type_mismatch", {"BOOLEAN": "yes", "INTEGER": "1.5"}.get(col.type, "2025-13-45")))
    if col.key or not col.nullable:
        out.append(("null_not_allowed", ""))
    if col.accepted or col.accepted_from_seed:
        out.append(("not_accepted", "zz_not_a_code"))
    if col.min is not None:
        out.append(("below_min", str(int(col.min) - 1)))
    if col.max is not None:
        out.append(("above_max", str(int(col.max) + 1)))
    return out


def expected_value(col: Column, text: str):
    if text == "":
        return None
    return {
        "VARCHAR": lambda t: t, "BOOLEAN": lambda t: t == "true", "INTEGER": int,
        "DATE": dt.date.fromisoformat, "TIMESTAMP": dt.datetime.fromisoformat,
    }.get(col.type, lambda t: Decimal(t))(text)


@st.composite
def partition_file(draw, table_name: str):
    """(file bytes, expected loads {key: (line, values)}, expected quarantine [(line, code, column)])."""
    table, partition = contract(table_name), PARTITIONS[table_name]
    bounds = _bounds(table, partition)
    encoding = table.encoding
    header = list(table.column_names)
    key_col = table.key_columns[0]
    lines: list[bytes] = [",".join(header).encode(encoding) + b"\n"]
    line_no = 1
    loads: dict[str, tuple[int, dict]] = {}
    expected_q: list[tuple[int, str, str | None]] = []
    n = draw(st.integers(1, 12))
    for i in range(n):
        if draw(st.integers(0, 7)) == 0:  # a blank line: skipped, but it moves the line numbers
            lines.append(b"\n")
            line_no += 1
        row = {c.name: draw(valid_value(c, table, partition, f"K{i}")) for c in table.columns}
        kind = "good" if i == 0 else draw(st.sampled_from(
            ["good", "good", "good", "column", "duplicate", "malformed", "bad_encoding", "partition"]))
        code, column = None, None
        if kind == "column":
            col = draw(st.sampled_from([c for c in table.columns if corruptions(c, table)]))
            code, row[col.name] = draw(st.sampled_from(corruptions(col, table)))
            column = col.name
        elif kind == "partition":
            col = next(c for c in table.columns if c.in_partition or c.not_after_partition)
            after = bounds[1] + dt.timedelta(days=draw(st.integers(1, 40)))
            row[col.name] = after.isoformat() + (" 12:00:00" if col.type == "TIMESTAMP" else "")
            code, column = ("outside_partition" if col.in_partition else "after_partition"), col.name
        elif kind == "duplicate" and loads:
            row[key_col] = draw(st.sampled_from(sorted(loads)))
            code, column = "duplicate_key", key_col
        line_no += 1
        if kind == "malformed":
            lines.append(f"K{i},{','.join(['x'] * draw(st.integers(0, 2)))}\n".encode())
            expected_q.append((line_no, "malformed_line", None))
            continue
        if kind == "bad_encoding":
            lines.append(f"K{i},".encode() + BAD_BYTES[encoding] + b",x\n")
            expected_q.append((line_no, "bad_encoding", None))
            continue
        record = csv_text([row], header).split("\n", 1)[1]
        lines.append(record.encode(encoding))
        if code is None:
            loads[row[key_col]] = (line_no, {c.name: expected_value(c, row[c.name]) for c in table.columns})
        else:
            expected_q.append((line_no, code, column))
        line_no += record.count("\n") - 1
    return b"".join(lines), loads, expected_q


def check_partition(table_name: str, data: bytes, loads: dict, expected_q: list) -> None:
    table, partition = contract(table_name), PARTITIONS[table_name]
    with tempfile.TemporaryDirectory() as tmp:
        landing, db = Path(tmp) / "landing", Path(tmp) / "db.duckdb"
        file_path(landing, table_name, partition).write_bytes(data)

        report = load_table(db, landing, table_name)

        assert report.refused == [], report.refused
        assert report.rows_read == len(loads) + len(expected_q)
        assert report.rows_loaded == len(loads) and report.rows_quarantined == len(expected_q)
        assert report.rows_read == report.rows_loaded + report.rows_quarantined
        names = list(table.column_names)
        got = {r[0]: (r[-1], dict(zip(names, r[1:-1], strict=True)))
               for r in query(db, f'select {names[0]}, {", ".join(names)}, _source_row from raw."{table_name}"')}
        assert got == loads
        assert [(r[1], r[3], r[2]) for r in quarantine(db, table_name)] == sorted(expected_q)
        before = raw_contents(db, table_name), quarantine(db, table_name)
        load_table(db, landing, table_name, force=True)
        assert (raw_contents(db, table_name), quarantine(db, table_name)) == before


FUZZ_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("table_name", list(PARTITIONS))
def test_random_partitions_reconcile_and_lose_no_good_row(table_name: str) -> None:
    @FUZZ_SETTINGS
    @given(partition_file(table_name))
    def run(case) -> None:
        check_partition(table_name, *case)

    run()
