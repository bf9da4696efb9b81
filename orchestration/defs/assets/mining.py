"""Mining assets: Python steps downstream of the marts that write their results to the DuckDB
schema ``mining``, which dbt declares as sources and builds marts on.

Each asset is a thin wrapper around a step of :mod:`orchestration.mining.from_marts` (read the
marts, call the algorithm): it writes the result tables through the contract writer, attaches
counts, quality metrics and a plot (PNG under ``<database folder>/plots/``) as metadata, and
reports its checks. Model-quality checks fail as errors only when the data can measure them
(enough labelled months or later subscriptions); otherwise they warn and say why.
"""

# no `from __future__ import annotations`: Dagster reads the config classes from the signatures
import base64
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.defs.assets.mining_config import (
    ChurnConfig,
    CirclesConfig,
    ClusteringConfig,
    FraudConfig,
    HomecomingConfig,
    RecommendationsConfig,
    RulesConfig,
    TariffConfig,
)
from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.project import touchpoint_project
from orchestration.defs.resources import WarehouseResource
from orchestration.mining import best_fit_tariff as bft
from orchestration.mining import from_marts as fm
from orchestration.mining import homecoming as hc
from orchestration.mining import plots
from orchestration.mining import recommendations as rc
from orchestration.mining.tables import write_table
from orchestration.warehouse import connect as connect_duckdb

MINING_GROUP = "mining"


def mart(name: str) -> AssetKey:
    return AssetKey(["marts", name])


def _models_in_project() -> set[str]:
    manifest = json.loads(Path(touchpoint_project.manifest_path).read_text(encoding="utf-8"))
    return {n["name"] for n in manifest["nodes"].values() if n.get("resource_type") == "model"}


# Read when built (issue 3's knowledge rules); a dependency only when the project has the model,
# so the graph never points at an asset that does not exist.
KNOWLEDGE_DEPS = [m for m in ("fct_customer_knowledge",) if m in _models_in_project()]


def mining_key(table: str) -> AssetKey:
    return AssetKey(["mining", table])


def _image(path: Path) -> dict[str, MetadataValue]:
    encoded = base64.b64encode(Path(path).read_bytes()).decode()
    return {"plot": MetadataValue.md(f"![{Path(path).stem}](data:image/png;base64,{encoded})"),
            "plot_path": MetadataValue.path(str(path))}


def _json_md(metrics: dict[str, Any]) -> MetadataValue:
    return MetadataValue.json(fm.jsonable(metrics))


def _check(table: str, name: str, passed: bool, metadata: dict[str, Any], blocking: bool = True) -> AssetCheckResult:
    severity = AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN
    return AssetCheckResult(asset_key=mining_key(table), check_name=name, passed=bool(passed), severity=severity,
                            metadata={k: v if isinstance(v, (int, float, str, bool)) else str(v)
                                      for k, v in fm.jsonable(metadata).items() if v is not None})


def _run(warehouse: WarehouseResource, step: Callable[[duckdb.DuckDBPyConnection], fm.StepResult],
         checks: Callable[[duckdb.DuckDBPyConnection, fm.StepResult], list[AssetCheckResult]]
         ) -> tuple[fm.StepResult, dict[str, int], list[AssetCheckResult]]:
    """Read, compute, write and check in one connection (this process is the single writer)."""
    stamp = datetime.now()
    with connect_duckdb(str(warehouse.database_path)) as con:
        result = step(con)
        rows = {table: write_table(con, table, frame, stamp) for table, frame in result.tables.items()}
        check_results = checks(con, result)
    return result, rows, check_results


def _materialize(result: fm.StepResult, rows: dict[str, int], plot: Path | None,
                 extra: dict[str, dict[str, Any]] | None = None) -> Iterator[MaterializeResult]:
    for i, (table, count) in enumerate(rows.items()):
        metadata: dict[str, Any] = {"rows": MetadataValue.int(count), "table": f"mining.{table}"}
        if i == 0:
            metadata["metrics"] = _json_md(result.metrics)
            for key, value in result.metrics.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    metadata[key] = MetadataValue.float(float(value)) if isinstance(value, float) else value
            if plot is not None:
                metadata |= _image(plot)
        metadata |= (extra or {}).get(table, {})
        yield MaterializeResult(asset_key=mining_key(table), metadata=metadata)


