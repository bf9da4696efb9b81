"""Each mining step run on the warehouse: read the marts, call the algorithm, return the result
tables (named as in the ``mining`` sources) and the quality metrics.

The Dagster assets and the `touchpoint mine ... --db` commands both call these, so a step runs
the same with or without Dagster. Nothing here writes; see :mod:`orchestration.mining.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from orchestration.mining import association_rules as ar
from orchestration.mining import best_fit_tariff as bft
from orchestration.mining import churn as ch
from orchestration.mining import clustering as cl
from orchestration.mining import features as ft
from orchestration.mining import fraud as fr
from orchestration.mining import homecoming as hc
from orchestration.mining import recommendations as rc
from orchestration.mining import social_circles as sc
from orchestration.warehouse import release_cache

KNOWLEDGE_TABLE = ("marts", "fct_customer_knowledge")
# every dbt model the steps read (the fraud step also reads the staging view of cell sightings)
MODELS_READ = ("dim_customer", "dim_customer_history", "dim_product", "fct_usage_daily", "fct_calls", "fct_contacts",
               "fct_complaints", "fct_billing_monthly", "fct_subscription_events", "stg_usage__cell_sightings")


@dataclass
class StepResult:
    tables: dict[str, pd.DataFrame]
    metrics: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)  # objects for plots


def _empty(columns: dict[str, Any]) -> pd.DataFrame:
    """A table with no rows and these columns (name → dtype)."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


# Every step returns its tables with no rows (and a "note" metric saying why) when its input is
# empty: no open customer, no usage, no calls, no whole month to re-rate.
CLUSTER_COLUMNS = {"customer_id": object, "cluster_id": "int64", "cluster_label": object,
                   "distance_to_centroid": float}
PROFILE_COLUMNS = {"cluster_id": "int64", "cluster_label": object, "feature": object, "customer_count": "int64",
                   "customer_share": float, "cluster_mean": float, "overall_mean": float, "cluster_median": float,
                   "z_score": float}
CHURN_SCORE_COLUMNS = {"customer_id": object, "as_of_month": "datetime64[us]", "churn_probability": float,
                       "churn_rank": "int64", "top_drivers": object}
CHURN_DRIVER_COLUMNS = {"customer_id": object, "driver_rank": "int64", "feature": object, "feature_value": object,
                        "contribution_log_odds": float}
RECOMMENDATION_COLUMNS = {"customer_id": object, "recommendation_rank": "int64", "product_id": object,
                          "score": float, "collaborative_score": float, "profile_score": float,
                          "knowledge_score": float, "primary_source": object, "reason": object,
                          "knowledge_rule_id": object, "suggested_channel": object}


def window_end(con: duckdb.DuckDBPyConnection) -> pd.Timestamp:
    """Last day of the newest extract month: the day holdings are taken on."""
    month = con.execute("select max(last_extract_month) from marts.dim_customer").fetchone()[0]
    if month is None:
        raise ValueError("marts.dim_customer is empty: build the marts first")
    return pd.Timestamp(month) + pd.offsets.MonthEnd(0)


def open_customers(con: duckdb.DuckDBPyConnection) -> pd.Series:
    return con.execute("select customer_id from marts.dim_customer where not is_closed order by 1").df()["customer_id"]


