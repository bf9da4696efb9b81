"""Customer clustering on standardized behaviour features, with k chosen by silhouette.

Features are per-customer averages of monthly usage (voice out/in, local and long-distance
minutes, SMS, data, roaming, content visits, calls), log1p-transformed (usage is heavy-tailed),
standardized, and clipped at ±5 standard deviations so a few extreme values cannot stretch the
scale for everyone (a handful of SIM-box lines still form a small cluster of their own, which is
a finding, not noise). k-means (scikit-learn, fixed seed, 10 restarts) runs for
every k in a range and the k with the highest mean silhouette wins (the stated criterion).
Clusters are numbered canonically — largest first, ties by centroid — so labels are stable
across runs, and each gets a profile (per-feature z-score of its mean) and a readable label
built from what sets it apart most ("high data, low voice out").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from orchestration.mining.features import USAGE_MEASURES

FEATURES = ("voice_out_minutes", "voice_in_minutes", "local_voice_minutes", "long_distance_minutes",
            "sms_out_count", "data_mb", "roaming_minutes", "content_visit_count", "call_count")
READABLE = {
    "voice_out_minutes": "outgoing voice", "voice_in_minutes": "incoming voice", "local_voice_minutes": "local voice",
    "long_distance_minutes": "long-distance", "sms_out_count": "SMS", "data_mb": "data",
    "roaming_minutes": "roaming", "content_visit_count": "content", "call_count": "calls",
}
CLIP_SD = 5.0
SILHOUETTE_SAMPLE = 4000


def behaviour_features(monthly_usage: pd.DataFrame, active_customers: pd.Series | None = None,
                       full_months_only: bool = True) -> pd.DataFrame:
    """Per-customer average of each usage measure over the months they were active all month
    (``full_months_only``), optionally restricted to ``active_customers``. A customer with no whole
    month (a line opened late in the window) is averaged over their months scaled up to whole
    months (measure × days in month / active days)."""
    m = monthly_usage
    cols = [c for c in USAGE_MEASURES if c in m.columns]
    if full_months_only and "days_in_month" in m:
        whole = (m["active_days"] >= m["days_in_month"]).to_numpy()
        part = m[~m["customer_id"].isin(set(m.loc[whole, "customer_id"]))].copy()
        scale = part["days_in_month"] / part["active_days"].clip(lower=1)
        part[cols] = part[cols].astype(float).mul(scale, axis=0)
        m = pd.concat([m[whole], part], ignore_index=True)
    out = m.groupby("customer_id")[cols].mean().reset_index()
    if active_customers is not None:
        out = out[out["customer_id"].isin(set(active_customers))]
    return out.reset_index(drop=True)


@dataclass
class ClusteringResult:
    assignments: pd.DataFrame  # customer id, cluster_id, cluster_label, distance_to_centroid
    profiles: pd.DataFrame  # cluster_id, cluster_label, feature, cluster_mean, overall_mean, z_score, ...
    selection: pd.DataFrame  # k, silhouette, inertia
    k: int
    silhouette: float


def standardize(X: pd.DataFrame, log: bool = True) -> tuple[np.ndarray, pd.Series, pd.Series]:
    values = X.astype(float).clip(lower=0) if log else X.astype(float)
    values = np.log1p(values) if log else values
    mean, sd = values.mean(), values.std(ddof=0).replace(0, 1.0)
    Z = ((values - mean) / sd).clip(-CLIP_SD, CLIP_SD).fillna(0.0)
    return Z.to_numpy(), mean, sd


def cluster_customers(features: pd.DataFrame, id_col: str = "customer_id", columns: list[str] | None = None,
                      k_min: int = 3, k_max: int = 10, seed: int = 0, log: bool = True) -> ClusteringResult:
    """Cluster the rows of ``features`` (one per customer) on ``columns`` (default: every numeric
    column but the id); k from ``k_min`` to ``k_max`` by silhouette."""
    if id_col not in features.columns:
        raise ValueError(f"id column {id_col!r} not in the table")
    cols = columns or [c for c in features.columns if c != id_col and pd.api.types.is_numeric_dtype(features[c])]
    bad = [c for c in cols if c not in features.columns or not pd.api.types.is_numeric_dtype(features[c])]
    if bad:
        raise ValueError(f"feature columns must be numeric: {bad}")
    if not cols:
        raise ValueError("no numeric feature columns to cluster on")
    if k_min < 2 or k_max < k_min:
        raise ValueError(f"need 2 <= k_min <= k_max (got {k_min}, {k_max})")
    data = features.dropna(subset=cols, how="all").reset_index(drop=True)
    if len(data) <= k_min:
        raise ValueError(f"{len(data)} customers are too few for {k_min} clusters")
    Z, _, _ = standardize(data[cols], log=log)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(Z), min(len(Z), SILHOUETTE_SAMPLE), replace=False))
    rows, fits = [], {}
    for k in range(k_min, min(k_max, len(data) - 1) + 1):
        # one OpenMP thread: small problem, and spinning threads stall on a busy machine
        with threadpool_limits(limits=1, user_api="openmp"):
            km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(Z)
        labels = km.labels_
        score = silhouette_score(Z[sample], labels[sample]) if len(np.unique(labels[sample])) > 1 else -1.0
        rows.append((k, float(score), float(km.inertia_)))
        fits[k] = km
    selection = pd.DataFrame(rows, columns=["k", "silhouette", "inertia"])
    best = selection.loc[selection["silhouette"].idxmax()]  # first k with the highest silhouette
    k = int(best["k"])
    km = fits[k]
    order = _canonical_order(km.labels_, km.cluster_centers_)
    label = order[km.labels_] + 1
    centers = km.cluster_centers_[np.argsort(order)]
    distance = np.linalg.norm(Z - centers[label - 1], axis=1)
    profiles = _profiles(data[cols], Z, label, cols)
    names = _readable_labels(profiles)
    profiles["cluster_label"] = profiles["cluster_id"].map(names)
    assignments = pd.DataFrame({id_col: data[id_col].to_numpy(), "cluster_id": label,
                                "cluster_label": pd.Series(label).map(names).to_numpy(dtype=object).tolist(),
                                "distance_to_centroid": distance})
    return ClusteringResult(assignments, profiles, selection, k, float(best["silhouette"]))


def _canonical_order(labels: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Rank of each k-means cluster: by size (largest first), then by centroid coordinates."""
    sizes = np.bincount(labels, minlength=len(centers))
    keys = [(-sizes[c], *np.round(centers[c], 6).tolist()) for c in range(len(centers))]
    ranked = sorted(range(len(centers)), key=lambda c: keys[c])
    order = np.empty(len(centers), dtype=int)
    order[ranked] = np.arange(len(centers))
    return order