def _specs(tables: list[str], deps: list[str], description: str) -> list[AssetSpec]:
    keys = [AssetKey(["staging", d]) if d.startswith("stg_") else mart(d) for d in deps]
    return [AssetSpec(mining_key(t), deps=keys, group_name=MINING_GROUP,
                      kinds={"python", "duckdb"}, description=f"{description} Table `mining.{t}`.") for t in tables]


def _plots_dir(warehouse: WarehouseResource) -> Path:
    return warehouse.database_path.parent / "plots"


def _top_rows_md(frame: pd.DataFrame, columns: list[str], n: int = 10) -> MetadataValue:
    return MetadataValue.md(frame[columns].head(n).to_markdown(index=False) if len(frame) else "(none)")


# --- association rules -------------------------------------------------------------------------

@multi_asset(
    name="mining_association_rules",
    specs=_specs(["association_rules"], ["fct_subscription_events", "dim_customer", *KNOWLEDGE_DEPS],
                 "Product co-subscription rules (exact Apriori, single-item consequents)."),
    check_specs=[AssetCheckSpec("rules_found", asset=mining_key("association_rules"),
                                description="At least one rule meets the thresholds."),
                 AssetCheckSpec("thresholds_hold_exactly", asset=mining_key("association_rules"),
                                description="Every rule's counts meet support and confidence as integers.")],
    pool=DUCKDB_WRITER_POOL,
)
def mining_association_rules(context: AssetExecutionContext, warehouse: WarehouseResource,
                             config: RulesConfig) -> Iterator[Any]:
    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        rules = r.tables["association_rules"]
        from fractions import Fraction
        s, c = Fraction(str(config.min_support)), Fraction(str(config.min_confidence))
        bad = int(sum((rc_ < s * n) or (rc_ < c * a) for rc_, n, a in
                      zip(rules["rule_count"], rules["transaction_count"], rules["antecedent_count"])))
        return [_check("association_rules", "rules_found", len(rules) > 0, {"rules": len(rules)}),
                _check("association_rules", "thresholds_hold_exactly", bad == 0, {"rules_below_a_threshold": bad})]

    result, rows, check_results = _run(
        warehouse, lambda con: fm.association_rules(con, config.min_support, config.min_confidence, config.max_len),
        checks)
    plot = plots.rules_scatter(result.tables["association_rules"], _plots_dir(warehouse) / "association_rules.png")
    top = {"association_rules": {"top_rules": _top_rows_md(result.tables["association_rules"], [
        "antecedent", "consequent", "support", "confidence", "lift", "rule_count"])}}
    yield from _materialize(result, rows, plot, top)
    yield from check_results


# --- clustering --------------------------------------------------------------------------------

@multi_asset(
    name="mining_clustering",
    specs=_specs(["customer_clusters", "cluster_profiles"], ["fct_usage_daily", "dim_customer"],
                 "Behaviour segments (k-means, k by silhouette) and their profiles."),
    check_specs=[AssetCheckSpec("every_open_customer_clustered", asset=mining_key("customer_clusters")),
                 AssetCheckSpec("silhouette_above_floor", asset=mining_key("customer_clusters"))],
    pool=DUCKDB_WRITER_POOL,
)
def mining_clustering(context: AssetExecutionContext, warehouse: WarehouseResource,
                      config: ClusteringConfig) -> Iterator[Any]:
    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        missing = con.execute("""
            select count(*) from marts.dim_customer as c
            where not c.is_closed
              and exists (select 1 from marts.fct_usage_daily as u where u.customer_id = c.customer_id)
              and c.customer_id not in (select customer_id from mining.customer_clusters)
        """).fetchone()[0]
        return [_check("customer_clusters", "every_open_customer_clustered", missing == 0,
                       {"open_customers_without_cluster": missing}),
                _check("customer_clusters", "silhouette_above_floor",
                       r.metrics["silhouette"] >= config.silhouette_floor,
                       {"silhouette": r.metrics["silhouette"], "floor": config.silhouette_floor}, blocking=False)]

    result, rows, check_results = _run(
        warehouse, lambda con: fm.clustering(con, config.k_min, config.k_max, config.seed), checks)
    res = result.extra["result"]
    plot = plots.cluster_selection_and_profiles(res.selection, res.profiles, _plots_dir(warehouse) / "clusters.png")
    yield from _materialize(result, rows, plot)
    yield from check_results


