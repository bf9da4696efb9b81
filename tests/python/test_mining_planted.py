"""Every mining step on a generated operator (3,000 customers × 4 months, loaded and dbt-built once in
a temp dir) against the generator's planted truths (<landing>/_truth), then the dbt models on
the mining results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

CUSTOMERS, MONTHS, SEED = 3000, 4, 1


@dataclass
class Sample:
    db: Path
    landing: Path
    tmp: Path
    truth: pd.DataFrame  # customers.parquet, indexed by customer_id
    manifest: dict
    results: dict  # step name → StepResult

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.db), read_only=read_only)


def dbt(tmp: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TOUCHPOINT_DB=str(db), TOUCHPOINT_DUCKDB_MEMORY="2GB")
    dbt_bin = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt_bin), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                           "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    from orchestration.generator import GeneratorConfig, generate
    from orchestration.landing.load_landing import load_all
    from orchestration.mining import from_marts
    from orchestration.mining.tables import write_table

    tmp = tmp_path_factory.mktemp("mining")
    landing, db = tmp / "landing", tmp / "touchpoint.duckdb"
    generate(GeneratorConfig(customers=CUSTOMERS, months=MONTHS, seed=SEED, out=landing, start_month="2026-08",
                             bad_row_share=0.0), progress=False)
    load_all(db, landing)
    # only what mining reads, with its seeds; the dbt tests of the marts are other tests' business
    parents = " ".join(f"+{m}" for m in from_marts.MODELS_READ)
    proc = dbt(tmp, db, "build", "--select", parents, "--exclude-resource-type", "test", "unit_test")
    assert proc.returncode == 0, proc.stdout[-4000:]
    results = {}
    with duckdb.connect(str(db)) as con:
        for name, step in from_marts.STEPS.items():
            results[name] = step(con)
            for table, frame in results[name].tables.items():
                write_table(con, table, frame)
    truth = pd.read_parquet(landing / "_truth" / "customers.parquet").set_index("customer_id")
    manifest = json.loads((landing / "_truth" / "manifest.json").read_text(encoding="utf-8"))
    return Sample(db, landing, tmp, truth, manifest, results)


def test_planted_association_rules_recovered(sample: Sample) -> None:
    """The manifest's baskets (open customers' products on the last day, plus knowledge flags as
    items) mined here give each planted rule with exactly the manifest's counts."""
    from orchestration.mining.association_rules import Baskets, mine_rules
    from orchestration.mining.features import holdings_on, subscriptions
    from orchestration.mining.from_marts import open_customers, window_end

    planted = sample.manifest["truths"]["association_rules"]
    with sample.connect() as con:
        day = window_end(con)
        people = open_customers(con)
        held = holdings_on(subscriptions(con), day)
    assert str(day.date()) == planted["as_of"] and len(people) == planted["basket_count"]
    flags = [c for c in sample.truth.columns if c.startswith("is_") and c[3:] in
             {r["antecedent"].split(":", 1)[1] for r in planted["rules"] if r["antecedent"].startswith("knowledge:")}]
    know = [(c, f"knowledge:{f[3:]}") for f in flags for c in sample.truth.index[sample.truth[f]]]
    long = pd.concat([held.rename(columns={"product_id": "item"}),
                      pd.DataFrame(know, columns=["customer_id", "item"])])
    long = pd.DataFrame({"customer_id": people}).merge(long, on="customer_id", how="left")
    rules = mine_rules(Baskets.from_long(long, "customer_id", "item"), "0.005", "0.2", max_len=3)
    found = rules.set_index(["antecedent", "consequent"])
    for rule in planted["rules"]:
        got = found.loc[(rule["antecedent"], rule["consequent"])]
        assert (got["rule_count"], got["antecedent_count"], got["consequent_count"]) == (
            rule["both_count"], rule["antecedent_count"], rule["consequent_count"]), rule
        assert got["lift"] == pytest.approx(rule["lift"], rel=1e-5)
    # the warehouse step (products only, no knowledge table yet) finds the product-to-product ones
    warehouse = sample.results["association_rules"].tables["association_rules"]
    pairs = set(zip(warehouse["antecedent"], warehouse["consequent"]))
    assert {("VAS_RBT", "VAS_MUSIC"), ("VAS_NEWS_SPORTS", "VAS_VIDEO")} <= pairs


