"""Tests of the synthetic operator generator's planted truths: each pattern the manifest claims
(knowledge rules, personas, churners, SIM boxes, social circles, bundles, anomaly days, campaign
uplift) is recoverable from the written files by the analysis meant to find it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.generator import GeneratorConfig, generate
from orchestration.settings import SEEDS_DIR
from tests.python.generated_files import csv_of as _csv
from tests.python.generated_files import parquet_of as _pq
from tests.python.generated_files import run_manifest as _manifest


@pytest.fixture(scope="module")
def rich_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A larger run for the statistical truths."""
    out = tmp_path_factory.mktemp("truths")
    generate(GeneratorConfig(customers=1500, months=2, seed=3, out=out))
    return out


@pytest.fixture(scope="module")
def truth(rich_run: Path) -> pd.DataFrame:
    return pd.read_parquet(rich_run / "_truth" / "customers.parquet").set_index("customer_id")


def _service_calls(root: Path, month: str) -> pd.DataFrame:
    return duckdb.sql(f"""
        select c.caller_customer_id as customer_id, s.service_category as category, count(*) as calls
        from {_pq(root, 'usage/call_records')} c
        join read_csv('{SEEDS_DIR}/service_numbers.csv', all_varchar=true) s on c.callee_number = s.service_number
        where strftime(c.started_at, '%Y-%m') = '{month}' group by all""").df().pivot_table(
        index="customer_id", columns="category", values="calls", fill_value=0)


def _sighting_days(root: Path, month: str, area: str, rest_only: bool = False, band: str | None = None) -> pd.Series:
    holidays = pd.read_csv(SEEDS_DIR / "holidays.csv")
    off = set(holidays.loc[holidays.day_kind == "holiday", "calendar_date"])
    work = set(holidays.loc[holidays.day_kind == "makeup_workday", "calendar_date"])
    df = duckdb.sql(f"""
        select s.customer_id, s.sighting_date::varchar as d, s.time_band
        from {_pq(root, 'usage/cell_sightings')} s join {_csv(root, 'network/cells')} c using (cell_id)
        where c.area_type = '{area}' and strftime(s.sighting_date, '%Y-%m') = '{month}'""").df()
    if band:
        df = df[df.time_band == band]
    if rest_only:
        weekend = pd.to_datetime(df.d).dt.day_of_week >= 5
        df = df[(weekend & ~df.d.isin(work)) | df.d.isin(off)]
    return df.groupby("customer_id").d.nunique()


def test_knowledge_patterns_recoverable_by_their_rules(rich_run: Path, truth: pd.DataFrame) -> None:
    month = _manifest(rich_run)["window"]["months"][0]
    calls = _service_calls(rich_run, month)
    roam = duckdb.sql(f"""select customer_id, count(*) n from {_pq(rich_run, 'usage/daily_usage')}
        where roaming_region = 'hk_macau' and strftime(usage_date, '%Y-%m') = '{month}' group by 1""").df()
    people = truth[~truth.is_fraud]

    def col(name: str) -> pd.Series:
        return (calls[name] if name in calls else pd.Series(dtype=float)).reindex(people.index, fill_value=0)

    signals = {
        "car_owner": col("traffic_radio") >= 2,
        "stock_trader": col("stock_broker") >= 3,
        "young_music_fan": (col("entertainment_voting") >= 2) & (people.age < 24),
        "hk_macau_traveller": roam.set_index("customer_id").n.reindex(people.index, fill_value=0) >= 1,
        "golfer": _sighting_days(rich_run, month, "golf_course", rest_only=True).reindex(people.index, fill_value=0) >= 2,
        "business_traveller": _sighting_days(rich_run, month, "transport_hub").reindex(people.index, fill_value=0) >= 3,
        "campus_student": _sighting_days(rich_run, month, "campus", band="night").reindex(people.index, fill_value=0) >= 8,
    }
    shares = _manifest(rich_run)["truths"]["knowledge_patterns"]
    for flag, signal in signals.items():
        actual = people[f"is_{flag}"]
        assert 0.02 <= actual.mean() <= 0.12, flag
        assert shares[flag]["count"] == int(truth[f"is_{flag}"].sum())
        hits = (signal & actual).sum()
        assert hits / signal.sum() >= 0.9, f"{flag} precision {hits / signal.sum():.3f}"
        assert hits / actual.sum() >= 0.9, f"{flag} recall {hits / actual.sum():.3f}"


