"""Benchmark: our association-rule miner against mlxtend (fpgrowth + association_rules) on the same
baskets and thresholds. Asserts the same rule set (mlxtend compares floats, so it may lose rules
that sit exactly on a threshold: those are listed, never hidden) and prints both times and the ratio.

    .venv/bin/python bench/bench_rules.py [--transactions N] [--items K] [--min-support S]
                                          [--min-confidence C] [--max-len L] [--repeat R]
    .venv/bin/python bench/bench_rules.py --db data/touchpoint.duckdb   # the warehouse's baskets
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orchestration.mining.association_rules import Baskets, mine_rules  # noqa: E402


def baskets(n: int, k: int, seed: int) -> np.ndarray:
    """Product holdings-like baskets: skewed item popularity plus chains of co-subscription."""
    rng = np.random.default_rng(seed)
    popularity = np.sort(rng.beta(0.6, 4.0, k))[::-1] * 0.6 + 0.005
    X = rng.random((n, k)) < popularity
    for a in range(0, k - 3, 4):  # a ⇒ a+1 ⇒ a+2 chains
        X[:, a + 1] |= X[:, a] & (rng.random(n) < 0.5)
        X[:, a + 2] |= X[:, a + 1] & (rng.random(n) < 0.4)
    return X


def run_ours(X: np.ndarray, items: list[str], support: float, confidence: float, max_len: int | None) -> pd.DataFrame:
    return mine_rules(Baskets(tuple(items), X), support, confidence, max_len=max_len)


def run_mlxtend(X: np.ndarray, items: list[str], support: float, confidence: float,
                max_len: int | None) -> pd.DataFrame:
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    itemsets = fpgrowth(pd.DataFrame(X, columns=items), min_support=support, use_colnames=True, max_len=max_len)
    rules = association_rules(itemsets, num_itemsets=len(X), metric="confidence", min_threshold=confidence)
    return rules[rules["consequents"].map(len) == 1]  # single-item consequents, like ours


def best_of(repeat: int, func, *args):  # noqa: ANN001, ANN202
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def compare(X: np.ndarray, items: list[str], support: float, confidence: float, max_len: int | None,
            repeat: int) -> dict:
    """Both miners on the same baskets and thresholds: rule sets, best-of-``repeat`` times, ratio."""
    params = (X, items, support, confidence, max_len)
    t_ours, ours = best_of(repeat, run_ours, *params)
    t_theirs, theirs = best_of(repeat, run_mlxtend, *params)
    n = len(X)
    ours_set = set(zip(ours["antecedent"], ours["consequent"]))
    key = lambda s: ",".join(sorted(s))  # noqa: E731
    theirs_set = set(zip(theirs["antecedents"].map(key), theirs["consequents"].map(key)))
    only_ours = ours_set - theirs_set
    indexed = ours.set_index(["antecedent", "consequent"])
    on_threshold = {r for r in only_ours
                    if Fraction(int(indexed.loc[r, "rule_count"]), n) == Fraction(str(support))
                    or Fraction(int(indexed.loc[r, "rule_count"]), int(indexed.loc[r, "antecedent_count"]))
                    == Fraction(str(confidence))}
    return {"transactions": n, "items": len(items), "mean_items_per_basket": round(float(X.sum(1).mean()), 2),
            "min_support": support, "min_confidence": confidence, "max_len": max_len, "repeat": repeat,
            "rules_ours": len(ours_set), "rules_mlxtend": len(theirs_set),
            "only_mlxtend": sorted(map(list, theirs_set - ours_set))[:10], "only_ours": len(only_ours),
            "only_ours_exactly_on_threshold": len(on_threshold),
            "identical": not (theirs_set - ours_set) and only_ours == on_threshold,
            "seconds_ours": round(t_ours, 4), "seconds_mlxtend": round(t_theirs, 4),
            "speedup": round(t_theirs / t_ours, 1) if t_ours else None}


def warehouse_baskets(db: str) -> tuple[np.ndarray, list[str]]:
    """The baskets the association-rules mining step reads from a built warehouse."""

    from orchestration.mining.from_marts import holdings_baskets
    from orchestration.warehouse import connect as connect_duckdb

    with connect_duckdb(db, read_only=True) as con:
        b, _, _ = holdings_baskets(con)
    return b.matrix, list(b.items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="mine the warehouse's own baskets (holdings + knowledge groups) instead")
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--min-support", type=float, default=0.005)
    parser.add_argument("--min-confidence", type=float, default=0.2)
    parser.add_argument("--max-len", type=int, default=None, help="default 4 (synthetic), 3 (--db, as mined)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json-out", help="also write the comparison as JSON to this file")
    args = parser.parse_args()

    if args.db:
        X, items = warehouse_baskets(args.db)
        max_len = args.max_len or 3
    else:
        X = baskets(args.transactions, args.items, args.seed)
        items = [f"P{j:03d}" for j in range(args.items)]
        max_len = args.max_len or 4
    r = compare(X, items, args.min_support, args.min_confidence, max_len, args.repeat)
    print(f"baskets {r['transactions']:,} × {r['items']} items, mean {r['mean_items_per_basket']} items per basket; "
          f"min_support {r['min_support']}, min_confidence {r['min_confidence']}, max_len {r['max_len']}")
    print(f"rules: ours {r['rules_ours']:,}, mlxtend {r['rules_mlxtend']:,}; only mlxtend {len(r['only_mlxtend'])}, "
          f"only ours {r['only_ours']} (exactly on a threshold: {r['only_ours_exactly_on_threshold']})")
    print(f"time (best of {args.repeat}): ours {r['seconds_ours']:.3f} s, mlxtend {r['seconds_mlxtend']:.3f} s, "
          f"ratio {r['speedup']}x")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(r, indent=1))
    assert not r["only_mlxtend"], f"mlxtend found rules we did not: {r['only_mlxtend']}"
    assert r["identical"], "rules only we found that are not exactly on a threshold"
    return 0


if __name__ == "__main__":
    sys.exit(main())
