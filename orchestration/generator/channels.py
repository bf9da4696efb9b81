"""Self-service and physical channels: service-hall visits (with the events behind them: lost
cards, SIM replacements, plan changes, account closures), app/web sessions and SMS queries."""

from __future__ import annotations

import numpy as np

from orchestration.generator.calendar import Window
from orchestration.generator.contact_centre import daily_poisson
from orchestration.generator.population import Population

US = 1_000_000
_HALL_BUSINESS = (("bill_enquiry", 0.22), ("top_up", 0.15), ("handset_purchase", 0.08), ("new_line", 0.04),
                  ("vas_order", 0.12), ("sim_replacement", 0.12), ("lost_card_suspension", 0.10),
                  ("plan_change", 0.07), ("complaint", 0.05))
_APP_ACTIONS = ("browse", "bill_view", "top_up", "order", "query")
_SMS_CODES = (("CXYE", 0.60), ("CXLL", 0.20), ("CXTC", 0.08), ("CXJF", 0.07), ("CXXD", 0.05))


def _stamp(window: Window, day: np.ndarray, lo_hour: float, hi_hour: float, rng: np.random.Generator) -> np.ndarray:
    base = np.array([window.day_us(int(d)) for d in day], dtype=np.int64)
    return base + rng.integers(int(lo_hour * 3600), int(hi_hour * 3600), len(day)) * US


def _sorted(out: dict[str, np.ndarray], time_key: str) -> dict[str, np.ndarray]:
    order = np.lexsort((out["customer"], out[time_key]))
    return {k: v[order] for k, v in out.items()}


def hall_visits(pop: Population, window: Window, n_halls: int, plan_changes: dict[str, np.ndarray],
                complaint: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Walk-in business plus visits caused by events elsewhere in the data."""
    rate = 0.06 / 30.4 * np.where(pop.persona == 4, 2.5, 1.0) * np.where(pop.brand == "easyown", 1.5, 1.0) * ~pop.fraud
    cust, day = daily_poisson(pop, window, rate, np.where(window.is_rest, 1.3, 1.0), rng)
    names, probs = zip(*_HALL_BUSINESS)
    business = np.array(names, dtype=object)[rng.choice(len(names), len(cust), p=np.array(probs) / sum(probs))]
    business = np.where((business == "top_up") & (pop.brand[cust] != "easyown"), "bill_enquiry", business)
    stamp = _stamp(window, day, 9, 19, rng)
    # a lost card is usually followed by a SIM replacement a few days later
    lost = np.flatnonzero(business == "lost_card_suspension")
    lost = lost[rng.random(len(lost)) < 0.7]
    again = day[lost] + rng.integers(1, 6, len(lost))
    keep = (again < window.n_days) & ((pop.churn.day[cust[lost]] < 0) | (again < pop.churn.day[cust[lost]]))
    parts = [(cust, day, business, stamp),
             (cust[lost][keep], again[keep], np.full(keep.sum(), "sim_replacement", dtype=object),
              _stamp(window, again[keep], 9, 19, rng))]
    # closures on the churn day, plan changes and complaints made at a hall
    closing = np.flatnonzero(pop.churned_in_window & (rng.random(pop.n) < 0.6))
    parts.append((closing, pop.churn.day[closing], np.full(len(closing), "account_closure", dtype=object),
                  _stamp(window, pop.churn.day[closing], 9, 19, rng)))
    # new lines opened inside the window, at the hall (the plan's order channel)
    opening = np.flatnonzero(pop.joined_in_window)
    parts.append((opening, pop.join_day[opening], np.full(len(opening), "new_line", dtype=object),
                  _stamp(window, pop.join_day[opening], 9, 19, rng)))
    at_hall = plan_changes["channel"] == "HALL"
    pc_day = plan_changes["day"][at_hall]
    parts.append((plan_changes["customer"][at_hall], pc_day, np.full(len(pc_day), "plan_change", dtype=object),
                  _stamp(window, pc_day, 9, 19, rng)))
    via = complaint["channel"] == "HALL"
    parts.append((complaint["customer"][via], complaint["day"][via], np.full(int(via.sum()), "complaint", dtype=object),
                  complaint["opened"][via]))
    cust, day, business, stamp = (np.concatenate([p[i] for p in parts]) for i in range(4))
    usual = pop.hall[cust]
    hall = np.where(rng.random(len(cust)) < 0.85, usual, rng.integers(0, n_halls, len(cust)))
    wait = np.where(rng.random(len(cust)) < 0.05, np.nan, np.rint(rng.gamma(2.0, 6.0, len(cust))))
    return _sorted({"customer": cust, "day": day, "visited": stamp, "hall": hall, "business": business,
                    "wait": wait}, "visited")


def app_sessions(pop: Population, window: Window, rng: np.random.Generator) -> dict[str, np.ndarray]:
    rate = 1.0 / 30.4 * np.where(pop.preferred_channel == "APP", 3.0, 1.0) * \
        np.select([pop.age < 35, pop.age > 60], [2.0, 0.1], 1.0) * ~pop.fraud
    cust, day = daily_poisson(pop, window, rate, window.kpi_factor("app_sessions"), rng)
    k = len(cust)
    channel = np.where(rng.random(k) < np.where(pop.age[cust] < 45, 0.8, 0.5), "APP", "WEB").astype(object)
    prepaid = pop.brand[cust] == "easyown"
    p = np.where(prepaid[:, None], [[0.30, 0.15, 0.25, 0.10, 0.20]], [[0.35, 0.30, 0.03, 0.10, 0.22]])
    pick = (rng.random(k)[:, None] > (p / p.sum(1, keepdims=True)).cumsum(1)).sum(1).clip(0, 4)
    action = np.array(_APP_ACTIONS, dtype=object)[pick]
    return _sorted({"customer": cust, "day": day, "started": _stamp(window, day, 7, 23.9, rng),
                    "channel": channel, "duration": np.rint(rng.lognormal(np.log(150), 0.8, k)),
                    "pages": rng.poisson(5, k) + 1, "action": action}, "started")


def sms_queries(pop: Population, window: Window, rng: np.random.Generator) -> dict[str, np.ndarray]:
    rate = np.where(pop.brand == "easyown", 2.0, np.where(pop.persona == 4, 0.8, 0.3)) / 30.4 * ~pop.fraud
    cust, day = daily_poisson(pop, window, rate, window.kpi_factor("sms_queries"), rng)
    names, probs = zip(*_SMS_CODES)
    code = np.array(names, dtype=object)[rng.choice(len(names), len(cust), p=np.array(probs))]
    return _sorted({"customer": cust, "day": day, "sent": _stamp(window, day, 7, 23.9, rng), "code": code}, "sent")
