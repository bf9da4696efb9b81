"""Loading landing files that cannot be trusted: refused files (wrong header, empty, truncated,
bad names) keep the previous partition and are logged, and a failure mid-load changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.landing import partition_batch
from orchestration.landing.contracts import contract
from orchestration.landing.load_landing import LoadInvariantError, load_table
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

# ------------------------------------------------------------------------------ refusals
HEADER = list(contract(VISITS).column_names)
REFUSALS = {
    "renamed column": (lambda: csv_text([visit(9)], ["visit_no", *HEADER[1:]]).encode(),
                       ["missing column(s) visit_id", "unexpected column(s) visit_no"]),
    "reordered header": (lambda: csv_text([visit(9)], [HEADER[1], HEADER[0], *HEADER[2:]]).encode(),
                         ["wrong order", "Expected: visit_id,customer_id", "Found: customer_id,visit_id"]),
    "extra column": (lambda: csv_text([[*visit(9).values(), "x"]], [*HEADER, "note"]).encode(),
                     ["unexpected column(s) note"]),
    "missing column": (lambda: csv_text([list(visit(9).values())[:-1]], HEADER[:-1]).encode(),
                       ["missing column(s) wait_minutes"]),
    "no header": (lambda: csv_text([visit(9)], HEADER).split("\n", 1)[1].encode(), ["no header line?"]),
    "empty 0-byte file": (lambda: b"", ["empty (0 bytes)"]),
    "truncated file": (lambda: csv_text([visit(9), visit(10)], HEADER).encode()[:-12],
                       ["looks truncated", "last line (3)", "no line ending"]),
    "truncated in a quoted value": (lambda: (csv_text([visit(9)], HEADER) + 'V10,"CU1').encode(),
                                    ["looks truncated", "unterminated quoted value"]),
    "UTF-16 file": (lambda: csv_text([visit(9)], HEADER).encode("utf-16"), ["header"]),
}


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_refused_file_keeps_previous_partition_and_is_logged(landing: Path, db: Path, kind: str) -> None:
    make, expected_words = REFUSALS[kind]
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, wait_minutes="-1")])
    load_table(db, landing, VISITS)
    before = raw_contents(db, VISITS), quarantine(db, VISITS)
    path = write_bytes(landing, VISITS, DAY, make())
    write_csv(landing, VISITS, "2025-01-03", [valid_row(VISITS, "2025-01-03")])  # a good file beside it

    report = load_table(db, landing, VISITS)

    [refused] = report.refused
    assert refused.partition == DAY and refused.status == "refused"
    assert report.partitions_loaded == ["2025-01-03"]  # one bad file does not block the others
    assert "halls/hall_visits/hall_visits_2025-01-02.csv" in refused.message
    for word in expected_words:
        assert word in refused.message
    after = raw_contents(db, VISITS), quarantine(db, VISITS)
    assert [r for r in after[0] if r[-3] == DAY] == before[0] and after[1] == before[1]
    last = load_log(db, VISITS)[-2:]
    assert any(r[0] == DAY and r[1] == "refused" and r[3] == 0 and "hall_visits_2025-01-02.csv" in r[5]
               for r in last)
    assert path.exists()


def test_refused_file_reports_rows_read_when_countable(landing: Path, db: Path) -> None:
    write_bytes(landing, VISITS, DAY, csv_text([visit(1), visit(2)], HEADER[::-1]).encode())
    [refused] = load_table(db, landing, VISITS).refused
    assert refused.rows_read == 2


def test_bad_file_names_are_refused_and_underscore_folders_ignored(landing: Path, db: Path) -> None:
    folder = landing / "halls" / "hall_visits"
    write_csv(landing, VISITS, DAY, [visit(1)])
    (folder / "hall_visits_2025-02-30.csv").write_text("x")
    (folder / "hall_visits_2025-01-05.parquet").write_text("x")
    (folder / "_SUCCESS").write_text("")
    (folder / "_rejected").mkdir()
    (folder / "_rejected" / "hall_visits_2025-01-06.csv").write_text("x")
    (landing / "_truth").mkdir()

    report = load_table(db, landing, VISITS)

    assert report.partitions_loaded == [DAY]
    messages = sorted(r.message for r in report.refused)
    assert len(messages) == 2
    assert "'2025-02-30' is not a real calendar day" in messages[1]
    assert "is a .parquet file but halls__hall_visits is delivered as csv" in messages[0]


def test_partitions_argument_limits_the_load_and_reports_missing(landing: Path, db: Path) -> None:
    for day in ("2025-01-01", "2025-01-02", "2025-01-03"):
        write_csv(landing, VISITS, day, [valid_row(VISITS, day)])
    report = load_table(db, landing, VISITS, partitions=["2025-01-02", "2025-01-09"])
    assert report.partitions_loaded == ["2025-01-02"] and report.missing == ["2025-01-09"]
    with pytest.raises(ValueError, match="not a day partition"):
        load_table(db, landing, VISITS, partitions=["2025-01"])


# ------------------------------------------------------------------------------- atomicity
def _load_two_good_then_redeliver(landing: Path, db: Path) -> tuple:
    write_csv(landing, VISITS, DAY, [visit(1), visit(2, business_type="?")])
    load_table(db, landing, VISITS)
    state = raw_contents(db, VISITS), quarantine(db, VISITS), load_log(db, VISITS)
    write_csv(landing, VISITS, DAY, [visit(5), visit(6), visit(7, wait_minutes="x")])
    return state


def test_failure_mid_partition_leaves_previous_state(landing: Path, db: Path, monkeypatch) -> None:
    before = _load_two_good_then_redeliver(landing, db)

    def broken(*args, **kwargs):  # the raw rows are already deleted and re-inserted by now
        raise OSError("disk full")

    monkeypatch.setattr(partition_batch, "_insert_quarantine", broken)
    with pytest.raises(OSError, match="disk full"):
        load_table(db, landing, VISITS)

    assert (raw_contents(db, VISITS), quarantine(db, VISITS), load_log(db, VISITS)) == before
    monkeypatch.undo()
    assert load_table(db, landing, VISITS).rows_loaded == 2  # and the next run loads it


def test_row_lost_in_validation_is_an_invariant_error(landing: Path, db: Path, monkeypatch) -> None:
    before = _load_two_good_then_redeliver(landing, db)
    real = partition_batch.validation_sql
    monkeypatch.setattr(partition_batch, "validation_sql",
                        lambda *a, **k: f"select * from ({real(*a, **k)}) where _source_row <> 3")

    with pytest.raises(LoadInvariantError, match="3 rows parsed but 2 validated"):
        load_table(db, landing, VISITS)

    assert (raw_contents(db, VISITS), quarantine(db, VISITS), load_log(db, VISITS)) == before


def test_row_lost_on_insert_raises_and_rolls_back(landing: Path, db: Path, monkeypatch) -> None:
    before = _load_two_good_then_redeliver(landing, db)
    real = partition_batch._insert_rows

    def loses_a_row(con, *args):
        inserted = real(con, *args)
        con.execute(f"delete from raw.{VISITS} where visit_id = 'V6'")
        return inserted - 1

    monkeypatch.setattr(partition_batch, "_insert_rows", loses_a_row)
    with pytest.raises(LoadInvariantError, match="3 rows read but 1 loaded . 1 quarantined"):
        load_table(db, landing, VISITS)

    assert (raw_contents(db, VISITS), quarantine(db, VISITS), load_log(db, VISITS)) == before


def test_connection_is_closed_after_a_load(landing: Path, db: Path) -> None:
    write_csv(landing, VISITS, DAY, [visit(1)])
    load_table(db, landing, VISITS)
    import duckdb
    duckdb.connect(str(db)).close()  # would fail with a lock error if another process held it
    assert query(db, f"select count(*) from raw.{VISITS}") == [(1,)]
