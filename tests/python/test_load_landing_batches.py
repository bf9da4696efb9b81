"""Partitions committed in batches: the same rows as one commit per partition, atomic per batch."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.landing import partition_batch
from orchestration.landing.contracts import contract
from orchestration.landing.discover import partition_bounds
from orchestration.landing.load_landing import load_table
from orchestration.landing.validate import quote_ident, validation_sql
from tests.python.landing_files import (
    call_records,
    file_path,
    load_log,
    quarantine,
    query,
    raw_contents,
    valid_row,
    write_bytes,
    write_csv,
    write_parquet,
)

VISITS = "halls__hall_visits"
DAYS = ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"]


def visit(day: str, n: int, **overrides: str) -> dict[str, str]:
    return valid_row(VISITS, day, **{"visit_id": f"V{day[-2:]}{n}", "customer_id": f"CU{n:08d}", **overrides})


def deliver(landing: Path) -> None:
    """Four days: good rows, a broken value, a duplicate key, a malformed line and a refused file."""
    write_csv(landing, VISITS, DAYS[0], [visit(DAYS[0], 1), visit(DAYS[0], 2, wait_minutes="x")])
    write_csv(landing, VISITS, DAYS[1], [visit(DAYS[1], 1), visit(DAYS[1], 1), visit(DAYS[1], 3)])
    write_csv(landing, VISITS, DAYS[2], [visit(DAYS[2], 1), "a,b", visit(DAYS[2], 2)])
    write_bytes(landing, VISITS, DAYS[3], b"")  # empty: refused


def state(db: Path) -> tuple:
    # partition, status, read, loaded, quarantined (a refusal is logged when met, a load at its commit)
    log = sorted(row[:5] for row in load_log(db, VISITS))
    return raw_contents(db, VISITS), quarantine(db, VISITS), log


@pytest.mark.parametrize("commit_rows", [1, 4, 1_000_000])
def test_batch_size_does_not_change_what_is_loaded(tmp_path: Path, monkeypatch, commit_rows: int) -> None:
    landing = tmp_path / "landing"
    deliver(landing)
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", 1)  # one partition per transaction
    one_by_one = load_table(tmp_path / "one.duckdb", landing, VISITS)
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", commit_rows)
    batched = load_table(tmp_path / "batched.duckdb", landing, VISITS)

    assert [(p.partition, p.status, p.rows_read, p.rows_loaded, p.rows_quarantined, p.reason_counts)
            for p in batched.partitions] == [
        (DAYS[0], "loaded", 2, 1, 1, {"type_mismatch": 1}),
        (DAYS[1], "loaded", 3, 2, 1, {"duplicate_key": 1}),
        (DAYS[2], "loaded", 3, 2, 1, {"malformed_line": 1}),
        (DAYS[3], "refused", 0, 0, 0, {}),
    ]
    assert [p.message for p in batched.partitions] == [p.message for p in one_by_one.partitions]
    assert state(tmp_path / "batched.duckdb") == state(tmp_path / "one.duckdb")
    # rows of a partition stay in file order in the raw table
    rows = query(tmp_path / "batched.duckdb", f"select _partition, _source_row from raw.{VISITS}")
    assert rows == sorted(rows)


def test_reload_of_a_batch_replaces_each_partition(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    deliver(landing)
    load_table(db, landing, VISITS)
    write_csv(landing, VISITS, DAYS[1], [visit(DAYS[1], 7)])  # re-delivered, now one row
    report = load_table(db, landing, VISITS)
    assert [(p.partition, p.status) for p in report.partitions] == [
        (DAYS[0], "skipped_unchanged"), (DAYS[1], "loaded"), (DAYS[2], "skipped_unchanged"), (DAYS[3], "refused")]
    assert query(db, f"select _partition, count(*) from raw.{VISITS} group by 1 order by 1") == [
        (DAYS[0], 1), (DAYS[1], 1), (DAYS[2], 2)]
    assert query(db, "select \"partition\", reason_code from raw._quarantine order by 1") == [
        (DAYS[0], "type_mismatch"), (DAYS[2], "malformed_line")]


@pytest.mark.parametrize(("commit_rows", "kept"), [(1, [DAYS[0], DAYS[1]]), (1_000_000, [])])
def test_a_failure_rolls_back_the_batch_in_hand_only(tmp_path: Path, monkeypatch, commit_rows: int,
                                                     kept: list[str]) -> None:
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    deliver(landing)
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", commit_rows)
    real = partition_batch._insert_rows

    def fails_on_the_third_day(con, table, loaded_at):
        if con.execute("select count(*) from _batch where _partition = ?", [DAYS[2]]).fetchone()[0]:
            raise OSError("disk full")
        return real(con, table, loaded_at)

    monkeypatch.setattr(partition_batch, "_insert_rows", fails_on_the_third_day)
    with pytest.raises(OSError, match="disk full"):
        load_table(db, landing, VISITS)

    assert [r[0] for r in query(db, f"select distinct _partition from raw.{VISITS} order by 1")] == kept
    assert [r[0] for r in load_log(db, VISITS) if r[1] == "loaded"] == kept
    monkeypatch.undo()
    report = load_table(db, landing, VISITS)  # the next run loads what was rolled back
    assert report.partitions_loaded == [d for d in DAYS[:3] if d not in kept]
    assert query(db, f"select count(*) from raw.{VISITS}")[0][0] == 5


# ------------------------------------------------------------------ Parquet: validated together
CDRS = "usage__call_records"
CDR_DAYS = ["2025-02-10", "2025-02-11", "2025-02-12"]


def cdrs(day: str, n: int, repeat_first: bool = False) -> pa.Table:
    """``n`` call records of ``day``, the third with a negative duration; the first id twice if ``repeat_first``."""
    ids = [f"CL{i}" for i in range(n)]
    if repeat_first:
        ids[-1] = ids[0]
    durations = pa.array([60 + i if i != 2 else -5 for i in range(n)], pa.int32())
    return call_records(n, day, call_id=ids, duration_seconds=durations)


def damage_a_page(path: Path) -> None:
    """Overwrite the header of the file's first data page: the footer still reads, the data does not."""
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(0)
    offset = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(path.read_bytes())
    data[offset:offset + 12] = b"\xff" * 12
    path.write_bytes(bytes(data))


