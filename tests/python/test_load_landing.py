"""Loading CSV landing files into the raw schema: types, lineage, quarantine, refusals, idempotency."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.landing import validate
from orchestration.landing.contracts import CONTRACTS, contract
from orchestration.landing.load_landing import (
    LoadReport,
    ensure_raw_schema,
    load_all,
    load_table,
    raw_table_ddl,
)
from orchestration.settings import SEEDS_DIR
from tests.python.landing_files import (
    VISIT_DAY as DAY,
)
from tests.python.landing_files import (
    VISITS,
    csv_text,
    load_log,
    quarantine,
    query,
    raw_contents,
    valid_row,
    visit,
    write_bytes,
    write_csv,
)


def assert_reconciles(report: LoadReport) -> None:
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    for p in report.partitions:
        if p.status != "refused":
            assert p.rows_read == p.rows_loaded + p.rows_quarantined, p


# ------------------------------------------------------------------------------ good files
def test_good_csv_loads_with_contract_types_and_lineage(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, wait_minutes="", business_type=" complaint ")])

    report = load_table(db, landing, VISITS)

    assert report.partitions_loaded == [DAY]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 2, 0)
    types = dict(query(db, "select column_name, data_type from information_schema.columns "
                           "where table_schema = 'raw' and table_name = ?", [VISITS]))
    assert types["visited_at"] == "TIMESTAMP" and types["wait_minutes"] == "INTEGER"
    assert types["_source_row"] == "BIGINT" and types["_loaded_at"] == "TIMESTAMP"
    rows = query(db, "select visit_id, visited_at, business_type, wait_minutes, _partition, _source_file, "
                     f"_source_row, _loaded_at from raw.{VISITS} order by _source_row")
    assert rows[0][:7] == ("V1", dt.datetime(2025, 1, 2, 9, 30), "top_up", 5, DAY,
                           f"halls/hall_visits/hall_visits_{DAY}.csv", 2)
    # accepted values are compared (and stored) trimmed; an empty field is NULL
    assert rows[1][2:4] == ("complaint", None) and rows[1][6] == 3
    assert isinstance(rows[0][7], dt.datetime)
    assert load_log(db, VISITS) == [(DAY, "loaded", 2, 2, 0, "loaded 2 of 2 rows")]
    sha, size = query(db, "select file_sha256, file_bytes from raw._load_log")[0]
    assert len(sha) == 64 and size == (landing / f"halls/hall_visits/hall_visits_{DAY}.csv").stat().st_size


def test_monthly_and_full_tables_load(landing: Path, db: Path) -> None:
    write_csv(landing, "crm__customers", "2025-01", [valid_row("crm__customers", "2025-01")])
    write_csv(landing, "network__cells", "full", [valid_row("network__cells", "full")])
    write_csv(landing, "catalog__products", "full", [valid_row("catalog__products", "full")])

    reports = load_all(db, landing, ["crm__customers", "network__cells", "catalog__products"])

    assert [r.rows_loaded for r in reports] == [1, 1, 1]
    customer = query(db, "select birth_date, opt_out_marketing, _partition from raw.crm__customers")[0]
    assert customer == (dt.date(1980, 5, 17), False, "2025-01")
    assert query(db, "select latitude, _partition from raw.network__cells") == [(39.9087, "full")]
    fee, data_price = query(db, "select monthly_fee_yuan, overage_data_yuan_per_mb from raw.catalog__products")[0]
    assert fee == Decimal("388.00") and data_price == Decimal("0.0290")


def test_report_totals_cover_the_partitions_loaded(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, wait_minutes="-1"), "V3,x"])
    write_csv(landing, VISITS, "2025-01-03", [valid_row(VISITS, "2025-01-03", business_type="nope")])
    write_bytes(landing, VISITS, "2025-01-04", b"")

    report = load_table(db, landing, VISITS)

    assert report.table_name == VISITS and report.elapsed_seconds > 0
    assert (report.partitions_loaded, report.partitions_refused) == ([DAY, "2025-01-03"], ["2025-01-04"])
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 1, 3)
    assert report.reason_counts == {"below_min": 1, "malformed_line": 1, "not_accepted": 1}
    assert [p.reason_counts for p in report.partitions[:2]] == [
        {"below_min": 1, "malformed_line": 1}, {"not_accepted": 1}]
    assert_reconciles(report)


def test_load_all_covers_every_contract(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1)])
    reports = load_all(db, landing)
    assert [r.table_name for r in reports] == [t.name for t in CONTRACTS]
    assert sum(r.rows_loaded for r in reports) == 1


def test_ensure_raw_schema_creates_every_table_empty(db: Path) -> None:
    ensure_raw_schema(db)
    tables = {t for (t,) in query(db, "select table_name from information_schema.tables where table_schema='raw'")}
    assert tables == {t.name for t in CONTRACTS} | {"_quarantine", "_load_log"}
    assert query(db, "select count(*) from raw.usage__call_records") == [(0,)]
    assert "create table if not exists raw.\"usage__call_records\"" in raw_table_ddl(contract("usage__call_records"))


def test_table_without_landing_folder_gets_an_empty_raw_table(landing: Path, db: Path) -> None:
    report = load_table(db, landing, "service__complaints")
    assert report.partitions == [] and report.rows_read == 0
    assert query(db, "select count(*) from raw.service__complaints") == [(0,)]


def test_header_only_file_is_a_valid_empty_partition(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1)])
    load_table(db, landing, VISITS)
    write_csv(landing, VISITS, DAY, [])  # re-delivered: no visits that day after all

    report = load_table(db, landing, VISITS)

    assert report.partitions_loaded == [DAY] and report.rows_read == 0
    assert query(db, f"select count(*) from raw.{VISITS}") == [(0,)]


# --------------------------------------------------------------------------- bad rows
BAD_VISITS = [
    # (overrides, reason_code, column, text expected in the message)
    ({"wait_minutes": "abc"}, "type_mismatch", "wait_minutes", "'abc' is not a valid INTEGER"),
    ({"wait_minutes": "12.5"}, "type_mismatch", "wait_minutes", "expected a whole number"),
    ({"visited_at": "2025/01/02 09:00:00"}, "type_mismatch", "visited_at", "YYYY-MM-DD HH:MM:SS"),
    ({"visited_at": "2025-01-02T09:00:00"}, "type_mismatch", "visited_at", "'2025-01-02T09:00:00'"),
    ({"visited_at": "2025-02-30 09:00:00"}, "type_mismatch", "visited_at", "not a valid TIMESTAMP"),
    ({"visit_id": ""}, "null_not_allowed", "visit_id", "part of the key"),
    ({"customer_id": ""}, "null_not_allowed", "customer_id", "customer_id: value is missing"),
    ({"visited_at": ""}, "null_not_allowed", "visited_at", "required"),
    ({"business_type": "shopping"}, "not_accepted", "business_type", "'shopping' is not an accepted value"),
    ({"wait_minutes": "-3"}, "below_min", "wait_minutes", "'-3' is below the minimum 0"),
    ({"visited_at": "2025-01-03 00:00:00"}, "outside_partition", "visited_at",
     "outside partition 2025-01-02, expected a value on 2025-01-02"),
    ({"visited_at": "2025-01-01 23:59:59"}, "outside_partition", "visited_at", "2025-01-01 23:59:59"),
]


@pytest.mark.parametrize(("overrides", "code", "column", "message"), BAD_VISITS,
                         ids=[f"{c}-{next(iter(o))}-{i}" for i, (o, c, _, _) in enumerate(BAD_VISITS)])
def test_bad_value_is_quarantined_with_reason_column_and_line(
        landing: Path, db: Path, overrides: dict, code: str, column: str, message: str) -> None:
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, **overrides), visit(3)])

    report = load_table(db, landing, VISITS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    assert report.reason_counts == {code: 1}
    [(partition, line, col, reason_code, reason, raw_record)] = quarantine(db, VISITS)
    assert (partition, line, col, reason_code) == (DAY, 3, column, code)
    assert message in reason and column in reason
    assert '"hall_id":"HALL001"' in raw_record and overrides.popitem()[1] in raw_record  # as delivered
    assert query(db, f"select visit_id, _source_row from raw.{VISITS} order by 2") == [("V1", 2), ("V3", 4)]


def test_first_failing_rule_in_column_order_wins(landing: Path, db: Path) -> None:
    # customer_id (2nd column) is missing and wait_minutes (6th) is negative: customer_id is reported
    write_csv(landing, VISITS, DAY, [visit(1, customer_id="", wait_minutes="-1")])
    load_table(db, landing, VISITS)
    assert [q[2:4] for q in quarantine(db, VISITS)] == [("customer_id", "null_not_allowed")]


def test_duplicate_key_keeps_first_valid_occurrence(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [
        visit(1, wait_minutes="x"),  # line 2: invalid, so it does not claim the key
        visit(1, hall_id="HALL002"),  # line 3: first valid V1, kept
        visit(2),  # line 4
        visit(1, hall_id="HALL003"),  # line 5: duplicate
        visit(2),  # line 6: duplicate
    ])

    load_table(db, landing, VISITS)

    assert query(db, f"select visit_id, hall_id, _source_row from raw.{VISITS} order by 3") == [
        ("V1", "HALL002", 3), ("V2", "HALL001", 4)]
    q = quarantine(db, VISITS)
    assert [(r[1], r[2], r[3]) for r in q] == [
        (2, "wait_minutes", "type_mismatch"), (5, "visit_id", "duplicate_key"), (6, "visit_id", "duplicate_key")]
    assert "visit_id=V1" in q[1][4] and "line 3" in q[1][4]


def test_monthly_rules_after_partition_boolean_and_seed_codes(landing: Path, db: Path) -> None:
    month = "2025-01"
    write_csv(landing, "crm__customers", month, [
        valid_row("crm__customers", month, customer_id="C1"),
        valid_row("crm__customers", month, customer_id="C2", join_date="2025-02-01"),
        valid_row("crm__customers", month, customer_id="C3", join_date="2025-01-31", gender=" F "),
        valid_row("crm__customers", month, customer_id="C4", do_not_disturb="yes"),
        valid_row("crm__customers", month, customer_id="C5", gender="X"),
    ])
    write_csv(landing, "crm__subscriptions", month, [
        valid_row("crm__subscriptions", month, subscription_id="S1"),
        valid_row("crm__subscriptions", month, subscription_id="S2", order_channel="CARRIER_PIGEON"),
    ])

    load_all(db, landing, ["crm__customers", "crm__subscriptions"])

    assert query(db, "select customer_id, gender from raw.crm__customers order by 1") == [("C1", "M"), ("C3", "F")]
    assert [(r[1], r[2], r[3]) for r in quarantine(db, "crm__customers")] == [
        (3, "join_date", "after_partition"), (5, "do_not_disturb", "type_mismatch"), (6, "gender", "not_accepted")]
    assert "on or before 2025-01-31" in quarantine(db, "crm__customers")[0][4]
    [sub] = quarantine(db, "crm__subscriptions")
    assert (sub[1], sub[2], sub[3]) == (3, "order_channel", "not_accepted")
    assert "seed channels.channel_code" in sub[4] and "CARRIER_PIGEON" in sub[4]


@pytest.mark.parametrize(("overrides", "code", "column"), [
    ({"latitude": "95"}, "above_max", "latitude"),
    ({"longitude": "-180.5"}, "below_min", "longitude"),
    ({"latitude": "nan"}, "type_mismatch", "latitude"),
    ({"latitude": "1e999"}, "type_mismatch", "latitude"),
    ({"latitude": "39,9"}, "type_mismatch", "latitude"),
    ({"area_type": "moon_base"}, "not_accepted", "area_type"),
])
def test_full_table_ranges_and_numbers(landing: Path, db: Path, overrides: dict, code: str, column: str) -> None:
    write_csv(landing, "network__cells", "full", [valid_row("network__cells", "full", **overrides)])
    load_table(db, landing, "network__cells")
    assert [(r[0], r[1], r[2], r[3]) for r in quarantine(db, "network__cells")] == [("full", 2, column, code)]


@pytest.mark.parametrize(("fee", "ok"), [("388.5", True), ("-1", False), ("388.005", False), ("1e3", False),
                                         ("123456789.00", False), (".5", True)])
def test_decimal_values_are_parsed_strictly(landing: Path, db: Path, fee: str, ok: bool) -> None:
    write_csv(landing, "catalog__products", "full", [valid_row("catalog__products", "full", monthly_fee_yuan=fee)])
    report = load_table(db, landing, "catalog__products")
    assert report.rows_loaded == (1 if ok else 0)


# ----------------------------------------------------------------- malformed lines, line numbers
def test_malformed_lines_are_quarantined_with_their_line_numbers(landing: Path, db: Path) -> None:
    header = list(contract(VISITS).column_names)
    text = csv_text([visit(1), "V2,CU2,HALL001", visit(3), "V4,CU4,HALL001,2025-01-02 09:00:00,top_up,1,extra",
                     "", visit(5)], header)
    write_bytes(landing, VISITS, DAY, text.encode())

    report = load_table(db, landing, VISITS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (5, 3, 2)
    q = quarantine(db, VISITS)
    assert [(r[1], r[2], r[3]) for r in q] == [(3, None, "malformed_line"), (5, None, "malformed_line")]
    assert "3 fields, expected 6" in q[0][4] and q[0][5] == "V2,CU2,HALL001"
    assert "7 fields, expected 6" in q[1][4]
    # the blank line 6 is skipped but counted: V5 is on line 7
    assert query(db, f"select visit_id, _source_row from raw.{VISITS} order by 2") == [
        ("V1", 2), ("V3", 4), ("V5", 7)]


def test_multiline_quoted_values_keep_line_numbers(landing: Path, db: Path) -> None:
    table, day = "service__complaints", "2025-03-04"
    rows = [
        valid_row(table, day, complaint_id="C1", description="第一行\n第二行, 还有 \"引号\""),
        valid_row(table, day, complaint_id="C2", severity="urgent"),  # line 4 (C1 spans lines 2-3)
        valid_row(table, day, complaint_id="C3", description="a\n\nb"),  # lines 5-7, blank line inside
        "C4,CU1,2025-03-04 10:00:00",  # line 8: truncated row
        valid_row(table, day, complaint_id="C5"),  # line 9
    ]
    write_csv(landing, table, day, rows)

    report = load_table(db, landing, table)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (5, 3, 2)
    assert query(db, f"select complaint_id, _source_row, description from raw.{table} order by 2") == [
        ("C1", 2, "第一行\n第二行, 还有 \"引号\""), ("C3", 5, "a\n\nb"), ("C5", 9, "话费多扣了, 请核实")]
    assert [(r[1], r[3]) for r in quarantine(db, table)] == [(4, "not_accepted"), (8, "malformed_line")]


@pytest.mark.parametrize(("rows", "final_newline", "lines"), [
    ([1, 2, 3], True, [2, 3, 4]),  # one record a line: the k-th record on line k + 1
    ([1, 2, 3], False, [2, 3, 4]),  # the last line without its line ending is still whole
    ([1, "", 2, 3], True, [2, 4, 5]),  # a blank line moves the records after it
    ([{"wait_minutes": "5", "visit_id": "V1\nV1"}, 2, 3], True, [2, 4, 5]),  # a record over two lines
])
def test_files_without_a_rejected_record_keep_line_numbers(landing: Path, db: Path, rows: list,
                                                            final_newline: bool, lines: list[int]) -> None:
    delivered = [visit(1, **r) if isinstance(r, dict) else visit(r) if isinstance(r, int) else r for r in rows]
    text = csv_text(delivered, list(contract(VISITS).column_names))
    write_bytes(landing, VISITS, DAY, (text if final_newline else text.rstrip("\n")).encode())

    report = load_table(db, landing, VISITS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert [r[0] for r in query(db, f"select _source_row from raw.{VISITS} order by 1")] == lines


def test_invalid_utf8_line_is_bad_encoding_and_the_rest_loads(landing: Path, db: Path) -> None:
    header = ",".join(contract(VISITS).column_names)
    lines = [header.encode(), b"V1,CU1,HALL001,2025-01-02 09:00:00,top_up,1",
             b"V2,CU\xff\xfe2,HALL001,2025-01-02 09:00:00,top_up,1", b"V3,CU3,HALL001,2025-01-02 09:00:00,top_up,1"]
    write_bytes(landing, VISITS, DAY, b"\n".join(lines) + b"\n")

    report = load_table(db, landing, VISITS)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    [(_, line, column, code, reason, raw)] = quarantine(db, VISITS)
    assert (line, column, code) == (3, None, "bad_encoding")
    assert "line 3 is not valid utf-8" in reason and "0xff" in reason and "\\xff" in raw
    assert query(db, f"select visit_id, _source_row from raw.{VISITS} order by 2") == [("V1", 2), ("V3", 4)]


def test_crlf_line_endings(landing: Path, db: Path) -> None:
    text = csv_text([visit(1), "V2,short", visit(3)], list(contract(VISITS).column_names))
    write_bytes(landing, VISITS, DAY, text.replace("\n", "\r\n").encode())
    load_table(db, landing, VISITS)
    assert query(db, f"select visit_id, _source_row from raw.{VISITS} order by 2") == [("V1", 2), ("V3", 4)]
    assert [(r[1], r[3], r[5]) for r in quarantine(db, VISITS)] == [(3, "malformed_line", "V2,short")]


# ------------------------------------------------------------------ idempotency, re-delivery
def test_rerun_skips_unchanged_and_changes_nothing(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, wait_minutes="-1"), visit(3)])
    write_csv(landing, VISITS, "2025-01-03", [valid_row(VISITS, "2025-01-03")])
    load_table(db, landing, VISITS)
    before = raw_contents(db, VISITS), quarantine(db, VISITS)

    again = load_table(db, landing, VISITS)

    assert again.partitions_skipped == [DAY, "2025-01-03"] and again.partitions_loaded == []
    assert (raw_contents(db, VISITS), quarantine(db, VISITS)) == before
    skipped = [r for r in load_log(db, VISITS) if r[1] == "skipped_unchanged"]
    assert sorted(r[:5] for r in skipped) == [(DAY, "skipped_unchanged", 3, 2, 1),
                                              ("2025-01-03", "skipped_unchanged", 1, 1, 0)]

    forced = load_table(db, landing, VISITS, force=True)

    assert forced.partitions_loaded == [DAY, "2025-01-03"]
    assert (raw_contents(db, VISITS), quarantine(db, VISITS)) == before  # replaced, not duplicated


def test_skip_is_not_trusted_when_raw_rows_were_removed(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1)])
    load_table(db, landing, VISITS)
    import duckdb
    with duckdb.connect(str(db)) as con:
        con.execute(f"delete from raw.{VISITS}")
    report = load_table(db, landing, VISITS)
    assert report.partitions_loaded == [DAY]
    assert query(db, f"select count(*) from raw.{VISITS}") == [(1,)]


def test_unchanged_file_is_revalidated_when_seed_codes_change(landing: Path, db: Path, tmp_path: Path,
                                                              monkeypatch) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    monkeypatch.setattr(validate, "SEEDS_DIR", seeds)
    month = "2025-01"
    write_csv(landing, "crm__subscriptions", month, [
        valid_row("crm__subscriptions", month, subscription_id="S1", order_channel="WECHAT_MINI")])
    assert load_table(db, landing, "crm__subscriptions").rows_quarantined == 1
    assert load_table(db, landing, "crm__subscriptions").partitions_skipped == [month]

    with open(seeds / "channels.csv", "a", encoding="utf-8") as handle:
        handle.write("WECHAT_MINI,WeChat mini program,微信小程序,digital,inbound,true,true,false\n")
    report = load_table(db, landing, "crm__subscriptions")

    assert report.partitions_loaded == [month] and report.rows_loaded == 1
    assert "seed codes changed" in report.partitions[0].message
    assert quarantine(db, "crm__subscriptions") == []


def test_redelivered_partition_replaces_rows_and_quarantine(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, business_type="?"), visit(3)])
    write_csv(landing, VISITS, "2025-01-03", [valid_row(VISITS, "2025-01-03", visit_id="OTHER")])
    load_table(db, landing, VISITS)

    write_csv(landing, VISITS, DAY, [visit(7), visit(8, wait_minutes="-5")])
    report = load_table(db, landing, VISITS)

    assert report.partitions_loaded == [DAY] and report.partitions_skipped == ["2025-01-03"]
    assert query(db, f"select visit_id, _partition from raw.{VISITS} order by 2, 1") == [
        ("V7", DAY), ("OTHER", "2025-01-03")]
    assert [(r[1], r[3]) for r in quarantine(db, VISITS)] == [(3, "below_min")]
