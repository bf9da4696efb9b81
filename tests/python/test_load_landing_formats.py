"""Loading Parquet files and the call centre's GBK-encoded CSV into the raw schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.landing.contracts import contract
from orchestration.landing.load_landing import load_table
from tests.python.landing_files import (
    call_records,
    csv_text,
    load_log,
    quarantine,
    query,
    raw_contents,
    valid_row,
    write_bytes,
    write_csv,
    write_parquet,
)

CDRS = "usage__call_records"
DAY = "2025-02-10"
START = dt.datetime(2025, 2, 10, 8, 0)


# ---------------------------------------------------------------------------------- Parquet
def test_good_parquet_loads_with_types_and_row_numbers(landing: Path, db: Path) -> None:
    write_parquet(landing, CDRS, DAY, call_records(3))

    report = load_table(db, landing, CDRS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert query(db, f"select call_id, started_at, duration_seconds, is_three_way, _partition, _source_file, "
                     f"_source_row from raw.{CDRS} order by _source_row")[0] == (
        "CL0", START, 60, False, DAY, f"usage/call_records/call_records_{DAY}.parquet", 1)
    assert [r[0] for r in query(db, f"select _source_row from raw.{CDRS} order by 1")] == [1, 2, 3]


def test_parquet_bad_values_are_quarantined_with_row_numbers(landing: Path, db: Path) -> None:
    table = call_records(
        7,
        call_id=["A", None, "C", "D", "A", "F", "G"],
        started_at=pa.array([START, START, START + dt.timedelta(days=1), START, START, START, START],
                            pa.timestamp("us")),
        duration_seconds=pa.array([1, 1, 1, -5, 1, 86401, 86400], pa.int32()),
    )
    write_parquet(landing, CDRS, DAY, table)

    report = load_table(db, landing, CDRS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 2, 5)
    assert [(r[1], r[2], r[3]) for r in quarantine(db, CDRS)] == [
        (2, "call_id", "null_not_allowed"),
        (3, "started_at", "outside_partition"),
        (4, "duration_seconds", "below_min"),
        (5, "call_id", "duplicate_key"),
        (6, "duration_seconds", "above_max"),
    ]
    q = quarantine(db, CDRS)
    assert "row 1" in q[3][4]  # duplicate names the first occurrence
    assert '"duration_seconds":-5' in q[2][5]


def test_parquet_compatible_types_are_cast(landing: Path, db: Path) -> None:
    table = call_records(2, started_at=pa.array([START, START], pa.timestamp("ns")),
                 duration_seconds=pa.array([10, 20], pa.int64()))
    write_parquet(landing, CDRS, DAY, table)
    assert load_table(db, landing, CDRS).rows_loaded == 2
    assert query(db, f"select sum(duration_seconds) from raw.{CDRS}") == [(30,)]


@pytest.mark.parametrize(("values", "arrow_type", "loaded", "message"), [
    (["12", "abc", " 7 "], pa.string(), 2, "'abc' is not a valid INTEGER (the file has VARCHAR)"),
    ([12.0, 12.5, 3.0], pa.float64(), 2, "'12.5' is not a valid INTEGER (the file has DOUBLE)"),
    ([1, 2**40, 3], pa.int64(), 2, "is not a valid INTEGER (the file has BIGINT)"),
])
def test_parquet_column_of_another_type_fails_per_value(landing: Path, db: Path, values, arrow_type, loaded,
                                                         message: str) -> None:
    write_parquet(landing, CDRS, DAY, call_records(3, duration_seconds=pa.array(values, arrow_type)))
    report = load_table(db, landing, CDRS)
    assert report.rows_loaded == loaded
    [q] = quarantine(db, CDRS)
    assert (q[1], q[2], q[3]) == (2, "duration_seconds", "type_mismatch") and message in q[4]


PARQUET_REFUSALS = {
    "incompatible type": (lambda: call_records(2, started_at=[True, False]),
                          ["started_at is BOOLEAN (expected TIMESTAMP)"]),
    "missing column": (lambda: call_records(2).drop_columns(["is_three_way"]), ["missing column(s) is_three_way"]),
    "extra column": (lambda: call_records(2).append_column("cell_id", pa.array(["X", "Y"])),
                     ["unexpected column(s) cell_id"]),
    "timestamp with time zone": (
        lambda: call_records(2, started_at=pa.array([START, START], pa.timestamp("us", tz="Asia/Shanghai"))),
        ["started_at is TIMESTAMP WITH TIME ZONE"]),
}


@pytest.mark.parametrize("kind", [*PARQUET_REFUSALS, "truncated file", "not parquet", "empty 0-byte file"])
def test_refused_parquet_keeps_previous_partition(landing: Path, db: Path, kind: str) -> None:
    path = write_parquet(landing, CDRS, DAY, call_records(4))
    load_table(db, landing, CDRS)
    before = raw_contents(db, CDRS)
    if kind == "truncated file":
        path.write_bytes(path.read_bytes()[:-100])
        expected = ["cannot be read as Parquet"]
    elif kind == "not parquet":
        path.write_text("call_id,caller_customer_id\nCL1,CU1\n")
        expected = ["cannot be read as Parquet"]
    elif kind == "empty 0-byte file":
        path.write_bytes(b"")
        expected = ["empty (0 bytes)"]
    else:
        make, expected = PARQUET_REFUSALS[kind]
        write_parquet(landing, CDRS, DAY, make())

    report = load_table(db, landing, CDRS)

    [refused] = report.refused
    assert f"usage/call_records/call_records_{DAY}.parquet" in refused.message
    for word in expected:
        assert word in refused.message
    assert raw_contents(db, CDRS) == before
    assert load_log(db, CDRS)[-1][:2] == (DAY, "refused")


def test_monthly_parquet_with_seed_codes_month_partition_and_float_money(landing: Path, db: Path) -> None:
    month = "2025-03"
    table = pa.table({
        "customer_id": ["C1", "C1", "C2", "C3", "C4"],
        "bill_month": pa.array([dt.date(2025, 3, 1)] * 4 + [dt.date(2025, 4, 1)], pa.date32()),
        "bill_item_code": ["MONTHLY_FEE", "LOCAL_VOICE", "NOT_A_CODE", "MONTHLY_FEE", "MONTHLY_FEE"],
        "amount_yuan": [0.1 + 0.2, 12.3, 1.0, 12.345, 5.0],
        "quantity": [1.0, 30.0, None, 1.0, 1.0],
    })
    write_parquet(landing, "billing__bill_items", month, table)

    load_table(db, landing, "billing__bill_items")

    assert query(db, "select customer_id, bill_item_code, amount_yuan from raw.billing__bill_items order by 1, 2") == [
        ("C1", "LOCAL_VOICE", Decimal("12.30")), ("C1", "MONTHLY_FEE", Decimal("0.30"))]
    assert [(r[1], r[2], r[3]) for r in quarantine(db, "billing__bill_items")] == [
        (3, "bill_item_code", "not_accepted"), (4, "amount_yuan", "type_mismatch"),
        (5, "bill_month", "outside_partition")]


def test_non_finite_doubles_and_timestamp_dates(landing: Path, db: Path) -> None:
    n = 3
    table = pa.table({
        "customer_id": ["C1", "C2", "C3"],
        "usage_date": pa.array([dt.datetime(2025, 2, 10), dt.datetime(2025, 2, 10, 12), dt.datetime(2025, 2, 10)],
                               pa.timestamp("us")),
        **{c: [1.0] * n for c in ("voice_out_minutes", "voice_in_minutes", "local_voice_minutes",
                                   "long_distance_minutes", "roaming_minutes")},
        "sms_out_count": pa.array([1] * n, pa.int32()),
        "data_mb": [1.0, 1.0, float("nan")],
        "roaming_region": [None] * n,
    })
    write_parquet(landing, "usage__daily_usage", DAY, table)

    load_table(db, landing, "usage__daily_usage")

    assert query(db, "select customer_id, usage_date from raw.usage__daily_usage") == [("C1", dt.date(2025, 2, 10))]
    assert [(r[1], r[2], r[3]) for r in quarantine(db, "usage__daily_usage")] == [
        (2, "usage_date", "type_mismatch"), (3, "data_mb", "type_mismatch")]


# ---------------------------------------------------------------------------------- GBK CSV
CALLS = "callcenter__hotline_calls"
HEADER = list(contract(CALLS).column_names)


def call(n: int, **overrides: str) -> dict[str, str]:
    return valid_row(CALLS, DAY, **{"call_id": f"HC{n}", **overrides})


def test_gbk_file_loads_decoded(landing: Path, db: Path) -> None:
    write_csv(landing, CALLS, DAY, [call(1), call(2, purpose_note="用户投诉:信号差,已派单", customer_id="")])
    assert (landing / f"callcenter/hotline_calls/hotline_calls_{DAY}.csv").read_bytes().decode("gbk")

    report = load_table(db, landing, CALLS)

    assert report.rows_loaded == 2
    assert query(db, f"select call_id, customer_id, purpose_note, transferred_to_agent, _source_row "
                     f"from raw.{CALLS} order by _source_row") == [
        ("HC1", "CU00000001", "客户查询本月话费，已解释套餐外流量费用", True, 2),
        ("HC2", None, "用户投诉:信号差,已派单", True, 3)]


def test_undecodable_gbk_lines_are_quarantined_and_the_rest_loads(landing: Path, db: Path) -> None:
    good = [csv_text([call(n)], HEADER).split("\n")[1].encode("gbk") for n in (1, 3, 5)]
    bad = "HC2,CU1,2025-02-10 09:00:00,1,5,false,false,,,,other,".encode("gbk") + b"\x81\x7f\xff" + b",,\n"
    data = b"\n".join([",".join(HEADER).encode(), good[0], bad.rstrip(b"\n"), good[1], b"", good[2]]) + b"\n"
    write_bytes(landing, CALLS, DAY, data)

    report = load_table(db, landing, CALLS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 3, 1)
    [(_, line, column, code, reason, raw)] = quarantine(db, CALLS)
    assert (line, column, code) == (3, None, "bad_encoding")
    assert "line 3 is not valid gbk" in reason and raw.startswith("HC2,CU1")
    assert query(db, f"select call_id, _source_row from raw.{CALLS} order by 2") == [
        ("HC1", 2), ("HC3", 4), ("HC5", 6)]


def test_gbk_multiline_note_keeps_line_numbers(landing: Path, db: Path) -> None:
    write_csv(landing, CALLS, DAY, [call(1, purpose_note="第一行\n第二行"), call(2, satisfaction_score="9")])
    load_table(db, landing, CALLS)
    assert query(db, f"select call_id, _source_row, purpose_note from raw.{CALLS}") == [("HC1", 2, "第一行\n第二行")]
    assert [(r[1], r[3]) for r in quarantine(db, CALLS)] == [(4, "above_max")]


@pytest.mark.parametrize(("data", "expected"), [
    (lambda: csv_text([call(1)], HEADER).encode("utf-8"), "is UTF-8 encoded but the contract says gbk"),
    (lambda: b"call_id\xff," + csv_text([call(1)], HEADER).encode("gbk").split(b",", 1)[1],
     "the header line cannot be decoded as gbk"),
    (lambda: ",".join(HEADER).encode() + b"\nHC1,\x81\x7f\nHC2,\xff\xfe\n", "none of its 2 data lines is valid gbk"),
])
def test_gbk_file_that_cannot_be_decoded_is_refused(landing: Path, db: Path, data, expected: str) -> None:
    write_bytes(landing, CALLS, DAY, data())
    [refused] = load_table(db, landing, CALLS).refused
    assert expected in refused.message and f"hotline_calls_{DAY}.csv" in refused.message


# ------------------------------------------------------------------------------ file paths
@pytest.mark.parametrize("folder", ["drop[1]", "drop*", "drop?"])
def test_landing_folder_with_glob_characters_is_read_literally(tmp_path: Path, db: Path, folder: str) -> None:
    """DuckDB's readers glob their paths: ``drop[1]`` would read ``drop1``, ``drop*`` both folders."""
    landing, decoy = tmp_path / folder, tmp_path / "drop1"
    complaint = valid_row("service__complaints", DAY, description="话费多扣了,\n请核实")  # quoted, two lines
    write_parquet(landing, CDRS, DAY, call_records(3))
    write_csv(landing, "service__complaints", DAY, [complaint, {**complaint, "complaint_id": "CP2"}])
    write_parquet(decoy, CDRS, DAY, call_records(5, caller_customer_id=[f"CU9{i:07d}" for i in range(5)]))
    write_csv(decoy, "service__complaints", DAY, [{**complaint, "complaint_id": f"X{i}"} for i in range(4)])

    calls, complaints = load_table(db, landing, CDRS), load_table(db, landing, "service__complaints")

    assert [(r.partition, r.status, r.rows_loaded) for r in calls.partitions + complaints.partitions] == [
        (DAY, "loaded", 3), (DAY, "loaded", 2)]
    assert [r[0] for r in query(db, f"select caller_customer_id from raw.{CDRS} order by 1")] == [
        f"CU{i:08d}" for i in range(3)]
    assert query(db, "select complaint_id, description, _source_row from raw.service__complaints order by 1") == [
        ("CP1", "话费多扣了,\n请核实", 2), ("CP2", "话费多扣了,\n请核实", 4)]
