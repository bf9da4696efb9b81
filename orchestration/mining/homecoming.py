"""Competitor homecoming (客户回家): customers drifting to a competitor, seen as a rising share of
their calls going to competitor numbers month over month, flagged with the evidence.

Per customer and month the competitor share is competitor calls / calls to people (service
numbers excluded). A customer drifts when, over at least ``min_months`` months,

- the least-squares slope of the share is at least ``min_slope`` a month,
- the latest month's share is above the first month's by at least ``min_rise``, and the rise is
  not noise: a two-proportion z-score of at least ``min_z`` (a share from 40 calls wobbles by
  several points on its own),
- and there were at least ``min_competitor_calls`` competitor calls in the latest month.

Part of a rise can be the customer's contacts leaving: calls to a friend who moved to a
competitor now go to a competitor number. Given each customer's share of first-month calls that
went to customers who have since left (``departed_call_share``), a drift is ``own`` when the rise
beyond that share still reaches ``min_rise``, else ``contacts_left`` (the circle is leaving —
a risk in its own right, but a different conversation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

INPUT_COLUMNS = ("customer_id", "month", "competitor_calls", "person_calls")


@dataclass(frozen=True)
class DriftRule:
    min_months: int = 3
    min_slope: float = 0.04
    min_rise: float = 0.10
    min_z: float = 2.5
    min_competitor_calls: int = 5


def competitor_drift(monthly_calls: pd.DataFrame, rule: DriftRule | None = None,
                     customers: pd.Series | None = None, departed: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer with enough months: shares, slope, rise z-score, is_drifting, evidence.

    ``monthly_calls`` needs ``INPUT_COLUMNS`` (``competitor_callees``, distinct competitor numbers,
    is used in the evidence when present); ``customers`` limits who is assessed (e.g. active ones);
    ``departed``: optional customer_id, departed_call_share."""
    rule = rule or DriftRule()
    missing = [c for c in INPUT_COLUMNS if c not in monthly_calls.columns]
    if missing:
        raise ValueError(f"call table lacks columns {missing}")
    m = monthly_calls.copy()
    if customers is not None:
        m = m[m["customer_id"].isin(set(customers))]
    m = m[m["person_calls"] > 0].sort_values(["customer_id", "month"], ignore_index=True)
    all_months = sorted(m["month"].unique())
    index = {mo: k for k, mo in enumerate(all_months)}
    m["t"] = m["month"].map(index).astype(float)
    m["share"] = m["competitor_calls"] / m["person_calls"]
    g = m.groupby("customer_id", sort=False)
    n = g["t"].transform("size")
    t_mean, s_mean = g["t"].transform("mean"), g["share"].transform("mean")
    m["dt"], m["ds"] = m["t"] - t_mean, m["share"] - s_mean
    agg = g.agg(months=("t", "size"), first_month=("month", "first"), last_month=("month", "last"),
                first_share=("share", "first"), last_share=("share", "last"),
                first_calls=("person_calls", "first"), last_calls=("person_calls", "last"),
                first_comp=("competitor_calls", "first"), last_comp=("competitor_calls", "last"))
    cov = (m["dt"] * m["ds"]).groupby(m["customer_id"], sort=False).sum()
    var = (m["dt"] ** 2).groupby(m["customer_id"], sort=False).sum()
    agg["slope_per_month"] = (cov / var.where(var > 0)).reindex(agg.index)
    pooled = (agg["first_comp"] + agg["last_comp"]) / (agg["first_calls"] + agg["last_calls"])
    se = np.sqrt(pooled * (1 - pooled) * (1 / agg["first_calls"] + 1 / agg["last_calls"]))
    agg["rise_z"] = ((agg["last_share"] - agg["first_share"]) / se.where(se > 0)).fillna(0.0)
    agg = agg[agg["months"] >= rule.min_months]
    agg["is_drifting"] = ((agg["slope_per_month"] >= rule.min_slope)
                          & (agg["last_share"] - agg["first_share"] >= rule.min_rise)
                          & (agg["rise_z"] >= rule.min_z) & (agg["last_comp"] >= rule.min_competitor_calls))
    share_left = (departed.set_index("customer_id")["departed_call_share"].reindex(agg.index).fillna(0.0)
                  if departed is not None else pd.Series(0.0, index=agg.index))
    agg["departed_call_share"] = share_left
    own = agg["last_share"] - agg["first_share"] - share_left >= rule.min_rise
    agg["drift_kind"] = np.where(agg["is_drifting"], np.where(own, "own", "contacts_left"), None)
    agg["evidence"] = _evidence(m, agg, share_left)
    out = agg.reset_index().rename(columns={"last_comp": "competitor_calls_last_month",
                                            "last_calls": "person_calls_last_month", "months": "months_observed",
                                            "first_share": "competitor_share_first_month",
                                            "last_share": "competitor_share_last_month"})
    out["drift_rank"] = out["slope_per_month"].where(out["is_drifting"]).rank(ascending=False, method="first")
    cols = ["customer_id", "months_observed", "first_month", "last_month", "competitor_share_first_month",
            "competitor_share_last_month", "slope_per_month",
            "rise_z", "competitor_calls_last_month", "person_calls_last_month", "departed_call_share", "is_drifting",
            "drift_kind", "drift_rank", "evidence"]
    return out[cols].sort_values(["is_drifting", "slope_per_month"], ascending=[False, False], ignore_index=True)


