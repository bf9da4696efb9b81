"""Evaluation: the action group's response rate against the control group's, per campaign, and
per campaign × channel and campaign × segment, with the uplift (difference of rates), the lift
(ratio) and a 95 % confidence interval of the uplift, plus a chart.

The interval is Newcombe's hybrid score interval (Wilson intervals of each rate, combined): control
groups are small and often have no acceptance at all, where the textbook Wald interval collapses
to a width of zero on the control side and misses the true uplift far more often than 5 %.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
EVAL_COLUMNS = ["campaign_id", "level", "level_value", "action_count", "action_accepted", "control_count",
                "control_accepted", "action_rate", "control_rate", "uplift", "uplift_ci_low", "uplift_ci_high",
                "lift", "is_significant"]


def wilson(successes: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (NaN where n is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def uplift_table(offers: pd.DataFrame, by: list[str] | None = None, z: float = Z95) -> pd.DataFrame:
    """``offers``: one row per target with ``campaign_id``, ``is_control_group``, ``is_accepted``
    (and the ``by`` columns). Returns one row per campaign (and ``by`` value); ``z`` sets the
    confidence level of the uplift interval (default 95 %)."""
    keys = ["campaign_id", *(by or [])]
    g = offers.assign(_ctl=offers["is_control_group"].astype(bool), _acc=offers["is_accepted"].astype(bool))
    agg = g.groupby([*keys, "_ctl"])["_acc"].agg(["size", "sum"]).unstack("_ctl", fill_value=0)
    out = pd.DataFrame(index=agg.index)
    out["action_count"] = agg.get(("size", False), 0)
    out["action_accepted"] = agg.get(("sum", False), 0)
    out["control_count"] = agg.get(("size", True), 0)
    out["control_accepted"] = agg.get(("sum", True), 0)
    out = out.fillna(0).astype("int64").reset_index()
    na, nc = out["action_count"].astype(float), out["control_count"].astype(float)
    pa_ = np.where(na > 0, out["action_accepted"] / na.replace(0, np.nan), np.nan)
    pc = np.where(nc > 0, out["control_accepted"] / nc.replace(0, np.nan), np.nan)
    la, ua = wilson(out["action_accepted"].to_numpy(float), na.to_numpy(), z)
    lc, uc = wilson(out["control_accepted"].to_numpy(float), nc.to_numpy(), z)
    out["action_rate"] = pa_
    out["control_rate"] = pc
    out["uplift"] = pa_ - pc
    out["uplift_ci_low"] = out["uplift"] - np.sqrt((pa_ - la) ** 2 + (uc - pc) ** 2)
    out["uplift_ci_high"] = out["uplift"] + np.sqrt((ua - pa_) ** 2 + (pc - lc) ** 2)
    out["lift"] = np.where(pc > 0, pa_ / np.where(pc > 0, pc, 1), np.nan)
    out["is_significant"] = (out["uplift_ci_low"] > 0).fillna(False)
    if by:
        out["level"] = "+".join(by)
        out["level_value"] = out[by].astype(str).agg("|".join, axis=1)
    else:
        out["level"] = "campaign"
        out["level_value"] = "all"
    return out[EVAL_COLUMNS]


def evaluate(offers: pd.DataFrame, segment_column: str = "member_tier") -> pd.DataFrame:
    """Per campaign, per campaign × channel (the action group's channel; the control group has
    no channel of its own, so every channel row compares with the campaign's whole control group)
    and per campaign × segment."""
    overall = uplift_table(offers)
    parts = [overall]
    if "channel_code" in offers:
        action = offers[~offers["is_control_group"].astype(bool)]
        control = offers[offers["is_control_group"].astype(bool)]
        rows = []
        for channel in sorted(action["channel_code"].dropna().unique()):
            sub = pd.concat([action[action["channel_code"] == channel], control])
            part = uplift_table(sub)
            part["level"], part["level_value"] = "channel", channel
            rows.append(part[part["action_count"] > 0])
        parts.extend(rows)
    if segment_column in offers:
        parts.append(uplift_table(offers.assign(segment=offers[segment_column].astype(str)), ["segment"]))
    return pd.concat(parts, ignore_index=True).sort_values(["campaign_id", "level", "level_value"],
                                                           kind="stable").reset_index(drop=True)


def lift_chart_png(evaluation: pd.DataFrame) -> bytes:
    """Action vs control response rate per campaign, with the uplift's 95 % CI as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = evaluation[evaluation["level"] == "campaign"].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(data)), 4), dpi=100)
    x = np.arange(len(data))
    ax.bar(x - 0.2, data["action_rate"], 0.4, label="action")
    ax.bar(x + 0.2, data["control_rate"], 0.4, label="control")
    err = np.vstack([data["uplift"] - data["uplift_ci_low"], data["uplift_ci_high"] - data["uplift"]])
    ax.errorbar(x - 0.2, data["action_rate"], yerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3,
                label="95 % CI of uplift")
    for xi, lift in zip(x, data["lift"]):
        if np.isfinite(lift):
            ax.annotate(f"×{lift:.1f}", (xi, 0), textcoords="offset points", xytext=(0, -24), ha="center",
                        fontsize=8)
    ax.set_xticks(x, data["campaign_id"], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("response (acceptance) rate")
    ax.set_title("Campaign lift: action vs control")
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
