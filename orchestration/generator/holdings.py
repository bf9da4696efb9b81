"""Product holdings: every customer's subscriptions over time (plans, value-added services,
handsets, group products), with the planted product association rules and circle-correlated
adoption; plus the monthly CRM subscription extracts built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.generator import behaviour as bh
from orchestration.generator.calendar import Window
from orchestration.generator.catalog import BY_ID, PLAN_IDS, VAS_IDS
from orchestration.generator.population import Population

_PRIOR_CHANNELS = (("HALL", 0.40), ("HOTLINE", 0.15), ("WEB", 0.10), ("APP", 0.15), ("SMS", 0.10),
                   ("OUTBOUND", 0.10))
# planted association rules: antecedent (product or knowledge:flag) => consequent, design confidence
PLANTED_RULES = (
    ("VAS_RBT", "VAS_MUSIC", 0.60), ("VAS_NEWS_SPORTS", "VAS_VIDEO", 0.50),
    ("knowledge:car_owner", "VAS_CAR", 0.30), ("knowledge:stock_trader", "VAS_SECURITIES", 0.40),
    ("knowledge:stock_trader", "VAS_NEWS_FINANCE", 0.35),
    ("knowledge:hk_macau_traveller", "VAS_ROAM_HKMO", 0.45), ("knowledge:golfer", "VAS_GOLF", 0.25),
)
CIRCLE_PRODUCTS = ("VAS_RBT", "VAS_GAMES")  # adoption shares a per-circle effect


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def vas_probabilities(pop: Population, holds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Adoption probability of each VAS, in dependency order (``holds`` fills as we go)."""
    f, p = pop.flags, pop.persona
    youth = (p == bh.PERSONAS.index("youth_social")) | (pop.age < 26)
    streamer = p == bh.PERSONAS.index("data_streamer")
    roamer = p == bh.PERSONAS.index("roaming_professional")
    circle = pop.circle_affinity[pop.circle]
    n = pop.n
    const = lambda v: np.full(n, v)  # noqa: E731
    return {
        "VAS_CALLER_ID": const(0.55),
        "VAS_RBT": _sigmoid(-2.3 + 1.1 * youth + 1.2 * f["young_music_fan"] + 1.8 * circle),
        "VAS_MUSIC": lambda: np.where(holds["VAS_RBT"], 0.60, np.where(f["young_music_fan"], 0.10, 0.04)),
        "VAS_NEWS_GENERAL": np.where(pop.age >= 35, 0.15, 0.06),
        "VAS_NEWS_SPORTS": np.where(pop.sports_fan, 0.45, 0.015),
        "VAS_NEWS_FINANCE": np.where(f["stock_trader"], 0.35, 0.015),
        "VAS_NEWS_ENTERTAINMENT": np.where(youth, 0.08, 0.02),
        "VAS_CAR": np.where(f["car_owner"], 0.30, 0.008),
        "VAS_SECURITIES": np.where(f["stock_trader"], 0.40, np.where(f["car_owner"], 0.10, 0.01)),
        "VAS_SECRETARY": np.where(f["car_owner"] | pop.is_b, 0.09, 0.01),
        "VAS_VOICE_INFO": const(0.03),
        "VAS_GOLF": np.where(f["golfer"], 0.25, 0.002),
        "VAS_GAMES": _sigmoid(-3.8 + 1.6 * youth + 0.9 * streamer + 1.8 * circle),
        "VAS_VIDEO": lambda: np.where(holds["VAS_NEWS_SPORTS"], 0.50, np.where(streamer, 0.12, 0.04)),
        "VAS_READING": const(0.06),
        "VAS_MAILBOX": np.where(pop.is_b, 0.30, 0.08),
        "VAS_FETION": np.where(youth, 0.15, 0.05),
        "VAS_MMS_PACK": const(0.04),
        "VAS_ROAM_HKMO": np.where(f["hk_macau_traveller"], 0.45, 0.003),
        "VAS_ROAM_DOMESTIC": np.where(roamer, 0.40, np.where(f["business_traveller"], 0.30, 0.01)),
        "VAS_DATA_ADDON": np.where(streamer, 0.30, 0.03),
    }