def cdr_state(db: Path) -> tuple:
    log = sorted(row[:5] for row in load_log(db, CDRS))
    return raw_contents(db, CDRS), quarantine(db, CDRS), log


@pytest.mark.parametrize("commit_rows", [1, 1_000_000])
def test_parquet_days_validated_in_one_query_as_one_by_one(tmp_path: Path, monkeypatch, commit_rows: int) -> None:
    landing = tmp_path / "landing"
    for day in CDR_DAYS:  # the same call ids every day: a duplicate key is one within a file only
        write_parquet(landing, CDRS, day, cdrs(day, 6, repeat_first=day == CDR_DAYS[1]))
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", 1)
    one_by_one = load_table(tmp_path / "one.duckdb", landing, CDRS)
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", commit_rows)
    batched = load_table(tmp_path / "batched.duckdb", landing, CDRS)

    assert [(p.partition, p.status, p.rows_read, p.rows_loaded, p.reason_counts) for p in batched.partitions] == [
        (CDR_DAYS[0], "loaded", 6, 5, {"below_min": 1}),
        (CDR_DAYS[1], "loaded", 6, 4, {"below_min": 1, "duplicate_key": 1}),
        (CDR_DAYS[2], "loaded", 6, 5, {"below_min": 1}),
    ]
    assert [p.message for p in batched.partitions] == [p.message for p in one_by_one.partitions]
    assert cdr_state(tmp_path / "batched.duckdb") == cdr_state(tmp_path / "one.duckdb")


