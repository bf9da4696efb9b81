"""What keeps mining fast at scale: igraph's Louvain and modularity, threads for big tables, and
swap-to-reference contributions asked only of the trees that split on the swapped feature."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from orchestration.mining import churn
from orchestration.mining import social_circles as sc
from orchestration.mining import tabular_model as tm
from orchestration.mining import tree_contributions as tc


def random_edges(seed: int, nodes: int = 300, edges: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"caller_id": [f"N{x:03d}" for x in rng.integers(0, nodes, edges)],
                         "callee_id": [f"N{x:03d}" for x in rng.integers(0, nodes, edges)],
                         "calls": rng.integers(1, 5, edges)})


def test_louvain_is_deterministic_for_a_seed_and_covers_every_node() -> None:
    G = sc.call_graph(random_edges(1))
    G.add_node("LONER")  # an isolated node is a community of its own
    first, again = sc.louvain(G, seed=7), sc.louvain(G, seed=7)
    assert first == again
    assert sorted(n for c in first for n in c) == sorted(G.nodes)
    assert ["LONER"] in first


def test_louvain_finds_planted_cliques() -> None:
    cliques = [[f"{g}{i}" for i in range(6)] for g in "ABC"]
    rows = [(a, b, 5) for clique in cliques for a in clique for b in clique if a < b]
    rows += [("A0", "B0", 1), ("B0", "C0", 1)]  # weak bridges
    G = sc.call_graph(pd.DataFrame(rows, columns=["caller_id", "callee_id", "calls"]))
    assert sorted(sorted(c) for c in sc.louvain(G, seed=0)) == cliques


def test_modularity_matches_networkx() -> None:
    G = sc.call_graph(random_edges(2))
    members = sc.detect_circles(G, seed=0)
    groups = members.groupby("circle_id")["customer_id"].agg(set).tolist()
    assert abs(sc.modularity(G, members) - nx.community.modularity(G, groups, weight="weight")) < 1e-9
    # every node alone: networkx agrees on the (negative) modularity of the singleton partition
    alone = members.assign(circle_id=members["customer_id"])
    singletons = [{n} for n in G.nodes]
    assert abs(sc.modularity(G, alone) - nx.community.modularity(G, singletons, weight="weight")) < 1e-9
    assert np.isnan(sc.modularity(nx.Graph(), members.iloc[:0]))


def test_trees_use_every_core_only_on_big_tables() -> None:
    assert churn.openmp_threads(churn.PARALLEL_FROM_ROWS - 1) == 1
    assert churn.openmp_threads(churn.PARALLEL_FROM_ROWS) is None


def churn_like_table(n: int = 900, seed: int = 3) -> pd.DataFrame:
    """Numbers with blanks, a category with blanks, and a label that depends on both."""
    rng = np.random.default_rng(seed)
    calls = rng.poisson(3.0, n).astype(float)
    calls[rng.random(n) < 0.1] = np.nan
    fee = rng.uniform(10, 300, n)
    plan = rng.choice(["gold", "silver", "bronze", None], n)
    drop = rng.normal(0, 1, n)
    risk = 1 / (1 + np.exp(-(-1.0 + 0.6 * np.nan_to_num(calls, nan=5) - 0.01 * fee + 1.2 * (plan == "silver")
                             + 0.8 * drop)))
    return pd.DataFrame({"calls": calls, "fee": fee, "plan": plan, "usage_drop": drop,
                         "left": np.where(rng.random(n) < risk, 1, 0)})


@pytest.fixture(scope="module")
def fitted() -> tuple[object, pd.DataFrame, dict[str, object]]:
    prepared = tm.prepare_table(churn_like_table(), target="left")
    model = tm.build_model(prepared, seed=0).fit(prepared.X, prepared.y)
    return model, prepared.X, tm.reference_values(prepared.X, prepared)


def with_values_never_seen(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` with an unseen category, fees beyond both ends of the training range, more blanks."""
    X = X.copy()
    if isinstance(X["plan"].dtype, pd.CategoricalDtype):
        X["plan"] = X["plan"].cat.add_categories(["platinum"])
    X.loc[X.index[::7], "plan"] = "platinum"
    X.loc[X.index[::5], "fee"] = 1e4
    X.loc[X.index[1::5], "fee"] = -5.0
    X.loc[X.index[::3], "calls"] = np.nan
    return X


@pytest.mark.parametrize("seen", [True, False])
def test_tree_by_tree_swaps_equal_asking_the_whole_model(fitted, seen: bool) -> None:  # noqa: ANN001
    model, X, reference = fitted
    X = X if seen else with_values_never_seen(X)
    rows_of = {col: np.arange(0, len(X), 2) for col in X.columns}  # every other row, every feature
    probability = model.predict_proba(X)[:, 1]
    base, swapped = tc.swapped_probabilities(model, X, reference, rows_of, probability)
    np.testing.assert_allclose(base, probability, rtol=0, atol=1e-12)
    assert set(swapped) == set(X.columns)
    for col, rows in rows_of.items():
        frame = X.iloc[rows].copy()
        frame[col] = reference[col]
        np.testing.assert_allclose(swapped[col], model.predict_proba(frame)[:, 1], rtol=0, atol=1e-12)


def test_explain_gives_the_same_drivers_with_and_without_the_shortcut(fitted, monkeypatch) -> None:  # noqa: ANN001
    model, X, reference = fitted
    fast = tm.explain(model, X, reference, top=3)
    monkeypatch.setattr(tm, "swapped_probabilities", lambda *args, **kwargs: None)
    slow = tm.explain(model, X, reference, top=3)
    assert len(fast) > len(X) // 2  # most rows have a driver: the comparison is not of empty frames
    keys = ["row", "driver_rank", "feature", "feature_value"]
    pd.testing.assert_frame_equal(fast[keys], slow[keys])
    np.testing.assert_allclose(fast["contribution_log_odds"], slow["contribution_log_odds"], rtol=0, atol=1e-9)


def test_explain_takes_the_probability_the_caller_has_and_predicts_no_row_again(fitted, monkeypatch) -> None:  # noqa: ANN001
    model, X, reference = fitted
    probability = model.predict_proba(X)[:, 1]
    asked = tm.explain(model, X, reference, top=3)
    predicted = []
    monkeypatch.setattr(model, "predict_proba", lambda rows: predicted.append(len(rows)) or None)
    given = tm.explain(model, X, reference, top=3, probability=probability)
    assert predicted == []  # the shortcut's check used the probability given
    pd.testing.assert_frame_equal(given, asked)
    with pytest.raises(ValueError, match="3 values for"):
        tm.explain(model, X, reference, probability=probability[:3])


def test_the_shortcut_declines_a_model_it_cannot_reproduce(fitted) -> None:  # noqa: ANN001
    _, X, reference = fitted
    y = (X["fee"] > 150).astype(int)
    other = LogisticRegression().fit(X[["fee", "usage_drop"]], y)
    X = X[["fee", "usage_drop"]]
    assert tc.swapped_probabilities(other, X, reference, {"fee": np.arange(3)}, other.predict_proba(X)[:, 1]) is None


def test_explain_in_blocks_equals_one_block(fitted, monkeypatch) -> None:  # noqa: ANN001
    model, X, reference = fitted
    whole = tm.explain(model, X, reference, top=3)
    monkeypatch.setattr(tm, "EXPLAIN_BLOCK_ROWS", 7)  # blocks of uneven size, the last one short
    blocked = tm.explain(model, X, reference, top=3)
    assert whole["row"].max() >= 7 * 3  # rows of later blocks keep their own positions
    pd.testing.assert_frame_equal(blocked, whole)