def _percent(values: np.ndarray) -> np.ndarray:
    """``f"{v:.0%}"`` for every element, as Python strings. Python's ``%`` format is ``.0f`` of the
    value × 100: the exact double rounded half to even, which is ``np.rint``; negative, huge or
    non-finite values go through the string formatting itself."""
    x = np.asarray(values, dtype=float) * 100
    plain = np.isfinite(x) & ~np.signbit(x) & (x < 1e15)
    out = np.empty(len(x), dtype=object)
    out[plain] = np.rint(x[plain]).astype(np.int64).astype(str).astype(object)
    out[~plain] = np.char.mod("%.0f", x[~plain]).astype(object)
    return out + "%"


def _evidence(m: pd.DataFrame, agg: pd.DataFrame, share_left: pd.Series) -> pd.Series:
    """The sentence per customer of ``agg`` (indexed by customer_id), built column-wise: the monthly
    shares joined with arrows, the months, the last month's competitor calls and numbers, and the
    share of calls to contacts who have left. ``m`` is sorted by customer and month."""
    if agg.empty:
        return pd.Series([], index=agg.index, dtype="str")
    ids = m["customer_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    pieces = _percent(m["share"].to_numpy())
    later = np.ones(len(m), dtype=bool)
    later[starts] = False
    pieces[later] = " → " + pieces[later]
    trail = pd.Series(np.add.reduceat(pieces, starts), index=ids[starts], dtype=object).reindex(agg.index)
    trail = trail.to_numpy(dtype=object)
    if "competitor_callees" in m.columns:
        last_row = np.r_[starts[1:], len(m)] - 1
        numbers = pd.Series(m["competitor_callees"].to_numpy()[last_row], index=ids[starts]).reindex(agg.index)
        numbers = numbers.to_numpy().astype(np.int64).astype(str).astype(object)
    else:
        numbers = np.full(len(agg), "?", dtype=object)

    def month_text(col: str) -> np.ndarray:
        return pd.to_datetime(agg[col]).dt.strftime("%Y-%m").to_numpy(dtype=object)

    last = month_text("last_month")
    left = share_left.to_numpy(dtype=float)
    departed = np.full(len(agg), "", dtype=object)
    some = left > 0
    departed[some] = "; " + _percent(left[some]) + " of their calls went to customers who have since left"
    evidence = ("competitor share of calls " + trail + " (" + month_text("first_month") + " to " + last + "); "
                + agg["last_comp"].to_numpy().astype(np.int64).astype(str).astype(object) + " calls to " + numbers
                + " competitor numbers in " + last + departed)
    return pd.Series(evidence, index=agg.index, dtype="str")
