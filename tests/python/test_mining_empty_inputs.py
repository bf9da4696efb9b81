"""Every mining step on a warehouse whose marts hold customers and a catalogue but no activity (or
only part of a month of it, as a 1-month sample has): each returns its tables with no rows and
the contract's columns, and a metric ``note`` saying why, instead of failing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.mining import best_fit_tariff as bft
from orchestration.mining import fraud as fr
from orchestration.mining import from_marts
from orchestration.mining import homecoming as hc
from orchestration.mining import plots
from orchestration.mining import social_circles as sc
from orchestration.mining.tables import contracts, write_table

# only the columns the mining steps read, with the marts' types
TABLES = {
    "dim_customer": "customer_id varchar, customer_type varchar, gender varchar, age_years bigint, age_band varchar, "
                    "city varchar, brand varchar, plan_id varchar, member_tier varchar, customer_status varchar, "
                    "is_closed boolean, is_proactively_contactable boolean, is_do_not_disturb boolean, "
                    "is_opted_out_marketing boolean, join_date date, contract_end_date date, "
                    "last_extract_month date, is_enterprise_customer boolean",
    "dim_customer_history": "customer_id varchar, brand varchar, plan_id varchar, member_tier varchar, "
                            "customer_status varchar, member_tier_movement_at_start varchar, valid_from date, "
                            "valid_to date, last_extract_month date",
    "dim_product": "product_id varchar, product_name varchar, product_name_en varchar, product_type varchar, "
                   "product_category varchar, is_niche boolean, monthly_fee_yuan decimal(10, 2), "
                   "included_voice_minutes integer, included_sms_count integer, included_data_mb integer, "
                   "overage_voice_yuan_per_minute decimal(8, 3), overage_sms_yuan_per_message decimal(8, 3), "
                   "overage_data_yuan_per_mb decimal(8, 4)",
    "fct_usage_daily": "customer_id varchar, usage_month date, usage_date date, is_roaming boolean, "
                       "voice_out_minutes double, voice_in_minutes double, local_voice_minutes double, "
                       "long_distance_minutes double, sms_out_count integer, data_mb double, roaming_minutes double, "
                       "content_visit_count hugeint, call_count bigint, three_way_call_count bigint",
    "fct_calls": "caller_customer_id varchar, callee_customer_id varchar, call_month date, call_count bigint, "
                 "call_minutes double, callee_class varchar, call_day_count bigint",
    "fct_contacts": "customer_id varchar, contact_month date, contact_type varchar",
    "fct_complaints": "customer_id varchar, opened_month date, is_resolved boolean",
    "fct_billing_monthly": "customer_id varchar, bill_month date, amount_yuan decimal(12, 2), bill_item_code varchar",
    "fct_subscription_events": "subscription_id varchar, customer_id varchar, product_id varchar, "
                               "product_type varchar, event_type varchar, event_date date",
}
STEP_TABLES = {"association_rules": ["association_rules"], "clustering": ["customer_clusters", "cluster_profiles"],
               "churn": ["churn_scores", "churn_drivers"], "fraud": ["fraud_scores"],
               "social_circles": ["social_circles", "circle_product_penetration", "circle_upsell"],
               "recommendations": ["recommendations"], "best_fit_tariff": ["best_fit_tariff"],
               "homecoming": ["homecoming"]}


def quiet_warehouse(db: Path, partial_month_usage: bool) -> Path:
    """Three customers (one closed), two plans and a value-added product, no calls, bills or
    subscriptions; usage on two days of one month when ``partial_month_usage``, else none."""
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        for table, columns in TABLES.items():
            con.execute(f"create table marts.{table} ({columns})")
        con.execute("""
            insert into marts.dim_customer
            select 'CU' || i, 'individual', 'M', 30 + i, '30-39', 'Beijing', 'gotone', 'PLAN_38', 'standard',
                   case when i = 3 then 'closed' else 'active' end, i = 3, true, false, false,
                   date '2025-01-01', null, date '2026-08-01', false
            from range(1, 4) as t(i)
        """)
        con.execute("""
            insert into marts.dim_customer_history
            select customer_id, brand, plan_id, member_tier, customer_status, null, date '2026-08-01', null,
                   date '2026-08-01'
            from marts.dim_customer
        """)
        con.execute("""
            insert into marts.dim_product values
                ('PLAN_18', '18元套餐', 'Plan 18', 'tariff_plan', 'plan', false, 18, 50, 10, 100, 0.19, 0.1, 0.29),
                ('PLAN_38', '38元套餐', 'Plan 38', 'tariff_plan', 'plan', false, 38, 200, 50, 1024, 0.15, 0.1, 0.2),
                ('VAS_CAR', '车主服务', 'Car', 'vas', 'lifestyle', false, 10, null, null, null, null, null, null)
        """)
        if partial_month_usage:
            con.execute("""
                insert into marts.fct_usage_daily
                select 'CU' || i, date '2026-08-01', date '2026-08-01' + d::integer, false,
                       10, 5, 8, 2, 3, 100, 0, 1, 4, 0
                from range(1, 4) as t(i), range(2) as s(d)
            """)
    return db


@pytest.mark.parametrize("partial_month_usage", [False, True], ids=["no-activity", "two-days-of-usage"])
def test_every_step_returns_empty_tables_with_a_note(tmp_path: Path, partial_month_usage: bool) -> None:
    db = quiet_warehouse(tmp_path / "quiet.duckdb", partial_month_usage)
    declared = contracts()
    with duckdb.connect(str(db)) as con:
        for name, step in from_marts.STEPS.items():
            if partial_month_usage and name in ("clustering", "recommendations", "fraud"):
                continue  # these have rows to work on with usage; the quiet case is what is under test
            result = step(con)
            assert sorted(result.tables) == sorted(STEP_TABLES[name]), name
            for table, frame in result.tables.items():
                assert frame.empty, (name, table)
                assert sorted(frame.columns) == sorted(c for c, _ in declared[table] if c != "scored_at"), table
                assert write_table(con, table, frame) == 0
            assert isinstance(result.metrics.get("note"), str) and result.metrics["note"], (name, result.metrics)
            from_marts.jsonable(result.metrics)  # serialisable for Dagster metadata
            draw_plots(name, result, con, tmp_path)


def draw_plots(name: str, result: from_marts.StepResult, con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """The pictures the Dagster assets attach, from what an empty step returns."""
    if name == "association_rules":
        plots.rules_scatter(result.tables["association_rules"], tmp / "rules.png")
    elif name == "clustering":
        res = result.extra["result"]
        plots.cluster_selection_and_profiles(res.selection, res.profiles, tmp / "clusters.png")
    elif name == "churn":
        res = result.extra["result"]
        plots.churn_evaluation(res.test_labels, res.test_probabilities, res.test_baseline, tmp / "churn.png",
                               f"churn in {res.test_month or 'n/a'}, trained on {', '.join(res.train_months)}")
    elif name == "fraud":
        plots.fraud_scatter(result.extra["features"], result.extra["scores"], tmp / "fraud.png")
    elif name == "social_circles":
        plots.histogram(result.extra["sizes"], tmp / "sizes.png", "sizes", "members")
    elif name == "best_fit_tariff":
        plots.histogram(result.extra["advice"]["saving_yuan_per_month"], tmp / "savings.png", "saving", "yuan")
    elif name == "homecoming":
        plots.drift_lines(result.extra["drift"], from_marts.ft.monthly_calls(con), tmp / "drift.png")


def test_best_fit_without_a_whole_month_is_empty_not_an_error() -> None:
    """The 1-month sample's crash: no whole month of usage left ``np.add.reduceat`` nothing to reduce."""
    plans = pd.DataFrame({"product_id": ["PLAN_18", "PLAN_38"], "monthly_fee_yuan": [18.0, 38.0],
                          "included_voice_minutes": [50.0, 200.0], "included_sms_count": [10.0, 50.0],
                          "included_data_mb": [100.0, 1024.0], "overage_voice_yuan_per_minute": [0.19, 0.15],
                          "overage_sms_yuan_per_message": [0.1, 0.1], "overage_data_yuan_per_mb": [0.29, 0.2]})
    types = {"customer_id": object, "plan_id": object, "month": "datetime64[us]"}
    usage = pd.DataFrame({c: pd.Series(dtype=types.get(c, float)) for c in bft.USAGE_COLUMNS})
    advice = bft.best_fit(usage, plans)
    assert advice.empty and tuple(advice.columns) == bft.OUTPUT_COLUMNS
    bills = pd.DataFrame({c: pd.Series(dtype=types.get(c, float)) for c in ("customer_id", "month", "fee_yuan",
                                                                           "overage_yuan")})
    assert bft.reconcile_with_bills(usage, plans, bills).empty


