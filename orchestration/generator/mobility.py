"""Cell sightings, one day at a time: where each customer's handset registered at night, in
working hours and in the evening.

Home cells carry the night band, work cells the working hours of working days; golfers show
up on golf courses on rest days, business travellers at transport hubs, campus students sleep on
campus; SIM boxes never move. Customers roaming outside the province are not seen at all.
"""

from __future__ import annotations

import numpy as np

from orchestration.generator.places import Cells
from orchestration.generator.population import Population


class Mobility:
    """Per-customer special cells (golf course, transport hub) fixed once per run."""

    def __init__(self, pop: Population, cells: Cells, rng: np.random.Generator) -> None:
        self.pop = pop
        self.golf = self._in_city(cells, "golf_course", pop.city, rng)
        self.hub = self._in_city(cells, "transport_hub", pop.city, rng)
        self.any_golf = cells.of_type("golf_course")
        self.any_hub = cells.of_type("transport_hub")
        self.band_names = np.array(["evening", "night", "work_hours"])  # alphabetical: key order

    @staticmethod
    def _in_city(cells: Cells, area: str, city: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        result = np.empty(len(city), dtype=np.int64)
        for ci in np.unique(city):
            pool = cells.of_type(area, int(ci))
            pool = pool if len(pool) else cells.of_type(area)
            who = np.flatnonzero(city == ci)
            result[who] = pool[rng.integers(0, len(pool), len(who))]
        return result

    def day(self, day: int, rest: bool, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Sightings of ``day`` as (customer index, cell index, band name, events) columns."""
        pop = self.pop
        n = pop.n
        act = pop.activity(day)
        here = (act > 0) & (pop.roaming[:, day] == 0)
        pick = pop.other_cells[np.arange(n), rng.integers(0, 3, n)]
        flags = pop.flags

        # night: home (campus students mostly on campus)
        night = pop.home_cell.copy()
        on_campus = flags["campus_student"] & (rng.random(n) < (0.5 if rest else 0.85))
        night = np.where(on_campus, pop.campus_cell, night)
        night_seen = here & (rng.random(n) < 0.97)

        # working hours
        if rest:
            work = np.where(rng.random(n) < 0.5, pick, pop.home_cell)
            golfing = flags["golfer"] & (rng.random(n) < 0.6)
            stray_golf = rng.random(n) < 0.002
            work = np.where(golfing, self.golf, work)
            work = np.where(stray_golf & ~golfing, self.any_golf[rng.integers(0, len(self.any_golf), n)], work)
            work_seen = here & (rng.random(n) < 0.8)
        else:
            has_work = pop.work_cell >= 0
            at_work = has_work & (rng.random(n) < 0.9)
            work = np.where(at_work, pop.work_cell, np.where(rng.random(n) < 0.5, pick, pop.home_cell))
            travelling = flags["business_traveller"] & (rng.random(n) < 0.4)
            stray_hub = rng.random(n) < 0.005
            work = np.where(travelling, self.hub, work)
            work = np.where(stray_hub & ~travelling, self.any_hub[rng.integers(0, len(self.any_hub), n)], work)
            work_seen = here & (rng.random(n) < np.where(has_work, 0.97, 0.75))

        # evening
        evening = np.where(rng.random(n) < 0.6, pick, pop.home_cell)
        evening_seen = here & (rng.random(n) < 0.35)

        fraud = pop.fraud & (act > 0)
        night = np.where(fraud, pop.home_cell, night)
        work = np.where(fraud, pop.home_cell, work)
        evening = np.where(fraud, pop.home_cell, evening)
        night_seen |= fraud
        work_seen |= fraud
        evening_seen |= fraud

        cust, cell, band = [], [], []
        for b, (cells_b, seen) in enumerate(((evening, evening_seen), (night, night_seen), (work, work_seen))):
            who = np.flatnonzero(seen)
            cust.append(who)
            cell.append(cells_b[who])
            band.append(np.full(len(who), b))
        cust_a, cell_a, band_a = np.concatenate(cust), np.concatenate(cell), np.concatenate(band)
        lam = np.where(pop.fraud[cust_a], 60.0, np.array([4.0, 9.0, 6.0])[band_a])
        events = rng.poisson(lam) + 1
        order = np.lexsort((band_a, cell_a, cust_a))
        return {
            "customer_id": cust_a[order],
            "cell_id": cell_a[order],
            "time_band": self.band_names[band_a[order]],
            "events": events[order],
        }
