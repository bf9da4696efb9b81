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


def best_fit(usage: pd.DataFrame, plans: pd.DataFrame, config: TariffConfig | None = None) -> pd.DataFrame:
    """One row per customer: current plan (their plan in their latest month), months re-rated, cost
    on the current plan, the best plan and its cost, saving, advice and the sentence to say.

    ``usage``: one row per customer and whole month with ``USAGE_COLUMNS``; ``plans``: the plan
    catalogue with ``PLAN_COLUMNS``."""
    config = config or TariffConfig()
    missing = [c for c in USAGE_COLUMNS if c not in usage.columns]
    if missing:
        raise ValueError(f"usage table lacks columns {missing}")
    p = usable_plans(plans, config)
    u = usage.sort_values(["customer_id", "month"], ignore_index=True)
    cost = rate(u, p, config.data_overage_cap_yuan)
    plan_ids = p["product_id"].tolist()
    ids = u["customer_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    totals = np.add.reduceat(cost, starts, axis=0)  # customers × plans
    months = np.diff(np.r_[starts, len(u)])
    current = u.groupby("customer_id", sort=False)["plan_id"].last().to_numpy()
    col = {pid: j for j, pid in enumerate(plan_ids)}
    cur_j = np.array([col.get(c, -1) for c in current])
    overage_every_month = _overage_every_month(u, p, starts)
    rows = []
    fee = p["monthly_fee_yuan"].to_numpy(float)
    for i, start in enumerate(starts):
        cid, n_m = ids[start], int(months[i])
        best_j = int(np.lexsort((fee, totals[i]))[0])  # cheapest; ties to the lower fee
        if cur_j[i] < 0:
            rows.append((cid, current[i], n_m, None, plan_ids[best_j], totals[i, best_j], None, "unknown_plan",
                         f"current plan {current[i]} is not in the plan catalogue"))
            continue
        cur_cost = totals[i, cur_j[i]]
        saving = cur_cost - totals[i, best_j]
        advice, text, target = "keep", f"your {current[i]} is the best fit for your usage", cur_j[i]
        if saving >= config.min_saving_yuan_per_month * n_m and saving >= config.min_saving_share * cur_cost:
            advice, target = "save", best_j
            text = (f"{plan_ids[best_j]} would have cost {saving:.2f} yuan less than your {current[i]} over "
                    f"{n_m} month{'s' if n_m > 1 else ''}")
        elif overage_every_month[i, cur_j[i]]:
            fits = np.flatnonzero((fee > fee[cur_j[i]]) & ~_any_overage(u, p, start, n_m))
            fits = [j for j in fits if totals[i, j] - cur_cost <= config.fit_tolerance_yuan_per_month * n_m]
            if fits:
                j = min(fits, key=lambda k: (totals[i, k], fee[k]))
                extra = totals[i, j] - cur_cost
                advice, target = "fits_better", j
                text = (f"you paid overage on your {current[i]} every month; {plan_ids[j]} covers your usage for "
                        f"{abs(extra):.2f} yuan {'more' if extra > 0 else 'less'} over {n_m} "
                        f"month{'s' if n_m > 1 else ''}")
        rows.append((cid, current[i], n_m, round(float(cur_cost), 2), plan_ids[target],
                     round(float(totals[i, target]), 2), round(float(cur_cost - totals[i, target]), 2), advice, text))
    out = pd.DataFrame(rows, columns=["customer_id", "current_plan_id", "months_rated", "current_plan_cost_yuan",
                                      "recommended_plan_id", "recommended_plan_cost_yuan", "saving_yuan", "advice",
                                      "recommendation_text"])
    out["saving_yuan_per_month"] = (out["saving_yuan"] / out["months_rated"]).round(2)
    return out


def _over_mask(u: pd.DataFrame, p: pd.DataFrame) -> np.ndarray:
    """Rows × plans: the month's usage exceeds some allowance of the plan."""
    mask = np.zeros((len(u), len(p)), dtype=bool)
    for used, allowance in (("voice_out_minutes", "included_voice_minutes"), ("sms_out_count", "included_sms_count"),
                            ("data_mb", "included_data_mb")):
        mask |= u[used].to_numpy(float)[:, None] > p[allowance].to_numpy(float)[None, :]
    return mask


def _overage_every_month(u: pd.DataFrame, p: pd.DataFrame, starts: np.ndarray) -> np.ndarray:
    over = _over_mask(u, p).astype(int)
    counts = np.add.reduceat(over, starts, axis=0)
    months = np.diff(np.r_[starts, len(u)])
    return counts == months[:, None]


def _any_overage(u: pd.DataFrame, p: pd.DataFrame, start: int, n_months: int) -> np.ndarray:
    return _over_mask(u.iloc[start:start + n_months], p).any(axis=0)


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
    cost = rate(u, p, config.data_overage_cap_yuan)
    j = u["plan_id"].map({pid: k for k, pid in enumerate(p["product_id"])}).to_numpy()
    out = u[["customer_id", "month", "plan_id"]].assign(rerated_yuan=cost[np.arange(len(u)), j])
    out = out.merge(bills[["customer_id", "month", "fee_yuan", "overage_yuan"]], on=["customer_id", "month"])
    out["billed_yuan"] = out["fee_yuan"] + out["overage_yuan"]
    out["difference_yuan"] = out["rerated_yuan"] - out["billed_yuan"]
    return out
