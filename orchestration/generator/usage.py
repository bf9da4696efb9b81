"""Network usage, one day at a time: call detail records, the daily usage summary and content
visits, all vectorised over the day's customers and calls.

The daily summary is derived from the day's CDRs (outgoing, local and long-distance minutes;
incoming minutes from other customers' calls plus calls from outside the base), so the tables
agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from orchestration.generator import behaviour as bh
from orchestration.generator.arrow_columns import fixed_width_strings
from orchestration.generator.calendar import Window
from orchestration.generator.people import phone_numbers
from orchestration.generator.population import Population
from orchestration.generator.seed_codes import SeedCodes

SERVICE_CATEGORIES = ("traffic_radio", "stock_broker", "golf_club", "entertainment_voting", "airline",
                      "bank", "hotel", "taxi", "information")
# calls per month to each service category: (everyone, extra for holders of the knowledge flag)
_SERVICE_RATES = {
    "traffic_radio": (0.04, "car_owner", 6.0), "stock_broker": (0.05, "stock_trader", 8.0),
    "golf_club": (0.01, "golfer", 2.0), "entertainment_voting": (0.03, "young_music_fan", 6.0),
    "airline": (0.15, "business_traveller", 3.0), "bank": (0.5, None, 0.0), "hotel": (0.05, "business_traveller", 1.0),
    "taxi": (0.3, None, 0.0), "information": (0.2, None, 0.0),
}
_REST_CALLS = np.array([0.85, 0.95, 0.6, 1.15, 1.0, 1.1])  # rest-day factor on calls, per persona
_HOURS_WORK = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 8, 9, 8, 6, 6, 8, 8, 8, 8, 7, 8, 9, 8, 6, 3], float)
_HOURS_REST = np.array([2, 1, 0.5, 0.3, 0.2, 0.3, 0.5, 1, 3, 5, 7, 8, 8, 7, 7, 7, 7, 7, 7, 8, 9, 9, 7, 4], float)
MONTH_FIELDS = ("voice_out", "local", "long_distance", "voice_in", "sms", "data", "roam_domestic",
                "roam_hk_macau", "roam_abroad", "active_days", "mms")
REGIONS = np.array([None, "domestic", "hk_macau", "abroad"], dtype=object)


@dataclass
class NumberBook:
    """Every number a call can go to, as one Arrow string array; index ranges per kind."""

    numbers: pa.Array
    own_other: tuple[int, int]
    competitor: tuple[int, int]
    service: dict[str, np.ndarray]
    competitor_contacts: np.ndarray  # (n, 6) book indices
    own_contacts: np.ndarray  # (n, 6)


def build_number_book(pop: Population, seeds: SeedCodes, rng: np.random.Generator) -> NumberBook:
    k_own, k_comp = max(20_000, 2 * pop.n), max(30_000, 3 * pop.n)
    own = phone_numbers(seeds.own_prefixes, k_own, rng, exclude=pop.phone)
    comp = phone_numbers(seeds.competitor_prefixes, k_comp, rng)
    services = [num for cat in SERVICE_CATEGORIES for num in seeds.service_numbers.get(cat, ())]
    if len(services) != sum(len(seeds.service_numbers.get(c, ())) for c in SERVICE_CATEGORIES) or not services:
        raise ValueError("service_numbers seed lacks a category the generator calls")
    numbers = pa.concat_arrays([fixed_width_strings("", pop.phone, 11), fixed_width_strings("", own, 11),
                                fixed_width_strings("", comp, 11), pa.array(services, pa.string())])
    base = pop.n + k_own + k_comp
    service, pos = {}, base
    for cat in SERVICE_CATEGORIES:
        k = len(seeds.service_numbers[cat])
        service[cat] = np.arange(pos, pos + k)
        pos += k
    return NumberBook(numbers, (pop.n, pop.n + k_own), (pop.n + k_own, base), service,
                      pop.n + k_own + rng.integers(0, k_comp, (pop.n, 6)),
                      pop.n + rng.integers(0, k_own, (pop.n, 6)))


@dataclass
class DayUsage:
    """One day's generated usage, as columns ready for the contract writer."""

    daily: dict[str, object]
    calls: dict[str, object]
    content: dict[str, object]
    n_calls: int


@dataclass
class UsageState:
    """What persists across days: CDR numbering and the monthly per-customer totals."""

    next_call: int = 1
    month: dict[str, np.ndarray] = field(default_factory=dict)