def knowledge(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Rows of marts.fct_customer_knowledge when the table exists (issue 3 builds it), else None."""
    if not ft.table_exists(con, *KNOWLEDGE_TABLE):
        return None
    cols = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        list(KNOWLEDGE_TABLE)).fetchall()}
    wanted = [c for c in rc.KNOWLEDGE_COLUMNS if c in cols]
    if not {"customer_id", "product_id"} <= set(wanted):
        return None
    return con.execute(f"select {', '.join(wanted)} from {'.'.join(KNOWLEDGE_TABLE)}").df()


def holdings_baskets(con: duckdb.DuckDBPyConnection) -> tuple[ar.Baskets, pd.Timestamp, bool]:
    """One basket per open customer at the window's end: products held, plus knowledge groups
    (``knowledge:<tag>``) when compiled; returns the baskets, the day, and whether knowledge was included."""
    day = window_end(con)
    subs = ft.subscriptions(con)
    people = open_customers(con)
    held = ft.holdings_on(subs, day)
    held = held[held["customer_id"].isin(set(people))].rename(columns={"product_id": "item"})
    know = knowledge(con)
    if know is not None and "knowledge_tag" in know.columns:
        tags = know[["customer_id", "knowledge_tag"]].dropna().drop_duplicates()
        held = pd.concat([held, pd.DataFrame({"customer_id": tags["customer_id"],
                                              "item": "knowledge:" + tags["knowledge_tag"].astype(str)})])
    long = pd.DataFrame({"customer_id": people}).merge(held, on="customer_id", how="left")
    return ar.Baskets.from_long(long, "customer_id", "item"), day, know is not None


def association_rules(con: duckdb.DuckDBPyConnection, min_support: float = 0.005, min_confidence: float = 0.2,
                      max_len: int | None = 3) -> StepResult:
    baskets, day, knowledge_included = holdings_baskets(con)
    rules = ar.mine_rules(baskets, min_support, min_confidence, max_len=max_len)
    rules = rules.assign(basket_date=day.date(), min_support=float(min_support), min_confidence=float(min_confidence))
    metrics = {"baskets": baskets.n, "items": len(baskets.items), "rules": len(rules),
               "knowledge_items_included": knowledge_included, "basket_date": str(day.date())}
    if baskets.n == 0 or not baskets.items:
        metrics["note"] = f"no rules: no open customer holds a product on {day.date()}"
    return StepResult({"association_rules": rules}, metrics, {"rules": rules})


def clustering(con: duckdb.DuckDBPyConnection, k_min: int = 3, k_max: int = 10, seed: int = 0) -> StepResult:
    feats = cl.behaviour_features(ft.monthly_usage(con), open_customers(con))
    if len(feats) <= k_min:
        empty = cl.ClusteringResult(_empty(CLUSTER_COLUMNS), _empty(PROFILE_COLUMNS),
                                    _empty({"k": "int64", "silhouette": float, "inertia": float}), 0, float("nan"))
        return StepResult({"customer_clusters": empty.assignments, "cluster_profiles": empty.profiles},
                          {"customers": len(feats), "k": 0, "silhouette": float("nan"), "cluster_sizes": {},
                           "note": f"not clustered: {len(feats)} open customers with usage, too few for "
                                   f"{k_min} clusters"}, {"result": empty})
    result = cl.cluster_customers(feats[["customer_id", *[c for c in cl.FEATURES if c in feats.columns]]],
                                  k_min=k_min, k_max=k_max, seed=seed)
    profiles = result.profiles[["cluster_id", "cluster_label", "feature", "customer_count", "customer_share",
                                "cluster_mean", "overall_mean", "cluster_median", "z_score"]]
    sizes = result.assignments["cluster_label"].value_counts().to_dict()
    return StepResult({"customer_clusters": result.assignments, "cluster_profiles": profiles},
                      {"customers": len(result.assignments), "k": result.k, "silhouette": round(result.silhouette, 4),
                       "cluster_sizes": sizes}, {"result": result})


def churn(con: duckdb.DuckDBPyConnection, seed: int = 0) -> StepResult:
    panel = ft.month_panel(con)
    if panel.empty:
        note = "no scores: no customer month in the marts"
        empty = ch.ChurnResult([], None, "", {}, {}, _empty(CHURN_SCORE_COLUMNS), _empty(CHURN_DRIVER_COLUMNS),
                               notes=[note])
        return StepResult({"churn_scores": empty.scores, "churn_drivers": empty.drivers},
                          {"scored_customers": 0, "scored_month": None, "train_months": [], "test_month": None,
                           "notes": [note], "note": note}, {"result": empty})
    customers = ft.customers(con)
    release_cache(con)  # the reads are done: the model's copies need the memory (~2 GB cached at 1M)
    features = ch.churn_features(panel, customers)
    del panel
    result = ch.train_and_score(features, seed=seed)
    metrics: dict[str, Any] = {"scored_customers": len(result.scores), "scored_month": result.scored_month,
                               "train_months": result.train_months, "test_month": result.test_month,
                               "notes": result.notes}
    if result.scores.empty:
        metrics["note"] = "; ".join(result.notes) or "no scores: no customer to score in the latest month"
    for name, values in (("model", result.metrics), ("baseline_usage_drop", result.baseline)):
        for key in ("roc_auc", "pr_auc", "top_decile_lift", "brier", "positives", "rows"):
            if key in values:
                metrics[f"{name}_{key}"] = round(float(values[key]), 4)
    return StepResult({"churn_scores": result.scores, "churn_drivers": result.drivers}, metrics, {"result": result})


def fraud(con: duckdb.DuckDBPyConnection, outlier_share: float = 0.01, seed: int = 0) -> StepResult:
    feats = fr.fraud_features(ft.monthly_usage(con), ft.monthly_calls(con), ft.distinct_cells(con))
    scores = fr.score_fraud(feats, outlier_share=outlier_share, seed=seed)
    metrics: dict[str, Any] = {"customers": len(scores), "outliers": int(scores["is_outlier"].sum()),
                               "sim_box_pattern": int(scores["is_sim_box_pattern"].sum()),
                               "fraud_suspects": int(scores["is_fraud_suspect"].sum())}
    if scores.empty:
        metrics["note"] = "no scores: no usage or calls in the marts"
    return StepResult({"fraud_scores": scores}, metrics, {"features": feats, "scores": scores})


def social_circles(con: duckdb.DuckDBPyConnection, seed: int = 0, min_penetration: float = 0.3,
                   min_lift: float = 1.5) -> StepResult:
    G = sc.call_graph(ft.call_edges(con))
    members = sc.detect_circles(G, seed=seed)
    vas = ft.holdings_on(ft.subscriptions(con), window_end(con), ("vas",))
    penetration = sc.circle_penetration(members, vas)
    upsell = sc.circle_upsell(members, vas, G, min_penetration=min_penetration, min_lift=min_lift,
                              eligible=open_customers(con))
    sizes = members.groupby("circle_id")["circle_size"].first()
    metrics: dict[str, Any] = {"customers": len(members), "circles": int(len(sizes)),
                               "circle_size_median": float(sizes.median()) if len(sizes) else 0.0,
                               "key_persons": int(members["is_key_person"].sum()), "upsell_candidates": len(upsell),
                               "modularity": round(sc.modularity(G, members), 4)}
    if members.empty:
        metrics["note"] = "no circles: no calls between customers in the marts"
    return StepResult({"social_circles": members, "circle_product_penetration": penetration,
                       "circle_upsell": upsell}, metrics, {"sizes": sizes})


def recommendations(con: duckdb.DuckDBPyConnection, top_k: int = 3,
                    weights: rc.BlendWeights | None = None, seed: int = 0) -> StepResult:
    day = window_end(con)
    subs = ft.subscriptions(con)
    cust = ft.customers(con)
    usage = ft.monthly_usage(con)
    catalogue = ft.products(con)
    products = sorted(catalogue.loc[catalogue["product_type"] == "vas", "product_id"])
    people = open_customers(con)
    know = knowledge(con)
    profile = rc.customer_profile(cl.behaviour_features(usage, people), cust)
    if profile.empty or not products:
        why = "no open customer with usage" if profile.empty else "no value-added product in the catalogue"
        return StepResult({"recommendations": _empty(RECOMMENDATION_COLUMNS)},
                          {"customers": 0, "rows": 0, "knowledge_input": know is not None, "primary_source": {},
                           "note": f"no recommendations: {why}"})
    held = ft.holdings_on(subs, day, ("vas",))
    recs = rc.recommend(held, profile, products, knowledge=know, weights=weights, top_k=top_k, seed=seed)
    metrics: dict[str, Any] = {"customers": int(recs["customer_id"].nunique()), "rows": len(recs),
                               "knowledge_input": know is not None,
                               "primary_source": recs["primary_source"].value_counts().to_dict()}
    metrics |= evaluate_recommendations(subs, usage, cust, products, weights, top_k, seed)
    return StepResult({"recommendations": recs}, metrics)


def evaluate_recommendations(subs: pd.DataFrame, usage: pd.DataFrame, cust: pd.DataFrame, products: list[str],
                             weights: rc.BlendWeights | None, top_k: int, seed: int) -> dict[str, Any]:
    """Hit rate of recommendations made at the end of the window's middle month on the products
    taken after it, against popularity. Collaborative filtering and profile matching only: the
    knowledge rows are not dated (and leave out products held today), so they cannot be replayed
    as of the cutoff."""
    months = sorted(usage["month"].unique())
    if len(months) < 2:
        return {"evaluation": "skipped: needs at least two months"}
    cutoff = pd.Timestamp(months[max(0, len(months) // 2 - 1)]) + pd.offsets.MonthEnd(0)
    before = usage[usage["month"] <= cutoff]
    active = cust.loc[(cust["join_date"] <= cutoff), "customer_id"]
    profile = rc.customer_profile(cl.behaviour_features(before, active), cust)
    held = ft.holdings_on(subs, cutoff, ("vas",))
    later = rc.later_adoptions(subs, cutoff, products)
    later = later[later["customer_id"].isin(set(profile.index))]
    recs = rc.recommend(held, profile, products, weights=weights, top_k=top_k, seed=seed)
    pop = rc.popularity(held, list(profile.index), products, top_k=top_k)
    model, base = rc.hit_rate(recs, later, top_k), rc.hit_rate(pop, later, top_k)
    return {"evaluation_cutoff": str(cutoff.date()), "evaluation_customers": int(model["customers"]),
            f"hit_rate_at_{top_k}": round(model["hit_rate"], 4),
            f"popularity_hit_rate_at_{top_k}": round(base["hit_rate"], 4)}


def best_fit_tariff(con: duckdb.DuckDBPyConnection, config: bft.TariffConfig | None = None) -> StepResult:
    config = config or bft.TariffConfig()
    usage = ft.whole_month_usage(con)  # = bft.whole_months(...) of open customers, in SQL
    plans = ft.products(con)
    plans = plans[plans["product_type"] == "tariff_plan"]
    advice = bft.best_fit(usage, plans, config)
    recon = bft.reconcile_with_bills(usage, plans, ft.monthly_bills(con), config)
    within = float((recon["difference_yuan"].abs() <= 0.05).mean()) if len(recon) else float("nan")
    counts = advice["advice"].value_counts().to_dict()
    saving = advice.loc[advice["advice"] == "save", "saving_yuan"]
    metrics: dict[str, Any] = {"customers": len(advice), "advice": counts,
                               "total_saving_yuan": round(float(saving.sum()), 2),
                               "median_saving_yuan": round(float(saving.median()), 2) if len(saving) else 0.0,
                               "rerated_months": len(recon), "rerating_matches_bill_share": round(within, 4)}
    if advice.empty:
        metrics["note"] = "no advice: no open customer was active a whole month (only whole months are re-rated)"
    return StepResult({"best_fit_tariff": advice}, metrics, {"advice": advice})


def homecoming(con: duckdb.DuckDBPyConnection, rule: hc.DriftRule | None = None) -> StepResult:
    drift = hc.competitor_drift(ft.monthly_calls(con), rule, customers=open_customers(con),
                                departed=ft.departed_call_share(con))
    kinds = drift["drift_kind"].value_counts().to_dict()
    metrics: dict[str, Any] = {"assessed": len(drift), "drifting": int(drift["is_drifting"].sum()),
                               "drift_kinds": kinds}
    if drift.empty:
        metrics["note"] = (f"nobody assessed: no open customer has calls to people in "
                           f"{(rule or hc.DriftRule()).min_months} or more months")
    return StepResult({"homecoming": drift}, metrics, {"drift": drift})


STEPS = {"association_rules": association_rules, "clustering": clustering, "churn": churn, "fraud": fraud,
         "social_circles": social_circles, "recommendations": recommendations, "best_fit_tariff": best_fit_tariff,
         "homecoming": homecoming}


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    return value
