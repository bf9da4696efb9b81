"""Monthly bills rated from the month's usage and holdings, payments against them, and the
month-end arrears of customers who do not pay."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator.calendar import Window
from orchestration.generator.catalog import BY_ID, PLAN_IDS, plan_arrays
from orchestration.generator.holdings import active_on
from orchestration.generator.population import Population

ITEMS = ("MONTHLY_FEE", "LOCAL_VOICE", "LONG_DISTANCE", "ROAMING_DOMESTIC", "ROAMING_HKMO", "ROAMING_INTL",
         "SMS", "MMS", "DATA", "VAS", "GROUP_FEE", "OTHER_FEE")
_METHODS = ("cash", "bank_card", "alipay", "wechat_pay", "auto_debit", "top_up_card")
_METHOD_BY_AGE = np.array([[0.00, 0.10, 0.40, 0.40, 0.10, 0.0],
                           [0.05, 0.15, 0.25, 0.25, 0.30, 0.0],
                           [0.40, 0.25, 0.00, 0.15, 0.20, 0.0]])
US = 1_000_000


@dataclass
class Bills:
    items: list[dict[str, np.ndarray]]  # per month: customer, code, amount, quantity
    total: np.ndarray  # (months, n) billed yuan


def rate_bills(pop: Population, window: Window, month_usage: dict[str, np.ndarray], subs: dict[str, np.ndarray],
               plan_by_month: np.ndarray) -> Bills:
    plans = plan_arrays()
    n = pop.n
    fee_of = np.array([BY_ID[p].monthly_fee for p in subs["product"]])
    kind = np.array([BY_ID[p].product_type for p in subs["product"]])
    items, total = [], np.zeros((window.n_months, n))
    for m in range(window.n_months):
        first, last = window.month_starts[m], window.month_end(m)
        days_in = len(window.month_days(m))
        active_days = month_usage["active_days"][m]
        billed = active_days > 0
        share = active_days / days_in
        plan = plan_by_month[m]
        amounts: dict[str, np.ndarray] = {}
        qty: dict[str, np.ndarray] = {}
        amounts["MONTHLY_FEE"], qty["MONTHLY_FEE"] = plans["fee"][plan] * share, share
        out, local = month_usage["voice_out"][m], month_usage["local"][m]
        over = np.maximum(out - plans["minutes"][plan] * share, 0)
        local_over = np.where(out > 0, over * local / np.maximum(out, 1e-9), 0)
        price = plans["overage_voice"][plan]
        for code, minutes in (("LOCAL_VOICE", local_over), ("LONG_DISTANCE", over - local_over)):
            amounts[code], qty[code] = minutes * price, minutes
        sms_over = np.maximum(month_usage["sms"][m] - plans["sms"][plan] * share, 0)
        amounts["SMS"], qty["SMS"] = sms_over * plans["overage_sms"][plan], sms_over
        amounts["MMS"], qty["MMS"] = month_usage["mms"][m] * 0.3, month_usage["mms"][m]
        data_over = np.maximum(month_usage["data"][m] - plans["data_mb"][plan] * share, 0)
        amounts["DATA"], qty["DATA"] = np.minimum(data_over * plans["overage_data"][plan], 150), data_over
        live = active_on(subs, last) | ((subs["start"] <= last) & (subs["end"] >= first))
        holds = lambda pid: np.isin(np.arange(n), subs["customer"][live & (subs["product"] == pid)])  # noqa: E731
        for code, field, cheap, dear, pack in (("ROAMING_DOMESTIC", "roam_domestic", 0.19, 0.39, "VAS_ROAM_DOMESTIC"),
                                               ("ROAMING_HKMO", "roam_hk_macau", 0.99, 1.99, "VAS_ROAM_HKMO"),
                                               ("ROAMING_INTL", "roam_abroad", 2.99, 2.99, None)):
            minutes = month_usage[field][m]
            rate = np.where(holds(pack), cheap, dear) if pack else dear
            amounts[code], qty[code] = minutes * rate, minutes
        for code, product_type in (("VAS", "vas"), ("GROUP_FEE", "group_product"), ("OTHER_FEE", "handset")):
            sel = live & (kind == product_type)
            amounts[code] = np.bincount(subs["customer"][sel], weights=fee_of[sel], minlength=n)
            qty[code] = np.bincount(subs["customer"][sel], minlength=n).astype(float)
        cust, code, amount, quantity = [], [], [], []
        for item in sorted(ITEMS):
            cents = np.rint(amounts[item] * 100) * billed
            who = np.flatnonzero((cents > 0) | ((item == "MONTHLY_FEE") & billed))
            cust.append(who)
            code.append(np.full(len(who), item, dtype=object))
            amount.append(cents[who] / 100)
            quantity.append(np.round(np.broadcast_to(qty[item], (n,))[who], 2))
            total[m] += np.where(billed, cents / 100, 0)
        c = np.concatenate(cust)
        order = np.lexsort((np.concatenate(code).astype(str), c))
        items.append({"customer": c[order], "code": np.concatenate(code)[order],
                      "amount": np.concatenate(amount)[order], "quantity": np.concatenate(quantity)[order]})
    return Bills(items, total)


def member_tiers(bills: Bills, rng: np.random.Generator) -> np.ndarray:
    """CRM member tier per month end: rated on the previous month's bill (month one: its own,
    blurred), with thresholds fixed on the first month (diamond 3 %, gold 12 %, silver 30 %)."""
    first = bills.total[0]
    ref = first[first > 0]
    cut = np.quantile(ref, [0.55, 0.85, 0.97]) if len(ref) else np.array([1, 2, 3])
    basis = np.vstack([first * rng.lognormal(0, 0.1, len(first)), bills.total[:-1]])
    level = np.searchsorted(cut, basis, side="right")  # 0 standard .. 3 diamond
    return np.array(["standard", "silver", "gold", "diamond"])[level]


@dataclass
class Payments:
    payments: list[dict[str, np.ndarray]]  # per month: customer, paid_at (us), method, amount
    arrears: list[dict[str, np.ndarray]]  # per month: customer, amount, days_overdue


def settle(pop: Population, window: Window, bills: Bills, rng: np.random.Generator) -> Payments:
    n = pop.n
    age_band = np.select([pop.age < 30, pop.age <= 55], [0, 1], 2)
    habit = (rng.random(n)[:, None] > _METHOD_BY_AGE[age_band].cumsum(axis=1)).sum(axis=1)
    prepaid = pop.brand == "easyown"
    prone = pop.arrears_prone
    # bills before the window the arrears-prone still owe: (amount, due date) per customer; none
    # for lines that open inside the window
    before = ~pop.joined_in_window
    owed_months = np.where(prone & before, rng.integers(1, 4, n), 0)
    expected = bills.total[0] * rng.uniform(0.9, 1.1, n) * before
    unpaid: list[list[tuple[float, np.datetime64]]] = [[] for _ in range(n)]
    for c in np.flatnonzero(prone).tolist():
        for k in range(owed_months[c], 0, -1):
            due = (window.month_starts[0].astype("datetime64[M]") - (k - 1)).astype("datetime64[D]") + 19
            unpaid[c].append((round(float(expected[c]), 2), due))
    payments, arrears = [], []
    for m in range(window.n_months):
        days = window.month_days(m)
        previous = expected if m == 0 else bills.total[m - 1]
        due = window.month_starts[m] + np.timedelta64(19, "D")
        for c in np.flatnonzero(prone & (previous > 0)).tolist():
            unpaid[c].append((round(float(previous[c]), 2), due))
        cust, when, method, amount = [], [], [], []
        payer = ~prepaid & ~prone & (previous > 0)
        who = np.flatnonzero(payer)
        cust.append(who)
        when.append(days[np.minimum(rng.integers(0, 25, len(who)), len(days) - 1)])
        method.append(habit[who])
        amount.append(np.round(previous[who], 2))
        # prepaid top-ups while the line lives
        alive = prepaid & ((pop.churn.day < 0) | (pop.churn.day > days[0])) & (pop.join_day <= days[-1])
        tops = np.where(alive, 1 + rng.poisson(0.5, n), 0)
        who = np.repeat(np.arange(n), tops)
        cust.append(who)
        first_day = np.maximum(pop.join_day[who], days[0])
        last_day = np.where(pop.churn.day[who] >= 0, np.minimum(pop.churn.day[who] - 1, days[-1]), days[-1])
        when.append(first_day + (rng.random(len(who)) * (last_day - first_day + 1)).astype(int))
        method.append(np.array([5, 3, 2])[rng.choice(3, len(who), p=[0.4, 0.3, 0.3])])
        amount.append(np.array([20.0, 30.0, 50.0, 100.0])[rng.choice(4, len(who), p=[0.2, 0.3, 0.3, 0.2])])
        # the arrears-prone settle everything now and then
        settling = np.flatnonzero(prone & (rng.random(n) < 0.25))
        paid = [c for c in settling.tolist() if unpaid[c]]
        cust.append(np.array(paid, dtype=np.int64))
        when.append(days[rng.integers(0, len(days), len(paid))])
        method.append(habit[paid] if paid else np.zeros(0, dtype=np.int64))
        amount.append(np.array([round(sum(a for a, _ in unpaid[c]), 2) for c in paid]))
        for c in paid:
            unpaid[c] = []
        c_all = np.concatenate(cust)
        day_all = np.concatenate(when).astype(np.int64)
        stamp = np.array([window.day_us(int(d)) for d in day_all], dtype=np.int64) + \
            rng.integers(8 * 3600, 22 * 3600, len(c_all)) * US
        order = np.lexsort((c_all, stamp))
        payments.append({"customer": c_all[order], "paid_at": stamp[order],
                         "method": np.array(_METHODS, dtype=object)[np.concatenate(method).astype(int)[order]],
                         "amount": np.concatenate(amount)[order]})
        month_end = window.month_end(m)
        owing = [c for c in np.flatnonzero(prone).tolist() if unpaid[c] and unpaid[c][0][1] <= month_end]
        arrears.append({
            "customer": np.array(owing, dtype=np.int64),
            "amount": np.array([round(sum(a for a, d in unpaid[c] if d <= month_end), 2) for c in owing]),
            "days_overdue": np.array([int((month_end - unpaid[c][0][1]).astype(int)) for c in owing], dtype=np.int64),
        })
    return Payments(payments, arrears)


def plan_id(plan_index: np.ndarray) -> np.ndarray:
    return np.array(PLAN_IDS, dtype=object)[plan_index]
