"""What keeps mining fast at scale: igraph's Louvain and modularity, and threads for big tables."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from orchestration.mining import churn
from orchestration.mining import social_circles as sc


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
