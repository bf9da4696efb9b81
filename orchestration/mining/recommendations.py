"""Next best offer: collaborative filtering, profile matching and expert knowledge, blended with a
reason per row, and evaluated by hit rate on later subscriptions against popularity.

- Item-item collaborative filtering on holdings: cosine similarity between products' holder sets;
  a customer's score for a product they lack is the noisy-or of its similarities to what they
  hold (1 − Π(1 − sim)), so more and stronger evidence raises it without a length bias. Reason:
  the held product that predicts it best, with P(product | held product).
- Profile matching (the product portrait): per product, a logistic regression of "holds it" on
  the customer profile (standardized behaviour, age, B/C, gender, brand) — the probability that a
  customer with this profile holds the product. Reason: the profile features that lift it most.
- Expert knowledge (optional): rows of ``marts.fct_customer_knowledge`` (customer, rule,
  knowledge tag, product, suggested channel, evidence) add their weight to the pair they name.

Each source is put on a 0-1 scale (collaborative and profile scores divided by their 99th
percentile and capped at 1; knowledge is 1 where a rule fires) and the blend is their weighted
sum; candidates are products the customer does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

KNOWLEDGE_COLUMNS = ("customer_id", "rule_id", "knowledge_tag", "product_id", "suggested_channel", "evidence")


@dataclass(frozen=True)
class BlendWeights:
    # measured on the sample operator: the profile carries most of the signal for new adoptions,
    # co-holdings add some; an expert rule that fires should come first unless both disagree
    collaborative: float = 0.3
    profile: float = 0.5
    knowledge: float = 0.5

    def __post_init__(self) -> None:
        for name in ("collaborative", "profile", "knowledge"):
            if getattr(self, name) < 0:
                raise ValueError(f"blend weight {name} must not be negative (got {getattr(self, name)})")


def holdings_matrix(holdings: pd.DataFrame, customers: list[str], products: list[str]) -> np.ndarray:
    """Bool matrix customers × products from (customer_id, product_id) rows."""
    c_index = {c: i for i, c in enumerate(customers)}
    p_index = {p: j for j, p in enumerate(products)}
    H = np.zeros((len(customers), len(products)), dtype=bool)
    h = holdings[holdings["customer_id"].isin(c_index) & holdings["product_id"].isin(p_index)]
    H[h["customer_id"].map(c_index).to_numpy(), h["product_id"].map(p_index).to_numpy()] = True
    return H


def collaborative_scores(H: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, best held product index, P(product | that held product)) per customer × product."""
    X = H.astype(float)
    co = X.T @ X
    count = np.diag(co)
    norm = np.sqrt(np.outer(count, count))
    sim = np.divide(co, norm, out=np.zeros_like(co), where=norm > 0)
    np.fill_diagonal(sim, 0.0)
    conditional = np.divide(co, count[:, None], out=np.zeros_like(co), where=count[:, None] > 0)  # P(col | row)
    log_keep = np.log1p(-np.clip(sim, 0, 1 - 1e-9))
    score = 1.0 - np.exp(X @ log_keep)
    best = np.zeros(H.shape, dtype=np.int64)
    for start in range(0, len(H), 4096):  # (customers, held, candidate) in blocks to bound memory
        block = H[start:start + 4096]
        best[start:start + 4096] = np.where(block[:, :, None], sim[None, :, :], -1.0).argmax(axis=1)
    best_p = conditional[best, np.arange(H.shape[1])[None, :]]
    return score, best, best_p