def test_personas_recovered_by_clustering(sample: Sample) -> None:
    from sklearn.metrics import adjusted_rand_score

    clusters = sample.results["clustering"].tables["customer_clusters"].set_index("customer_id")
    t = sample.truth.loc[clusters.index]
    keep = ~t["is_fraud"] & t["churn_month"].isna()  # as the manifest's recovery recipe says
    ari = adjusted_rand_score(t.loc[keep, "persona"], clusters.loc[keep, "cluster_id"])
    assert ari >= 0.8, f"adjusted Rand {ari:.3f}"
    assert sample.results["clustering"].metrics["k"] >= len(sample.manifest["truths"]["personas"]["names"])


def test_churn_warning_on_a_later_period(sample: Sample) -> None:
    """Scored at the window's last month, the model ranks the customers the generator planted to
    leave in the month after the window (never seen in the data) well."""
    from sklearn.metrics import roc_auc_score

    step = sample.results["churn"]
    scores = step.tables["churn_scores"].set_index("customer_id")
    last = sample.manifest["window"]["months"][-1]
    next_month = str((pd.Period(last, "M") + 1))
    churned_next = (sample.truth.loc[scores.index, "churn_month"] == next_month).to_numpy()
    assert churned_next.sum() >= 30
    auc = roc_auc_score(churned_next, scores["churn_probability"])
    assert auc >= 0.8, f"ROC AUC {auc:.3f} on {next_month}"
    m = step.metrics  # the time-split evaluation inside the step: trained on earlier months
    assert m["test_month"] == sample.manifest["window"]["months"][-2]
    assert m["model_roc_auc"] >= 0.8 and m["model_pr_auc"] > m["baseline_usage_drop_pr_auc"]
    top = scores.nsmallest(len(scores) // 10, "churn_rank")
    lift = churned_next[scores.index.get_indexer(top.index)].mean() / churned_next.mean()
    assert lift >= 3
    drivers = step.tables["churn_drivers"]
    assert set(drivers["customer_id"]) <= set(scores.index) and drivers["driver_rank"].max() <= 3


def test_planted_fraud_found(sample: Sample) -> None:
    from orchestration.mining.fraud import precision_recall

    scores = sample.results["fraud"].tables["fraud_scores"].set_index("customer_id")
    truth = sample.truth.loc[scores.index, "is_fraud"]
    for flag in ("is_fraud_suspect", "is_sim_box_pattern"):
        pr = precision_recall(scores[flag], truth)
        assert pr["precision"] >= 0.9 and pr["recall"] >= 0.9, (flag, pr)
    top = scores["anomaly_rank"] <= truth.sum()  # the outlier score alone, top k = planted count
    pr = precision_recall(top, truth)
    assert pr["precision"] >= 0.9 and pr["recall"] >= 0.9, pr


def test_planted_circles_recovered(sample: Sample) -> None:
    from orchestration.mining.social_circles import best_match_jaccard

    members = sample.results["social_circles"].tables["social_circles"].set_index("customer_id")
    jaccard = best_match_jaccard(members["circle_id"], sample.truth["circle_id"])
    assert jaccard.mean() >= 0.8, f"mean best-match Jaccard {jaccard.mean():.3f}"
    key = sample.truth.loc[members.index, "is_key_person"]
    found = members["is_key_person"]
    assert (found & key).sum() / key.sum() >= 0.8  # key persons recalled
    assert (found & key).sum() / found.sum() >= 0.6
    upsell = sample.results["social_circles"].tables["circle_upsell"]
    assert len(upsell) > 0 and {"VAS_RBT", "VAS_GAMES"} & set(upsell["product_id"])  # the circle-driven products


def test_recommendations_beat_popularity(sample: Sample) -> None:
    m = sample.results["recommendations"].metrics
    assert m["evaluation_customers"] >= 50
    assert m["hit_rate_at_3"] > m["popularity_hit_rate_at_3"], m


def test_recommendations_take_a_knowledge_table(sample: Sample) -> None:
    """A hand-made knowledge table (every car owner → car-owner service) read by the warehouse step from
    marts.fct_customer_knowledge puts those offers first, with the rule as the reason."""
    from orchestration.mining import from_marts

    db = sample.tmp / "with_knowledge.duckdb"
    db.write_bytes(sample.db.read_bytes())
    owners = sample.truth.index[sample.truth["is_car_owner"]].tolist()
    with duckdb.connect(str(db)) as con:
        con.execute("create or replace table marts.fct_customer_knowledge as "
                    "select unnest($1) as customer_id, 'KR_CAR' as rule_id, 'car_owner' as knowledge_tag, "
                    "'VAS_CAR' as product_id, 'ACCOUNT_MANAGER' as suggested_channel, "
                    "'calls the traffic radio' as evidence", [owners])
        result = from_marts.recommendations(con)
        rules = from_marts.association_rules(con)
    recs = result.tables["recommendations"]
    assert result.metrics["knowledge_input"]
    with sample.connect() as con:
        holders = set(con.execute("select customer_id from mining.recommendations").df()["customer_id"])
        has_car = set(from_marts.ft.holdings_on(from_marts.ft.subscriptions(con), from_marts.window_end(con),
                                                ("vas",)).query("product_id == 'VAS_CAR'")["customer_id"])
    lacking = [c for c in owners if c in holders and c not in has_car]
    car = recs[recs["customer_id"].isin(lacking) & (recs["product_id"] == "VAS_CAR")]
    assert len(lacking) >= 10 and set(car["customer_id"]) == set(lacking)  # in every one's top 3
    assert (car["recommendation_rank"] == 1).mean() >= 0.6  # and first for most
    assert (car["primary_source"] == "knowledge").all() and (car["knowledge_rule_id"] == "KR_CAR").all()
    assert car["reason"].str.startswith("knowledge rule KR_CAR (car_owner)").all()
    assert ("knowledge:car_owner", "VAS_CAR") in set(zip(rules.tables["association_rules"]["antecedent"],
                                                         rules.tables["association_rules"]["consequent"]))


def test_best_fit_tariff_reconciles_with_the_bills(sample: Sample) -> None:
    step = sample.results["best_fit_tariff"]
    assert step.metrics["rerating_matches_bill_share"] >= 0.99
    advice = step.tables["best_fit_tariff"]
    save = advice[advice["advice"] == "save"]
    assert (save["saving_yuan"] > 0).all() and (save["recommended_plan_id"] != save["current_plan_id"]).all()
    assert save["recommendation_text"].str.match(r"PLAN_\d+ would have cost [\d.]+ yuan less than your PLAN_").all()


def test_homecoming_flags_the_planted_drifters(sample: Sample) -> None:
    drift = sample.results["homecoming"].tables["homecoming"].set_index("customer_id")
    t = sample.truth.loc[drift.index]
    drifters = t["homecoming_monthly_slope"] > 0
    own = drift["drift_kind"] == "own"
    recall = (own & drifters).sum() / drifters.sum()
    precision = (own & t["is_homecoming"]).sum() / own.sum()
    assert recall >= 0.85, f"recall {recall:.2f} of {drifters.sum()} planted drifters"
    assert precision >= 0.5, f"precision {precision:.2f}"
    assert drift.loc[own, "evidence"].str.startswith("competitor share of calls").all()


def test_mining_results_follow_the_contract_and_dbt_builds_on_them(sample: Sample) -> None:
    with sample.connect() as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'mining'").fetchall()}
    from orchestration.mining.tables import contracts

    assert tables == set(contracts())
    # the mining staging views and marts (other teams' models downstream of them need more parents)
    proc = dbt(sample.tmp, sample.db, "build", "--select", "path:models/staging/mining", "path:models/marts/mining")
    assert proc.returncode == 0, proc.stdout[-6000:]
    with sample.connect() as con:
        bands = dict(con.execute("select churn_risk_band, count(*) from marts.mart_churn_risk group by 1").fetchall())
        offers = con.execute("select count(*), count(distinct customer_id) from marts.mart_next_best_offers").fetchone()
        flags = con.execute("select count(*) from marts.mart_customer_mining_flags").fetchone()[0]
        open_customers = con.execute("select count(*) from marts.dim_customer where not is_closed").fetchone()[0]
    assert set(bands) == {"high", "medium", "low"} and bands["high"] < bands["medium"] < bands["low"]
    assert offers[1] == open_customers and flags == open_customers
    assert np.isclose(offers[0] / offers[1], 3)


def test_mine_all_cli_writes_the_steps_and_their_timings(sample: Sample) -> None:
    from orchestration.cli import build_parser

    timings = sample.tmp / "mining_timings.json"
    args = build_parser().parse_args(["mine", "all", "--db", str(sample.db), "--step", "association_rules",
                                      "--step", "homecoming", "--timings", str(timings)])
    assert args.func(args) == 0
    steps = json.loads(timings.read_text())["steps"]
    assert list(steps) == ["association_rules", "homecoming"]
    with sample.connect() as con:
        for name, step in steps.items():
            assert step["seconds"] >= 0 and step["peak_rss_mb_so_far"] > 0
            for table, rows in step["rows"].items():
                assert rows == con.execute(f"select count(*) from mining.{table}").fetchone()[0] > 0
