"""Social circles (交往圈) from the call graph: communities, key persons, product penetration per
circle, and "circle upsell" candidates.

The graph is undirected, one node per customer, edge weight = calls between the two in either
direction over the window (customer-to-customer calls only: service numbers, competitors and other
operators' numbers are not circle members). Communities come from networkx's Louvain method with
a fixed seed, numbered canonically (largest first, ties by smallest member id) so circle ids are
stable across runs. A key person holds the circle together: their call volume with the circle is
at least ``key_strength_ratio`` times the circle's median and they reach at least half of it.
Adoption spreads inside circles, so members of circles where a product is common (well above
its base rate) who lack it are upsell candidates, ranked by how much of their calling goes to
adopters.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd


def call_graph(edges: pd.DataFrame, source: str = "caller_id", target: str = "callee_id",
               weight: str = "calls", min_weight: float = 1.0) -> nx.Graph:
    """Undirected weighted graph from directed call edges (weights of both directions added);
    edges lighter than ``min_weight`` dropped."""
    for col in (source, target, weight):
        if col not in edges.columns:
            raise ValueError(f"column {col!r} not in the edge table (columns: {', '.join(edges.columns)})")
    e = edges[[source, target, weight]].dropna(subset=[source, target])
    e = e[e[source] != e[target]]
    a = e[source].astype(str).to_numpy()
    b = e[target].astype(str).to_numpy()
    lo, hi = np.where(a < b, a, b), np.where(a < b, b, a)
    pairs = (pd.DataFrame({"u": lo, "v": hi, "w": pd.to_numeric(e[weight], errors="coerce").fillna(0).to_numpy()})
             .groupby(["u", "v"], as_index=False)["w"].sum())
    pairs = pairs[pairs["w"] >= min_weight]
    G = nx.Graph()
    G.add_weighted_edges_from(pairs.itertuples(index=False, name=None))
    return G


def detect_circles(G: nx.Graph, seed: int = 0, resolution: float = 1.0,
                   key_strength_ratio: float = 2.0) -> pd.DataFrame:
    """One row per customer in the graph: circle_id, circle_size, within-circle call volume
    (strength), share of the circle they call or are called by, global PageRank and is_key_person."""
    if G.number_of_nodes() == 0:
        return pd.DataFrame(columns=["customer_id", "circle_id", "circle_size", "circle_strength",
                                     "circle_reach_share", "pagerank", "is_key_person"])
    communities = nx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)
    communities = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    width = max(4, len(str(len(communities))))
    circle_of = {n: i for i, c in enumerate(communities) for n in c}
    pagerank = nx.pagerank(G, weight="weight")
    rows = []
    for i, members in enumerate(communities):
        inside = set(members)
        for n in members:
            nbrs = [m for m in G[n] if m in inside]
            strength = float(sum(G[n][m]["weight"] for m in nbrs))
            rows.append((n, i, len(members), strength, len(nbrs) / max(len(members) - 1, 1), pagerank[n]))
    out = pd.DataFrame(rows, columns=["customer_id", "circle_no", "circle_size", "circle_strength",
                                      "circle_reach_share", "pagerank"])
    median = out.groupby("circle_no")["circle_strength"].transform("median")
    top = out.groupby("circle_no")["circle_strength"].transform("max")
    strong = (out["circle_strength"] >= key_strength_ratio * median) | (
        (out["circle_strength"] == top) & (out["circle_size"] <= 4))  # tiny circles: the busiest member
    out["is_key_person"] = (out["circle_size"] >= 3) & (out["circle_reach_share"] >= 0.5) & strong
    out["circle_id"] = out["circle_no"].map(lambda i: f"C{i + 1:0{width}d}")
    assert len(circle_of) == len(out)
    return out[["customer_id", "circle_id", "circle_size", "circle_strength", "circle_reach_share", "pagerank",
                "is_key_person"]].sort_values(["circle_id", "customer_id"], ignore_index=True)


def circle_penetration(members: pd.DataFrame, holdings: pd.DataFrame, min_circle_size: int = 3) -> pd.DataFrame:
    """Per circle and product: member and holder counts, penetration, the product's base rate among all
    circle members, and lift (penetration / base rate)."""
    m = members[members["circle_size"] >= min_circle_size][["customer_id", "circle_id", "circle_size"]]
    held = holdings.merge(m, on="customer_id")
    counts = held.groupby(["circle_id", "product_id"]).agg(holder_count=("customer_id", "nunique")).reset_index()
    counts = counts.merge(m.groupby("circle_id").size().rename("member_count").reset_index(), on="circle_id")
    base = held.groupby("product_id")["customer_id"].nunique() / max(len(m), 1)
    counts["penetration"] = counts["holder_count"] / counts["member_count"]
    counts["base_penetration"] = counts["product_id"].map(base)
    counts["lift"] = counts["penetration"] / counts["base_penetration"]
    return counts.sort_values(["circle_id", "product_id"], ignore_index=True)


def circle_upsell(members: pd.DataFrame, holdings: pd.DataFrame, G: nx.Graph, min_penetration: float = 0.3,
                  min_lift: float = 1.5, min_adopters: int = 2, eligible: pd.Series | None = None) -> pd.DataFrame:
    """Members of circles where a product is common (penetration ≥ ``min_penetration``, lift ≥
    ``min_lift``, at least ``min_adopters`` holders) who lack it; ``eligible`` limits candidates
    (e.g. to active customers). Score = penetration × (½ + ½ × share of the member's calls that go
    to adopters)."""
    pen = circle_penetration(members, holdings)
    hot = pen[(pen["penetration"] >= min_penetration) & (pen["lift"] >= min_lift)
              & (pen["holder_count"] >= min_adopters)]
    columns = ["customer_id", "circle_id", "product_id", "circle_member_count", "circle_adopter_count",
               "circle_penetration", "base_penetration", "lift", "adopter_contact_count", "adopter_call_share", "score",
               "reason"]
    if hot.empty:
        return pd.DataFrame(columns=columns)
    holders = holdings.groupby("product_id")["customer_id"].agg(set).to_dict()
    cand = members[["customer_id", "circle_id"]].merge(hot, on="circle_id")
    has = np.array([c in holders.get(p, ()) for c, p in zip(cand["customer_id"], cand["product_id"])], dtype=bool)
    cand = cand[~has]
    if eligible is not None:
        cand = cand[cand["customer_id"].isin(set(eligible))]
    contacts, shares = [], []
    for c, p in zip(cand["customer_id"], cand["product_id"]):
        adopters = holders.get(p, set())
        nbrs = G[c] if c in G else {}
        total = sum(d["weight"] for d in nbrs.values())
        to_adopters = [m for m in nbrs if m in adopters]
        contacts.append(len(to_adopters))
        shares.append(sum(nbrs[m]["weight"] for m in to_adopters) / total if total else 0.0)
    cand = cand.assign(adopter_contact_count=contacts, adopter_call_share=shares)
    cand["score"] = cand["penetration"] * (0.5 + 0.5 * cand["adopter_call_share"])
    cand["reason"] = [f"{h} of {n} in the circle use {p} ({pe:.0%} vs {b:.0%} overall); "
                      f"{k} of the customer's contacts use it"
                      for h, n, p, pe, b, k in zip(cand["holder_count"], cand["member_count"], cand["product_id"],
                                                   cand["penetration"], cand["base_penetration"],
                                                   cand["adopter_contact_count"])]
    cand = cand.rename(columns={"member_count": "circle_member_count", "holder_count": "circle_adopter_count",
                                "penetration": "circle_penetration"})
    return cand[columns].sort_values(["score", "customer_id", "product_id"], ascending=[False, True, True],
                                     ignore_index=True)


def best_match_jaccard(found: pd.Series, truth: pd.Series) -> pd.Series:
    """For each true group (``truth``: group per item), the best Jaccard overlap with any found
    group (``found``: group per item, same index); items missing from ``found`` count as misses."""
    t = truth.dropna()
    f = found.reindex(t.index)
    sizes_t = t.value_counts()
    sizes_f = found.dropna().value_counts()
    both = pd.DataFrame({"t": t, "f": f}).dropna().groupby(["t", "f"]).size().rename("inter").reset_index()
    both["union"] = both["t"].map(sizes_t) + both["f"].map(sizes_f) - both["inter"]
    both["jaccard"] = both["inter"] / both["union"]
    best = both.groupby("t")["jaccard"].max()
    return best.reindex(sizes_t.index, fill_value=0.0)
