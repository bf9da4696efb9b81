"""Best-fit tariff (资费精算): re-rate each customer's real monthly usage under every tariff plan
and recommend a plan where it would have saved money, or fits their usage better, with the amounts.

A plan's cost for a month = monthly fee + overage: outgoing voice minutes beyond the allowance ×
the voice price, SMS beyond the allowance × the SMS price, data beyond the allowance × the data
price (capped at ``data_overage_cap_yuan`` a month when the operator caps data charges, 流量封顶).
Only whole months (active every day) are re-rated, since part months are prorated on the bill.
Two kinds of advice:

- **saves money**: the cheapest plan over the months would have cost at least
  ``min_saving_yuan_per_month`` and ``min_saving_share`` less than the current plan;
- **fits better**: the customer paid overage every month, and a bigger plan that would have
  covered their usage costs at most ``fit_tolerance_yuan_per_month`` more a month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PLAN_COLUMNS = ("product_id", "monthly_fee_yuan", "included_voice_minutes", "included_sms_count", "included_data_mb",
                "overage_voice_yuan_per_minute", "overage_sms_yuan_per_message", "overage_data_yuan_per_mb")
USAGE_COLUMNS = ("customer_id", "month", "plan_id", "voice_out_minutes", "sms_out_count", "data_mb")
OUTPUT_COLUMNS = ("customer_id", "current_plan_id", "months_rated", "current_plan_cost_yuan", "recommended_plan_id",
                  "recommended_plan_cost_yuan", "saving_yuan", "advice", "recommendation_text", "saving_yuan_per_month")
CHUNK_ROWS = 250_000  # usage rows re-rated at a time: bounds the rows × plans arrays


@dataclass(frozen=True)
class TariffConfig:
    data_overage_cap_yuan: float | None = 150.0
    min_saving_yuan_per_month: float = 5.0
    min_saving_share: float = 0.05
    fit_tolerance_yuan_per_month: float = 5.0
    exclude_plans: tuple[str, ...] = ("PLAN_LEGACY",)  # withdrawn: no longer sold


def usable_plans(plans: pd.DataFrame, config: TariffConfig) -> pd.DataFrame:
    missing = [c for c in PLAN_COLUMNS if c not in plans.columns]
    if missing:
        raise ValueError(f"plan table lacks columns {missing}")
    p = plans[list(PLAN_COLUMNS)].dropna()
    p = p[~p["product_id"].isin(config.exclude_plans)]
    if p.empty:
        raise ValueError("no tariff plan with a fee, allowances and overage prices to re-rate with")
    return p.sort_values(["monthly_fee_yuan", "product_id"], ignore_index=True)


def rate(usage: pd.DataFrame, plans: pd.DataFrame, cap: float | None) -> np.ndarray:
    """Cost of every usage row (month) under every plan: array rows × plans, in yuan."""
    def over(used: str, allowance: str, price: str) -> np.ndarray:
        excess = np.maximum(usage[used].to_numpy(float)[:, None] - plans[allowance].to_numpy(float)[None, :], 0)
        return excess * plans[price].to_numpy(float)[None, :]

    data = over("data_mb", "included_data_mb", "overage_data_yuan_per_mb")
    if cap is not None:
        data = np.minimum(data, cap)
    return (plans["monthly_fee_yuan"].to_numpy(float)[None, :]
            + over("voice_out_minutes", "included_voice_minutes", "overage_voice_yuan_per_minute")
            + over("sms_out_count", "included_sms_count", "overage_sms_yuan_per_message") + data)


def rate_held(usage: pd.DataFrame, held: pd.DataFrame, cap: float | None) -> np.ndarray:
    """Cost of every usage row under its own plan (``held``: the plan's row for each usage row,
    aligned by position): :func:`rate`'s arithmetic, one plan a row instead of every plan."""
    def over(used: str, allowance: str, price: str) -> np.ndarray:
        excess = np.maximum(usage[used].to_numpy(float) - held[allowance].to_numpy(float), 0)
        return excess * held[price].to_numpy(float)

    data = over("data_mb", "included_data_mb", "overage_data_yuan_per_mb")
    if cap is not None:
        data = np.minimum(data, cap)
    return (held["monthly_fee_yuan"].to_numpy(float)
            + over("voice_out_minutes", "included_voice_minutes", "overage_voice_yuan_per_minute")
            + over("sms_out_count", "included_sms_count", "overage_sms_yuan_per_message") + data)


