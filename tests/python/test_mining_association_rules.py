"""Association rules: known answers on hand-made baskets, exact thresholds, a brute-force reference,
and the same rules as mlxtend (fpgrowth + association_rules) on random baskets."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.mining.association_rules import (Baskets, exact_fraction, frequent_itemsets, mine_rules,
                                                    read_baskets)

# the textbook example (Han & Kamber style): 9 transactions over 5 items
TEXTBOOK = [["I1", "I2", "I5"], ["I2", "I4"], ["I2", "I3"], ["I1", "I2", "I4"], ["I1", "I3"], ["I2", "I3"],
            ["I1", "I3"], ["I1", "I2", "I3", "I5"], ["I1", "I2", "I3"]]


def rule_set(rules: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(rules["antecedent"], rules["consequent"]))


def brute_force(transactions: list[list[str]], min_support: Fraction, min_confidence: Fraction,
                max_len: int | None = None) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Every itemset enumerated, counted and split: (antecedent, consequent) → (rule, antecedent,
    consequent counts), single-item consequents."""
    sets = [frozenset(t) for t in transactions]
    items = sorted(set().union(*sets)) if sets else []
    n = len(sets)

    def count(s: frozenset) -> int:
        return sum(s <= t for t in sets)

    out = {}
    for size in range(2, (max_len or len(items)) + 1):
        for combo in combinations(items, size):
            c = count(frozenset(combo))
            if c == 0 or Fraction(c, n) < min_support:
                continue
            for cons in combo:
                ante = frozenset(combo) - {cons}
                a = count(ante)
                if Fraction(c, a) >= min_confidence:
                    out[(",".join(sorted(ante)), cons)] = (c, a, count(frozenset([cons])))
    return out


def test_textbook_example_known_rules() -> None:
    rules = mine_rules(TEXTBOOK, min_support="0.2222", min_confidence="0.7")  # support count >= 2
    found = {(a, c): conf for a, c, conf in zip(rules["antecedent"], rules["consequent"], rules["confidence"])}
    # the book's strong rules from {I1, I2, I5}: I1∧I5⇒I2, I2∧I5⇒I1, I5⇒I1, I5⇒I2 (all confidence 100 %)
    for ante, cons in [("I1,I5", "I2"), ("I2,I5", "I1"), ("I5", "I1"), ("I5", "I2")]:
        assert found[(ante, cons)] == 1.0
    # I1∧I2⇒I5 has confidence 2/4 = 50 %: not strong at 70 %
    assert ("I1,I2", "I5") not in found
    row = rules.set_index(["antecedent", "consequent"]).loc[("I5", "I1")]
    counts = (row["rule_count"], row["antecedent_count"], row["consequent_count"], row["transaction_count"])
    assert counts == (2, 2, 6, 9)
    assert row["lift"] == pytest.approx(1.5)  # 1 / (6/9)
    assert math.isinf(row["conviction"])


def test_thresholds_exactly_on_a_rule_keep_it() -> None:
    # 10 baskets: {a,b} in 3, {a} alone in 4 more → support(a,b) = 0.3 exactly, confidence(a⇒b) = 3/7;
    # b in 3 → confidence(b⇒a) = 1
    baskets = [["a", "b"]] * 3 + [["a"]] * 4 + [["c"]] * 3
    rules = mine_rules(baskets, min_support=0.3, min_confidence=0.3)
    assert ("a", "b") in rule_set(rules) and ("b", "a") in rule_set(rules)
    # support exactly on the threshold is kept; one basket fewer and it is not
    assert ("a", "b") not in rule_set(mine_rules(baskets[1:] + [["c"]], min_support=0.3, min_confidence=0.3))
    # confidence exactly on the threshold: 3/7 written as a fraction, and 0.7 = 7/10 as a float
    assert ("a", "b") in rule_set(mine_rules(baskets, 0.3, Fraction(3, 7)))
    assert ("a", "b") not in rule_set(mine_rules(baskets, 0.3, Fraction(3, 7) + Fraction(1, 10**9)))
    seventy = [["x", "y"]] * 7 + [["x"]] * 3
    assert ("x", "y") in rule_set(mine_rules(seventy, min_support=0.7, min_confidence=0.7))


