"""warehouse.read_frame reads a query through Arrow and gives the frame DuckDB's .df() gives."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from orchestration.warehouse import read_frame

QUERIES = {
    "every type, with nulls": """
        select * from (values
            (1::int, true, 1::bigint, 1.5::double, 2::tinyint, 3::hugeint, 4::ubigint, 1.25::decimal(10, 2),
             date '2026-01-02', timestamp '2026-01-02 03:04:05', 'x', 5::utinyint, '客户'),
            (null, null, null, null, null, null, null, null, null, null, null, null, null)
        ) as t(i, b, bi, d, ti, hi, ub, dec, day, ts, s, ut, zh)""",
    "every type, no nulls": """
        select 1::int as i, true as b, 1::bigint as bi, 2::tinyint as ti, 3::hugeint as hi, 4::ubigint as ub,
               7::usmallint as us, 1.25::decimal(10, 2) as dec, date '2026-01-02' as day, 'x' as s""",
    "no rows": "select 1::int as i, 'x' as s where false",
    "parameters": "select ?::int + 1 as i, ?::varchar as s",
}


@pytest.mark.parametrize("name", QUERIES)
def test_read_frame_equals_df(name: str) -> None:
    con = duckdb.connect()
    params = [41, "p"] if name == "parameters" else None
    expected = con.execute(QUERIES[name], params).df()
    got = read_frame(con, QUERIES[name], params)
    if name == "no rows":  # .df() gives an empty text column object dtype; read_frame pandas' str
        assert str(got["s"].dtype) == "str" and expected["s"].dtype == object
        expected["s"] = expected["s"].astype(got["s"].dtype)
    pd.testing.assert_frame_equal(got, expected)


def test_read_frame_works_while_an_earlier_result_is_unread() -> None:
    con = duckdb.connect()
    con.execute("select * from range(10)").fetchone()  # DuckDB's con.sql() refuses to run here
    assert read_frame(con, "select 2 as x")["x"].tolist() == [2]