def profile_scores(profile: pd.DataFrame, H: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per product, P(holds | profile) from a logistic regression on the standardized profile;
    also the standardized profile (customers × features) and the coefficients (products ×
    features), whose products say which features lift a customer's score."""
    X = profile.to_numpy(dtype=float)
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    scores = np.zeros(H.shape, dtype=float)
    coefs = np.zeros((H.shape[1], Z.shape[1]))
    for j in range(H.shape[1]):
        y = H[:, j]
        if y.sum() < 3 or (~y).sum() < 3:
            scores[:, j] = y.mean()
            continue
        model = LogisticRegression(C=0.5, max_iter=500, random_state=seed).fit(Z, y)
        scores[:, j] = model.predict_proba(Z)[:, 1]
        coefs[j] = model.coef_[0]
    return scores, Z, coefs


def _profile_reason(z: np.ndarray, coef: np.ndarray, names: list[str]) -> str:
    contribution = z * coef
    top = [k for k in np.argsort(-contribution)[:2] if contribution[k] > 0.05]
    words = [(names[k][3:] if z[k] > 0 else "not " + names[k][3:]) if names[k].startswith("is ")
             else ("high " if z[k] > 0 else "low ") + names[k] for k in top]
    return "profile like its adopters (" + ", ".join(words) + ")" if words else ""


def _scale(values: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    ref = values[candidates]
    top = np.quantile(ref, 0.99) if ref.size else 1.0
    return np.clip(values / top, 0, 1) if top > 0 else np.zeros_like(values)


def recommend(holdings: pd.DataFrame, profile: pd.DataFrame, products: list[str],
              knowledge: pd.DataFrame | None = None, weights: BlendWeights | None = None, top_k: int = 3,
              customers: list[str] | None = None, seed: int = 0) -> pd.DataFrame:
    """Top ``top_k`` products per customer among ``products`` they do not hold.

    ``holdings``: (customer_id, product_id) rows; ``profile``: one row per customer, indexed by
    customer_id, numeric columns; ``knowledge``: optional rows with ``KNOWLEDGE_COLUMNS``;
    ``customers``: who to recommend for (default: everyone in ``profile``)."""
    weights = weights or BlendWeights()
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1 (got {top_k})")
    if not products:
        raise ValueError("no candidate products")
    ids = list(profile.index.astype(str))
    H = holdings_matrix(holdings, ids, products)
    candidates = ~H
    cf, best, best_p = collaborative_scores(H)
    prof, Z, coefs = profile_scores(profile, H, seed)
    names = [str(c) for c in profile.columns]
    cf_s, prof_s = _scale(cf, candidates), _scale(prof, candidates)
    know = np.zeros(H.shape)
    know_info: dict[tuple[int, int], tuple[str, str, str]] = {}
    if knowledge is not None and len(knowledge):
        missing = [c for c in ("customer_id", "product_id") if c not in knowledge.columns]
        if missing:
            raise ValueError(f"knowledge table lacks columns {missing}")
        c_index = {c: i for i, c in enumerate(ids)}
        p_index = {p: j for j, p in enumerate(products)}
        for row in knowledge.itertuples(index=False):
            i, j = c_index.get(getattr(row, "customer_id")), p_index.get(getattr(row, "product_id"))
            if i is None or j is None:
                continue
            know[i, j] = 1.0
            know_info.setdefault((i, j), (str(getattr(row, "rule_id", "") or ""),
                                          str(getattr(row, "knowledge_tag", "") or ""),
                                          str(getattr(row, "suggested_channel", "") or "")))
    blend = weights.collaborative * cf_s + weights.profile * prof_s + weights.knowledge * know
    blend = np.where(candidates, blend, -np.inf)
    wanted = np.arange(len(ids)) if customers is None else np.flatnonzero(np.isin(ids, list(customers)))
    k = min(top_k, len(products))
    order = np.argsort(-blend[wanted], axis=1, kind="stable")[:, :k]
    rows = []
    for r, i in enumerate(wanted):
        for rank, j in enumerate(order[r], start=1):
            if not np.isfinite(blend[i, j]):
                break
            parts = {"collaborative": weights.collaborative * cf_s[i, j], "profile": weights.profile * prof_s[i, j],
                     "knowledge": weights.knowledge * know[i, j]}
            reasons = []
            for source, _ in sorted(parts.items(), key=lambda kv: -kv[1]):
                if parts[source] <= 0:
                    continue
                if source == "knowledge":
                    rule, tag, _channel = know_info[(i, j)]
                    reasons.append(f"knowledge rule {rule} ({tag})")
                elif source == "collaborative":
                    reasons.append(f"{best_p[i, j]:.0%} of {products[best[i, j]]} holders also have it")
                elif text := _profile_reason(Z[i], coefs[j], names):
                    reasons.append(text)
            info = know_info.get((i, j), ("", "", ""))
            rows.append((ids[i], rank, products[j], float(blend[i, j]), float(cf_s[i, j]), float(prof_s[i, j]),
                         float(know[i, j]), max(parts, key=parts.get), "; ".join(reasons) or "popular product",
                         info[0] or None, info[2] or None))
    return pd.DataFrame(rows, columns=["customer_id", "recommendation_rank", "product_id", "score",
                                       "collaborative_score", "profile_score", "knowledge_score", "primary_source",
                                       "reason", "knowledge_rule_id", "suggested_channel"])


def popularity(holdings: pd.DataFrame, customers: list[str], products: list[str], top_k: int = 3) -> pd.DataFrame:
    """Baseline: the most held products the customer does not hold yet."""
    H = holdings_matrix(holdings, customers, products)
    count = H.sum(axis=0).astype(float)
    score = np.where(H, -np.inf, count[None, :])
    order = np.argsort(-score, axis=1, kind="stable")[:, :top_k]
    return pd.DataFrame([(customers[i], r + 1, products[j]) for i in range(len(customers))
                         for r, j in enumerate(order[i]) if np.isfinite(score[i, j])],
                        columns=["customer_id", "recommendation_rank", "product_id"])


def hit_rate(recommendations: pd.DataFrame, later: pd.DataFrame, top_k: int = 3) -> dict[str, float]:
    """Share of customers with a later new subscription (``later``: customer_id, product_id) for
    whom one of their top ``top_k`` recommendations was among the products they took."""
    rec = recommendations[recommendations["recommendation_rank"] <= top_k]
    users = later["customer_id"].unique()
    took = set(zip(later["customer_id"], later["product_id"]))
    hits = {c for c, p in zip(rec["customer_id"], rec["product_id"]) if (c, p) in took}
    return {"customers": float(len(users)), "hits": float(len(hits & set(users))),
            "hit_rate": len(hits & set(users)) / len(users) if len(users) else float("nan")}


def customer_profile(behaviour: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Profile for matching, indexed by customer_id, with readable column names: log1p monthly
    behaviour (``behaviour``: customer_id + usage averages), age, and 0/1 flags (names start with
    "is ") for enterprise line, gender and brand."""
    from orchestration.mining.clustering import FEATURES, READABLE

    b = behaviour.set_index("customer_id")[[c for c in FEATURES if c in behaviour.columns]]
    prof = np.log1p(b.clip(lower=0)).rename(columns=READABLE)
    c = customers.set_index("customer_id").reindex(prof.index)
    prof["age"] = c["age_years"].astype(float)
    prof["is enterprise line"] = c["is_enterprise_customer"].astype(float)
    prof["is male"] = (c["gender"] == "M").astype(float)
    for brand in sorted(customers["brand"].dropna().unique()):
        prof[f"is {brand} brand"] = (c["brand"] == brand).astype(float)
    return prof.fillna(prof.median()).fillna(0.0)


def later_adoptions(subscriptions: pd.DataFrame, cutoff: pd.Timestamp, products: list[str]) -> pd.DataFrame:
    """(customer_id, product_id) of subscriptions started after ``cutoff`` to products the
    customer did not hold on that day: what a recommendation made at ``cutoff`` should have hit."""
    live = ((subscriptions["start_date"] <= cutoff)
            & (subscriptions["end_date"].isna() | (subscriptions["end_date"] >= cutoff)))
    held = set(zip(subscriptions.loc[live, "customer_id"], subscriptions.loc[live, "product_id"]))
    new = subscriptions[(subscriptions["start_date"] > cutoff) & subscriptions["product_id"].isin(products)]
    pairs = new[["customer_id", "product_id"]].drop_duplicates()
    keep = [(c, p) not in held for c, p in zip(pairs["customer_id"], pairs["product_id"])]
    return pairs[keep].reset_index(drop=True)