def _monthly_features(root: Path, month: str) -> pd.DataFrame:
    usage = duckdb.sql(f"""
        select customer_id, sum(voice_out_minutes) vo, sum(voice_in_minutes) vi, sum(local_voice_minutes) lv,
               sum(long_distance_minutes) ld, sum(sms_out_count) sms, sum(data_mb) data, sum(roaming_minutes) roam
        from {_pq(root, 'usage/daily_usage')} where strftime(usage_date, '%Y-%m') = '{month}' group by 1""").df()
    content = duckdb.sql(f"""
        select customer_id, content_category, sum(visits) v from {_pq(root, 'usage/content_visits')}
        where strftime(visit_date, '%Y-%m') = '{month}' group by all""").df().pivot_table(
        index="customer_id", columns="content_category", values="v", fill_value=0)
    return usage.set_index("customer_id").join(content).fillna(0)


def test_personas_are_recoverable_by_clustering(rich_run: Path, truth: pd.DataFrame) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    month = _manifest(rich_run)["window"]["months"][0]
    features = _monthly_features(rich_run, month)
    keep = truth[~truth.is_fraud & truth.churn_date.isna()].index.intersection(features.index)
    x = np.log1p(features.loc[keep].to_numpy(dtype=float))
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1)
    k = truth.persona.nunique()
    labels = KMeans(k, n_init=10, random_state=0).fit_predict(x)
    assert adjusted_rand_score(truth.loc[keep, "persona"], labels) >= 0.8


def test_churners_fade_complain_and_close(rich_run: Path, truth: pd.DataFrame) -> None:
    from sklearn.metrics import roc_auc_score

    months = _manifest(rich_run)["window"]["months"]
    daily = duckdb.sql(f"select customer_id, usage_date, voice_out_minutes + data_mb / 50 as u "
                       f"from {_pq(rich_run, 'usage/daily_usage')}").df()
    churners = truth[truth.churn_in_window]
    assert 0.015 <= len(churners) / len(truth) <= 0.04
    last = daily.groupby("customer_id").usage_date.max()
    assert (pd.to_datetime(last.reindex(churners.index)) < pd.to_datetime(churners.churn_date)).all()
    status = duckdb.sql(f"select customer_id, status, status_date from "
                        f"read_csv('{rich_run}/crm/customers/customers_{months[-1]}.csv', all_varchar=true)").df()
    status = status.set_index("customer_id")
    assert (status.loc[churners.index, "status"] == "closed").all()
    assert (status.loc[churners.index, "status_date"] == churners.churn_date.astype(str)).all()
    assert (status.drop(churners.index).status != "closed").all()
    # predict next-month churn from this month's behaviour: complaints, competitor calls, usage trend
    m0 = months[0]
    prefixes = pd.read_csv(SEEDS_DIR / "number_prefixes.csv", dtype=str)
    rivals = "', '".join(prefixes.loc[prefixes.is_own_operator == "false", "number_prefix"])
    comp = duckdb.sql(f"""select caller_customer_id customer_id,
        avg((substr(callee_number, 1, 3) in ('{rivals}'))::int) share
        from {_pq(rich_run, 'usage/call_records')} where strftime(started_at, '%Y-%m') = '{m0}' group by 1""").df()
    complaints = duckdb.sql(f"""select customer_id, count(*) n from {_csv(rich_run, 'service/complaints')}
        where opened_at like '{m0}%' group by 1""").df()
    d = daily[pd.to_datetime(daily.usage_date).dt.strftime("%Y-%m") == m0]
    early = d[pd.to_datetime(d.usage_date).dt.day <= 15].groupby("customer_id").u.sum()
    late = d[pd.to_datetime(d.usage_date).dt.day > 15].groupby("customer_id").u.sum()
    base = truth[~truth.is_fraud & (truth.churn_month.isna() | (truth.churn_month >= months[1]))].index
    score = (complaints.set_index("customer_id").n.reindex(base, fill_value=0)
             + 3 * comp.set_index("customer_id").share.reindex(base, fill_value=0)
             - np.log1p(late.reindex(base, fill_value=0) / (early.reindex(base, fill_value=0) + 1)))
    assert roc_auc_score(truth.loc[base, "churn_month"] == months[1], score) >= 0.8
    # non-churners complain too: the signal is noisy
    assert complaints.customer_id.isin(truth[truth.churn_month.isna()].index).sum() > 0