def test_parquet_files_of_a_batch_are_each_checked_in_their_own_types(tmp_path: Path) -> None:
    """Files read together share their types: a file delivering durations as DOUBLE is not read
    with the INTEGER files of its batch, where 12.5 would quietly become a whole number."""
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    write_parquet(landing, CDRS, CDR_DAYS[0], call_records(3, CDR_DAYS[0]))
    write_parquet(landing, CDRS, CDR_DAYS[1],
                  call_records(3, CDR_DAYS[1], duration_seconds=pa.array([60.0, 12.5, 62.0], pa.float64())))
    write_parquet(landing, CDRS, CDR_DAYS[2], call_records(3, CDR_DAYS[2]))

    report = load_table(db, landing, CDRS)

    assert [(p.partition, p.rows_loaded, p.reason_counts) for p in report.partitions] == [
        (CDR_DAYS[0], 3, {}), (CDR_DAYS[1], 2, {"type_mismatch": 1}), (CDR_DAYS[2], 3, {})]
    [q] = quarantine(db, CDRS)
    assert (q[0], q[1], q[2]) == (CDR_DAYS[1], 2, "duration_seconds")
    assert "'12.5' is not a valid INTEGER (the file has DOUBLE)" in q[4]
    assert query(db, f"select sum(duration_seconds) from raw.{CDRS} where _partition = ?", [CDR_DAYS[1]]) == [(122,)]


