"""Generator ↔ loader: every injected bad row lands in quarantine, and the counts reconcile exactly."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from orchestration.landing.contracts import CONTRACTS
from orchestration.landing.load_landing import load_all

# The generator names what it broke; the loader names the rule that caught it.
GENERATOR_KIND_TO_REASONS = {
    "duplicate_key": {"duplicate_key"},
    "not_accepted": {"not_accepted"},
    "null_key": {"null_not_allowed"},
    "missing_required": {"null_not_allowed"},
    "out_of_partition": {"outside_partition", "after_partition"},
    "out_of_range": {"below_min", "above_max"},
    "unparseable": {"type_mismatch"},
    "truncated_line": {"malformed_line"},
    "invalid_encoding": {"bad_encoding"},
}


@pytest.fixture(scope="module")
def loaded(small_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list]:
    db = tmp_path_factory.mktemp("reconcile") / "t.duckdb"
    reports = load_all(db, small_landing)
    manifest = json.loads((small_landing / "_truth" / "manifest.json").read_text(encoding="utf-8"))
    return db, manifest, reports


def test_every_kind_of_bad_row_was_injected(loaded: tuple[Path, dict, list]) -> None:
    _, manifest, _ = loaded
    kinds = Counter()
    for per_kind in manifest["bad_rows"].values():
        kinds.update(per_kind)
    assert set(kinds) == set(GENERATOR_KIND_TO_REASONS), f"kinds injected: {dict(kinds)}"


def test_nothing_refused_and_rows_reconcile_per_table(loaded: tuple[Path, dict, list]) -> None:
    db, manifest, reports = loaded
    by_table = {r.table_name: r for r in reports}
    assert set(by_table) == {c.name for c in CONTRACTS}
    for name, report in by_table.items():
        assert not report.refused, f"{name}: refused {[(r.source_file, r.message) for r in report.refused]}"
        injected = sum(manifest["bad_rows"].get(name, {}).values())
        clean = manifest["row_counts"][name]
        assert report.rows_quarantined == injected, f"{name}: quarantined {report.rows_quarantined} ≠ injected {injected}"
        assert report.rows_loaded == clean, f"{name}: loaded {report.rows_loaded} ≠ clean rows {clean}"
        assert report.rows_read == clean + injected
    with duckdb.connect(str(db), read_only=True) as con:
        for name in by_table:
            in_raw = con.execute(f'select count(*) from raw."{name}"').fetchone()[0]
            assert in_raw == manifest["row_counts"][name], name


def test_each_injected_kind_is_quarantined_for_its_reason(loaded: tuple[Path, dict, list]) -> None:
    db, manifest, _ = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select table_name, reason_code, count(*), count(*) filter (where reason is null or reason = '') "
            "from raw._quarantine group by 1, 2").fetchall()
    quarantined: dict[str, Counter] = {}
    for table, reason, n, without_message in rows:
        assert without_message == 0, f"{table}/{reason}: quarantined rows without a reason message"
        quarantined.setdefault(table, Counter())[reason] += n
    for table, per_kind in manifest["bad_rows"].items():
        expected: Counter = Counter()
        for kind, n in per_kind.items():
            expected[frozenset(GENERATOR_KIND_TO_REASONS[kind])] += n
        got: Counter = Counter()
        for reason, n in quarantined.get(table, Counter()).items():
            group = next(g for g in expected if reason in g) if any(reason in g for g in expected) else reason
            got[group] += n
        assert got == expected, f"{table}: quarantined {dict(got)} vs injected {dict(expected)}"


def test_quarantine_points_at_file_and_line(loaded: tuple[Path, dict, list], small_landing: Path) -> None:
    db, _, _ = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        sample = con.execute(
            "select source_file, source_row, reason_code from raw._quarantine "
            "where source_file like '%.csv' and reason_code <> 'bad_encoding' order by all limit 50").fetchall()
    assert sample
    for source_file, source_row, reason in sample:
        path = small_landing / source_file
        assert path.exists(), source_file
        encoding = "gbk" if "hotline_calls" in source_file else "utf-8"
        lines = path.read_bytes().decode(encoding, errors="replace").splitlines()
        assert 2 <= source_row <= len(lines), f"{source_file}:{source_row} ({reason}) is not a data line"
