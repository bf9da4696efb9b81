"""The generation window: its days, months, day kinds (weekday, weekend, holiday) and the
planted KPI anomaly days."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.generator.seed_codes import SeedCodes

US_PER_DAY = 86_400 * 1_000_000


@dataclass(frozen=True)
class Anomaly:
    """A planted day on which an operating indicator jumps or drops."""

    date: str
    kpi: str  # hotline_calls, data_mb, complaints, app_sessions, sms_queries
    direction: str  # up / down
    factor: float  # multiplier applied to the KPI's normal level that day
    cause: str
    table: str  # raw table the KPI is counted from


@dataclass
class Window:
    """Days and months the generated data covers."""

    days: np.ndarray  # datetime64[D]
    month_starts: np.ndarray  # datetime64[D], first day of each month
    month_of_day: np.ndarray  # int, month index of each day
    is_rest: np.ndarray  # bool, weekend (not a makeup working day) or public holiday
    is_holiday: np.ndarray  # bool, public holiday
    anomalies: list[Anomaly] = field(default_factory=list)

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n_months(self) -> int:
        return len(self.month_starts)

    @property
    def start(self) -> np.datetime64:
        return self.days[0]

    @property
    def end(self) -> np.datetime64:
        """Last day of the window (inclusive)."""
        return self.days[-1]

    def month_label(self, month: int) -> str:
        return str(self.month_starts[month])[:7]

    def day_label(self, day: int) -> str:
        return str(self.days[day])

    def month_end(self, month: int) -> np.datetime64:
        """Last day of month ``month`` (inclusive)."""
        days = np.flatnonzero(self.month_of_day == month)
        return self.days[days[-1]]

    def month_days(self, month: int) -> np.ndarray:
        return np.flatnonzero(self.month_of_day == month)

    def day_us(self, day: int) -> int:
        """Microseconds since the epoch at midnight starting ``day``."""
        return int(self.days[day].astype("datetime64[us]").astype(np.int64))

    def extended_month_of_day(self) -> np.ndarray:
        """Month index of each day from the window start through the end of the month after the
        window (so latent churners who leave just after the window can be planted)."""
        after = (self.month_starts[-1].astype("datetime64[M]") + 2).astype("datetime64[D]")
        days = np.arange(self.start, after, dtype="datetime64[D]")
        starts = np.append(self.month_starts, (self.month_starts[-1].astype("datetime64[M]") + 1).astype("datetime64[D]"))
        return np.searchsorted(starts, days, side="right") - 1

    def kpi_factor(self, kpi: str) -> np.ndarray:
        """Per-day multiplier the planted anomalies put on ``kpi`` (1.0 on normal days)."""
        factor = np.ones(self.n_days)
        for anomaly in self.anomalies:
            if anomaly.kpi == kpi:
                factor[self.days == np.datetime64(anomaly.date)] *= anomaly.factor
        return factor


def build_window(start_month: str, months: int, seeds: SeedCodes) -> Window:
    """The window of ``months`` calendar months starting at ``start_month`` ('YYYY-MM')."""
    first = np.datetime64(start_month, "M")
    month_starts = (first + np.arange(months + 1)).astype("datetime64[D]")
    days = np.arange(month_starts[0], month_starts[-1], dtype="datetime64[D]")
    month_of_day = np.searchsorted(month_starts, days, side="right") - 1
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    labels = days.astype(str)
    kinds = np.array([seeds.holidays.get(d, "") for d in labels])
    is_holiday = kinds == "holiday"
    is_rest = ((weekday >= 5) & (kinds != "makeup_workday")) | is_holiday
    return Window(days=days, month_starts=month_starts[:-1], month_of_day=month_of_day,
                  is_rest=is_rest, is_holiday=is_holiday)


# What each planted cause does to the operating indicators: (kpi, direction, factor, raw table).
ANOMALY_EFFECTS: dict[str, tuple[tuple[str, str, float, str], ...]] = {
    "network_outage": (("hotline_calls", "up", 3.0, "callcenter__hotline_calls"),
                       ("data_mb", "down", 0.6, "usage__daily_usage"),
                       ("complaints", "up", 3.0, "service__complaints")),
    "billing_error": (("complaints", "up", 6.0, "service__complaints"),),
    "app_outage": (("app_sessions", "down", 0.3, "digital__app_sessions"),),
    "tariff_notice_balance_queries": (("sms_queries", "up", 4.0, "digital__sms_queries"),),
}
# Causes of the extra anomaly days planted in longer windows, in turn.
_EXTRA_CAUSES = ("network_outage", "app_outage", "tariff_notice_balance_queries", "billing_error")
# Extra anomaly days fall after this many days, when the KPI bands have a history to compare with.
EXTRA_ANOMALY_MIN_DAY = 42


def _effects(date: str, cause: str) -> list[Anomaly]:
    return [Anomaly(date, kpi, direction, factor, cause, table)
            for kpi, direction, factor, table in ANOMALY_EFFECTS[cause]]


def plan_anomalies(window: Window, rng: np.random.Generator) -> list[Anomaly]:
    """Plant four anomaly days: a network outage, a month-end billing error, an app outage and a
    balance-query surge. Days are distinct ordinary working days away from the window's edges.
    Windows longer than three months get one more anomaly day for every further two months
    (causes in turn; see ``_extra_anomalies``), so a year of data holds enough of them to score
    an anomaly detector on."""
    n = window.n_days
    billing_month = 0 if window.n_months == 1 else int(rng.integers(0, window.n_months - 1))
    billing_day = int(window.month_days(billing_month)[-1])
    candidates = [d for d in range(3, n - 1) if not window.is_rest[d] and abs(d - billing_day) > 2]
    picks = rng.choice(np.array(candidates), size=3, replace=False)
    outage, app_down, sms_surge = (window.day_label(int(d)) for d in sorted(picks.tolist()))
    billing = window.day_label(billing_day)
    anomalies = (_effects(outage, "network_outage") + _effects(billing, "billing_error")
                 + _effects(app_down, "app_outage") + _effects(sms_surge, "tariff_notice_balance_queries"))
    extra = max(0, (window.n_months - 3) // 2)
    taken = [billing_day, *(int(d) for d in picks.tolist())]
    return anomalies + _extra_anomalies(window, rng, extra, taken)


def _extra_anomalies(window: Window, rng: np.random.Generator, count: int, taken: list[int]) -> list[Anomaly]:
    """``count`` more anomaly days, causes in turn, each at least three days from every other
    anomaly day and after the first ``EXTRA_ANOMALY_MIN_DAY`` days: billing errors on a month's
    last day (not the window's last month), the others on ordinary working days."""
    anomalies: list[Anomaly] = []
    month_ends = {int(window.month_days(m)[-1]) for m in range(window.n_months - 1)}
    for i in range(count):
        cause = _EXTRA_CAUSES[i % len(_EXTRA_CAUSES)]
        pool = sorted(month_ends) if cause == "billing_error" else \
            [d for d in range(EXTRA_ANOMALY_MIN_DAY, window.n_days - 1) if not window.is_rest[d]]
        free = [d for d in pool if d >= EXTRA_ANOMALY_MIN_DAY and all(abs(d - t) > 2 for t in taken)]
        if not free:
            continue
        day = int(rng.choice(np.array(free)))
        taken.append(day)
        anomalies += _effects(window.day_label(day), cause)
    return anomalies
