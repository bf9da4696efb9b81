"""Accepted plan offers in the generator (`marketing._upgrade_plans`): the running plan ends the
day before the upgrade, the new plan starts, and the month-end plan follows from that month on.
Vectorised over the holdings (a loop per customer over every holding did not finish at 1M)."""

from __future__ import annotations

import numpy as np

from orchestration.generator.calendar import build_window
from orchestration.generator.catalog import PLAN_IDS
from orchestration.generator.holdings import Holdings
from orchestration.generator.marketing import _upgrade_plans
from orchestration.generator.seed_codes import load_seed_codes

D = np.datetime64


def test_upgrades_end_the_running_plan_and_switch_the_monthly_plan() -> None:
    window = build_window("2026-03", 3, load_seed_codes())
    old_plan, other_plan = PLAN_IDS[0], PLAN_IDS[1]
    holdings = Holdings(plan_by_month=np.zeros((3, 5), dtype=np.int64))
    # customer 0: a running plan and a running add-on; customer 1: a plan that already ended and a
    # running one in a second part; customer 2: a plan starting after the upgrade day; 3 and 4 untouched
    holdings.add(np.array([0, 0, 1, 3]), np.array([old_plan, "VAS_MUSIC", old_plan, old_plan], dtype=object),
                 np.array(["2025-01-01"] * 4, dtype="datetime64[D]"),
                 np.array(["NaT", "NaT", "2025-06-30", "NaT"], dtype="datetime64[D]"), "HALL")
    holdings.add(np.array([1, 2]), other_plan, np.array(["2025-07-01", "2026-05-20"], dtype="datetime64[D]"),
                 None, "APP")
    # customer 2 accepts twice: the first acceptance (in April) counts for the running plan,
    # and the monthly plan switches from April on
    who = np.array([1, 0, 2, 2])
    when = np.array(["2026-05-03", "2026-03-15", "2026-04-10", "2026-05-28"], dtype="datetime64[D]")
    _upgrade_plans(holdings, who, when, np.array(["SMS"] * 4, dtype=object), window)

    a = holdings.arrays()
    target = PLAN_IDS.index("PLAN_388")
    assert a["end"][0] == D("2026-03-14")  # customer 0's plan ends the day before
    assert np.isnat(a["end"][1])  # an add-on is not a plan: it keeps running
    assert a["end"][2] == D("2025-06-30")  # an ended plan keeps its end
    assert np.isnat(a["end"][3])  # a customer who did not accept
    assert a["end"][4] == D("2026-05-02")  # a running plan in another part
    assert a["end"][5] == D("2026-05-20")  # never before the plan's own start
    new = a["product"] == "PLAN_388"
    assert sorted(a["customer"][new].tolist()) == [0, 1, 2, 2]
    assert holdings.plan_by_month.tolist() == [
        [target, 0, 0, 0, 0],  # March: customer 0
        [target, 0, target, 0, 0],  # April: customer 2's first acceptance
        [target, target, target, 0, 0],  # May: customer 1
    ]