def test_sim_boxes_call_out_only_from_one_cell(rich_run: Path, truth: pd.DataFrame) -> None:
    fraud = truth[truth.is_fraud].index
    assert len(fraud) >= 2
    per_day = duckdb.sql(f"""select caller_customer_id customer_id, started_at::date d, count(*) calls,
        count(distinct callee_number) callees, avg(duration_seconds) secs
        from {_pq(rich_run, 'usage/call_records')} group by all""").df().groupby("customer_id").mean(numeric_only=True)
    usage = duckdb.sql(f"select customer_id, avg(voice_in_minutes) vin, avg(data_mb) data "
                       f"from {_pq(rich_run, 'usage/daily_usage')} group by 1").df().set_index("customer_id")
    cells = duckdb.sql(f"select customer_id, count(distinct cell_id) n from {_pq(rich_run, 'usage/cell_sightings')} "
                       f"group by 1").df().set_index("customer_id").n
    others = per_day.drop(fraud)
    assert (per_day.loc[fraud, "calls"] > 5 * others.calls.quantile(0.99)).all()
    assert (per_day.loc[fraud, "callees"] > 0.9 * per_day.loc[fraud, "calls"]).all()
    assert (per_day.loc[fraud, "secs"] < 60).all()
    assert (usage.loc[fraud, "vin"] < 0.05 * usage.drop(fraud).vin.median()).all()
    assert (usage.loc[fraud, "data"] < 1).all()
    assert (cells.loc[fraud] == 1).all()


def test_calls_stay_mostly_inside_social_circles(rich_run: Path, truth: pd.DataFrame) -> None:
    month = _manifest(rich_run)["window"]["months"][-1]
    calls = duckdb.sql(f"""
        select c.caller_customer_id a, p.customer_id b from {_pq(rich_run, 'usage/call_records')} c
        join read_csv('{rich_run}/crm/customers/customers_{month}.csv', all_varchar=true) p
          on c.callee_number = p.phone_no""").df()
    circle = truth.circle_id
    inside = circle.reindex(calls.a).to_numpy() == circle.reindex(calls.b).to_numpy()
    assert inside.mean() >= 0.8
    pairs = pd.concat([calls.rename(columns={"a": "x", "b": "y"}), calls.rename(columns={"b": "x", "a": "y"})])
    contacts = pairs.drop_duplicates().groupby("x").size()
    key = truth.is_key_person.reindex(contacts.index)
    assert contacts[key].median() >= 1.4 * contacts[~key].median()
    sizes = truth.groupby("circle_id").size()
    assert sizes.min() >= 5 and sizes.max() <= 45
    assert (truth.groupby("circle_id").is_key_person.sum().between(1, 2)).all()


def test_association_rules_match_the_subscriptions(rich_run: Path, truth: pd.DataFrame) -> None:
    manifest = _manifest(rich_run)
    rules = manifest["truths"]["association_rules"]
    month = manifest["window"]["months"][-1]
    day = rules["as_of"]
    subs = duckdb.sql(f"""select customer_id, product_id from
        read_csv('{rich_run}/crm/subscriptions/subscriptions_{month}.csv', all_varchar=true)
        where start_date <= '{day}' and (end_date = '' or end_date is null or end_date >= '{day}')""").df()
    status = duckdb.sql(f"select customer_id from read_csv('{rich_run}/crm/customers/customers_{month}.csv', "
                        f"all_varchar=true) where status <> 'closed'").df().customer_id
    baskets = pd.Index(status)
    items = subs[subs.customer_id.isin(baskets)].groupby("product_id").customer_id.apply(set)
    assert len(baskets) == rules["basket_count"]
    for rule in rules["rules"]:
        def holders(item: str) -> set:
            if item.startswith("knowledge:"):
                flag = truth[truth[f"is_{item.split(':')[1]}"]].index
                return set(flag) & set(baskets)
            return items.get(item, set())
        a, c = holders(rule["antecedent"]), holders(rule["consequent"])
        confidence = len(a & c) / len(a)
        lift = confidence / (len(c) / len(baskets))
        assert confidence == pytest.approx(rule["confidence"], abs=1e-5)
        assert lift == pytest.approx(rule["lift"], abs=1e-4)
        assert lift > 2.5, rule
    rbt = next(r for r in rules["rules"] if r["antecedent"] == "VAS_RBT")
    assert 0.45 <= rbt["confidence"] <= 0.75 and 2.5 <= rbt["lift"] <= 5.0
    adoption = manifest["truths"]["circles"]["vas_adoption"]
    assert all(v["circle_lift"] > 1.1 for v in adoption.values())


