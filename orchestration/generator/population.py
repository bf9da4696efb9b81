"""The customer base: who each customer is (demographics, PII, brand, plan, places, social
circle) together with the latent behaviour that later modules turn into data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator import behaviour as bh
from orchestration.generator.calendar import Window
from orchestration.generator.catalog import plan_arrays
from orchestration.generator.people import Enterprises, chinese_names, id_card_numbers, phone_numbers
from orchestration.generator.places import CITY_NAMES, CITY_SHARES, DISTRICTS, Cells, Halls
from orchestration.generator.seed_codes import SeedCodes


@dataclass
class Population:
    """One entry per customer, in customer-id order (customer i is CU{i+1:08d})."""

    n: int
    n_days: int  # days in the window (churn days may lie beyond it: latent next-month churners)
    is_b: np.ndarray
    enterprise: np.ndarray  # enterprise index, -1 for C customers
    persona: np.ndarray
    age: np.ndarray
    birth: np.ndarray
    is_male: np.ndarray
    city: np.ndarray
    district: np.ndarray
    name: np.ndarray
    id_card: np.ndarray
    phone: np.ndarray  # int64 11-digit
    brand: np.ndarray
    plan: np.ndarray  # plan index at the window start
    join: np.ndarray  # join date; customers who join inside the window have no data before it
    join_day: np.ndarray  # window day index of the join date: negative for customers who joined before
    contract_end: np.ndarray  # datetime64[D], NaT when none
    opt_out: np.ndarray
    dnd: np.ndarray
    circle: np.ndarray
    circle_start: np.ndarray  # per circle: offset into circle_members
    circle_size: np.ndarray
    circle_members: np.ndarray  # customers sorted by circle
    circle_pos: np.ndarray  # each customer's position inside its circle
    circle_keys: np.ndarray  # per circle: (2,) key-person customer indices (second may repeat first)
    is_key: np.ndarray
    flags: dict[str, np.ndarray]
    sports_fan: np.ndarray
    churn: bh.Churn
    fraud: np.ndarray
    comp_base: np.ndarray
    homecoming_slope: np.ndarray
    preferred_channel: np.ndarray
    propensity: np.ndarray
    arrears_prone: np.ndarray
    scale: np.ndarray  # (n, 5) lognormal multipliers: calls, sms, data, incoming, content
    home_cell: np.ndarray
    work_cell: np.ndarray  # -1 when none
    other_cells: np.ndarray  # (n, 3)
    campus_cell: np.ndarray  # -1 unless campus student
    hall: np.ndarray  # usual service hall
    roaming: np.ndarray  # (n, n_days) int8: 0 none, 1 domestic, 2 hk_macau, 3 abroad
    circle_affinity: np.ndarray  # per circle: shared VAS adoption effect

    def alive_on(self, day: int) -> np.ndarray:
        """Customers whose line is open on window day ``day``: joined by then and not yet churned."""
        return (self.join_day <= day) & ((self.churn.day < 0) | (day < self.churn.day))

    def activity(self, day: int) -> np.ndarray:
        """Usage multiplier on window day ``day``: 0 before the join day, then as the churn plan says."""
        return np.where(self.join_day <= day, bh.activity_factor(self.churn, day), 0.0)

    @property
    def joined_in_window(self) -> np.ndarray:
        return self.join_day >= 0

    @property
    def churned_in_window(self) -> np.ndarray:
        return (self.churn.day >= 0) & (self.churn.day < self.n_days)

    def churn_dates(self, start: np.datetime64) -> np.ndarray:
        """Churn date per customer (NaT for non-churners), also beyond the window."""
        return np.where(self.churn.day >= 0, start + np.maximum(self.churn.day, 0).astype("timedelta64[D]"),
                        np.datetime64("NaT")).astype("datetime64[D]")


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(np.clip(round(rng.lognormal(2.5, 0.5)), 5, 40)))
    excess = sum(sizes) - n
    sizes[-1] -= excess
    if sizes[-1] < 5 and len(sizes) > 1:
        tail = sizes.pop()
        sizes[-1] += tail
    size = np.array(sizes)
    members = rng.permutation(n)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    circle = np.empty(n, dtype=np.int64)
    circle[members] = np.repeat(np.arange(len(size)), size)
    first = members[start + rng.integers(0, size)]
    second_offset = (start + rng.integers(0, size))
    second = np.where(size >= 15, members[second_offset], first)
    keys = np.stack([first, second], axis=1)
    is_key = np.zeros(n, dtype=bool)
    is_key[keys.ravel()] = True
    pos = np.empty(n, dtype=np.int64)
    pos[members] = np.arange(n) - np.repeat(start, size)
    return circle, start, size, members, pos, keys, is_key


def build_population(n: int, window: Window, seeds: SeedCodes, cells: Cells, halls: Halls,
                     enterprises: Enterprises, rng: np.random.Generator) -> Population:
    circle, c_start, c_size, members, c_pos, keys, is_key = _circles(n, rng)
    n_circles = len(c_size)
    circle_city = rng.choice(len(CITY_NAMES), n_circles, p=CITY_SHARES)
    city = np.where(rng.random(n) < 0.95, circle_city[circle], rng.choice(len(CITY_NAMES), n, p=CITY_SHARES))
    is_b = rng.random(n) < 0.12
    enterprise = np.full(n, -1)
    for ci in range(len(CITY_NAMES)):
        ent = np.flatnonzero(enterprises.city == ci)
        ent = ent if len(ent) else np.arange(len(enterprises.city))
        who = np.flatnonzero(is_b & (city == ci))
        weight = enterprises.employees[ent] ** 0.7
        enterprise[who] = rng.choice(ent, len(who), p=weight / weight.sum())
    district = np.empty(n, dtype=np.int64)
    for ci in range(len(CITY_NAMES)):
        who = np.flatnonzero(city == ci)
        choices = np.array([d for d, x in enumerate(DISTRICTS) if x[0] == ci])
        district[who] = rng.choice(choices, len(who))

    persona, age = bh.persona_and_age(is_b, rng)
    is_male = rng.random(n) < np.where(persona == bh.PERSONAS.index("roaming_professional"), 0.65, 0.5)
    birth = window.start - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    flags = bh.knowledge_flags(persona, age, is_b, rng)
    sports_fan = rng.random(n) < 0.08

    # brand and plan follow age, persona and expected usage
    gotone_p = np.where(is_b, 0.85, np.where(age >= 30, 0.55, 0.15))
    mzone_p = np.where(is_b, 0.05, np.where(age < 26, 0.70, np.where(age < 30, 0.35, 0.10)))
    u = rng.random(n)
    brand = np.where(u < gotone_p, "gotone", np.where(u < gotone_p + mzone_p, "mzone", "easyown"))
    brand = np.where((persona == bh.PERSONAS.index("senior_basic")) & (rng.random(n) < 0.6), "easyown", brand)
    scale = rng.lognormal(0.0, 0.3, (n, 5))
    prof = bh.PROFILE[persona]
    minutes = prof[:, 0] * scale[:, 0] * prof[:, 1] / 60 * 30.4
    data = prof[:, 4] * scale[:, 2] * 30.4
    plans = plan_arrays()
    fit = np.maximum(np.searchsorted(plans["minutes"], minutes), np.searchsorted(plans["data_mb"], data * 0.8))
    shift = rng.choice([0, 1, -1], n, p=[0.65, 0.2, 0.15])
    plan = np.clip(fit + shift, 0, len(plans["fee"]) - 1)
    plan = np.where(brand == "easyown", np.minimum(plan, 3), plan)

    fraud_n = max(2, round(0.003 * n))
    fraud = np.zeros(n, dtype=bool)
    fraud[rng.choice(np.flatnonzero(~is_b & ~is_key & (age >= 22)), fraud_n, replace=False)] = True
    brand = np.where(fraud, "easyown", brand)
    plan = np.where(fraud, 1, plan)
    for f in flags.values():
        f &= ~fraud

    tenure = np.minimum(rng.exponential(4.5 * 365, n) + 60, np.minimum((age - 16) * 365 + 30, 20 * 365)).astype(int)
    tenure = np.where(fraud, rng.integers(20, 120, n), tenure)
    join = window.start - tenure.astype("timedelta64[D]")
    has_contract = (rng.random(n) < 0.35) & ~fraud
    contract_end = np.where(has_contract, window.start + rng.integers(-180, 720, n).astype("timedelta64[D]"),
                            np.datetime64("NaT")).astype("datetime64[D]")
    contract_end = np.where(contract_end < join + np.timedelta64(365, "D"), join + np.timedelta64(730, "D"),
                            contract_end)
    opt_out = rng.random(n) < 0.03
    dnd = rng.random(n) < np.where(age >= 60, 0.12, 0.04)

    # churn: risk from prepaid brand, contract expiry soon and short tenure
    near_end = ~np.isnat(contract_end) & (np.abs((contract_end - window.start).astype(int) - 45) < 90)
    risk = np.exp(0.8 * (brand == "easyown") + 0.6 * near_end + 0.5 * (tenure < 365) - 0.5 * is_b)
    extended = window.extended_month_of_day()
    churn = bh.plan_churn(len(extended), extended, risk, ~fraud, rng)
    churn_date = window.start + np.maximum(churn.day, 0).astype("timedelta64[D]")
    ends_near = churn.drivers["contract_end_near"]
    contract_end = np.where(ends_near, churn_date + rng.integers(-40, 11, n).astype("timedelta64[D]"), contract_end)

    comp_base = np.clip(rng.beta(2, 14, n) + 0.03 * (city <= 1), 0.01, 0.4)
    drifting = (rng.random(n) < 0.03) & ~fraud & (churn.day < 0)
    homecoming_slope = np.where(drifting, rng.uniform(0.08, 0.15, n), 0.0)
    preferred, propensity = bh.channel_preference(age, rng)
    arrears_prone = (rng.random(n) < 0.07) & (brand != "easyown") & ~fraud

    home, work, other, campus = _places(n, city, district, persona, age, is_b, enterprise, enterprises,
                                        flags, fraud, cells, rng)
    hall_of_district = {int(d): h for h, d in reversed(list(enumerate(halls.district)))}
    hall = np.array([hall_of_district.get(int(d), 0) for d in district])

    roaming = np.zeros((n, window.n_days), dtype=np.int8)
    dom_trips = bh.PROFILE[persona][:, 6] + np.where(flags["business_traveller"], 1.0, 0.0)
    bh.roaming_calendar(window.month_of_day, dom_trips, 1, 2, 3, rng, out=roaming)
    abroad = np.where(persona == bh.PERSONAS.index("roaming_professional"), 0.06, 0.004)
    bh.roaming_calendar(window.month_of_day, abroad, 3, 3, 5, rng, out=roaming)
    hk = np.where(flags["hk_macau_traveller"], 0.5, 0.0005)
    bh.roaming_calendar(window.month_of_day, hk, 2, 1, 3, rng, at_least_one=flags["hk_macau_traveller"],
                        out=roaming)
    roaming[fraud] = 0

    phone = phone_numbers(seeds.own_prefixes, n, rng)
    name = chinese_names(is_male, rng)
    id_card = id_card_numbers(birth, is_male, district, rng)
    circle_affinity = rng.normal(0.0, 1.0, n_circles)
    # new lines: drawn last so that everything drawn above stays as it was without them
    join_day = _window_joiners(window, fraud | is_key | (churn.day >= 0) | (homecoming_slope > 0), rng)
    new = join_day >= 0
    join = np.where(new, window.start + np.maximum(join_day, 0).astype("timedelta64[D]"), join)
    year, two_years = np.timedelta64(365, "D"), np.timedelta64(730, "D")
    contract_end = np.where(new & (contract_end < join + year), join + two_years, contract_end)
    roaming[np.arange(window.n_days)[None, :] < join_day[:, None]] = 0  # join_day is -1 before the window
    join_day = (join - window.start).astype(int)  # negative for lines opened before the window
    return Population(
        n=n, n_days=window.n_days, is_b=is_b, enterprise=enterprise, persona=persona, age=age, birth=birth,
        is_male=is_male, city=city, district=district, name=name, id_card=id_card, phone=phone, brand=brand, plan=plan,
        join=join, join_day=join_day, contract_end=contract_end, opt_out=opt_out, dnd=dnd, circle=circle,
        circle_start=c_start, circle_size=c_size, circle_members=members, circle_pos=c_pos, circle_keys=keys,
        is_key=is_key, flags=flags, sports_fan=sports_fan, churn=churn, fraud=fraud, comp_base=comp_base,
        homecoming_slope=homecoming_slope, preferred_channel=preferred, propensity=propensity,
        arrears_prone=arrears_prone, scale=scale, home_cell=home, work_cell=work, other_cells=other,
        campus_cell=campus, hall=hall, roaming=roaming, circle_affinity=circle_affinity,
    )


def _window_joiners(window: Window, excluded: np.ndarray, rng: np.random.Generator,
                    monthly_rate: float = 0.015) -> np.ndarray:
    """Window day each new line opens on, -1 for customers who joined before the window.

    About ``monthly_rate`` of the base joins in each month of the window, on a uniform day.
    Fraud lines, key persons, churners and drifting (homecoming) customers are kept out: their
    planted patterns need the whole window.
    """
    n = len(excluded)
    day = np.full(n, -1)
    pool = np.flatnonzero(~excluded)
    k = min(len(pool), int(round(monthly_rate * window.n_months * n)))
    who = rng.choice(pool, size=k, replace=False)
    day[who] = rng.integers(0, window.n_days, k)
    return day


def _pick(pool: np.ndarray, fallback: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    pool = pool if len(pool) else fallback
    return pool[rng.integers(0, len(pool), k)]


def _places(n: int, city: np.ndarray, district: np.ndarray, persona: np.ndarray, age: np.ndarray,
            is_b: np.ndarray, enterprise: np.ndarray, enterprises: Enterprises, flags: dict[str, np.ndarray],
            fraud: np.ndarray, cells: Cells, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Home, work, other and campus cells per customer (campus only for campus students)."""
    home = np.empty(n, dtype=np.int64)
    work = np.full(n, -1, dtype=np.int64)
    other = np.empty((n, 3), dtype=np.int64)
    campus = np.full(n, -1, dtype=np.int64)
    everyday = np.isin(cells.area_type, ["residential", "business_district", "scenic_area", "rural",
                                         "industrial_park"])
    for d in range(len(DISTRICTS)):
        who = np.flatnonzero(district == d)
        ci = DISTRICTS[d][0]
        in_city = np.flatnonzero(cells.city == ci)
        homes = np.flatnonzero((cells.district == d) & np.isin(cells.area_type, ["residential", "rural"]))
        home[who] = _pick(homes, cells.of_type("residential", ci), len(who), rng)
        other[who] = _pick(np.flatnonzero(everyday & (cells.city == ci)), in_city, len(who) * 3, rng).reshape(-1, 3)
    for ci in range(len(CITY_NAMES)):
        who = np.flatnonzero(city == ci)
        business = cells.of_type("business_district", ci)
        industry = cells.of_type("industrial_park", ci)
        office = _pick(business, cells.of_type("business_district"), len(who), rng)
        plant = _pick(industry, cells.of_type("industrial_park"), len(who), rng)
        work[who] = np.where(rng.random(len(who)) < 0.7, office, plant)
        students = who[flags["campus_student"][who]]
        campus[students] = _pick(cells.of_type("campus", ci), cells.of_type("campus"), len(students), rng)
    b_city = enterprises.city[np.maximum(enterprise, 0)]
    for ci in range(len(CITY_NAMES)):
        who = np.flatnonzero(is_b & (b_city == ci))
        work[who] = _pick(cells.of_type("business_district", ci), cells.of_type("business_district"), len(who), rng)
    senior = persona == bh.PERSONAS.index("senior_basic")
    work[senior | (age < 20) | (age > 62) | flags["campus_student"]] = -1
    work[flags["campus_student"]] = campus[flags["campus_student"]]
    # a SIM box sits still in one place: an ordinary residential or industrial cell
    fixed = np.flatnonzero(fraud)
    spots = np.flatnonzero(np.isin(cells.area_type, ["residential", "industrial_park"]))
    home[fixed] = spots[rng.integers(0, len(spots), len(fixed))]
    work[fixed] = home[fixed]
    other[fixed] = home[fixed][:, None]
    return home, work, other, campus