def test_a_damaged_parquet_file_in_a_batch_is_refused_alone(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    for day in CDR_DAYS:
        write_parquet(landing, CDRS, day, cdrs(day, 4))
    load_table(db, landing, CDRS)
    before = query(db, f"select call_id, started_at from raw.{CDRS} where _partition = ? order by 1", [CDR_DAYS[1]])
    for day in CDR_DAYS:  # all three re-delivered with five calls; the middle one damaged
        write_parquet(landing, CDRS, day, cdrs(day, 5))
    damage_a_page(file_path(landing, CDRS, CDR_DAYS[1]))

    report = load_table(db, landing, CDRS)

    assert [(p.partition, p.status, p.rows_loaded) for p in report.partitions] == [
        (CDR_DAYS[0], "loaded", 4), (CDR_DAYS[1], "refused", 0), (CDR_DAYS[2], "loaded", 4)]
    refused = report.partitions[1]
    assert refused.message.startswith(f"refused: usage/call_records/call_records_{CDR_DAYS[1]}.parquet: "
                                      "reading the Parquet data failed: ")
    assert query(db, f"select _partition, count(*) from raw.{CDRS} group by 1 order by 1") == [
        (CDR_DAYS[0], 4), (CDR_DAYS[1], 3), (CDR_DAYS[2], 4)]  # the damaged day keeps its earlier rows
    assert query(db, f"select call_id, started_at from raw.{CDRS} where _partition = ? order by 1",
                 [CDR_DAYS[1]]) == before
    assert [r[:2] for r in load_log(db, CDRS)][-3:] == [
        (CDR_DAYS[0], "loaded"), (CDR_DAYS[1], "refused"), (CDR_DAYS[2], "loaded")]


def test_a_parquet_file_short_of_its_metadata_is_refused_and_its_rows_leave_the_batch(tmp_path: Path,
                                                                                      monkeypatch) -> None:
    landing, db = tmp_path / "landing", tmp_path / "w.duckdb"
    for day in CDR_DAYS:
        write_parquet(landing, CDRS, day, cdrs(day, 4))
    short = file_path(landing, CDRS, CDR_DAYS[1]).name
    rows_sql = partition_batch.parquet_files_rows_sql
    monkeypatch.setattr(partition_batch, "parquet_files_rows_sql",  # the middle file yields a row fewer than promised
                        lambda files: f"select * from ({rows_sql(files)}) "
                        f"where not (_source_file like '%/{short}' and _source_row = 2)")

    report = load_table(db, landing, CDRS)

    assert [(p.partition, p.status, p.rows_loaded) for p in report.partitions] == [
        (CDR_DAYS[0], "loaded", 3), (CDR_DAYS[1], "refused", 0), (CDR_DAYS[2], "loaded", 3)]
    assert report.partitions[1].message.endswith(f"{short}: its metadata promises 4 rows but 3 were read")
    assert query(db, f"select _partition, count(*) from raw.{CDRS} group by 1 order by 1") == [
        (CDR_DAYS[0], 3), (CDR_DAYS[2], 3)]
    assert [q[0] for q in quarantine(db, CDRS)] == [CDR_DAYS[0], CDR_DAYS[2]]  # below_min, one a day


# --------------------------------------------------------------------- CSV: validated together
def test_csv_days_validated_in_one_query_name_each_row_its_own_day(tmp_path: Path, monkeypatch) -> None:
    landing = tmp_path / "landing"
    for shift, day in enumerate(DAYS[:3]):  # the same visit ids every day, V011 first on line 2, 3, 2:
        rows = [visit(day, 1, visit_id="V011"), visit(day, 3, visit_id="V011"),  # a duplicate is one in its file
                visit(day, 2, visit_id="V012", visited_at=f"{DAYS[3]} 08:00:00")]
        write_csv(landing, VISITS, day, rows[-shift:] + rows[:-shift] if shift else rows)
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", 1)
    one_by_one = load_table(tmp_path / "one.duckdb", landing, VISITS)
    monkeypatch.setattr(partition_batch, "COMMIT_ROWS", 1_000_000)
    batched = load_table(tmp_path / "batched.duckdb", landing, VISITS)

    assert [(p.partition, p.rows_loaded, p.reason_counts) for p in batched.partitions] == [
        (day, 1, {"outside_partition": 1, "duplicate_key": 1}) for day in DAYS[:3]]
    assert [p.message for p in batched.partitions] == [p.message for p in one_by_one.partitions]
    assert state(tmp_path / "batched.duckdb") == state(tmp_path / "one.duckdb")
    reasons = {(q[0], q[3]): q[4] for q in quarantine(tmp_path / "batched.duckdb", VISITS)}
    for day in DAYS[:3]:
        assert reasons[day, "outside_partition"] == (
            f"visited_at: '{DAYS[3]} 08:00:00' is outside partition {day}, expected a value on {day}")
    assert [reasons[day, "duplicate_key"] for day in DAYS[:3]] == [
        f"duplicate key visit_id=V011: the first occurrence, at line {line}, is kept" for line in (2, 3, 2)]


def test_rows_of_many_partitions_get_the_messages_of_their_own_partition() -> None:
    """`validation_sql` over the rows of several files: each row is checked against, and its
    message names, the partition of its own file."""
    table = contract("billing__payments")  # month partitions, paid_at within the month
    types = dict.fromkeys(table.column_names, "VARCHAR")
    good = {"payment_id": "P1", "customer_id": "CU00000001", "payment_method": "cash", "amount_yuan": "50.00"}
    rows = {"2025-01": ["2025-01-31 23:00:00", "2025-02-01 00:00:00"], "2025-02": ["2025-01-31 23:00:00"]}
    con = duckdb.connect()
    con.execute(f"create table staged (_partition varchar, _source_file varchar, _first_day date, _last_day date, "
                f"_source_row bigint, {', '.join(f'{quote_ident(c)} varchar' for c in table.column_names)})")
    for month, paid in rows.items():
        first, last = partition_bounds("month", month)
        for n, at in enumerate(paid, start=1):
            values = {**good, "paid_at": at}
            con.execute(f"insert into staged values (?, ?, ?, ?, ?, {', '.join('?' * len(table.column_names))})",
                        [month, f"payments_{month}.csv", first, last, n, *(values[c] for c in table.column_names)])
    together = con.execute(f"select _partition, _source_row, _reason_code, _reason from "
                           f"({validation_sql(table, types, 'staged')}) order by 1, 2").fetchall()
    assert [r[:3] for r in together] == [
        ("2025-01", 1, None), ("2025-01", 2, "outside_partition"), ("2025-02", 1, "outside_partition")]
    assert together[1][3] == ("paid_at: '2025-02-01 00:00:00' is outside partition 2025-01, "
                              "expected a value between 2025-01-01 and 2025-01-31")
    assert together[2][3] == ("paid_at: '2025-01-31 23:00:00' is outside partition 2025-02, "
                              "expected a value between 2025-02-01 and 2025-02-28")