def test_thresholds_where_float_arithmetic_drops_the_rule() -> None:
    # support(p, q) = 372/20000 = 0.0186 and confidence(p ⇒ q) = 372/1240 = 0.3, both exactly
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    baskets = [["p", "q"]] * 372 + [["p"]] * 868 + [["r"]] * 18760
    rules = mine_rules(baskets, min_support="0.0186", min_confidence="0.3")
    assert {("p", "q"), ("q", "p")} <= rule_set(rules)
    frame = pd.DataFrame({i: [i in b for b in baskets] for i in "pqr"})
    theirs = association_rules(fpgrowth(frame, min_support=0.0186, use_colnames=True), num_itemsets=len(baskets),
                               metric="confidence", min_threshold=0.3)
    pairs = {(",".join(a), ",".join(c)) for a, c in zip(theirs["antecedents"], theirs["consequents"])}
    assert ("p", "q") not in pairs  # float division puts 372/1240 just under 0.3


def test_max_len_and_multi_item_consequents() -> None:
    rules = mine_rules(TEXTBOOK, "0.2", "0.5", max_len=2)
    assert rules["itemset_size"].max() == 2
    multi = mine_rules(TEXTBOOK, "0.2", "0.5", max_consequent_len=2)
    assert ("I5", "I1,I2") in rule_set(multi)  # {I5} ⇒ {I1, I2}: 2/2
    assert multi["antecedent_size"].min() == 1
    single = mine_rules(TEXTBOOK, "0.2", "0.5")
    assert set(single["consequent"].str.count(",")) == {0}


def test_frequent_itemsets_apriori_property() -> None:
    fi = frequent_itemsets(Baskets.from_transactions(TEXTBOOK), "0.2222")
    sets = {frozenset(s.split(",")) for s in fi["itemset"]}
    assert frozenset({"I1", "I2", "I5"}) in sets and frozenset({"I1", "I2", "I3"}) in sets
    for s in sets:  # every subset of a frequent itemset is frequent
        for k in range(1, len(s)):
            assert all(frozenset(sub) in sets for sub in combinations(s, k))


@pytest.mark.parametrize("value", [0, -0.1, 1.5, "abc", None])
def test_bad_thresholds_name_the_field(value: object) -> None:
    with pytest.raises(ValueError, match="min_support"):
        mine_rules(TEXTBOOK, value, 0.5)  # type: ignore[arg-type]


def test_exact_fraction_reads_the_decimal_written() -> None:
    assert exact_fraction(0.1, "x") == Fraction(1, 10)
    assert exact_fraction("1e-3", "x") == Fraction(1, 1000)


def test_basket_file_and_long_table_give_the_same_rules(tmp_path: Path) -> None:
    text = "\n".join(",".join(t) for t in TEXTBOOK) + "\n\n"
    (tmp_path / "baskets.txt").write_text(text, encoding="utf-8")
    long = pd.DataFrame([(i, item) for i, t in enumerate(TEXTBOOK) for item in t], columns=["tx", "item"])
    long.to_csv(tmp_path / "long.csv", index=False)
    long.to_parquet(tmp_path / "long.parquet")
    a = mine_rules(read_baskets(tmp_path / "baskets.txt"), "0.2", "0.6")
    b = mine_rules(read_baskets(tmp_path / "long.csv", "tx", "item"), "0.2", "0.6")
    c = mine_rules(read_baskets(tmp_path / "long.parquet", "tx", "item"), "0.2", "0.6")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    with pytest.raises(ValueError, match="--transaction-col"):
        read_baskets(tmp_path / "long.parquet")
    with pytest.raises(FileNotFoundError):
        read_baskets(tmp_path / "missing.txt")