# --- churn -------------------------------------------------------------------------------------

@multi_asset(
    name="mining_churn",
    specs=_specs(["churn_scores", "churn_drivers"],
                 ["fct_usage_daily", "fct_calls", "fct_contacts", "fct_complaints", "fct_billing_monthly",
                  "dim_customer_history", "dim_customer"],
                 "Churn warning: calibrated next-month churn probability with top drivers (time-based split)."),
    check_specs=[AssetCheckSpec("roc_auc_above_floor", asset=mining_key("churn_scores"),
                                description="ROC AUC on the latest labelled month, trained on earlier ones."),
                 AssetCheckSpec("beats_usage_drop_baseline", asset=mining_key("churn_scores")),
                 AssetCheckSpec("probabilities_valid", asset=mining_key("churn_scores"))],
    pool=DUCKDB_WRITER_POOL,
)
def mining_churn(context: AssetExecutionContext, warehouse: WarehouseResource, config: ChurnConfig) -> Iterator[Any]:
    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        m = r.metrics
        auc, positives = m.get("model_roc_auc"), m.get("model_positives", 0)
        measurable = auc is not None and positives >= config.min_test_positives
        bad = con.execute("""
            select count(*) from mining.churn_scores
            where churn_probability is null or churn_probability < 0 or churn_probability > 1
        """).fetchone()[0]
        return [
            _check("churn_scores", "roc_auc_above_floor", measurable and auc >= config.roc_auc_floor,
                   {"roc_auc": auc, "floor": config.roc_auc_floor, "test_month": m.get("test_month"),
                    "test_positives": positives, "note": None if measurable else "not measurable: " + "; ".join(
                        m.get("notes") or [f"fewer than {config.min_test_positives} churners in the test month"])},
                   blocking=measurable),
            _check("churn_scores", "beats_usage_drop_baseline",
                   measurable and m.get("model_pr_auc", 0) > m.get("baseline_usage_drop_pr_auc", 1),
                   {"model_pr_auc": m.get("model_pr_auc"), "baseline_pr_auc": m.get("baseline_usage_drop_pr_auc")},
                   blocking=False),
            _check("churn_scores", "probabilities_valid", bad == 0, {"invalid_rows": bad}),
        ]

    result, rows, check_results = _run(warehouse, lambda con: fm.churn(con, config.seed), checks)
    res = result.extra["result"]
    plot = plots.churn_evaluation(res.test_labels, res.test_probabilities, res.test_baseline,
                                  _plots_dir(warehouse) / "churn_evaluation.png",
                                  f"churn in {res.test_month or 'n/a'}, trained on {', '.join(res.train_months)}")
    top = {"churn_scores": {"highest_risk": _top_rows_md(res.scores, ["customer_id", "churn_probability",
                                                                        "top_drivers"])}}
    yield from _materialize(result, rows, plot, top)
    yield from check_results


# --- fraud -------------------------------------------------------------------------------------

@multi_asset(
    name="mining_fraud",
    specs=_specs(["fraud_scores"], ["fct_usage_daily", "fct_calls", "stg_usage__cell_sightings"],
                 "Fraud screening: IsolationForest outlier score and SIM-box rule."),
    check_specs=[AssetCheckSpec("flagged_share_plausible", asset=mining_key("fraud_scores"),
                                description="A rule that flags many lines is mis-set, not a fraud wave.")],
    pool=DUCKDB_WRITER_POOL,
)
def mining_fraud(context: AssetExecutionContext, warehouse: WarehouseResource, config: FraudConfig) -> Iterator[Any]:
    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        share = r.metrics["fraud_suspects"] / max(r.metrics["customers"], 1)
        return [_check("fraud_scores", "flagged_share_plausible", share <= config.max_flagged_share,
                       {"flagged_share": round(share, 5), "max": config.max_flagged_share}, blocking=False)]

    result, rows, check_results = _run(warehouse, lambda con: fm.fraud(con, config.outlier_share, config.seed), checks)
    plot = plots.fraud_scatter(result.extra["features"], result.extra["scores"], _plots_dir(warehouse) / "fraud.png")
    suspects = result.extra["scores"].query("is_fraud_suspect")
    yield from _materialize(result, rows, plot, {"fraud_scores": {"suspects": _top_rows_md(
        suspects, ["customer_id", "anomaly_score", "reason"], 20)}})
    yield from check_results