def test_algorithms_on_empty_tables() -> None:
    calls = pd.DataFrame({"customer_id": pd.Series(dtype=object), "month": pd.Series(dtype="datetime64[us]"),
                          "competitor_calls": pd.Series(dtype="int64"), "person_calls": pd.Series(dtype="int64"),
                          "competitor_callees": pd.Series(dtype="int64")})
    drift = hc.competitor_drift(calls)
    assert drift.empty and "evidence" in drift.columns

    feats = fr.fraud_features(pd.DataFrame(columns=["customer_id", "active_days", "voice_out_minutes",
                                                    "voice_in_minutes", "data_mb", "sms_out_count"]),
                              pd.DataFrame(columns=["customer_id", "calls_out", "call_minutes_out",
                                                    "distinct_callees"]))
    scores = fr.score_fraud(feats)
    assert scores.empty and {"anomaly_score", "is_fraud_suspect", "reason"} <= set(scores.columns)

    G = sc.call_graph(pd.DataFrame({"caller_id": pd.Series(dtype=object), "callee_id": pd.Series(dtype=object),
                                    "calls": pd.Series(dtype=np.int64)}))
    members = sc.detect_circles(G)
    assert members.empty
    holdings = pd.DataFrame({"customer_id": ["a"], "product_id": ["VAS_CAR"]})
    assert sc.circle_upsell(members, holdings, G).empty
    assert sc.circle_penetration(members, holdings).empty
