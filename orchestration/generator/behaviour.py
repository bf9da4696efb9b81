"""Latent behaviour: persona profiles, knowledge patterns, churn with its drivers, SIM-box fraud,
competitor homecoming, channel preference and roaming trips.

Everything here is a planted truth: the generator writes it to ``_truth`` and the usage, touchpoint
and billing modules turn it into observable footprints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PERSONAS = ("heavy_local_voice", "data_streamer", "roaming_professional", "youth_social", "senior_basic",
            "family_value")
CONTENT = ("news", "sports", "entertainment", "finance", "travel", "music", "games", "video", "auto",
           "reading", "lifestyle", "education")
_C = {c: i for i, c in enumerate(CONTENT)}

# per persona: calls/day, mean call seconds, long-distance share, sms/day, data MB/day,
# incoming minutes/day from outside the customer base, domestic roaming trips/month
PROFILE = np.array([
    [5.5, 160, 0.05, 1.0, 5, 16, 0.0],
    [1.0, 90, 0.08, 0.7, 900, 2, 0.0],
    [4.0, 180, 0.55, 2.0, 120, 10, 2.5],
    [1.8, 80, 0.05, 18.0, 250, 3, 0.0],
    [0.9, 120, 0.10, 0.3, 3, 4, 0.0],
    [2.6, 110, 0.15, 4.0, 80, 8, 0.0],
])
CONTENT_RATES = np.zeros((len(PERSONAS), len(CONTENT)))
for _p, _rates in enumerate([
    {"news": 0.2, "lifestyle": 0.1},
    {"video": 2.5, "games": 0.6, "music": 0.3, "entertainment": 0.3, "sports": 0.1},
    {"news": 0.4, "finance": 0.3, "travel": 0.3, "reading": 0.1},
    {"music": 1.2, "games": 0.8, "entertainment": 0.5, "video": 0.3},
    {"news": 0.08, "lifestyle": 0.03},
    {"lifestyle": 0.5, "education": 0.4, "news": 0.3, "video": 0.1, "reading": 0.1},
]):
    for _k, _v in _rates.items():
        CONTENT_RATES[_p, _C[_k]] = _v
# MB one visit of a category weighs when the day's data is spread over its visits
CONTENT_MB_WEIGHT = np.array([0.5, 1, 2, 0.5, 1, 5, 8, 30, 0.5, 1, 1, 1.5])

PERSONA_SHARE_C = np.array([0.18, 0.19, 0.08, 0.20, 0.16, 0.19])
PERSONA_SHARE_B = np.array([0.30, 0.15, 0.38, 0.03, 0.02, 0.12])
AGE_BY_PERSONA = ((45, 9, 28, 66), (28, 6, 18, 45), (40, 7, 27, 60), (20, 3, 16, 27), (66, 7, 55, 80),
                  (39, 6, 28, 55))  # mean, sd, min, max

KNOWLEDGE = ("car_owner", "golfer", "stock_trader", "hk_macau_traveller", "young_music_fan",
             "business_traveller", "campus_student")
# the rule of thumb that recovers each flag from one calendar month of data
KNOWLEDGE_SIGNALS = {
    "car_owner": "calls to service numbers of category traffic_radio >= 2 in the month",
    "golfer": "distinct rest days (weekend or holiday) with a cell sighting on a golf_course cell >= 2",
    "stock_trader": "calls to service numbers of category stock_broker >= 3 in the month",
    "hk_macau_traveller": "days with daily_usage.roaming_region = 'hk_macau' >= 1 (bill item ROAMING_HKMO)",
    "young_music_fan": "age < 24 and calls to service numbers of category entertainment_voting >= 2",
    "business_traveller": "distinct days with a cell sighting on a transport_hub cell >= 3",
    "campus_student": "distinct days with a night-band sighting on a campus cell >= 8",
}
CHURN_DRIVERS = ("usage_decline", "complaints", "competitor_calls_rise", "contract_end_near")
CHANNEL_PREFS = ("OUTBOUND", "SMS", "APP", "HALL")


def persona_and_age(is_b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Persona index and age (years at the window start) for each customer."""
    n = len(is_b)
    persona = np.where(is_b, rng.choice(len(PERSONAS), n, p=PERSONA_SHARE_B),
                       rng.choice(len(PERSONAS), n, p=PERSONA_SHARE_C))
    spec = np.array(AGE_BY_PERSONA, dtype=float)[persona]
    age = np.clip(np.rint(rng.normal(spec[:, 0], spec[:, 1])), spec[:, 2], spec[:, 3]).astype(int)
    age = np.where(is_b, np.clip(age, 22, 62), age)
    return persona, age


