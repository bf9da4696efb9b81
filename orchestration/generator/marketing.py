"""Historical campaigns and their offers: target lists split into action and control groups,
responses driven by each customer's latent propensity and channel preference, and the
planted true uplift of every campaign. Accepted offers become subscriptions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator.calendar import Window
from orchestration.generator.holdings import Holdings
from orchestration.generator.people import Agents
from orchestration.generator.population import Population

US = 1_000_000


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    product: str
    channel: str
    target: str
    action_rate: float  # planted true acceptance rate of the contacted group
    control_rate: float  # planted organic take-up of the held-out group
    control_share: float
    cost_yuan: float


CAMPAIGNS = (
    CampaignSpec("彩铃开通月", "VAS_RBT", "SMS", "35岁以下未开通彩铃的客户", 0.08, 0.010, 0.10, 20000),
    CampaignSpec("音乐俱乐部会员招募", "VAS_MUSIC", "OUTBOUND", "已开通彩铃、未加入音乐俱乐部的客户", 0.15, 0.030, 0.10, 80000),
    CampaignSpec("车主服务推荐", "VAS_CAR", "OUTBOUND", "经常拨打交通广播热线的车主客户", 0.20, 0.020, 0.15, 60000),
    CampaignSpec("手机证券体验月", "VAS_SECURITIES", "SMS", "经常致电证券公司的客户", 0.10, 0.015, 0.10, 15000),
    CampaignSpec("港澳漫游包推荐", "VAS_ROAM_HKMO", "SMS", "近期有港澳漫游的客户", 0.18, 0.040, 0.10, 12000),
    CampaignSpec("388套餐升级", "PLAN_388", "OUTBOUND", "188/288元套餐且用量高的全球通客户", 0.06, 0.010, 0.20, 90000),
    CampaignSpec("体育版手机报", "VAS_NEWS_SPORTS", "APP", "常浏览体育内容的客户", 0.12, 0.020, 0.15, 8000),
    CampaignSpec("流量加油包", "VAS_DATA_ADDON", "APP", "流量使用量大的客户", 0.09, 0.020, 0.10, 10000),
)
_NON_ANSWER = {"SMS": (0.10, 0.15, 0.75), "OUTBOUND": (0.25, 0.45, 0.30), "APP": (0.20, 0.10, 0.70)}


def _targets(spec: CampaignSpec, pop: Population, rng: np.random.Generator) -> np.ndarray:
    """Who the marketer's rule picks: mostly the intended group, a little noise."""
    f, n = pop.flags, pop.n
    intended = {
        "VAS_RBT": pop.age < 35,
        "VAS_MUSIC": np.zeros(n, dtype=bool),  # filled from holdings by the caller
        "VAS_CAR": f["car_owner"],
        "VAS_SECURITIES": f["stock_trader"],
        "VAS_ROAM_HKMO": f["hk_macau_traveller"],
        "PLAN_388": (pop.brand == "gotone") & np.isin(pop.plan, [5, 6]),
        "VAS_NEWS_SPORTS": pop.sports_fan,
        "VAS_DATA_ADDON": pop.persona == 1,
    }[spec.product]
    share = 0.35 if spec.product == "VAS_RBT" else 0.85
    return (intended & (rng.random(n) < share)) | (rng.random(n) < 0.01)