def _profiles(raw: pd.DataFrame, Z: np.ndarray, label: np.ndarray, cols: list[str]) -> pd.DataFrame:
    rows = []
    n = len(label)
    for c in np.unique(label):
        members = label == c
        for j, col in enumerate(cols):
            rows.append({"cluster_id": int(c), "feature": col, "customer_count": int(members.sum()),
                         "customer_share": float(members.sum() / n),
                         "cluster_mean": float(raw[col][members].mean()), "overall_mean": float(raw[col].mean()),
                         "cluster_median": float(raw[col][members].median()),
                         "z_score": float(Z[members, j].mean())})
    return pd.DataFrame(rows)


def _readable_labels(profiles: pd.DataFrame) -> dict[int, str]:
    """"high X, low Y" from the two features with the largest |z|; a third when two clusters would
    otherwise share a label."""
    names: dict[int, str] = {}
    ranked = {c: g.reindex(g["z_score"].abs().sort_values(ascending=False).index)
              for c, g in profiles.groupby("cluster_id")}

    def phrase(row: pd.Series) -> str:
        level = "high" if row["z_score"] > 0.25 else "low" if row["z_score"] < -0.25 else "average"
        return f"{level} {READABLE.get(row['feature'], row['feature'])}"

    for depth in (2, 3, 4):
        names = {c: ", ".join(phrase(r) for _, r in g.head(depth).iterrows()) for c, g in ranked.items()}
        if len(set(names.values())) == len(names):
            break
    counts = pd.Series(list(names.values())).value_counts()
    seen: dict[str, int] = {}
    for c in sorted(names):  # still equal: number them
        base = names[c]
        if counts[base] > 1:
            seen[base] = seen.get(base, 0) + 1
            names[c] = f"{base} ({seen[base]})"
    return names
