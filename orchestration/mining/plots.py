"""Plots for the mining results, where a person would rather look than read a table: each function
draws one figure with matplotlib (no display needed) and saves it as a PNG, returning the path."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402


def _save(fig: plt.Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def rules_scatter(rules: pd.DataFrame, path: Path, label_top: int = 8) -> Path:
    """Support vs confidence, coloured by lift; the top rules by lift named."""
    fig, ax = plt.subplots(figsize=(8, 5))
    if len(rules):
        points = ax.scatter(rules["support"], rules["confidence"], c=np.log2(rules["lift"].clip(lower=1e-3)),
                            cmap="viridis", s=14, alpha=0.8)
        fig.colorbar(points, ax=ax, label="log2 lift")
        for _, r in rules.head(label_top).iterrows():
            ax.annotate(f"{r['antecedent']} → {r['consequent']}", (r["support"], r["confidence"]), fontsize=6)
    ax.set(xscale="log", xlabel="support", ylabel="confidence", title=f"{len(rules)} association rules")
    return _save(fig, path)


def cluster_selection_and_profiles(selection: pd.DataFrame, profiles: pd.DataFrame, path: Path) -> Path:
    """Silhouette by k, and the chosen clusters' z-score profile as a heat map."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1, 2.2]})
    if selection.empty:  # too few customers to cluster
        left.text(0.5, 0.5, "not clustered: too few customers", ha="center", va="center")
        return _save(fig, path)
    left.plot(selection["k"], selection["silhouette"], marker="o")
    best = selection.loc[selection["silhouette"].idxmax()]
    left.axvline(best["k"], color="grey", linestyle="--")
    left.set(xlabel="k (clusters)", ylabel="mean silhouette", title="choosing k")
    grid = profiles.pivot(index="cluster_label", columns="feature", values="z_score")
    order = profiles.drop_duplicates("cluster_id").sort_values("cluster_id")["cluster_label"]
    grid = grid.reindex(order)
    image = right.imshow(grid.to_numpy(), cmap="RdBu_r", vmin=-2.5, vmax=2.5, aspect="auto")
    right.set_xticks(range(len(grid.columns)), grid.columns, rotation=45, ha="right", fontsize=7)
    right.set_yticks(range(len(grid.index)), grid.index, fontsize=7)
    right.set_title("cluster profiles (z-score of the mean)")
    fig.colorbar(image, ax=right)
    return _save(fig, path)


def churn_evaluation(y: np.ndarray, model: np.ndarray, baseline: np.ndarray, path: Path, title: str) -> Path:
    """ROC and precision-recall curves of model and baseline, and the model's calibration."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    if len(y) and 0 < y.sum() < len(y):
        for name, score in (("model", model), ("usage-drop rule", baseline)):
            fpr, tpr, _ = roc_curve(y, score)
            axes[0].plot(fpr, tpr, label=name)
            prec, rec, _ = precision_recall_curve(y, score)
            axes[1].plot(rec, prec, label=name)
        frac, mean = calibration_curve(y, model, n_bins=8, strategy="quantile")
        axes[2].plot(mean, frac, marker="o", label="model")
    axes[0].plot([0, 1], [0, 1], color="grey", linestyle=":")
    axes[2].plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    axes[0].set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    axes[1].set(xlabel="recall", ylabel="precision", title="precision-recall")
    axes[2].set(xlabel="predicted probability", ylabel="observed churn rate", title="calibration")
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    if not (len(y) and 0 < y.sum() < len(y)):
        axes[1].text(0.5, 0.5, "no labelled test month yet", ha="center", va="center")
    fig.suptitle(title)
    return _save(fig, path)


def fraud_scatter(features: pd.DataFrame, scores: pd.DataFrame, path: Path) -> Path:
    """Calls a day vs incoming ratio, outliers and SIM-box lines marked."""
    d = features.merge(scores[["customer_id", "is_outlier", "is_sim_box_pattern"]], on="customer_id")
    fig, ax = plt.subplots(figsize=(7, 5))
    for mask, label, style in ((~d["is_outlier"] & ~d["is_sim_box_pattern"], "other", dict(s=6, alpha=0.3)),
                               (d["is_outlier"] & ~d["is_sim_box_pattern"], "outlier", dict(s=18, marker="^")),
                               (d["is_sim_box_pattern"], "SIM-box pattern", dict(s=40, marker="x", color="red"))):
        ax.scatter(d.loc[mask, "calls_per_day"].clip(lower=0.01), d.loc[mask, "incoming_ratio"] + 0.001,
                   label=f"{label} ({int(mask.sum())})", **style)
    ax.set(xscale="log" if len(d) else "linear", yscale="log" if len(d) else "linear",
           xlabel="outgoing calls a day", ylabel="incoming / outgoing minutes", title="fraud screening")
    ax.legend(fontsize=8)
    return _save(fig, path)


def histogram(values: pd.Series, path: Path, title: str, xlabel: str, bins: int = 30) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(values.dropna(), bins=bins)
    ax.set(title=title, xlabel=xlabel, ylabel="count")
    return _save(fig, path)


def drift_lines(drift: pd.DataFrame, monthly: pd.DataFrame, path: Path, top: int = 20) -> Path:
    """Competitor share month by month for the fastest drifters, against everyone's median."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    m = monthly[monthly["person_calls"] > 0].assign(share=lambda x: x["competitor_calls"] / x["person_calls"])
    median = m.groupby("month")["share"].median()
    for cid in drift.loc[drift["drift_kind"] == "own", "customer_id"].head(top):
        s = m[m["customer_id"] == cid].set_index("month")["share"]
        ax.plot(s.index, s.values, color="tab:orange", alpha=0.5)
    ax.plot(median.index, median.values, color="black", linewidth=2, label="median customer")
    ax.set(title=f"competitor share of calls: top {top} drifters", ylabel="share of calls to people")
    ax.legend()
    return _save(fig, path)
