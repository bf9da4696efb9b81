"""The campaigns.* tables survive an empty first run: a list, log or outcome table created from a
frame with no rows used to get columns of type NULL, into which no later run could insert."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from orchestration.campaigns import lists as lst
from orchestration.campaigns.tables import ensure_table


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    return dict(con.execute("select column_name, data_type from information_schema.columns "
                            "where table_schema = ? and table_name = ?", [schema, name]).fetchall())


NUMBERS = {"campaign_rank": "int64", "channel_rank": "int64", "score": "float64", "propensity": "float64",
           "value_yuan": "float64", "priority": "int64"}


def list_rows(n: int) -> pd.DataFrame:
    """What the engine hands write_table: an empty run's frame has untyped (object) text columns,
    and a text column can hold only nulls (history_prompt)."""
    columns = [c for c in lst.COLUMN_COMMENTS if c not in ("run_id", "run_date", "list_month")]
    return pd.DataFrame({c: pd.Series(range(n), dtype=NUMBERS[c]) if c in NUMBERS
                         else pd.Series([None if c == "history_prompt" else f"{c}{i}" for i in range(n)], dtype=object)
                         for c in columns})


def test_an_empty_first_run_types_the_list_table_and_the_next_run_writes_into_it() -> None:
    con = duckdb.connect()
    assert lst.write_table(con, list_rows(0), "2027-01-30_batch", dt.date(2027, 1, 30)) == 0
    types = column_types(con, "campaigns.rpt_campaign_list")
    assert types["run_date"] == "DATE" and types["list_month"] == "DATE"
    assert types["channel_code"] == "VARCHAR" and types["history_prompt"] == "VARCHAR"
    assert types["score"] == "DOUBLE"
    assert lst.write_table(con, list_rows(3), "2026-12-31_batch", dt.date(2026, 12, 31)) == 3
    assert con.execute("select run_date, list_month, count(*) from campaigns.rpt_campaign_list group by all"
                       ).fetchall() == [(dt.date(2026, 12, 31), dt.date(2026, 12, 1), 3)]


def test_a_table_left_with_null_columns_is_retyped_and_written() -> None:
    con = duckdb.connect()
    con.execute("create schema campaigns")
    con.register("_old", list_rows(0).assign(run_id=pd.Series(dtype=object), run_date=pd.Series(dtype=object),
                                             list_month=pd.Series(dtype=object)))
    con.execute("create table campaigns.rpt_campaign_list as select * from _old where false")  # as it was made
    assert column_types(con, "campaigns.rpt_campaign_list")["run_date"] == '"NULL"'
    with pytest.raises(duckdb.ConversionException):  # what every later run met
        con.execute("insert into campaigns.rpt_campaign_list (run_date) values (date '2026-12-31')")
    assert lst.write_table(con, list_rows(2), "2026-12-31_batch", dt.date(2026, 12, 31)) == 2
    types = column_types(con, "campaigns.rpt_campaign_list")
    assert '"NULL"' not in types.values() and types["run_date"] == "DATE"
    assert con.execute("select count(*) from campaigns.rpt_campaign_list").fetchone() == (2,)


def test_ensure_table_takes_the_frames_types_and_declared_ones_for_untyped_columns() -> None:
    con = duckdb.connect()
    frame = pd.DataFrame({"n": pd.Series([], dtype="int64"), "when": pd.Series([], dtype=object),
                          "what": pd.Series([], dtype=object)})
    con.register("_frame", frame)
    ensure_table(con, "campaigns.t", "_frame", {"when": "TIMESTAMP"})
    assert column_types(con, "campaigns.t") == {"n": "BIGINT", "when": "TIMESTAMP", "what": "VARCHAR"}
    ensure_table(con, "campaigns.t", "_frame", {"when": "DATE"})  # exists: left as it is
    assert column_types(con, "campaigns.t")["when"] == "TIMESTAMP"