def run_campaigns(pop: Population, window: Window, holdings: Holdings, agents: Agents,
                  rng: np.random.Generator) -> tuple[list[dict[str, object]], dict[str, np.ndarray], list[dict]]:
    """Campaign rows, offer columns (customer indices, campaign indices) and the uplift truth.
    Accepted offers are added to ``holdings`` as new subscriptions."""
    n_days = window.n_days
    campaigns, truth = [], []
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("campaign", "customer", "group", "offered", "response",
                                                           "responded", "agent", "channel")}
    outbound_agents = agents.of_team("outbound")
    for c, spec in enumerate(CAMPAIGNS):
        first = int(round(c / len(CAMPAIGNS) * max(n_days - 14, 1)))
        last = min(n_days - 1, first + int(rng.integers(14, 29)))
        start, end = window.days[first], window.days[last]
        campaigns.append({"campaign_no": c + 1, "name": spec.name, "product": spec.product,
                          "channel": spec.channel, "target": spec.target, "start": start, "end": end,
                          "control_share": spec.control_share, "cost": spec.cost_yuan})
        chosen = _targets(spec, pop, rng)
        if spec.product == "VAS_MUSIC":
            rbt = np.zeros(pop.n, dtype=bool)
            rbt[holdings.holders("VAS_RBT", start)] = True
            chosen |= rbt & (rng.random(pop.n) < 0.8)
        chosen[holdings.holders(spec.product, start)] = False
        chosen &= ~pop.opt_out & ~pop.fraud & ((pop.churn.day < 0) | (pop.churn.day > first + 2)) & \
            (pop.join_day < first)  # target lists are drawn from customers at the campaign's start
        if spec.channel in ("SMS", "OUTBOUND"):
            chosen &= ~pop.dnd
        who = np.flatnonzero(chosen)
        k = len(who)
        control = rng.random(k) < spec.control_share
        latest = np.where(pop.churn.day[who] >= 0, np.minimum(pop.churn.day[who] - 1, last), last)
        day = first + (rng.random(k) * (latest - first + 1)).astype(int)
        hour = rng.integers(9, 20, k) if spec.channel != "APP" else rng.integers(8, 22, k)
        offered = np.array([window.day_us(int(d)) for d in day], dtype=np.int64) + \
            (hour * 3600 + rng.integers(0, 3600, k)) * US
        lift = 0.3 + 1.4 * pop.propensity[who] / pop.propensity.mean()
        match = np.where(pop.preferred_channel[who] == spec.channel, 1.6, 0.8)
        g_action = lift * match
        g_action = g_action / max(g_action[~control].mean(), 1e-9) if (~control).any() else g_action
        g_control = (0.5 + 0.5 * pop.propensity[who] / pop.propensity.mean())
        g_control = g_control / max(g_control[control].mean(), 1e-9) if control.any() else g_control
        p_accept = np.clip(np.where(control, spec.control_rate * g_control, spec.action_rate * g_action), 0, 0.95)
        accepted = rng.random(k) < p_accept
        considering, refused, _ = _NON_ANSWER[spec.channel]
        u = rng.random(k)
        response = np.where(accepted, "accepted", np.where(control, "no_answer", np.where(
            u < considering, "considering", np.where(u < considering + refused, "refused", "no_answer"))))
        delay = np.where(control, rng.integers(1, 20 * 86400, k),
                         {"SMS": rng.integers(60, 6 * 3600, k), "OUTBOUND": rng.integers(30, 600, k),
                          "APP": rng.integers(10, 2 * 86400, k)}[spec.channel])
        responded = np.where(response == "no_answer", np.iinfo(np.int64).min, offered + delay * US)
        agent = np.where((spec.channel == "OUTBOUND") & ~control,
                         outbound_agents[rng.integers(0, len(outbound_agents), k)], -1)
        for key, value in (("campaign", np.full(k, c)), ("customer", who), ("group", control), ("offered", offered),
                           ("response", response), ("responded", responded), ("agent", agent),
                           ("channel", np.full(k, spec.channel, dtype=object))):
            parts[key].append(value)
        # accepted offers become subscriptions on the response day (before any churn)
        take = np.flatnonzero(accepted)
        when = (responded[take] // (86400 * US)).astype("datetime64[D]")
        churn_date = window.days[np.clip(pop.churn.day[who[take]], 0, n_days - 1)]
        when = np.where(pop.churn.day[who[take]] >= 0, np.minimum(when, churn_date), when)
        when = np.minimum(when, window.end)
        organic = np.array(["HALL", "APP", "HOTLINE"], dtype=object)[rng.integers(0, 3, len(take))]
        order_channel = np.where(control[take], organic, spec.channel)
        if spec.product.startswith("PLAN_"):
            _upgrade_plans(holdings, who[take], when, order_channel, window)
        else:
            holdings.add(who[take], spec.product, when, None, order_channel)
        truth.append({
            "campaign_id": f"CMP{c + 1:04d}", "product_id": spec.product, "channel_code": spec.channel,
            "true_action_rate": spec.action_rate, "true_control_rate": spec.control_rate,
            "true_uplift": round(spec.action_rate - spec.control_rate, 4),
            "action_targets": int((~control).sum()), "control_targets": int(control.sum()),
            "realised_action_rate": round(float(accepted[~control].mean()) if (~control).any() else 0.0, 4),
            "realised_control_rate": round(float(accepted[control].mean()) if control.any() else 0.0, 4),
        })
    offers = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
    return campaigns, offers, truth


def _upgrade_plans(holdings: Holdings, who: np.ndarray, when: np.ndarray, channel: np.ndarray,
                   window: Window) -> None:
    """Accepted plan offers: the running plan ends the day before, the new plan starts. A
    customer accepting twice upgrades at the first acceptance."""
    from orchestration.generator.catalog import PLAN_IDS

    target = PLAN_IDS.index("PLAN_388")
    when = np.asarray(when, dtype="datetime64[D]")
    upgraded, first = np.unique(who, return_index=True)  # sorted customers, their first acceptance
    first_when = when[first]
    for part in range(len(holdings.customer)):  # a few dozen parts, each vectorised
        customers = holdings.customer[part]
        rows = np.flatnonzero(np.isin(customers, upgraded) & np.isnat(holdings.end[part]) &
                              np.isin(holdings.product[part], PLAN_IDS))
        if len(rows):
            upgrade_day = first_when[np.searchsorted(upgraded, customers[rows])]
            holdings.end[part][rows] = np.maximum(upgrade_day - np.timedelta64(1, "D"), holdings.start[part][rows])
    assert holdings.plan_by_month is not None
    # every acceptance sets the plan from its month on: together, from the earliest one
    month = window.month_of_day[(when - window.start).astype(np.int64)]
    earliest = np.full(len(upgraded), np.iinfo(np.int64).max)
    np.minimum.at(earliest, np.searchsorted(upgraded, who), month)
    from_month = np.arange(holdings.plan_by_month.shape[0])[:, None] >= earliest[None, :]
    holdings.plan_by_month[:, upgraded] = np.where(from_month, target, holdings.plan_by_month[:, upgraded])
    holdings.add(who, "PLAN_388", when, None, channel)
