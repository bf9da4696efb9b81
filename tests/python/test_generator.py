"""Tests of the synthetic operator generator: layout and contract conformance, determinism,
bad-row bookkeeping and config validation (the planted truths: test_generator_truths.py).

Checks read the written files back (DuckDB, pyarrow, an independent rule checker) rather than
the generator's internals, so they fail when the data stops saying what the manifest claims.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from orchestration.generator import GeneratorConfig, generate
from orchestration.landing.contracts import CONTRACTS, SourceTable
from orchestration.settings import SEEDS_DIR
from tests.python.generated_files import csv_of as _csv
from tests.python.generated_files import parquet_of as _pq
from tests.python.generated_files import run_manifest as _manifest

ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "DOUBLE": pa.float64(),
         "INTEGER": pa.int32(), "BOOLEAN": pa.bool_()}


def _arrow(duckdb_type: str) -> pa.DataType:
    m = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type)
    return pa.decimal128(int(m.group(1)), int(m.group(2))) if m else ARROW[duckdb_type]


def _tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(GeneratorConfig(customers=400, months=2, seed=11, out=out))
    return out


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bad")
    generate(GeneratorConfig(customers=300, months=2, seed=5, out=out, bad_row_share=0.05))
    return out


# ---------------------------------------------------------------------------- config
@pytest.mark.parametrize("field,value", [("customers", 10), ("months", 0), ("months", 25),
                                         ("bad_row_share", 0.5), ("bad_row_share", -0.1),
                                         ("start_month", "2026-13"), ("start_month", "Aug 2026")])
def test_config_rejects_bad_values_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as error:
        GeneratorConfig(**{field: value})
    assert field in str(error.value)
    assert str(value) in str(error.value)


# ---------------------------------------------------------------------------- layout & contract
def test_every_table_has_every_partition(clean: Path) -> None:
    manifest = _manifest(clean)
    months = manifest["window"]["months"]
    start, end = dt.date.fromisoformat(manifest["window"]["start"]), dt.date.fromisoformat(manifest["window"]["end"])
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    assert end.isoformat()[:7] == months[-1] and len(months) == 2
    for c in CONTRACTS:
        expected = {"day": days, "month": months, "full": ["full"]}[c.grain]
        found = sorted(p.name for p in (clean / c.source / c.table).iterdir())
        assert found == sorted(c.file_name(x) for x in expected), c.name
        assert manifest["row_counts"][c.name] > 0, c.name


def test_parquet_files_have_contract_columns_and_types(clean: Path) -> None:
    for c in (c for c in CONTRACTS if c.format == "parquet"):
        for path in (clean / c.source / c.table).glob("*.parquet"):
            schema = pq.read_schema(path)
            assert schema.names == list(c.column_names), path
            assert [f.type for f in schema] == [_arrow(col.type) for col in c.columns], path


def _check_csv_values(con: duckdb.DuckDBPyConnection, source: str, c: SourceTable) -> None:
    rel = con.sql(f"select * from {source}")
    assert rel.columns == list(c.column_names), c.name
    for col in c.columns:
        q = f'"{col.name}"'
        if col.type != "VARCHAR":
            bad = con.execute(f"select count(*) from {source} where {q} <> '' and try_cast({q} as {col.type}) is null")
            assert bad.fetchone()[0] == 0, f"{c.name}.{col.name} not castable to {col.type}"
        if not col.nullable:
            assert con.execute(f"select count(*) from {source} where coalesce({q}, '') = ''").fetchone()[0] == 0, col.name
        allowed = col.accepted or (
            tuple(r[col.accepted_from_seed[1]] for r in csv.DictReader((SEEDS_DIR / f"{col.accepted_from_seed[0]}.csv")
                                                                      .open(encoding="utf-8")))
            if col.accepted_from_seed else None)
        if allowed:
            values = {r[0] for r in con.execute(f"select distinct {q} from {source} where {q} <> ''").fetchall()}
            assert values <= set(allowed), f"{c.name}.{col.name}: {values - set(allowed)}"


def test_csv_files_parse_with_duckdb_and_values_cast(clean: Path, tmp_path: Path) -> None:
    con = duckdb.connect()
    for c in (c for c in CONTRACTS if c.format == "csv"):
        folder = clean / c.source / c.table
        if c.encoding == "utf-8":
            for path in folder.glob("*.csv"):
                first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
                assert first == ",".join(c.column_names), path
            _check_csv_values(con, f"read_csv('{folder}/*.csv', all_varchar=true, header=true)", c)
        else:
            utf8 = tmp_path / c.table
            utf8.mkdir()
            chinese = 0
            for path in folder.glob("*.csv"):
                raw = path.read_bytes()
                text = raw.decode(c.encoding)
                if re.search(r"[\u4e00-\u9fff]", text):
                    chinese += 1
                    with pytest.raises(UnicodeDecodeError):
                        raw.decode("utf-8")
                (utf8 / path.name).write_text(text, encoding="utf-8")
            assert chinese > 0, "the GBK table should carry Chinese notes"
            _check_csv_values(con, f"read_csv('{utf8}/*.csv', all_varchar=true, header=true)", c)


def test_reference_ids_resolve(clean: Path) -> None:
    con = duckdb.connect()
    month = _manifest(clean)["window"]["months"][-1]
    customers = f"read_csv('{clean}/crm/customers/customers_{month}.csv', all_varchar=true)"
    for table, column in (("usage/call_records", "caller_customer_id"), ("usage/daily_usage", "customer_id"),
                          ("billing/bill_items", "customer_id")):
        missing = con.execute(f"select count(*) from {_pq(clean, table)} t anti join {customers} c "
                          f"on t.{column} = c.customer_id").fetchone()[0]
        assert missing == 0, table
    for table, column, ref, key in (("crm/subscriptions", "product_id", "catalog/products", "product_id"),
                                    ("halls/service_halls", "cell_id", "network/cells", "cell_id"),
                                    ("marketing/offers", "campaign_id", "marketing/campaigns", "campaign_id")):
        missing = con.execute(f"select count(*) from {_csv(clean, table)} t anti join {_csv(clean, ref)} r "
                          f"on t.{column} = r.{key}").fetchone()[0]
        assert missing == 0, table


# ---------------------------------------------------------------------------- determinism
def test_same_seed_same_bytes_other_seed_other_bytes(clean: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(GeneratorConfig(customers=400, months=2, seed=11, out=again))
    first, second = _tree_hash(clean), _tree_hash(again)
    assert first == second
    other = tmp_path / "other"
    generate(GeneratorConfig(customers=400, months=2, seed=12, out=other))
    third = _tree_hash(other)
    assert first.keys() == third.keys()
    assert sum(first[k] != third[k] for k in first) > 0.9 * len(first)


def test_rerun_clears_previous_output(tmp_path: Path) -> None:
    generate(GeneratorConfig(customers=60, months=2, seed=1, out=tmp_path))
    generate(GeneratorConfig(customers=60, months=1, seed=1, out=tmp_path))
    assert not list(tmp_path.glob("usage/daily_usage/*-09-*.parquet"))


# ---------------------------------------------------------------------------- bad rows
_NUM = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_SEED_CACHE: dict[tuple[str, str], set[str]] = {}


def _seed_values(seed: tuple[str, str]) -> set[str]:
    if seed not in _SEED_CACHE:
        with (SEEDS_DIR / f"{seed[0]}.csv").open(encoding="utf-8") as handle:
            _SEED_CACHE[seed] = {r[seed[1]] for r in csv.DictReader(handle)}
    return _SEED_CACHE[seed]


def _parse(text: str, type_: str) -> object:
    """The value of a CSV field, or raise ValueError."""
    if type_ == "DATE":
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else int("x")
    if type_ == "TIMESTAMP":
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    if type_ == "INTEGER":
        return int(text) if re.fullmatch(r"-?\d+", text) else int("x")
    if type_ == "BOOLEAN":
        return {"true": True, "false": False}[text] if text in ("true", "false") else int("x")
    if type_ == "DOUBLE" or type_.startswith("DECIMAL"):
        return float(text) if _NUM.match(text) else int("x")
    return text


def _partition(c: SourceTable, name: str) -> tuple[dt.date | None, dt.date | None]:
    part = name.rsplit("_", 1)[1].split(".")[0]
    if c.grain == "day":
        d = dt.date.fromisoformat(part)
        return d, d
    if c.grain == "month":
        first = dt.date.fromisoformat(part + "-01")
        return first, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return None, None


def _violation(c: SourceTable, row: dict[str, object], part: tuple, seen: set) -> str | None:
    """The first contract rule a parsed row breaks (None when it is clean)."""
    first, last = part
    for col in c.columns:
        v = row[col.name]
        if v is None:
            if col.key and c.format == "parquet":
                return "null_key"
            if not col.nullable:
                return "missing_required"
            continue
        if (col.accepted and str(v).strip() not in col.accepted) or (
                col.accepted_from_seed and str(v).strip() not in _seed_values(col.accepted_from_seed)):
            return "not_accepted"
        if (col.min is not None and float(v) < col.min) or (col.max is not None and float(v) > col.max):
            return "out_of_range"
        day = v.date() if isinstance(v, dt.datetime) else v
        if col.in_partition and first and not first <= day <= last:
            return "out_of_partition"
        if col.not_after_partition and last and day > last:
            return "out_of_partition"
    key = tuple(row[k] for k in c.key_columns)
    if None not in key:
        if key in seen:
            return "duplicate_key"
        seen.add(key)
    return None


def _file_violations(c: SourceTable, path: Path) -> tuple[int, Counter]:
    found: Counter = Counter()
    part, seen, rows = _partition(c, path.name), set(), 0
    if c.format == "parquet":
        for row in pq.read_table(path).to_pylist():
            rows += 1
            kind = _violation(c, row, part, seen)
            found[kind] += kind is not None
        return rows, found
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    for raw in lines[1:-1]:
        rows += 1
        try:
            text = raw.decode(c.encoding)
        except UnicodeDecodeError:
            found["invalid_encoding"] += 1
            continue
        fields = next(csv.reader(io.StringIO(text)))
        if len(fields) != len(c.columns):
            found["truncated_line"] += 1
            continue
        row: dict[str, object] = {}
        kind = None
        for col, value in zip(c.columns, fields):
            try:
                row[col.name] = None if value == "" else _parse(value, col.type)
            except (ValueError, KeyError):
                kind = kind or "unparseable"
        kind = kind or _violation(c, row, part, seen)
        found[kind] += kind is not None
    return rows, found


def test_clean_run_breaks_no_contract_rule(clean: Path) -> None:
    manifest = _manifest(clean)
    assert manifest["bad_rows"] == {}
    for c in CONTRACTS:
        total, found = 0, Counter()
        for path in sorted((clean / c.source / c.table).iterdir()):
            rows, kinds = _file_violations(c, path)
            total += rows
            found += kinds
        assert +found == Counter(), c.name
        assert total == manifest["row_counts"][c.name], c.name


def test_bad_rows_in_files_match_the_manifest(bad: Path) -> None:
    manifest = _manifest(bad)
    assert manifest["bad_rows"], "bad rows were requested"
    for c in CONTRACTS:
        total, found = 0, Counter()
        for path in sorted((bad / c.source / c.table).iterdir()):
            rows, kinds = _file_violations(c, path)
            total += rows
            found += kinds
        recorded = manifest["bad_rows"].get(c.name, {})
        assert dict(+found) == recorded, c.name
        assert total == manifest["row_counts"][c.name] + sum(recorded.values()), c.name
        if manifest["row_counts"][c.name] >= 100:
            assert sum(recorded.values()) >= 1, c.name
    gbk = manifest["bad_rows"]["callcenter__hotline_calls"]
    assert gbk.get("invalid_encoding", 0) >= 1
