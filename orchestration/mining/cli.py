"""`touchpoint mine ...`: every mining algorithm on any input file, and all of them on the warehouse.

Files are CSV (read as text and typed column by column, so odd values are reported by column)
or Parquet. Each subcommand prints what it found and, with ``--out``, writes the result as CSV.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # pandas is imported where used, so `touchpoint --help` stays quick
    import pandas as pd

console = Console()


def read_table(path: str | Path) -> pd.DataFrame:
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"input file not found: {path}")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _numeric(df: pd.DataFrame, columns: list[str], what: str) -> pd.DataFrame:
    import pandas as pd

    out = df.copy()
    for col in columns:
        if col not in out.columns:
            raise ValueError(f"{what}: column {col!r} missing (columns: {', '.join(out.columns)})")
        values = pd.to_numeric(out[col].replace("", None), errors="coerce")
        bad = out[col][values.isna() & (out[col].astype(str).str.strip() != "")]
        if len(bad):
            raise ValueError(f"{what}: column {col!r} has non-numeric values (e.g. {bad.iloc[0]!r})")
        out[col] = values
    return out


def _write(frame: pd.DataFrame, out: str | None, what: str) -> None:
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
        console.print(f"[green]wrote[/green] {len(frame):,} {what} to {out}")


def _show(frame: pd.DataFrame, title: str, rows: int = 15) -> None:
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col))
    for _, row in frame.head(rows).iterrows():
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


def _metrics(title: str, values: dict[str, object]) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in values.items():
        table.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    console.print(table)


def _cmd_rules(args: argparse.Namespace) -> int:
    from orchestration.mining.association_rules import mine_rules, read_baskets

    baskets = read_baskets(Path(args.baskets), args.transaction_col, args.item_col)
    rules = mine_rules(baskets, args.min_support, args.min_confidence, max_len=args.max_len,
                       max_consequent_len=args.max_consequent_len)
    console.print(f"{baskets.n:,} transactions, {len(baskets.items):,} items → {len(rules):,} rules")
    _show(rules[["antecedent", "consequent", "support", "confidence", "lift", "conviction", "rule_count"]], "top rules")
    _write(rules, args.out, "rules")
    return 0


def _cmd_churn(args: argparse.Namespace) -> int:
    import pandas as pd

    from orchestration.mining.tabular_model import build_model, cross_validate, explain, prepare_table, reference_values

    prepared = prepare_table(read_table(args.input), target=args.target, id_col=args.id)
    for note in prepared.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    cv = cross_validate(prepared, folds=args.cv, seed=args.seed)
    keys = ["rows", "positives", "base_rate", "roc_auc", "pr_auc", "top_decile_lift", "brier"]
    _metrics(f"{args.cv}-fold cross-validation (out-of-fold, calibrated)",
             {k: cv.metrics[k] for k in keys if k in cv.metrics})
    _metrics(f"baseline: best single column ({cv.baseline_feature or 'none'})",
             {k: cv.baseline[k] for k in keys[:6] if k in cv.baseline})
    if args.out:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="openmp"):
            model = build_model(prepared, args.seed).fit(prepared.X, prepared.y)
            drivers = explain(model, prepared.X, reference_values(prepared.X, prepared))
        text = (drivers.assign(t=drivers["feature"] + " = " + drivers["feature_value"].fillna("blank"))
                .groupby("row")["t"].agg("; ".join))
        out = pd.DataFrame({args.id or "row": prepared.ids, args.target: prepared.y,
                            "probability_out_of_fold": cv.probabilities,
                            "top_drivers": text.reindex(range(len(prepared.ids)))})
        _write(out, args.out, "scored rows")
    return 0


def _cmd_cluster(args: argparse.Namespace) -> int:
    from orchestration.mining.clustering import cluster_customers

    table = read_table(args.input)
    cols = [c for c in table.columns if c != args.id]
    result = cluster_customers(_numeric(table, cols, args.input), id_col=args.id, k_min=args.k_min, k_max=args.k_max,
                               seed=args.seed, log=not args.no_log)
    console.print(f"k = {result.k} (mean silhouette {result.silhouette:.3f})")
    _show(result.selection, "silhouette by k")
    sizes = result.assignments.groupby(["cluster_id", "cluster_label"]).size().rename("customers").reset_index()
    _show(sizes, "clusters")
    _write(result.assignments, args.out, "assignments")
    _write(result.profiles, args.profiles_out, "profile rows")
    return 0


def _cmd_fraud(args: argparse.Namespace) -> int:
    from orchestration.mining.fraud import score_fraud

    table = read_table(args.input)
    scores = score_fraud(_numeric(table, [c for c in table.columns if c != args.id], args.input), id_col=args.id,
                         outlier_share=args.outlier_share, seed=args.seed)
    console.print(f"{len(scores):,} rows: {int(scores['is_outlier'].sum())} outliers, "
                  f"{int(scores['is_sim_box_pattern'].sum())} SIM-box pattern")
    _show(scores[[args.id, "anomaly_score", "is_fraud_suspect", "reason"]], "strangest rows")
    _write(scores, args.out, "scores")
    return 0


def _cmd_circles(args: argparse.Namespace) -> int:
    from orchestration.mining import social_circles as sc

    edges = _numeric(read_table(args.edges), [args.weight], args.edges)
    G = sc.call_graph(edges, args.source, args.target, args.weight)
    members = sc.detect_circles(G, seed=args.seed)
    console.print(f"{G.number_of_nodes():,} people, {G.number_of_edges():,} ties → "
                  f"{members['circle_id'].nunique():,} "
                  f"circles, {int(members['is_key_person'].sum())} key persons")
    _write(members, args.out, "circle members")
    if args.holdings:
        upsell = sc.circle_upsell(members, read_table(args.holdings), G)
        _show(upsell[["customer_id", "product_id", "score", "reason"]], "circle upsell")
        _write(upsell, args.upsell_out, "upsell candidates")
    return 0


def _cmd_recommend(args: argparse.Namespace) -> int:
    from orchestration.mining import recommendations as rc

    holdings = read_table(args.holdings)
    profile = read_table(args.profile)
    profile = _numeric(profile, [c for c in profile.columns if c != "customer_id"], args.profile)
    profile = profile.set_index("customer_id")
    products = sorted(holdings["product_id"].dropna().unique())
    know = read_table(args.knowledge) if args.knowledge else None
    recs = rc.recommend(holdings, profile, products, knowledge=know, top_k=args.top_k, seed=args.seed)
    _show(recs[["customer_id", "recommendation_rank", "product_id", "score", "reason"]], "recommendations")
    _write(recs, args.out, "recommendations")
    return 0


def _cmd_tariff(args: argparse.Namespace) -> int:
    from orchestration.mining import best_fit_tariff as bft
    from orchestration.mining.best_fit_tariff import PLAN_COLUMNS, USAGE_COLUMNS

    usage = _numeric(read_table(args.usage), list(USAGE_COLUMNS[3:]), args.usage)
    plans = _numeric(read_table(args.plans), list(PLAN_COLUMNS[1:]), args.plans)
    config = bft.TariffConfig(data_overage_cap_yuan=args.data_cap, exclude_plans=tuple(args.exclude_plan))
    advice = bft.best_fit(usage, plans, config)
    console.print(advice["advice"].value_counts().to_string())
    _show(advice[["customer_id", "advice", "recommendation_text"]], "advice")
    _write(advice, args.out, "customers")
    return 0


def _cmd_homecoming(args: argparse.Namespace) -> int:
    import pandas as pd

    from orchestration.mining import homecoming as hc

    calls = _numeric(read_table(args.input), ["competitor_calls", "person_calls"], args.input)
    calls["month"] = pd.to_datetime(calls["month"])
    drift = hc.competitor_drift(calls, hc.DriftRule(min_months=args.min_months, min_slope=args.min_slope))
    console.print(f"{int(drift['is_drifting'].sum())} of {len(drift)} customers drifting")
    _show(drift.loc[drift["is_drifting"], ["customer_id", "slope_per_month", "evidence"]], "drifting customers")
    _write(drift, args.out, "customers")
    return 0


def _cmd_all(args: argparse.Namespace) -> int:
    from orchestration.mining import from_marts
    from orchestration.mining.tables import write_table
    from orchestration.warehouse import connect as connect_duckdb

    steps = args.step or list(from_marts.STEPS)
    timings: dict[str, dict] = {}
    with connect_duckdb(args.db) as con:
        for name in steps:
            started = time.perf_counter()
            result = from_marts.STEPS[name](con)
            rows = {t: write_table(con, t, f) for t, f in result.tables.items()}
            timings[name] = {"seconds": round(time.perf_counter() - started, 2), "rows": rows,
                             "peak_rss_mb_so_far": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
            console.print(f"[green]{name}[/green]: " + ", ".join(f"mining.{t} {n:,} rows" for t, n in rows.items())
                          + f" ({timings[name]['seconds']:.1f} s)")
            console.print(from_marts.jsonable(result.metrics))
    if args.timings:
        Path(args.timings).write_text(json.dumps({"steps": timings}, indent=1))
    return 0


def add_mining_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `mine` and its subcommands on the `touchpoint` parser."""
    from orchestration.settings import db_path

    mine = subparsers.add_parser("mine", help="data mining: rules, clusters, churn, fraud, circles, offers, tariffs")
    sub = mine.add_subparsers(dest="mine_command", required=True)

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=func)
        return p

    p = command("rules", "association rules from a basket file or a (transaction, item) table", _cmd_rules)
    p.add_argument("--baskets", required=True, help="one transaction per line, items comma-separated; or a table")
    p.add_argument("--min-support", required=True, help="minimum support, 0-1 (compared exactly)")
    p.add_argument("--min-confidence", required=True, help="minimum confidence, 0-1 (compared exactly)")
    p.add_argument("--max-len", type=int, default=None, help="largest itemset (default: no limit)")
    p.add_argument("--max-consequent-len", type=int, default=1, help="items on the right-hand side (default 1)")
    p.add_argument("--transaction-col", help="table input: transaction id column")
    p.add_argument("--item-col", help="table input: item column")
    p.add_argument("--out", help="CSV to write the rules to")

    p = command("churn", "train and cross-validate a calibrated churn model on any labelled table", _cmd_churn)
    p.add_argument("--input", required=True, help="CSV or Parquet, one row per customer")
    p.add_argument("--target", required=True, help="label column (0/1, true/false, yes/no)")
    p.add_argument("--id", help="id column (kept out of the features)")
    p.add_argument("--cv", type=int, default=5, help="folds (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="CSV of out-of-fold probabilities and top drivers per row")

    p = command("cluster", "cluster rows of numeric features (k by silhouette)", _cmd_cluster)
    p.add_argument("--input", required=True)
    p.add_argument("--id", default="customer_id")
    p.add_argument("--k-min", type=int, default=3)
    p.add_argument("--k-max", type=int, default=10)
    p.add_argument("--no-log", action="store_true", help="do not log1p-transform (features not counts)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="CSV of cluster assignments")
    p.add_argument("--profiles-out", help="CSV of cluster profiles")

    p = command("fraud", "outlier score (+ SIM-box rule when its columns are present)", _cmd_fraud)
    p.add_argument("--input", required=True)
    p.add_argument("--id", default="customer_id")
    p.add_argument("--outlier-share", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out")

    p = command("circles", "social circles from a call edge list (+ circle upsell with holdings)", _cmd_circles)
    p.add_argument("--edges", required=True)
    p.add_argument("--source", default="caller_id")
    p.add_argument("--target", default="callee_id")
    p.add_argument("--weight", default="calls")
    p.add_argument("--holdings", help="customer_id, product_id table for circle upsell")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out")
    p.add_argument("--upsell-out")

    p = command("recommend", "next best offers from holdings and a numeric profile (+ knowledge rows)", _cmd_recommend)
    p.add_argument("--holdings", required=True, help="customer_id, product_id")
    p.add_argument("--profile", required=True, help="customer_id + numeric columns")
    p.add_argument("--knowledge", help="customer_id, product_id, rule_id, knowledge_tag, suggested_channel, evidence")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out")

    p = command("tariff", "best-fit tariff: re-rate monthly usage under every plan", _cmd_tariff)
    p.add_argument("--usage", required=True,
                   help="customer_id, month, plan_id, voice_out_minutes, sms_out_count, data_mb")
    p.add_argument("--plans", required=True, help="the plan catalogue (dim_product columns)")
    p.add_argument("--data-cap", type=float, default=150.0, help="monthly cap on data overage, yuan")
    p.add_argument("--exclude-plan", action="append", default=[], help="plan no longer sold (repeatable)")
    p.add_argument("--out")

    p = command("homecoming", "customers drifting to a competitor from monthly call counts", _cmd_homecoming)
    p.add_argument("--input", required=True, help="customer_id, month, competitor_calls, person_calls")
    p.add_argument("--min-months", type=int, default=3)
    p.add_argument("--min-slope", type=float, default=0.04)
    p.add_argument("--out")

    p = command("all", "run the mining steps on the warehouse marts and write schema mining (no Dagster)", _cmd_all)
    p.add_argument("--db", default=str(db_path()))
    p.add_argument("--step", action="append", choices=["association_rules", "clustering", "churn", "fraud",
                                                       "social_circles", "recommendations", "best_fit_tariff",
                                                       "homecoming"], help="only this step (repeatable)")
    p.add_argument("--timings", help="write each step's seconds, rows written and peak RSS so far to this JSON file")