def knowledge_flags(persona: np.ndarray, age: np.ndarray, is_b: np.ndarray,
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-customer knowledge truths, mostly independent of persona (age-bound ones excepted)."""
    n = len(persona)
    u = lambda: rng.random(n)  # noqa: E731 - one fresh draw per flag
    working = (age >= 25) & (age <= 60)
    car = u() < np.where(working, 0.105, 0.03)
    flags = {
        "car_owner": car,
        "golfer": u() < np.where(car, 0.30, 0.008),
        "stock_trader": u() < np.where(age >= 28, 0.075, 0.015),
        "hk_macau_traveller": u() < np.where(age >= 22, 0.045, 0.02),
        "young_music_fan": (age < 24) & (u() < 0.35),
        "business_traveller": u() < np.where(persona == PERSONAS.index("roaming_professional"), 0.22,
                                             np.where(is_b, 0.06, 0.03)),
        "campus_student": (age >= 18) & (age <= 23) & ~is_b & (u() < 0.45),
    }
    return flags


@dataclass
class Churn:
    """Who churns when, and why."""

    day: np.ndarray  # window day index of churn, -1 = no churn
    decline_start: np.ndarray  # day index the usage decline starts (churners with that driver)
    drivers: dict[str, np.ndarray]  # driver -> bool per customer


def plan_churn(n_days: int, month_of_day: np.ndarray, risk: np.ndarray, eligible: np.ndarray,
               rng: np.random.Generator, monthly_rate: float = 0.025) -> Churn:
    """~2.5 % of active customers churn in each month from the second on, weighted by ``risk``."""
    n = len(risk)
    day = np.full(n, -1)
    active = eligible.copy()
    for month in range(1, int(month_of_day.max()) + 1):
        days = np.flatnonzero(month_of_day == month)
        pool = np.flatnonzero(active)
        k = int(round(monthly_rate * len(pool)))
        if k == 0 or len(pool) == 0:
            continue
        weights = risk[pool] / risk[pool].sum()
        chosen = rng.choice(pool, size=min(k, len(pool)), replace=False, p=weights)
        day[chosen] = rng.choice(days, size=len(chosen))
        active[chosen] = False
    churner = day >= 0
    drivers = {d: churner & (rng.random(n) < p) for d, p in zip(CHURN_DRIVERS, (0.85, 0.6, 0.6, 0.4))}
    count = sum(drivers[d].astype(int) for d in CHURN_DRIVERS)
    for _ in range(2):  # every churner has at least two drivers
        short = churner & (count < 2)
        pick = rng.integers(0, len(CHURN_DRIVERS), n)
        for k, d in enumerate(CHURN_DRIVERS):
            add = short & (pick == k) & ~drivers[d]
            drivers[d] |= add
            count += add
    decline_start = np.where(churner, day - rng.integers(30, 61, n), n_days + 1)
    return Churn(day, decline_start, drivers)


def competitor_share(base: np.ndarray, homecoming_slope: np.ndarray, churn: Churn, day: int,
                     month: int) -> np.ndarray:
    """Probability that a call on ``day`` goes to a competitor's number, per customer."""
    share = base + homecoming_slope * month
    rising = churn.drivers["competitor_calls_rise"]
    ramp = np.clip((day - (churn.day - 60)) / 60.0, 0, 1)
    share = share + np.where(rising, 0.35 * ramp, 0.0)
    return np.clip(share, 0, 0.8)


def activity_factor(churn: Churn, day: int) -> np.ndarray:
    """Usage multiplier on ``day``: 1 normally, falling to 0.25 for declining churners, 0 once gone."""
    declining = churn.drivers["usage_decline"]
    span = np.maximum(churn.day - churn.decline_start, 1)
    fall = np.clip((day - churn.decline_start) / span, 0, 1)
    factor = np.where(declining, 1.0 - 0.75 * fall, 1.0)
    return np.where((churn.day >= 0) & (day >= churn.day), 0.0, factor)


def channel_preference(age: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Preferred proactive channel (OUTBOUND/SMS/APP/HALL) and response propensity 0-1."""
    n = len(age)
    probs = np.select([age[:, None] < 30, age[:, None] <= 55],
                      [np.array([[0.10, 0.25, 0.50, 0.15]]), np.array([[0.25, 0.30, 0.30, 0.15]])],
                      np.array([[0.30, 0.20, 0.05, 0.45]]))
    cum = probs.cumsum(axis=1)
    pref = (rng.random(n)[:, None] > cum).sum(axis=1)
    propensity = np.round(rng.beta(2.0, 4.0, n), 4)
    return np.array(CHANNEL_PREFS)[np.minimum(pref, 3)], propensity


def roaming_calendar(month_of_day: np.ndarray, trips_per_month: np.ndarray, region: int,
                     min_len: int, max_len: int, rng: np.random.Generator, at_least_one: np.ndarray | None = None,
                     out: np.ndarray | None = None) -> np.ndarray:
    """Mark trip days (value ``region``) in an int8 customer x day matrix."""
    n, n_days = len(trips_per_month), len(month_of_day)
    cal = np.zeros((n, n_days), dtype=np.int8) if out is None else out
    for month in range(int(month_of_day.max()) + 1):
        days = np.flatnonzero(month_of_day == month)
        trips = rng.poisson(trips_per_month)
        if at_least_one is not None:
            trips = np.where(at_least_one, np.maximum(trips, 1), trips)
        cust = np.repeat(np.arange(n), trips)
        start = rng.integers(days[0], days[-1] + 1, len(cust))
        length = rng.integers(min_len, max_len + 1, len(cust))
        for offset in range(max_len):
            keep = offset < length
            d = np.minimum(start[keep] + offset, days[-1])
            cal[cust[keep], d] = region
    return cal