_KPI_SQL = {
    "hotline_calls": "select started_at[1:10] d, count(*) n from {src} group by 1",
    "complaints": "select opened_at[1:10] d, count(*) n from {src} group by 1",
    "data_mb": "select usage_date::varchar d, sum(data_mb) n from {src} group by 1",
    "app_sessions": "select started_at::date::varchar d, count(*) n from {src} group by 1",
    "sms_queries": "select sent_at[1:10] d, count(*) n from {src} group by 1",
}


def test_anomaly_days_stand_out(rich_run: Path, tmp_path: Path) -> None:
    anomalies = _manifest(rich_run)["truths"]["anomalies"]
    assert 3 <= len({a["date"] for a in anomalies}) <= 5
    hotline = tmp_path / "hotline"
    hotline.mkdir()
    for path in (rich_run / "callcenter" / "hotline_calls").glob("*.csv"):
        (hotline / path.name).write_text(path.read_bytes().decode("gbk"), encoding="utf-8")
    sources = {"hotline_calls": f"read_csv('{hotline}/*.csv', all_varchar=true)",
               "complaints": _csv(rich_run, "service/complaints"), "data_mb": _pq(rich_run, "usage/daily_usage"),
               "app_sessions": _pq(rich_run, "digital/app_sessions"), "sms_queries": _csv(rich_run, "digital/sms_queries")}
    for a in anomalies:
        series = duckdb.sql(_KPI_SQL[a["kpi"]].format(src=sources[a["kpi"]])).df().set_index("d").n
        ratio = series.get(a["date"], 0) / series.drop(a["date"]).median()
        if a["direction"] == "up":
            assert ratio >= 1 + 0.5 * (a["factor"] - 1), a
        else:
            assert ratio <= 1 - 0.5 * (1 - a["factor"]), a


def test_campaign_uplift_and_homecoming(rich_run: Path, truth: pd.DataFrame) -> None:
    manifest = _manifest(rich_run)
    offers = duckdb.sql(f"select campaign_id, offer_group, response from {_csv(rich_run, 'marketing/offers')}").df()
    rates = offers.assign(ok=offers.response == "accepted").groupby(["campaign_id", "offer_group"]).ok.mean()
    for c in manifest["truths"]["campaign_uplift"]:
        assert c["true_action_rate"] > c["true_control_rate"]
        assert rates.get((c["campaign_id"], "action"), 0.0) == pytest.approx(c["realised_action_rate"], abs=1e-4)
    pooled = offers.assign(ok=offers.response == "accepted").groupby("offer_group").ok.mean()
    assert pooled["action"] > 2 * pooled["control"]
    assert set(offers.loc[offers.offer_group == "control", "response"]) <= {"accepted", "no_answer"}
    # homecoming: competitor share of calls rises month over month for the drifting customers
    prefixes = pd.read_csv(SEEDS_DIR / "number_prefixes.csv", dtype=str)
    rivals = "', '".join(prefixes.loc[prefixes.is_own_operator == "false", "number_prefix"])
    share = duckdb.sql(f"""select caller_customer_id customer_id, strftime(started_at, '%Y-%m') m,
        avg((substr(callee_number, 1, 3) in ('{rivals}'))::int) s
        from {_pq(rich_run, 'usage/call_records')} group by all""").df().pivot_table(index="customer_id", columns="m",
                                                                                  values="s")
    rise = (share.iloc[:, 1] - share.iloc[:, 0]).dropna()
    drifting = truth[(truth.homecoming_monthly_slope > 0)].index.intersection(rise.index)
    steady = truth[~truth.is_homecoming].index.intersection(rise.index)
    assert rise[drifting].mean() > 0.05 and abs(rise[steady].mean()) < 0.02