@dataclass
class Holdings:
    """Subscription records as parallel lists; finalised into arrays with ids."""

    customer: list[np.ndarray] = field(default_factory=list)
    product: list[np.ndarray] = field(default_factory=list)
    start: list[np.ndarray] = field(default_factory=list)
    end: list[np.ndarray] = field(default_factory=list)
    channel: list[np.ndarray] = field(default_factory=list)
    plan_by_month: np.ndarray | None = None  # (months, n) plan index at each month end

    def add(self, customer: np.ndarray, product: np.ndarray | str, start: np.ndarray, end: np.ndarray | None,
            channel: np.ndarray | str) -> None:
        k = len(customer)
        self.customer.append(np.asarray(customer, dtype=np.int64))
        self.product.append(np.broadcast_to(np.asarray(product, dtype=object), (k,)).copy())
        self.start.append(np.asarray(start, dtype="datetime64[D]"))
        self.end.append(np.full(k, np.datetime64("NaT"), dtype="datetime64[D]") if end is None
                        else np.asarray(end, dtype="datetime64[D]"))
        self.channel.append(np.broadcast_to(np.asarray(channel, dtype=object), (k,)).copy())

    def arrays(self) -> dict[str, np.ndarray]:
        return {"customer": np.concatenate(self.customer), "product": np.concatenate(self.product),
                "start": np.concatenate(self.start), "end": np.concatenate(self.end),
                "channel": np.concatenate(self.channel)}

    def holders(self, product: str, on: np.datetime64) -> np.ndarray:
        """Customer indices holding ``product`` on day ``on``."""
        a = self.arrays()
        live = (a["product"] == product) & (a["start"] <= on) & (np.isnat(a["end"]) | (a["end"] >= on))
        return np.unique(a["customer"][live])


def _channels(k: int, rng: np.random.Generator) -> np.ndarray:
    names, probs = zip(*_PRIOR_CHANNELS)
    return np.array(names, dtype=object)[rng.choice(len(names), k, p=np.array(probs))]


