"""Benchmark: our association-rule miner against mlxtend (fpgrowth + association_rules) on the same
baskets and thresholds. Asserts the same rule set (mlxtend compares floats, so it may lose rules
that sit exactly on a threshold: those are listed, never hidden) and prints both times and the ratio.

    .venv/bin/python bench/bench_rules.py [--transactions N] [--items K] [--min-support S]
                                          [--min-confidence C] [--max-len L] [--repeat R]
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--min-support", type=float, default=0.005)
    parser.add_argument("--min-confidence", type=float, default=0.2)
    parser.add_argument("--max-len", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    X = baskets(args.transactions, args.items, args.seed)
    items = [f"P{j:03d}" for j in range(args.items)]
    params = (X, items, args.min_support, args.min_confidence, args.max_len)
    t_ours, ours = best_of(args.repeat, run_ours, *params)
    t_theirs, theirs = best_of(args.repeat, run_mlxtend, *params)

    ours_set = set(zip(ours["antecedent"], ours["consequent"]))
    key = lambda s: ",".join(sorted(s))  # noqa: E731
    theirs_set = set(zip(theirs["antecedents"].map(key), theirs["consequents"].map(key)))
    only_ours = ours_set - theirs_set
    indexed = ours.set_index(["antecedent", "consequent"])
    on_threshold = {r for r in only_ours
                    if Fraction(int(indexed.loc[r, "rule_count"]), args.transactions) == Fraction(str(args.min_support))
                    or Fraction(int(indexed.loc[r, "rule_count"]), int(indexed.loc[r, "antecedent_count"]))
                    == Fraction(str(args.min_confidence))}
    print(f"baskets {args.transactions:,} × {args.items} items, mean {X.sum(1).mean():.1f} items per basket; "
          f"min_support {args.min_support}, min_confidence {args.min_confidence}, max_len {args.max_len}")
    print(f"rules: ours {len(ours_set):,}, mlxtend {len(theirs_set):,}; only mlxtend {len(theirs_set - ours_set)}, "
          f"only ours {len(only_ours)} (exactly on a threshold: {len(on_threshold)})")
    print(f"time (best of {args.repeat}): ours {t_ours:.3f} s, mlxtend {t_theirs:.3f} s, "
          f"ratio {t_theirs / t_ours:.1f}x")
    assert theirs_set <= ours_set, "mlxtend found rules we did not"
    assert only_ours == on_threshold, f"rules only we found, not on a threshold: {sorted(only_ours - on_threshold)[:5]}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
