"""Fraud and outlier detection: an unsupervised outlier score plus rules for known patterns.

- Outlier score: scikit-learn's IsolationForest (fixed seed) on log1p-scaled per-customer
  behaviour; ``anomaly_score`` is the forest's score flipped so higher is stranger, and the top
  ``outlier_share`` of customers are ``is_outlier``. It finds lines unlike the rest, whatever the
  reason — a lead for a person to look at, not a verdict.
- Known pattern, SIM box (a gateway reselling calls through SIM cards): many short outgoing calls
  a day, to numbers that are almost never called twice, almost no incoming minutes, next to no
  data, and one stationary cell. Each condition is a threshold in :class:`SimBoxRule`; a customer
  is flagged when all hold, with the values as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

FEATURES = ("calls_per_day", "mean_call_seconds", "distinct_callee_ratio", "incoming_ratio", "data_mb_per_day",
            "sms_per_day", "distinct_cells")


def fraud_features(monthly_usage: pd.DataFrame, monthly_calls: pd.DataFrame,
                   cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-customer behaviour over the window from monthly usage and calls (and, when available,
    the number of distinct cells seen)."""
    u = monthly_usage.groupby("customer_id")[["active_days", "voice_out_minutes", "voice_in_minutes", "data_mb",
                                               "sms_out_count"]].sum()
    c = monthly_calls.groupby("customer_id")[["calls_out", "call_minutes_out", "distinct_callees"]].sum()
    f = u.join(c, how="outer").fillna(0.0)
    days = f["active_days"].clip(lower=1)
    out = pd.DataFrame(index=f.index)
    out["calls_per_day"] = f["calls_out"] / days
    out["mean_call_seconds"] = np.where(f["calls_out"] > 0, f["call_minutes_out"] * 60 / f["calls_out"].clip(lower=1),
                                        np.nan)
    out["distinct_callee_ratio"] = np.where(f["calls_out"] > 0, f["distinct_callees"] / f["calls_out"].clip(lower=1),
                                            np.nan)
    out["incoming_ratio"] = f["voice_in_minutes"] / f["voice_out_minutes"].clip(lower=1)
    out["data_mb_per_day"] = f["data_mb"] / days
    out["sms_per_day"] = f["sms_out_count"] / days
    out = out.reset_index()
    if cells is not None:
        out = out.merge(cells[["customer_id", "distinct_cells"]], on="customer_id", how="left")
        out["distinct_cells"] = out["distinct_cells"].astype(float)
    return out