def _between(low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    span = np.maximum((high - low).astype(np.int64), 0)
    return low + (rng.random(len(low)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def build_holdings(pop: Population, window: Window, enterprise_signed: np.ndarray,
                   rng: np.random.Generator) -> Holdings:
    """Pre-window history, organic in-window adoption, cancellations and plan changes."""
    h = Holdings()
    n, ws, we = pop.n, window.start, window.end
    everyone = np.arange(n)
    day = np.timedelta64(1, "D")
    # plans: the legacy plan for customers who joined before today's plans existed, a previous
    # plan for some long-tenure customers, then the current one
    launch = np.array([np.datetime64(BY_ID[p].launch_date) for p in PLAN_IDS])
    prev_plan = np.clip(pop.plan + rng.choice([-1, 1], n), 0, len(PLAN_IDS) - 1)
    changed = ((ws - pop.join).astype(int) > 720) & (rng.random(n) < 0.4)
    first_plan = np.where(changed, prev_plan, pop.plan)
    legacy = pop.join < launch[first_plan]
    first_start = np.where(legacy, _between(np.maximum(pop.join + 90 * day, launch[first_plan]),
                                            np.full(n, ws - 120 * day), rng), pop.join)
    changed &= first_start + 180 * day < ws - 30 * day
    first_plan = np.where(changed, prev_plan, pop.plan)
    old = np.flatnonzero(legacy)
    h.add(old, "PLAN_LEGACY", pop.join[old], first_start[old] - day, "HALL")
    switch = np.where(changed, _between(first_start + 180 * day, np.full(n, ws - 30 * day), rng), first_start)
    old = np.flatnonzero(changed)
    h.add(old, np.array(PLAN_IDS, dtype=object)[prev_plan[old]], first_start[old], switch[old] - day,
          _channels(len(old), rng))
    plan_now = pop.plan.copy()
    plan_start = switch.copy()
    plan_by_month = np.zeros((window.n_months, n), dtype=np.int64)
    for month in range(window.n_months):
        days = window.month_days(month)
        moving = (rng.random(n) < 0.01) & ~pop.fraud
        when = window.days[rng.choice(days, n)]
        moving &= (pop.churn.day < 0) | (when < window.days[np.clip(pop.churn.day, 0, window.n_days - 1)])
        moving &= when > pop.join
        new_plan = np.clip(plan_now + np.where(rng.random(n) < 0.6, 1, -1), 0, len(PLAN_IDS) - 1)
        moving &= new_plan != plan_now
        idx = np.flatnonzero(moving)
        h.add(idx, np.array(PLAN_IDS, dtype=object)[plan_now[idx]], plan_start[idx],
              when[idx] - np.timedelta64(1, "D"), _channels(len(idx), rng))
        plan_now[idx], plan_start[idx] = new_plan[idx], when[idx]
        plan_by_month[month] = plan_now
    h.add(everyone, np.array(PLAN_IDS, dtype=object)[plan_now], plan_start,
          None, np.where(plan_start == pop.join, "HALL", _channels(n, rng)).astype(object))
    h.plan_by_month = plan_by_month

    # value-added services
    holds: dict[str, np.ndarray] = {}
    probs = vas_probabilities(pop, holds)
    for pid in VAS_IDS:
        p = probs[pid]() if callable(probs[pid]) else probs[pid]
        has = (rng.random(n) < p) & ~pop.fraud
        holds[pid] = has
        launch = np.datetime64(BY_ID[pid].launch_date)
        low = np.maximum(pop.join, launch)
        start = _between(low, np.full(n, ws - np.timedelta64(1, "D")), rng)
        organic = rng.random(n) < 0.012 * window.n_months
        start = np.where(organic | (low >= ws), window.days[rng.integers(0, window.n_days, n)], start)
        # a line opened (or a service launched) inside the window: fold the drawn day into [low, end]
        span = (we - low).astype(np.int64) + 1
        folded = low + ((start - ws).astype(np.int64) % np.maximum(span, 1)).astype("timedelta64[D]")
        start = np.where(start < low, folded, start)
        cancel = rng.random(n) < 0.01 * window.n_months
        end = np.where(cancel, _between(np.maximum(start, ws), np.full(n, we), rng), np.datetime64("NaT"))
        idx = np.flatnonzero(has)
        h.add(idx, pid, start[idx], end[idx], _channels(len(idx), rng))
        # ended before the window: history only
        past = np.flatnonzero(~has & (rng.random(n) < 0.04) & ((ws - low).astype(int) > 90))
        p_start = _between(low[past], np.full(len(past), ws - np.timedelta64(60, "D")), rng)
        p_end = _between(p_start + np.timedelta64(30, "D"), np.full(len(past), ws - np.timedelta64(1, "D")), rng)
        h.add(past, pid, p_start, p_end, _channels(len(past), rng))

    # handsets on contract and group products for B customers
    contract = np.flatnonzero(~np.isnat(pop.contract_end))
    model = np.where(pop.persona[contract] == bh.PERSONAS.index("senior_basic"), "HS_SENIOR",
                     np.where(pop.plan[contract] >= 5, "HS_FLAGSHIP", "HS_MID")).astype(object)
    hs_start = np.maximum(pop.contract_end[contract] - np.timedelta64(730, "D"), pop.join[contract])
    hs_start = np.where(pop.join[contract] < ws, np.minimum(hs_start, ws - np.timedelta64(1, "D")), hs_start)
    h.add(contract, model, hs_start, pop.contract_end[contract], "HALL")
    signed = enterprise_signed[np.maximum(pop.enterprise, 0)]
    for pid, share in (("GRP_VPMN", 0.85), ("GRP_CORP_RBT", 0.30)):
        idx = np.flatnonzero(pop.is_b & (rng.random(n) < share))
        low = np.maximum(np.maximum(pop.join[idx], signed[idx]), np.datetime64(BY_ID[pid].launch_date))
        h.add(idx, pid, _between(low, np.full(len(idx), ws - day), rng), None, "ACCOUNT_MANAGER")
    return h


def finalise(h: Holdings, pop: Population, window: Window) -> dict[str, np.ndarray]:
    """End every running subscription at the customer's churn date, drop anything that would
    start after it, and number the subscriptions in (start, customer, product) order."""
    a = h.arrays()
    churn_day = pop.churn.day[a["customer"]]
    churn_date = window.days[np.clip(churn_day, 0, window.n_days - 1)]
    churned = (churn_day >= 0) & (churn_day < window.n_days)
    keep = ~churned | (a["start"] <= churn_date)
    a = {k: v[keep] for k, v in a.items()}
    churned, churn_date = churned[keep], churn_date[keep]
    running = churned & (np.isnat(a["end"]) | (a["end"] > churn_date))
    a["end"] = np.where(running, churn_date, a["end"])
    order = np.lexsort((a["product"].astype(str), a["customer"], a["start"]))
    a = {k: v[order] for k, v in a.items()}
    a["subscription_no"] = np.arange(1, len(order) + 1)
    return a


def month_extract(subs: dict[str, np.ndarray], month_end: np.datetime64) -> dict[str, np.ndarray]:
    """Subscriptions as known at ``month_end``: started by then; end date only if reached."""
    seen = subs["start"] <= month_end
    end = subs["end"][seen]
    return {
        "subscription_no": subs["subscription_no"][seen],
        "customer": subs["customer"][seen],
        "product": subs["product"][seen],
        "start": subs["start"][seen],
        "end": np.where(~np.isnat(end) & (end <= month_end), end, np.datetime64("NaT")),
        "channel": subs["channel"][seen],
    }


def active_on(subs: dict[str, np.ndarray], day: np.datetime64) -> np.ndarray:
    """Mask of subscriptions running on ``day``."""
    return (subs["start"] <= day) & (np.isnat(subs["end"]) | (subs["end"] >= day))