def _seconds_of_day(hours: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    p = hours / hours.sum()
    return rng.choice(24, k, p=p) * 3600 + rng.integers(0, 3600, k)


def simulate_day(pop: Population, book: NumberBook, window: Window, day: int, state: UsageState,
                 rng: np.random.Generator) -> DayUsage:
    n, month, rest = pop.n, int(window.month_of_day[day]), bool(window.is_rest[day])
    act = pop.activity(day)
    alive = act > 0
    prof = bh.PROFILE[pop.persona]
    normal = alive & ~pop.fraud
    # ordinary calls between people
    rate = prof[:, 0] * pop.scale[:, 0] * act * (_REST_CALLS[pop.persona] if rest else 1.0)
    rate = np.where(pop.is_key, rate * 1.8, rate) * normal
    n_calls = rng.poisson(rate)
    caller = np.repeat(np.arange(n), n_calls)
    k = len(caller)
    callee = _choose_callees(pop, book, caller, day, month, rng)
    mean = prof[caller, 1]
    duration = np.clip(rng.lognormal(np.log(mean) - 0.405, 0.9), 3, 7200).astype(np.int64)
    is_ld = rng.random(k) < prof[caller, 2]
    # calls to service numbers (knowledge patterns and background)
    s_caller, s_callee, s_cat = _service_calls(pop, book, normal, act, rest, rng)
    s_duration = rng.integers(40, 300, len(s_caller))
    # SIM-box lines: many short calls to ever-new numbers
    f_lines = np.flatnonzero(pop.fraud & alive)
    f_counts = rng.poisson(100, len(f_lines))
    f_caller = np.repeat(f_lines, f_counts)
    f_callee = rng.integers(book.own_other[0], book.competitor[1], len(f_caller))
    f_duration = rng.integers(8, 60, len(f_caller))

    caller_all = np.concatenate([caller, s_caller, f_caller])
    callee_all = np.concatenate([callee, s_callee, f_callee])
    dur_all = np.concatenate([duration, s_duration, f_duration])
    ld_all = np.concatenate([is_ld, np.zeros(len(s_caller) + len(f_caller), dtype=bool)])
    hours = _HOURS_REST if rest else _HOURS_WORK
    secs = np.concatenate([_seconds_of_day(hours, k, rng), _service_seconds(s_cat, rest, rng),
                           rng.integers(8 * 3600, 22 * 3600, len(f_caller))])
    three_way_p = np.where(pop.flags["car_owner"] | pop.flags["golfer"], 0.03, 0.002)
    three_way = rng.random(len(caller_all)) < three_way_p[caller_all]
    order = np.lexsort((caller_all, secs))
    caller_all, callee_all, dur_all, ld_all, secs, three_way = (
        a[order] for a in (caller_all, callee_all, dur_all, ld_all, secs, three_way))
    total = len(caller_all)
    started = window.day_us(day) + secs.astype(np.int64) * 1_000_000
    calls = {
        "call_id": fixed_width_strings("CL", np.arange(state.next_call, state.next_call + total), 10),
        "caller_customer_id": caller_all,  # customer index; mapped to ids by the caller of this function
        "callee_number": book.numbers.take(pa.array(callee_all)),
        "started_at": started.view("datetime64[us]"),
        "duration_seconds": dur_all,
        "is_three_way": three_way,
    }
    state.next_call += total

    minutes = dur_all / 60.0
    out_min = np.bincount(caller_all, weights=minutes, minlength=n)
    ld_min = np.bincount(caller_all, weights=minutes * ld_all, minlength=n)
    to_customer = callee_all < n
    in_min = np.bincount(callee_all[to_customer], weights=minutes[to_customer], minlength=n)
    region = pop.roaming[:, day]
    ext_in = rng.gamma(2.0, prof[:, 5] * pop.scale[:, 3] / 2.0) * act * normal
    ext_in += np.where(region > 0, rng.uniform(2, 10, n), 0.0) * normal
    in_min = (in_min + ext_in) * alive
    sms = rng.poisson(prof[:, 3] * pop.scale[:, 1] * act * (1.1 if rest else 1.0) * normal)
    data_factor = window.kpi_factor("data_mb")[day]
    data = rng.gamma(1.5, prof[:, 4] * pop.scale[:, 2] / 1.5) * act * data_factor * normal
    data += np.where(pop.fraud & alive, rng.uniform(0, 0.3, n), 0.0)
    content = _content(pop, act * normal, rest, data, data_factor, rng)
    roam_min = np.where(region > 0, out_min + in_min, 0.0)

    m = state.month
    if not m:
        m.update({f: np.zeros((window.n_months, n)) for f in MONTH_FIELDS})
    for name, values in (("voice_out", out_min), ("long_distance", ld_min), ("local", out_min - ld_min),
                         ("voice_in", in_min), ("sms", sms), ("data", data), ("active_days", alive)):
        m[name][month] += values
    for code, name in ((1, "roam_domestic"), (2, "roam_hk_macau"), (3, "roam_abroad")):
        m[name][month] += np.where(region == code, roam_min, 0.0)
    m["mms"][month] += rng.poisson(np.where(pop.persona == 3, 0.05, 0.01) * normal)

    who = np.flatnonzero(alive)
    daily = {
        "customer_id": who,
        "usage_date": np.full(len(who), window.days[day]),
        "voice_out_minutes": np.round(out_min[who], 2),
        "voice_in_minutes": np.round(in_min[who], 2),
        "local_voice_minutes": np.round(out_min[who] - ld_min[who], 2),
        "long_distance_minutes": np.round(ld_min[who], 2),
        "sms_out_count": sms[who],
        "data_mb": np.round(data[who], 2),
        "roaming_minutes": np.round(roam_min[who], 2),
        "roaming_region": pa.array(REGIONS[region[who]], pa.string()),
    }
    return DayUsage(daily, calls, content, total)


def _choose_callees(pop: Population, book: NumberBook, caller: np.ndarray, day: int, month: int,
                    rng: np.random.Generator) -> np.ndarray:
    k = len(caller)
    comp_p = bh.competitor_share(pop.comp_base, pop.homecoming_slope, pop.churn, day, month)[caller]
    u = rng.random(k)
    circle = pop.circle[caller]
    start, size = pop.circle_start[circle], pop.circle_size[circle]
    pos = pop.circle_pos[caller]
    friend = pop.circle_members[start + (pos + rng.integers(1, 5, k)) % size]
    anyone = pop.circle_members[start + rng.integers(0, size)]
    key = pop.circle_keys[circle, rng.integers(0, 2, k)]
    inner = np.where(pop.is_key[caller], anyone, np.where(rng.random(k) < 0.35, key, friend))
    inner = np.where(inner == caller, np.where(key == caller, friend, key), inner)
    inner = np.where(pop.fraud[inner], key, inner)
    slot = rng.integers(0, 6, k)
    callee = np.select(
        [u < comp_p, u < comp_p + 0.08, u < comp_p + 0.09],
        [book.competitor_contacts[caller, slot], book.own_contacts[caller, slot], rng.integers(0, pop.n, k)],
        inner,
    )
    ours, to = callee < pop.n, np.minimum(callee, pop.n - 1)
    # a customer who left is now a competitor's; one who has not joined yet is called on another
    # own-operator number, so that a new line does not read as its friends' homecoming
    gone = ours & (pop.churn.day[to] >= 0) & (pop.churn.day[to] <= day)
    callee = np.where(gone | (ours & pop.fraud[to]), book.competitor_contacts[caller, slot], callee)
    callee = np.where(ours & (pop.join_day[to] > day), book.own_contacts[caller, slot], callee)
    return np.where(callee == caller, book.own_contacts[caller, slot], callee)


def _service_calls(pop: Population, book: NumberBook, normal: np.ndarray, act: np.ndarray, rest: bool,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    callers, callees, cats = [], [], []
    for c, cat in enumerate(SERVICE_CATEGORIES):
        base, flag, extra = _SERVICE_RATES[cat]
        monthly = base + (np.where(pop.flags[flag], extra, 0.0) if flag else 0.0)
        if cat == "stock_broker":
            daily = np.zeros(pop.n) if rest else monthly / 21.0
        elif cat in ("golf_club", "entertainment_voting"):
            daily = monthly / 30.4 * (1.8 if rest else 0.65)
        else:
            daily = monthly / 30.4
        count = rng.poisson(daily * act * normal)
        who = np.repeat(np.arange(pop.n), count)
        numbers = book.service[cat]
        callers.append(who)
        callees.append(numbers[rng.integers(0, len(numbers), len(who))])
        cats.append(np.full(len(who), c))
    return np.concatenate(callers), np.concatenate(callees), np.concatenate(cats)


def _service_seconds(cat: np.ndarray, rest: bool, rng: np.random.Generator) -> np.ndarray:
    secs = _seconds_of_day(_HOURS_REST if rest else _HOURS_WORK, len(cat), rng)
    trading = cat == SERVICE_CATEGORIES.index("stock_broker")
    secs[trading] = rng.integers(int(9.5 * 3600), 15 * 3600, trading.sum())
    commute = cat == SERVICE_CATEGORIES.index("traffic_radio")
    secs[commute] = np.where(rng.random(commute.sum()) < 0.5, 7 * 3600, 17 * 3600) + rng.integers(0, 7200, commute.sum())
    return secs


_ALPHA = np.argsort(np.array(bh.CONTENT))  # emit categories in alphabetical (key) order
_EXTRA = {"car_owner": ("auto", 0.5), "stock_trader": ("finance", 0.8), "young_music_fan": ("music", 1.0),
          "hk_macau_traveller": ("travel", 0.3), "business_traveller": ("travel", 0.3)}


def _content(pop: Population, act: np.ndarray, rest: bool, data: np.ndarray, data_factor: float,
             rng: np.random.Generator) -> dict[str, object]:
    rates = bh.CONTENT_RATES[pop.persona] * pop.scale[:, 4:5]
    for flag, (cat, extra) in _EXTRA.items():
        rates[:, bh.CONTENT.index(cat)] += np.where(pop.flags[flag], extra, 0.0)
    rates[:, bh.CONTENT.index("sports")] += np.where(pop.sports_fan, 0.6, 0.0)
    if rest:
        rates[:, [bh.CONTENT.index("video"), bh.CONTENT.index("games")]] *= 1.3
    visits = rng.poisson(rates * (act * data_factor)[:, None])[:, _ALPHA]
    weight = visits * bh.CONTENT_MB_WEIGHT[_ALPHA]
    share = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-9)
    cust, cat = np.nonzero(visits)
    return {
        "customer_id": cust,
        "content_category": np.array(bh.CONTENT)[_ALPHA][cat],
        "visits": visits[cust, cat],
        "data_mb": np.round(0.7 * data[cust] * share[cust, cat], 3),
    }
