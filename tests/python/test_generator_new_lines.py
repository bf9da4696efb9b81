"""Tests of the generator's new lines: customers who join inside the window appear in no table
before their join date, and do appear once they have joined.

The checks read the written files back and take each table's dates from its contract, so a table
added later is covered without naming it here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.generator import GeneratorConfig, generate
from orchestration.landing.contracts import CONTRACTS, SourceTable, contract
from tests.python.generated_files import run_manifest as _manifest

_MONTHS = 4


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("new_lines")
    generate(GeneratorConfig(customers=800, months=_MONTHS, seed=9, out=out))
    return out


def _rows(root: Path, table: SourceTable) -> str:
    folder = root / table.source / table.table
    if table.format == "parquet":
        return f"read_parquet('{folder}/*.parquet', filename=true)"
    if table.encoding != "utf-8":  # DuckDB reads UTF-8 only: read a UTF-8 copy
        copy = root.parent / f"{root.name}_utf8" / table.source / table.table
        if not copy.exists():
            copy.mkdir(parents=True)
            for path in folder.glob("*.csv"):
                (copy / path.name).write_text(path.read_bytes().decode(table.encoding), encoding="utf-8")
        folder = copy
    types = {c.name: c.type for c in table.columns}
    return f"read_csv('{folder}/*.csv', header=true, filename=true, delim='{table.delimiter}', columns={types})"


def _joins(root: Path) -> str:
    return f"(select customer_id, join_date, joined_in_window from read_parquet('{root}/_truth/customers.parquet'))"


def _dated_tables() -> list[tuple[str, str, str]]:
    """(table, customer column, event-date column) for every landing table that names a customer."""
    found = []
    for table in CONTRACTS:
        customer = next((c.name for c in table.columns if c.name.endswith("customer_id")), None)
        dates = [c.name for c in table.columns if c.in_partition]
        if customer and dates:
            found.append((table.name, customer, dates[0]))
    return found


def test_the_window_has_new_lines_in_every_month(run: Path) -> None:
    by_month = _manifest(run)["truths"]["new_lines"]["by_month"]
    assert len(by_month) == _MONTHS
    # ~1.5 % of 800 customers a month: 12 expected; a month with none would mean the draw is broken
    assert all(count >= 3 for count in by_month.values()), by_month
    total = duckdb.sql(f"select count(*) from {_joins(run)} where joined_in_window").fetchall()[0][0]
    assert total == sum(by_month.values())


@pytest.mark.parametrize("table,customer,column", _dated_tables(), ids=[t[0] for t in _dated_tables()])
def test_no_event_before_the_customer_joined(run: Path, table: str, customer: str, column: str) -> None:
    rows = contract(table)
    grain = "month" if rows.grain == "month" else "day"
    early = duckdb.sql(f"""
        select e.{customer}, e.{column}, j.join_date
        from {_rows(run, rows)} e join {_joins(run)} j on j.customer_id = e.{customer}
        where date_trunc('{grain}', e.{column}) < date_trunc('{grain}', j.join_date)
        limit 5""").fetchall()
    assert early == [], f"{table}: rows dated before the customer's join_date: {early}"


def test_crm_extracts_and_subscriptions_start_at_the_join(run: Path) -> None:
    crm = contract("crm__customers")
    subs = contract("crm__subscriptions")
    early_extract = duckdb.sql(f"""
        select customer_id, filename, join_date from {_rows(run, crm)}
        where last_day(strptime(regexp_extract(filename, '(\\d{{4}}-\\d{{2}})\\.csv$', 1), '%Y-%m')::date)
              < join_date""").fetchall()
    assert early_extract == []
    early_subscription = duckdb.sql(f"""
        select s.customer_id, s.product_id, s.start_date, j.join_date
        from {_rows(run, subs)} s join {_joins(run)} j using (customer_id)
        where s.start_date < j.join_date limit 5""").fetchall()
    assert early_subscription == []


def test_new_lines_are_open_and_used_after_joining(run: Path) -> None:
    crm = contract("crm__customers")
    visits = contract("halls__hall_visits")
    usage = contract("usage__daily_usage")
    missing = duckdb.sql(f"""
        with new as (select * from {_joins(run)} where joined_in_window),
        last_extract as (select customer_id from {_rows(run, crm)} where filename = (select max(filename)
                                                                                    from {_rows(run, crm)})),
        opened as (select customer_id, cast(visited_at as date) as day from {_rows(run, visits)}
                   where business_type = 'new_line'),
        used as (select distinct customer_id from {_rows(run, usage)})
        select new.customer_id,
               new.customer_id in (select customer_id from last_extract) as in_last_extract,
               exists (select 1 from opened o where o.customer_id = new.customer_id
                       and o.day = new.join_date) as opened_at_hall,
               new.customer_id in (select customer_id from used) as has_usage
        from new""").fetchall()
    assert missing, "no new lines"
    assert [m for m in missing if not m[1]] == [], "new lines missing from the last CRM extract"
    assert [m for m in missing if not m[2]] == [], "new lines without a 'new_line' hall visit on their join day"
    assert [m for m in missing if not m[3]] == [], "new lines with no usage at all"