def test_cli_writes_the_rules(tmp_path: Path) -> None:
    from orchestration.cli import main

    (tmp_path / "b.txt").write_text("\n".join(",".join(t) for t in TEXTBOOK), encoding="utf-8")
    out = tmp_path / "rules.csv"
    assert main(["mine", "rules", "--baskets", str(tmp_path / "b.txt"), "--min-support", "0.2222",
                 "--min-confidence", "0.7", "--max-len", "3", "--out", str(out)]) == 0
    rules = pd.read_csv(out)
    assert ("I5", "I1") in rule_set(rules)
    assert main(["mine", "rules", "--baskets", str(tmp_path / "b.txt"), "--min-support", "2",
                 "--min-confidence", "0.7"]) == 2  # a bad threshold is an input error, not a trace


baskets_strategy = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=6), min_size=1, max_size=40)
threshold = st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=20)


@settings(max_examples=60, deadline=None)
@given(baskets_strategy, threshold, threshold, st.sampled_from([None, 2, 3]))
def test_same_rules_as_brute_force(transactions: list[list[str]], support: Fraction, confidence: Fraction,
                                   max_len: int | None) -> None:
    rules = mine_rules(transactions, support, confidence, max_len=max_len)
    expected = brute_force(transactions, support, confidence, max_len)
    assert rule_set(rules) == set(expected)
    for a, c, rc, ac, cc in zip(rules["antecedent"], rules["consequent"], rules["rule_count"],
                                rules["antecedent_count"], rules["consequent_count"]):
        assert (rc, ac, cc) == expected[(a, c)]


def _random_baskets(seed: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.random((n, k)) < rng.uniform(0.03, 0.35, k)
    X[:, 1] |= X[:, 0] & (rng.random(n) < 0.6)  # a few dependencies so there are longer itemsets
    X[:, 2] |= X[:, 1] & (rng.random(n) < 0.5)
    X[:, 5] |= X[:, 4] & (rng.random(n) < 0.7)
    return X


@pytest.mark.parametrize("seed,n,k,support,confidence,max_len", [
    (1, 2000, 20, 0.02, 0.3, None), (2, 5000, 30, 0.01, 0.5, 3), (3, 500, 12, 0.05, 0.1, 4),
])
def test_same_rules_as_mlxtend(seed: int, n: int, k: int, support: float, confidence: float,
                               max_len: int | None) -> None:
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    X = _random_baskets(seed, n, k)
    items = [f"item{j:02d}" for j in range(k)]
    ours = mine_rules(Baskets(tuple(items), X), support, confidence, max_len=max_len)
    frame = pd.DataFrame(X, columns=items)
    itemsets = fpgrowth(frame, min_support=support, use_colnames=True, max_len=max_len)
    theirs = association_rules(itemsets, num_itemsets=n, metric="confidence", min_threshold=confidence)
    theirs = theirs[theirs["consequents"].map(len) == 1]
    key = lambda s: ",".join(sorted(s))  # noqa: E731
    theirs = theirs.assign(antecedent=theirs["antecedents"].map(key), consequent=theirs["consequents"].map(key))
    ours_set, theirs_set = rule_set(ours), rule_set(theirs)
    # mlxtend compares floats; it may only lose rules sitting exactly on a threshold, never add any
    assert theirs_set <= ours_set
    for a, c in ours_set - theirs_set:
        r = ours.set_index(["antecedent", "consequent"]).loc[(a, c)]
        assert (Fraction(int(r["rule_count"]), n) == Fraction(str(support))
                or Fraction(int(r["rule_count"]), int(r["antecedent_count"])) == Fraction(str(confidence)))
    metrics = ["support", "confidence", "lift", "leverage", "conviction"]
    merged = ours.merge(theirs[["antecedent", "consequent", *metrics]], on=["antecedent", "consequent"],
                        suffixes=("", "_mlxtend"))
    assert len(merged) == len(theirs_set)
    for m in metrics:
        np.testing.assert_allclose(merged[m], merged[f"{m}_mlxtend"], rtol=1e-9)