# --- social circles ----------------------------------------------------------------------------

@multi_asset(
    name="mining_social_circles",
    specs=_specs(["social_circles", "circle_product_penetration", "circle_upsell"],
                 ["fct_calls", "fct_subscription_events", "dim_customer"],
                 "Social circles (Louvain on the call graph), key persons, penetration and circle upsell."),
    check_specs=[AssetCheckSpec("modularity_above_floor", asset=mining_key("social_circles")),
                 AssetCheckSpec("upsell_candidates_lack_product", asset=mining_key("circle_upsell"))],
    pool=DUCKDB_WRITER_POOL,
)
def mining_social_circles(context: AssetExecutionContext, warehouse: WarehouseResource,
                          config: CirclesConfig) -> Iterator[Any]:
    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        modularity = r.metrics["modularity"]
        holders = fm.ft.holdings_on(fm.ft.subscriptions(con), fm.window_end(con), ("vas",))
        held = set(zip(holders["customer_id"], holders["product_id"]))
        up = r.tables["circle_upsell"]
        wrong = sum((c, p) in held for c, p in zip(up["customer_id"], up["product_id"]))
        measured = modularity == modularity  # NaN when the graph has no edges
        return [_check("social_circles", "modularity_above_floor", measured and modularity >= config.modularity_floor,
                       {"modularity": modularity, "floor": config.modularity_floor}, blocking=False),
                _check("circle_upsell", "upsell_candidates_lack_product", wrong == 0,
                       {"candidates_already_holding": wrong})]

    result, rows, check_results = _run(
        warehouse, lambda con: fm.social_circles(con, config.seed, config.min_penetration, config.min_lift), checks)
    plot = plots.histogram(result.extra["sizes"], _plots_dir(warehouse) / "circle_sizes.png",
                           "social circle sizes", "members")
    yield from _materialize(result, rows, plot, {"circle_upsell": {"top_candidates": _top_rows_md(
        result.tables["circle_upsell"], ["customer_id", "product_id", "score", "reason"])}})
    yield from check_results


# --- recommendations ---------------------------------------------------------------------------

@multi_asset(
    name="mining_recommendations",
    specs=_specs(["recommendations"], ["fct_subscription_events", "fct_usage_daily", "dim_customer", "dim_product",
                                       *KNOWLEDGE_DEPS],
                 "Next best offers: collaborative filtering + profile matching (+ knowledge rules when built)."),
    check_specs=[AssetCheckSpec("beats_popularity", asset=mining_key("recommendations"),
                                description="Hit rate on later subscriptions above the popularity baseline."),
                 AssetCheckSpec("no_held_product_offered", asset=mining_key("recommendations"))],
    pool=DUCKDB_WRITER_POOL,
)
def mining_recommendations(context: AssetExecutionContext, warehouse: WarehouseResource,
                           config: RecommendationsConfig) -> Iterator[Any]:
    weights = rc.BlendWeights(config.collaborative_weight, config.profile_weight, config.knowledge_weight)

    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        m, k = r.metrics, config.top_k
        model, base = m.get(f"hit_rate_at_{k}"), m.get(f"popularity_hit_rate_at_{k}")
        n = m.get("evaluation_customers", 0)
        measurable = model is not None and base is not None and n >= config.min_evaluation_customers
        holders = fm.ft.holdings_on(fm.ft.subscriptions(con), fm.window_end(con), ("vas",))
        held = set(zip(holders["customer_id"], holders["product_id"]))
        recs = r.tables["recommendations"]
        wrong = sum((c, p) in held for c, p in zip(recs["customer_id"], recs["product_id"]))
        return [_check("recommendations", "beats_popularity", measurable and model > base,
                       {"hit_rate": model, "popularity_hit_rate": base, "customers_evaluated": n,
                        "note": None if measurable else f"not measurable: {n} customers with later subscriptions"},
                       blocking=measurable),
                _check("recommendations", "no_held_product_offered", wrong == 0, {"offers_of_held_products": wrong})]

    result, rows, check_results = _run(
        warehouse, lambda con: fm.recommendations(con, config.top_k, weights, config.seed), checks)
    yield from _materialize(result, rows, None, {"recommendations": {"sample": _top_rows_md(
        result.tables["recommendations"], ["customer_id", "recommendation_rank", "product_id", "reason"])}})
    yield from check_results


