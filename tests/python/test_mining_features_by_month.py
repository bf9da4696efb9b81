"""Mining's customer × month reads of the big facts run one month at a time (features.by_month):
the same rows, sums and order as one aggregate over the whole fact, checked here against pandas
on a small warehouse with uneven months."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.mining import features as ft

MONTHS = pd.to_datetime(["2026-08-01", "2026-09-01", "2026-10-01"])


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    rng = np.random.default_rng(11)
    rows = []
    for c in range(40):
        for month in MONTHS:
            days = pd.date_range(month, month + pd.offsets.MonthEnd(0))
            # customer 0 uses every day of August (a whole month); the rest a random part of it
            active = days if (c == 0 and month == MONTHS[0]) else days[rng.random(len(days)) < 0.6]
            rows += [(f"C{c:03d}", d, month) for d in active]
    usage = pd.DataFrame(rows, columns=["customer_id", "usage_date", "usage_month"])
    n = len(usage)
    for m in ft.USAGE_MEASURES:
        usage[m] = rng.integers(0, 50, n) if m.endswith("count") else rng.random(n) * 100
    usage["is_roaming"] = rng.random(n) < 0.1
    usage = usage.sample(frac=1.0, random_state=3)  # stored in no particular order, as a hash join leaves it
    calls = pd.DataFrame({"caller_customer_id": usage["customer_id"].to_numpy()[:500],
                          "call_month": usage["usage_month"].to_numpy()[:500],
                          "callee_class": rng.choice(["own_customer", "competitor", "service_number"], 500),
                          "call_count": rng.integers(1, 4, 500), "call_minutes": rng.random(500) * 9,
                          "call_day_count": rng.integers(1, 3, 500)})
    history = pd.DataFrame({"customer_id": [f"C{c:03d}" for c in range(40)], "plan_id": "P1",
                            "valid_from": MONTHS[0], "valid_to": pd.NaT, "last_extract_month": MONTHS[-1]})
    db = duckdb.connect()
    db.execute("create schema marts")
    for name, frame in {"fct_usage_daily": usage, "fct_calls": calls, "dim_customer_history": history,
                        "dim_customer": history[["customer_id"]].assign(is_closed=False)}.items():
        db.register("frame", frame)
        db.execute(f"create table marts.{name} as select * from frame")
        db.unregister("frame")
    db.execute("update marts.fct_usage_daily set usage_date = cast(usage_date as date), "
               "usage_month = cast(usage_month as date)")
    return db


def test_monthly_usage_month_by_month_equals_one_aggregate_of_the_whole_fact(con: duckdb.DuckDBPyConnection) -> None:
    daily = con.execute("select * from marts.fct_usage_daily").df()
    daily["usage_date"] = pd.to_datetime(daily["usage_date"])
    last10 = daily["usage_date"] > daily["usage_date"] + pd.offsets.MonthEnd(0) - pd.Timedelta(days=10)
    daily = daily.assign(active_days=1, roaming_days=daily["is_roaming"].astype(int), active_days_last_10d=last10 * 1,
                         voice_out_minutes_last_10d=daily["voice_out_minutes"].where(last10, 0.0),
                         data_mb_last_10d=daily["data_mb"].where(last10, 0.0))
    sums = ["active_days", *ft.USAGE_MEASURES, "roaming_days", "active_days_last_10d", "voice_out_minutes_last_10d",
            "data_mb_last_10d"]
    expected = daily.groupby(["customer_id", "usage_month"], as_index=False)[sums].sum().rename(
        columns={"usage_month": "month"})
    got = ft.monthly_usage(con)
    assert len(got) == len(expected) == 40 * 3 and got["month"].nunique() == 3
    assert got[["customer_id", "month"]].equals(got[["customer_id", "month"]].sort_values(["customer_id", "month"]))
    assert got["customer_id"].dtype != object
    got, expected = got.assign(month=pd.to_datetime(got["month"])), expected.assign(month=pd.to_datetime(expected["month"]))
    assert got[["customer_id", "month"]].values.tolist() == expected[["customer_id", "month"]].values.tolist()
    for column in sums:
        np.testing.assert_allclose(got[column].astype(float), expected[column].astype(float), rtol=1e-9,
                                   err_msg=column)
    assert (got["days_in_month"].astype(int).to_numpy() == got["month"].dt.days_in_month.to_numpy()).all()


def test_whole_months_and_monthly_calls_keep_their_rows_types_and_order(con: duckdb.DuckDBPyConnection) -> None:
    whole = ft.whole_month_usage(con)
    # only customer 0's August is used on every day; September and October bring no rows, and
    # the empty months do not loosen the columns' types
    assert whole[["customer_id", "plan_id"]].values.tolist() == [["C000", "P1"]]
    assert whole["customer_id"].dtype != object and whole["voice_out_minutes"].dtype == float

    calls = con.execute("select * from marts.fct_calls").df()
    expected = calls.groupby(["caller_customer_id", "call_month"]).agg(
        calls_out=("call_count", "sum"), distinct_callees=("call_count", "size"),
        max_call_days_to_one_callee=("call_day_count", "max")).reset_index()
    got = ft.monthly_calls(con)
    assert got[["customer_id", "calls_out", "distinct_callees", "max_call_days_to_one_callee"]].astype(
        {"calls_out": int, "distinct_callees": int, "max_call_days_to_one_callee": int}).values.tolist() == \
        expected[["caller_customer_id", "calls_out", "distinct_callees", "max_call_days_to_one_callee"]].values.tolist()