@dataclass(frozen=True)
class SimBoxRule:
    """Thresholds of the SIM-box pattern (every one must hold)."""

    min_calls_per_day: float = 40.0
    max_mean_call_seconds: float = 90.0
    min_distinct_callee_ratio: float = 0.7
    max_incoming_ratio: float = 0.1
    max_data_mb_per_day: float = 5.0
    max_distinct_cells: float = 2.0

    def checks(self, f: pd.DataFrame) -> dict[str, tuple[pd.Series, str, str]]:
        """Condition name → (holds per row, column, reason template); no text is formatted here."""
        conds = {
            "many_calls": (f["calls_per_day"] >= self.min_calls_per_day, "calls_per_day",
                           "{:.0f} outgoing calls a day"),
            "short_calls": (f["mean_call_seconds"] <= self.max_mean_call_seconds, "mean_call_seconds",
                            "calls last {:.0f} s on average"),
            "new_numbers": (f["distinct_callee_ratio"] >= self.min_distinct_callee_ratio, "distinct_callee_ratio",
                            "{:.0%} of calls to a number not called before that month"),
            "no_incoming": (f["incoming_ratio"] <= self.max_incoming_ratio, "incoming_ratio",
                            "incoming minutes {:.1%} of outgoing"),
            "no_data": (f["data_mb_per_day"] <= self.max_data_mb_per_day, "data_mb_per_day",
                        "{:.1f} MB data a day"),
        }
        if "distinct_cells" in f.columns and f["distinct_cells"].notna().any():
            conds["stationary"] = (f["distinct_cells"] <= self.max_distinct_cells, "distinct_cells",
                                   "seen in {:.0f} cell(s)")
        return {k: (v.fillna(False).astype(bool), col, t) for k, (v, col, t) in conds.items()}

    def conditions(self, f: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
        """Condition name → (holds per row, reason text per row)."""
        return {k: (holds, _texts(f[col], col, template)) for k, (holds, col, template) in self.checks(f).items()}


def _texts(values: pd.Series, col: str, template: str) -> pd.Series:
    return values.map(lambda v: template.format(v) if pd.notna(v) else f"{col} unknown")


def score_fraud(features: pd.DataFrame, id_col: str = "customer_id", rule: SimBoxRule | None = None,
                outlier_share: float = 0.01, seed: int = 0) -> pd.DataFrame:
    """Outlier score (all numeric columns) and SIM-box rule per row of ``features``.

    Columns: id, anomaly_score (higher = stranger), anomaly_rank, is_outlier, sim_box_conditions_met,
    sim_box_conditions_total, is_sim_box_pattern, is_fraud_suspect (the rule, or an outlier meeting
    all but one condition), reason."""
    if id_col not in features.columns:
        raise ValueError(f"id column {id_col!r} not in the table")
    if not 0 < outlier_share < 0.5:
        raise ValueError(f"outlier_share must be between 0 and 0.5 (got {outlier_share})")
    if features.empty:  # nothing to score: the table with no rows
        return pd.DataFrame({id_col: pd.Series(dtype=features[id_col].dtype), "anomaly_score": pd.Series(dtype=float),
                             "anomaly_rank": pd.Series(dtype="int64"), "is_outlier": pd.Series(dtype=bool),
                             "sim_box_conditions_met": pd.Series(dtype="int64"),
                             "sim_box_conditions_total": pd.Series(dtype="int64"),
                             "is_sim_box_pattern": pd.Series(dtype=bool), "is_fraud_suspect": pd.Series(dtype=bool),
                             "reason": pd.Series(dtype=object)})
    numeric = [c for c in features.columns if c != id_col and pd.api.types.is_numeric_dtype(features[c])]
    if not numeric:
        raise ValueError("no numeric columns to score")
    X = features[numeric].astype(float)
    X = np.log1p(X.clip(lower=0)).fillna(X.median()).fillna(0.0)
    forest = IsolationForest(n_estimators=300, random_state=seed, contamination="auto").fit(X)
    score = -forest.score_samples(X)
    out = pd.DataFrame({id_col: features[id_col].to_numpy(), "anomaly_score": np.round(score, 6)})
    out["anomaly_rank"] = out["anomaly_score"].rank(ascending=False, method="first").astype(int)
    out["is_outlier"] = out["anomaly_rank"] <= max(1, int(round(outlier_share * len(out))))
    rule = rule or SimBoxRule()
    if all(c in features.columns for c in FEATURES[:5]):
        f = features.reset_index(drop=True)
        checks = rule.checks(f)
        met = sum(v.astype(int) for v, _, _ in checks.values())
        out["sim_box_conditions_met"] = met.to_numpy()
        out["sim_box_conditions_total"] = len(checks)
        out["is_sim_box_pattern"] = (met == len(checks)).to_numpy()
        near = out["is_outlier"] & (out["sim_box_conditions_met"] >= len(checks) - 1)
        out["is_fraud_suspect"] = out["is_sim_box_pattern"] | near
        out["reason"] = _reasons(f, checks, out["is_sim_box_pattern"].to_numpy(), out["is_outlier"].to_numpy())
    else:
        out["sim_box_conditions_met"] = 0
        out["sim_box_conditions_total"] = 0
        out["is_sim_box_pattern"] = False
        out["is_fraud_suspect"] = out["is_outlier"]
        out["reason"] = np.where(out["is_outlier"], "outlier (SIM-box columns not in the input)", None)
    return out.sort_values("anomaly_rank", ignore_index=True)


def _reasons(f: pd.DataFrame, checks: dict[str, tuple[pd.Series, str, str]], sim_box: np.ndarray,
             outlier: np.ndarray) -> list[str | None]:
    """Reason per row: the conditions met, in order, for SIM-box patterns and outliers (text is
    formatted for those rows only); None for the rest."""
    flagged = np.flatnonzero(sim_box | outlier)
    met = np.full(len(flagged), "", dtype=object)
    for holds, col, template in checks.values():
        h = holds.to_numpy()[flagged]
        text = _texts(f[col].iloc[flagged[h]], col, template).to_numpy(dtype=object)
        met[h] = np.where(met[h] == "", text, met[h] + "; " + text)
    reasons = np.full(len(f), None, dtype=object)
    reasons[flagged] = np.where(sim_box[flagged], "SIM-box pattern: " + met,
                                "outlier: " + np.where(met == "", "unlike most lines, no known pattern", met))
    return reasons.tolist()


def precision_recall(flagged: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Precision and recall of boolean ``flagged`` against boolean ``truth`` (aligned)."""
    flagged, truth = flagged.astype(bool).to_numpy(), truth.astype(bool).to_numpy()
    tp = int((flagged & truth).sum())
    return {"flagged": int(flagged.sum()), "true_positives": tp, "planted": int(truth.sum()),
            "precision": tp / flagged.sum() if flagged.sum() else float("nan"),
            "recall": tp / truth.sum() if truth.sum() else float("nan")}