# --- best-fit tariff ---------------------------------------------------------------------------

@multi_asset(
    name="mining_best_fit_tariff",
    specs=_specs(["best_fit_tariff"], ["fct_usage_daily", "dim_product", "dim_customer_history",
                                       "fct_billing_monthly", "dim_customer"],
                 "Best-fit tariff: real usage re-rated under every plan, advice with the amounts."),
    check_specs=[AssetCheckSpec("rerating_matches_bills", asset=mining_key("best_fit_tariff"),
                                description="Re-rated cost on the plan held equals the bill's fee + overage.")],
    pool=DUCKDB_WRITER_POOL,
)
def mining_best_fit_tariff(context: AssetExecutionContext, warehouse: WarehouseResource,
                           config: TariffConfig) -> Iterator[Any]:
    tariff = bft.TariffConfig(config.data_overage_cap_yuan, config.min_saving_yuan_per_month, config.min_saving_share,
                              config.fit_tolerance_yuan_per_month)

    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        share, months = r.metrics["rerating_matches_bill_share"], r.metrics["rerated_months"]
        return [_check("best_fit_tariff", "rerating_matches_bills", months == 0 or share >= config.min_bill_match_share,
                       {"matching_share": share, "months": months, "min": config.min_bill_match_share})]

    result, rows, check_results = _run(warehouse, lambda con: fm.best_fit_tariff(con, tariff), checks)
    advice = result.extra["advice"]
    plot = plots.histogram(advice.loc[advice["advice"] == "save", "saving_yuan_per_month"],
                           _plots_dir(warehouse) / "tariff_savings.png", "saving on the best-fit plan",
                           "yuan per month")
    yield from _materialize(result, rows, plot, {"best_fit_tariff": {"largest_savings": _top_rows_md(
        advice.sort_values("saving_yuan", ascending=False), ["customer_id", "recommendation_text"])}})
    yield from check_results


# --- homecoming --------------------------------------------------------------------------------

@multi_asset(
    name="mining_homecoming",
    specs=_specs(["homecoming"], ["fct_calls", "dim_customer"],
                 "Competitor homecoming: customers whose calls move to competitor numbers, with evidence."),
    check_specs=[AssetCheckSpec("drifting_share_plausible", asset=mining_key("homecoming"))],
    pool=DUCKDB_WRITER_POOL,
)
def mining_homecoming(context: AssetExecutionContext, warehouse: WarehouseResource,
                      config: HomecomingConfig) -> Iterator[Any]:
    rule = hc.DriftRule(config.min_months, config.min_slope, config.min_rise, config.min_z, config.min_competitor_calls)

    def checks(con: duckdb.DuckDBPyConnection, r: fm.StepResult) -> list[AssetCheckResult]:
        share = r.metrics["drifting"] / max(r.metrics["assessed"], 1)
        return [_check("homecoming", "drifting_share_plausible", share <= config.max_drifting_share,
                       {"drifting_share": round(share, 4), "max": config.max_drifting_share}, blocking=False)]

    monthly: dict[str, pd.DataFrame] = {}

    def step(con: duckdb.DuckDBPyConnection) -> fm.StepResult:
        monthly["calls"] = fm.ft.monthly_calls(con)
        return fm.homecoming(con, rule)

    result, rows, check_results = _run(warehouse, step, checks)
    plot = plots.drift_lines(result.extra["drift"], monthly["calls"], _plots_dir(warehouse) / "homecoming.png")
    yield from _materialize(result, rows, plot, {"homecoming": {"fastest_drifters": _top_rows_md(
        result.extra["drift"].query("drift_kind == 'own'"), ["customer_id", "evidence"])}})
    yield from check_results


mining_assets: list[AssetsDefinition] = [
    mining_association_rules, mining_clustering, mining_churn, mining_fraud, mining_social_circles,
    mining_recommendations, mining_best_fit_tariff, mining_homecoming,
]