def _round2(x: np.ndarray) -> np.ndarray:
    """Python's ``round(v, 2)`` (correctly rounded, half to even) for every element: numpy's
    rounding except where the value sits on a half cent, which goes through Python's."""
    x = np.asarray(x, dtype=float)
    out = np.round(x, 2)
    frac = np.abs(x * 100) % 1
    tie = np.flatnonzero(np.abs(frac - 0.5) < 1e-6)
    out[tie] = [round(float(v), 2) for v in x[tie]]
    return out


def _money(x: np.ndarray) -> pd.Series:
    return pd.Series(np.char.mod("%.2f", np.asarray(x, dtype=float)), dtype=object)


def empty_advice() -> pd.DataFrame:
    """The :func:`best_fit` table with no rows (no whole month of usage to re-rate)."""
    dtypes = {"months_rated": "int64", "current_plan_cost_yuan": float, "recommended_plan_cost_yuan": float,
              "saving_yuan": float, "saving_yuan_per_month": float}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in OUTPUT_COLUMNS})


def _per_customer(u: pd.DataFrame, p: pd.DataFrame, starts: np.ndarray, cap: float | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer × plan: total cost over the months, overage in every month, overage in any
    month; computed over blocks of whole customers so the rows × plans arrays stay small."""
    ends = np.r_[starts[1:], len(u)]
    totals = np.empty((len(starts), len(p)))
    every = np.empty((len(starts), len(p)), dtype=bool)
    anyo = np.empty((len(starts), len(p)), dtype=bool)
    c0 = 0
    while c0 < len(starts):
        # the customers whose rows fit in the block (at least one)
        c1 = max(c0 + 1, int(np.searchsorted(ends, starts[c0] + CHUNK_ROWS, side="right")))
        r0, r1 = starts[c0], ends[c1 - 1]
        block = u.iloc[r0:r1]
        local = starts[c0:c1] - r0
        totals[c0:c1] = np.add.reduceat(rate(block, p, cap), local, axis=0)
        over = np.add.reduceat(_over_mask(block, p).astype(np.int64), local, axis=0)
        every[c0:c1] = over == (ends[c0:c1] - starts[c0:c1])[:, None]
        anyo[c0:c1] = over > 0
        c0 = c1
    return totals, every, anyo


def _over_mask(u: pd.DataFrame, p: pd.DataFrame) -> np.ndarray:
    """Rows × plans: the month's usage exceeds some allowance of the plan."""
    mask = np.zeros((len(u), len(p)), dtype=bool)
    for used, allowance in (("voice_out_minutes", "included_voice_minutes"), ("sms_out_count", "included_sms_count"),
                            ("data_mb", "included_data_mb")):
        mask |= u[used].to_numpy(float)[:, None] > p[allowance].to_numpy(float)[None, :]
    return mask


def best_fit(usage: pd.DataFrame, plans: pd.DataFrame, config: TariffConfig | None = None) -> pd.DataFrame:
    """One row per customer: current plan (their plan in their latest month), months re-rated, cost
    on the current plan, the best plan and its cost, saving, advice and the sentence to say.

    ``usage``: one row per customer and whole month with ``USAGE_COLUMNS``; ``plans``: the plan
    catalogue with ``PLAN_COLUMNS``. No usage rows: an empty table with the same columns."""
    config = config or TariffConfig()
    missing = [c for c in USAGE_COLUMNS if c not in usage.columns]
    if missing:
        raise ValueError(f"usage table lacks columns {missing}")
    p = usable_plans(plans, config)
    if usage.empty:
        return empty_advice()
    u = usage.sort_values(["customer_id", "month"], ignore_index=True)
    plan_ids = p["product_id"].to_numpy(dtype=object)
    fee = p["monthly_fee_yuan"].to_numpy(float)
    ids = u["customer_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    totals, overage_every_month, any_overage = _per_customer(u, p, starts, config.data_overage_cap_yuan)
    n_m = np.diff(np.r_[starts, len(u)])
    rows = np.arange(len(starts))
    current = u.groupby("customer_id", sort=False)["plan_id"].last()
    cur_j = current.map({pid: j for j, pid in enumerate(plan_ids)}).fillna(-1).to_numpy(dtype=np.int64)
    current_text = current.astype(str).to_numpy(dtype=object)
    known = cur_j >= 0
    cj = np.where(known, cur_j, 0)
    # cheapest plan; ties to the lower fee, then to the catalogue order
    best_j = np.lexsort((np.broadcast_to(fee, totals.shape), totals), axis=1)[:, 0]
    best_cost = totals[rows, best_j]
    cur_cost = totals[rows, cj]
    saving = cur_cost - best_cost
    save = known & (saving >= config.min_saving_yuan_per_month * n_m) & (saving >= config.min_saving_share * cur_cost)
    # fits better: a dearer plan with no overage in any month, costing at most the tolerance more
    fits = ((fee[None, :] > fee[cj][:, None]) & ~any_overage
            & (totals - cur_cost[:, None] <= config.fit_tolerance_yuan_per_month * n_m[:, None]))
    fits_better = known & ~save & overage_every_month[rows, cj] & fits.any(axis=1)
    fit_j = np.lexsort((np.broadcast_to(fee, totals.shape), np.where(fits, totals, np.inf)), axis=1)[:, 0]
    target = np.where(save, best_j, np.where(fits_better, fit_j, cj))
    target_cost = totals[rows, target]
    advice = np.where(~known, "unknown_plan", np.where(save, "save", np.where(fits_better, "fits_better", "keep")))
    months_word = pd.Series(np.where(n_m > 1, " months", " month"), dtype=object)
    cur = pd.Series(current_text, dtype=object)
    text = "your " + cur + " is the best fit for your usage"
    text[~known] = "current plan " + cur[~known] + " is not in the plan catalogue"
    text[save] = (pd.Series(plan_ids[best_j[save]], dtype=object) + " would have cost " + _money(saving[save])
                  + " yuan less than your " + cur[save].to_numpy() + " over " + n_m[save].astype(str).astype(object)
                  + months_word[save].to_numpy()).to_numpy()
    extra = target_cost[fits_better] - cur_cost[fits_better]
    text[fits_better] = ("you paid overage on your " + cur[fits_better] + " every month; "
                         + plan_ids[target[fits_better]] + " covers your usage for " + _money(np.abs(extra)).to_numpy()
                         + np.where(extra > 0, " yuan more over ", " yuan less over ").astype(object)
                         + n_m[fits_better].astype(str).astype(object) + months_word[fits_better]).to_numpy()
    out = pd.DataFrame({
        "customer_id": ids[starts], "current_plan_id": current.to_numpy(), "months_rated": n_m.astype(np.int64),
        "current_plan_cost_yuan": np.where(known, _round2(cur_cost), np.nan),
        "recommended_plan_id": plan_ids[np.where(known, target, best_j)],
        # no current plan to compare with: the cheapest plan's cost as re-rated (not rounded)
        "recommended_plan_cost_yuan": np.where(known, _round2(target_cost), best_cost),
        "saving_yuan": np.where(known, _round2(cur_cost - target_cost), np.nan),
        "advice": advice.astype(object), "recommendation_text": text.to_numpy(dtype=object)})
    out["saving_yuan_per_month"] = (out["saving_yuan"] / out["months_rated"]).round(2)
    return out


def whole_months(monthly_usage: pd.DataFrame, states: pd.DataFrame) -> pd.DataFrame:
    """Usage rows of months the customer was active every day, with the plan they were on."""
    full = monthly_usage[monthly_usage["active_days"] >= monthly_usage["days_in_month"]]
    return full.merge(states[["customer_id", "month", "plan_id"]], on=["customer_id", "month"])[list(USAGE_COLUMNS)]


def reconcile_with_bills(usage: pd.DataFrame, plans: pd.DataFrame, bills: pd.DataFrame,
                         config: TariffConfig | None = None) -> pd.DataFrame:
    """Re-rated cost on the plan actually held each month next to the bill's fee + overage
    charges (``bills``: customer_id, month, fee_yuan, overage_yuan): the re-rating is only as good
    as its agreement with the operator's own bills."""
    config = config or TariffConfig()
    p = plans[list(PLAN_COLUMNS)].dropna().reset_index(drop=True)
    u = usage[usage["plan_id"].isin(p["product_id"])].reset_index(drop=True)
    j = u["plan_id"].map({pid: k for k, pid in enumerate(p["product_id"])}).to_numpy(dtype=np.int64)
    cost = rate_held(u, p.iloc[j].reset_index(drop=True), config.data_overage_cap_yuan)
    out = u[["customer_id", "month", "plan_id"]].assign(rerated_yuan=cost)
    out = out.merge(bills[["customer_id", "month", "fee_yuan", "overage_yuan"]], on=["customer_id", "month"])
    out["billed_yuan"] = out["fee_yuan"] + out["overage_yuan"]
    out["difference_yuan"] = out["rerated_yuan"] - out["billed_yuan"]
    return out
