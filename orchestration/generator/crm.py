"""CRM extracts: the monthly end-of-month customer archive, plus the enterprise and agent
reference tables, as contract columns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.generator.arrow_columns import fixed_width_strings
from orchestration.generator.billing import Payments, plan_id
from orchestration.generator.calendar import Window
from orchestration.generator.people import Agents, Enterprises
from orchestration.generator.places import CITY_NAMES, DISTRICTS
from orchestration.generator.population import Population


def customer_status(pop: Population, window: Window, payments: Payments) -> tuple[np.ndarray, np.ndarray]:
    """(status, status_date) per month end and customer: closed from the churn month on,
    suspended while arrears are 60+ days overdue, active otherwise."""
    months, n = window.n_months, pop.n
    status = np.full((months, n), "active", dtype=object)
    since = np.tile(pop.join, (months, 1))
    churn_date = window.days[np.clip(pop.churn.day, 0, window.n_days - 1)]
    for m in range(months):
        last = int(window.month_days(m)[-1])
        arrears = payments.arrears[m]
        late = arrears["days_overdue"] >= 60
        who = arrears["customer"][late]
        status[m, who] = "suspended"
        since[m, who] = window.month_end(m) - (arrears["days_overdue"][late] - 60).astype("timedelta64[D]")
        closed = (pop.churn.day >= 0) & (pop.churn.day <= last)
        status[m, closed] = "closed"
        since[m, closed] = churn_date[closed]
    return status, since


def customers_columns(pop: Population, window: Window, month: int, status: np.ndarray, since: np.ndarray,
                      plan_by_month: np.ndarray, tiers: np.ndarray, dnd: np.ndarray,
                      customer_ids: pa.Array) -> dict[str, object]:
    """The archive of month ``month``: one row per customer whose line was open by its last day."""
    enterprise = np.where(pop.enterprise >= 0, pop.enterprise + 1, 0)
    enterprise_ids = fixed_width_strings("EN", enterprise, 6)
    enterprise_ids = pa.array([e if b else None for e, b in zip(enterprise_ids.to_pylist(), pop.is_b)], pa.string())
    columns = {
        "customer_id": customer_ids,
        "customer_type": np.where(pop.is_b, "B", "C"),
        "enterprise_id": enterprise_ids,
        "full_name": pop.name,
        "gender": np.where(pop.is_male, "M", "F"),
        "birth_date": pop.birth,
        "id_card_no": pop.id_card,
        "phone_no": fixed_width_strings("", pop.phone, 11),
        "city": np.array(CITY_NAMES)[pop.city],
        "district": np.array([d[1] for d in DISTRICTS])[pop.district],
        "brand": pop.brand,
        "plan_id": plan_id(plan_by_month[month]),
        "member_tier": tiers[month],
        "join_date": pop.join,
        "status": status[month],
        "status_date": since[month],
        "contract_end_date": pop.contract_end,
        "opt_out_marketing": pop.opt_out,
        "do_not_disturb": dnd[month],
    }
    on_book = pop.join <= window.month_end(month)
    return {k: v.filter(pa.array(on_book)) if isinstance(v, pa.Array) else np.asarray(v)[on_book]
            for k, v in columns.items()}


def enterprises_columns(ent: Enterprises) -> dict[str, object]:
    n = len(ent.industry)
    return {
        "enterprise_id": fixed_width_strings("EN", np.arange(1, n + 1), 6),
        "enterprise_name": ent.name,
        "industry": ent.industry,
        "size_band": ent.size_band,
        "city": np.array(CITY_NAMES)[ent.city],
        "account_manager_id": pa.array([f"AG{a + 1:04d}" if a >= 0 else None for a in ent.account_manager.tolist()],
                                       pa.string()),
        "signed_date": ent.signed,
    }


def agents_columns(agents: Agents) -> dict[str, object]:
    n = len(agents.team)
    return {
        "agent_id": fixed_width_strings("AG", np.arange(1, n + 1), 4),
        "agent_name": agents.name,
        "team": agents.team,
        "skill_group": agents.skill,
        "seniority_years": agents.seniority,
        "hired_date": agents.hired,
    }
