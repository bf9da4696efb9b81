"""Every kind of bad landing input, end to end through the loader, with its outcome.

One table walks the kinds a real delivery goes wrong in. Each ends either in a *quarantine*
(the bad row goes to raw._quarantine with a reason code; the good rows beside it load) or in a
*refusal* of the whole file (logged in raw._load_log with a reason; what was loaded before for
that partition stays), or — for a partition delivered twice — in a skip or an atomic replace.
Rows are never lost: rows read = rows loaded + rows quarantined, for every partition and in total.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.landing.contracts import contract
from orchestration.landing.load_landing import LoadReport, load_table
from tests.python.landing_files import (
    csv_text,
    load_log,
    quarantine,
    query,
    valid_row,
    write_bytes,
    write_csv,
    write_parquet,
)

VISITS, CUSTOMERS, CALLS, PRODUCTS = "halls__hall_visits", "crm__customers", "callcenter__hotline_calls", \
    "catalog__products"
DAY, MONTH = "2025-01-02", "2025-01"
HEADER = list(contract(VISITS).column_names)


def visit(n: int, **overrides: str) -> dict[str, str]:
    return valid_row(VISITS, DAY, **{"visit_id": f"V{n}", "customer_id": f"CU{n:08d}", **overrides})


def visits(*bad: dict[str, str]) -> Callable[[Path], str]:
    """A file of two good visits with the bad rows between them."""
    return lambda landing: (write_csv(landing, VISITS, DAY, [visit(1), *bad, visit(9)]), VISITS)[1]


def visits_bytes(data: Callable[[], bytes]) -> Callable[[Path], str]:
    return lambda landing: (write_bytes(landing, VISITS, DAY, data()), VISITS)[1]


def customers(**overrides: str) -> Callable[[Path], str]:
    good = valid_row(CUSTOMERS, MONTH, customer_id="CU00000009", phone_no="13800000009")
    return lambda landing: (write_csv(landing, CUSTOMERS, MONTH, [valid_row(CUSTOMERS, MONTH, **overrides), good]),
                            CUSTOMERS)[1]


def redelivered(changed: bool) -> Callable[[Path], str]:
    def make(landing: Path) -> str:
        write_csv(landing, VISITS, DAY, [visit(1), visit(2)])
        load_table(landing.parent / "warehouse.duckdb", landing, VISITS)
        write_csv(landing, VISITS, DAY, [visit(1), visit(3, wait_minutes="7")] if changed else [visit(1), visit(2)])
        return VISITS
    return make


@dataclass(frozen=True)
class Kind:
    make: Callable[[Path], str]  # writes the landing file(s), returns the table name
    outcome: str  # "quarantined:<reason_code>", "refused", "replaced" or "skipped"
    words: tuple[str, ...] = ()  # must appear in the quarantine reason / refusal message


BAD_INPUT: dict[str, Kind] = {
    "wrong type (text in an integer column)": Kind(visits(visit(2, wait_minutes="abc")),
                                                   "quarantined:type_mismatch", ("not a valid INTEGER",)),
    "wrong type (date in another format)": Kind(visits(visit(2, visited_at="02/01/2025 09:00")),
                                                "quarantined:type_mismatch", ("YYYY-MM-DD HH:MM:SS",)),
    "missing key": Kind(visits(visit(2, visit_id="")), "quarantined:null_not_allowed", ("part of the key",)),
    "null in a required column": Kind(visits(visit(2, customer_id="")), "quarantined:null_not_allowed",
                                      ("value is missing",)),
    "duplicate key": Kind(visits(visit(2), visit(2, hall_id="HALL002")), "quarantined:duplicate_key",
                          ("duplicate key", "visit_id=V2")),
    "future date (event after its daily partition)": Kind(visits(visit(2, visited_at="2025-01-09 10:00:00")),
                                                         "quarantined:outside_partition", ("outside partition",)),
    "future date (birth date after the extract month)": Kind(customers(birth_date="2030-01-01"),
                                                            "quarantined:after_partition", ("birth_date",)),
    "negative amount": Kind(lambda landing: (write_csv(landing, PRODUCTS, "full", [
        valid_row(PRODUCTS, "full", monthly_fee_yuan="-388.00"),
        valid_row(PRODUCTS, "full", product_id="PLAN_188", monthly_fee_yuan="188.00")]), PRODUCTS)[1],
        "quarantined:below_min",
        ("below the minimum 0",)),
    "negative count": Kind(visits(visit(2, wait_minutes="-3")), "quarantined:below_min", ("below the minimum",)),
    "unknown code (not an accepted value)": Kind(visits(visit(2, business_type="shopping")),
                                                 "quarantined:not_accepted", ("'shopping'",)),
    "unknown code (not in the reference seed)": Kind(customers(brand="megazone"), "quarantined:not_accepted",
                                                     ("megazone",)),
    "wrong encoding (invalid UTF-8 line)": Kind(visits_bytes(lambda: csv_text([visit(1)], HEADER).encode()
                                                             + b"V2,CU2,HALL001,\xff\xfe bad,top_up,5\n"
                                                             + csv_text([visit(9)], HEADER).split("\n", 1)[1].encode()),
                                                "quarantined:bad_encoding", ("not valid utf-8",)),
    "wrong encoding (whole file UTF-16)": Kind(visits_bytes(lambda: csv_text([visit(1)], HEADER).encode("utf-16")),
                                               "refused", ("header",)),
    "wrong encoding (undecodable line in a GBK file)": Kind(lambda landing: (write_bytes(landing, CALLS, DAY, (
        csv_text([valid_row(CALLS, DAY)], list(contract(CALLS).column_names)).encode("gbk")
        + b"HC2,CU1," + DAY.encode() + b" 09:00:00,1,5,false,false,,,,other,\x81\x7f\xff,,\n")), CALLS)[1],
        "quarantined:bad_encoding", ("not valid gbk",)),
    "wrong encoding (UTF-8 file for a GBK table)": Kind(lambda landing: (write_bytes(landing, CALLS, DAY, (
        csv_text([valid_row(CALLS, DAY)], list(contract(CALLS).column_names)).encode("utf-8"))), CALLS)[1],
        "refused", ()),
    "malformed line (too many fields)": Kind(visits(",".join(["V2", "CU2", "HALL001", f"{DAY} 09:00:00", "top_up",
                                                              "5", "extra"])), "quarantined:malformed_line", ()),
    "truncated file": Kind(visits_bytes(lambda: csv_text([visit(1), visit(2)], HEADER).encode()[:-12]), "refused",
                           ("looks truncated",)),
    "empty file (0 bytes)": Kind(visits_bytes(lambda: b""), "refused", ("empty (0 bytes)",)),
    "wrong header (renamed column)": Kind(visits_bytes(lambda: csv_text([visit(1)], ["visit_no", *HEADER[1:]])
                                                       .encode()), "refused", ("missing column(s) visit_id",)),
    "reordered header": Kind(visits_bytes(lambda: csv_text([visit(1)], [HEADER[1], HEADER[0], *HEADER[2:]])
                                          .encode()), "refused", ("wrong order",)),
    "extra column": Kind(visits_bytes(lambda: csv_text([[*visit(1).values(), "x"]], [*HEADER, "note"]).encode()),
                         "refused", ("unexpected column(s) note",)),
    "missing column": Kind(visits_bytes(lambda: csv_text([list(visit(1).values())[:-1]], HEADER[:-1]).encode()),
                           "refused", ("missing column(s) wait_minutes",)),
    "no header line": Kind(visits_bytes(lambda: csv_text([visit(1)], HEADER).split("\n", 1)[1].encode()),
                           "refused", ("no header line",)),
    "wrong file name (partition not a date)": Kind(lambda landing: (write_bytes(
        landing, VISITS, DAY, csv_text([visit(1)], HEADER).encode()).rename(
        landing / "halls/hall_visits/hall_visits_2025-13-45.csv"), VISITS)[1], "refused",
        ("does not name a valid partition",)),
    "wrong format (parquet delivered for a CSV table)": Kind(lambda landing: (write_parquet(
        landing, VISITS, DAY, pa.table({"visit_id": ["V1"]})).rename(
        landing / f"halls/hall_visits/hall_visits_{DAY}.parquet"), VISITS)[1], "refused", (".parquet file",)),
    "partition delivered twice (identical)": Kind(redelivered(changed=False), "skipped"),
    "partition delivered twice (corrected)": Kind(redelivered(changed=True), "replaced"),
}


def reconciles(report: LoadReport) -> None:
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    for p in report.partitions:
        if p.status != "refused":
            assert p.rows_read == p.rows_loaded + p.rows_quarantined, p


@pytest.mark.parametrize("kind", list(BAD_INPUT))
def test_bad_input_ends_in_a_clear_outcome_and_loses_no_row(tmp_path: Path, kind: str) -> None:
    case = BAD_INPUT[kind]
    landing, db = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    landing.mkdir()
    table = case.make(landing)

    report = load_table(db, landing, table)

    reconciles(report)
    logged = load_log(db, table)
    assert logged and all(r[2] is None or r[1] == "refused" or r[2] == r[3] + r[4] for r in logged)
    if case.outcome.startswith("quarantined:"):
        code = case.outcome.split(":")[1]
        assert report.refused == [] and report.rows_quarantined >= 1 and report.rows_loaded >= 1
        reasons = [r for r in quarantine(db, table) if r[3] == code]
        assert reasons, f"expected {code}, got {quarantine(db, table)}"
        for word in case.words:
            assert any(word in r[4] for r in reasons), (word, reasons)
    elif case.outcome == "refused":
        [refused] = report.refused
        assert refused.rows_loaded == 0 and logged[-1][1] == "refused"
        for word in case.words:
            assert word in refused.message, (word, refused.message)
    elif case.outcome == "skipped":
        assert report.partitions_skipped == [DAY] and report.rows_read == 0
        assert query(db, f"select count(*) from raw.{VISITS}") == [(2,)]
    else:  # replaced: the corrected delivery wins atomically, nothing of the old one remains
        assert report.partitions_loaded == [DAY]
        assert query(db, f"select visit_id, wait_minutes from raw.{VISITS} order by 1") == [("V1", 5), ("V3", 7)]


def test_at_least_twelve_kinds_are_walked() -> None:
    families = {k.split(" (")[0] for k in BAD_INPUT}
    assert len(families) >= 12, families


# Property: whatever bytes arrive — a valid file cut anywhere, with bytes flipped, or noise — the
# loader never raises, and either refuses the file (the previously loaded partition is kept) or
# loads it with every row read accounted for. (test_load_landing_fuzz.py fuzzes row contents.)
GOOD_FILE = csv_text([visit(n) for n in range(1, 6)], HEADER).encode()


@st.composite
def damaged_file(draw: st.DrawFn) -> bytes:
    data = bytearray(GOOD_FILE[:draw(st.integers(0, len(GOOD_FILE)))])
    for _ in range(draw(st.integers(0, 4))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data) + draw(st.binary(max_size=40))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_file())
def test_any_bytes_end_loaded_or_refused_and_never_lose_the_previous_load(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        landing, db = Path(tmp) / "landing", Path(tmp) / "warehouse.duckdb"
        write_csv(landing, VISITS, DAY, [visit(1), visit(2)])
        load_table(db, landing, VISITS)
        write_bytes(landing, VISITS, DAY, data)

        report = load_table(db, landing, VISITS, force=True)

        reconciles(report)
        [partition] = report.partitions
        assert partition.status in ("loaded", "refused")
        raw_rows = query(db, f"select count(*) from raw.{VISITS}")[0][0]
        if partition.status == "refused":
            assert raw_rows == 2 and partition.message
        else:
            assert raw_rows == partition.rows_loaded
