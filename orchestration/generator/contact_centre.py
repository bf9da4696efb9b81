"""Service contacts: complaint tickets and 10086 hotline calls (IVR paths, queues, agents,
notes in Chinese, satisfaction), with churn drivers, weekday/holiday rhythm and planted
anomaly days."""

from __future__ import annotations

import numpy as np

from orchestration.generator.calendar import Window
from orchestration.generator.people import Agents
from orchestration.generator.population import Population

US = 1_000_000
CATEGORIES = ("billing", "network", "service_attitude", "marketing_harassment", "product", "roaming", "other")
_CATEGORY_P = (0.30, 0.25, 0.12, 0.08, 0.12, 0.05, 0.08)
DESCRIPTIONS = {
    "billing": ("本月话费比平时高出很多，怀疑多扣费", "套餐外流量费用不清楚，要求核实账单", "未订购的业务被扣费，要求退费"),
    "network": ("家里信号很差，经常掉线", "今天网络中断，无法上网和打电话", "地铁里信号弱，通话断断续续"),
    "service_attitude": ("营业厅工作人员态度不好", "热线等待时间太长，客服敷衍"),
    "marketing_harassment": ("频繁收到营销短信，要求停止发送", "多次接到推销电话，非常反感"),
    "product": ("彩铃设置不成功", "手机报内容更新不及时", "流量包无法使用"),
    "roaming": ("港澳漫游费用过高，未收到提醒", "国际漫游无法接通"),
    "other": ("积分兑换失败", "发票开具有问题"),
}
_CHANNELS = (("HOTLINE", 0.60), ("HALL", 0.12), ("APP", 0.08), ("WEB", 0.07), ("WECHAT", 0.13))
_ANOMALY_CATEGORY = {"billing_error": "billing", "network_outage": "network"}
# IVR paths: (keys, purpose recorded by the agent or None when self-served, weight)
IVR_PATHS = (("1>1", None, 0.20), ("1>2", None, 0.06), ("1>2>0", "bill_enquiry", 0.14), ("2>1", None, 0.05),
             ("2>1>0", "plan_enquiry", 0.10), ("2>2>0", "product_order", 0.07), ("3>1>0", "fault_report", 0.09),
             ("3>2", None, 0.03), ("4>1", None, 0.02), ("4>1>0", "roaming_enquiry", 0.04), ("5>1", None, 0.02),
             ("5>0", "loss_report", 0.02), ("0", "other", 0.16))
NOTES = {
    "bill_enquiry": ("客户查询本月话费明细，已逐项解释", "客户对账单有疑问，已说明计费规则"),
    "balance_enquiry": ("客户查询余额，已告知",),
    "plan_enquiry": ("客户咨询套餐资费，已介绍适合的套餐", "客户询问套餐剩余分钟数和流量"),
    "product_order": ("客户要求开通增值业务，已办理", "客户咨询流量包订购方式"),
    "fault_report": ("客户反映无法上网，已登记故障单", "客户反映信号差，已提交网络部门处理"),
    "roaming_enquiry": ("客户咨询港澳漫游资费，已说明", "客户咨询国内漫游包"),
    "loss_report": ("客户手机丢失，已办理挂失停机",),
    "complaint": ("客户投诉，已记录并转投诉处理", "客户情绪激动，已安抚并升级处理"),
    "other": ("客户咨询积分兑换", "客户咨询营业厅地址和营业时间"),
}
_SKILL = {"bill_enquiry": "billing", "balance_enquiry": "billing", "plan_enquiry": "billing",
          "product_order": "billing", "fault_report": "technical", "roaming_enquiry": "technical",
          "loss_report": "billing", "complaint": "complaints", "other": "billing"}


def daily_poisson(pop: Population, window: Window, rate: np.ndarray, day_factor: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Events per customer and day: (customer, day) arrays."""
    cust, days = [], []
    for d in range(window.n_days):
        k = rng.poisson(rate * day_factor[d] * pop.alive_on(d))
        who = np.repeat(np.arange(pop.n), k)
        cust.append(who)
        days.append(np.full(len(who), d))
    return np.concatenate(cust), np.concatenate(days)


def _pick(options: tuple, probs: tuple, k: int, rng: np.random.Generator) -> np.ndarray:
    return np.array(options, dtype=object)[rng.choice(len(options), k, p=np.array(probs) / sum(probs))]


def complaints(pop: Population, window: Window, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Complaint tickets: background, persistent grumblers, churners' complaints, anomaly spikes."""
    grumbler = rng.random(pop.n) < 0.04
    rate = 0.02 / 30.4 * np.where(grumbler, 5.0, 1.0) * np.where(pop.persona == 4, 1.3, 1.0) * ~pop.fraud
    cust, day = daily_poisson(pop, window, rate, np.where(window.is_rest, 0.8, 1.0), rng)
    category = _pick(CATEGORIES, _CATEGORY_P, len(cust), rng)
    # churners who complain before leaving
    who = np.flatnonzero(pop.churn.drivers["complaints"])
    k = 1 + rng.poisson(0.8, len(who))
    c_cust = np.repeat(who, k)
    c_day = pop.churn.day[c_cust] - rng.integers(1, 46, len(c_cust))
    keep = (c_day >= 0) & (c_day < window.n_days)
    c_cust, c_day = c_cust[keep], c_day[keep]
    c_cat = _pick(("billing", "network", "service_attitude", "product"), (0.35, 0.35, 0.2, 0.1), len(c_cust), rng)
    # anomaly spikes: extra tickets of the anomaly's category, scaled on the normal daily level
    anomaly_days = {a.date: a for a in window.anomalies if a.kpi == "complaints"}
    per_day = np.bincount(np.concatenate([day, c_day]), minlength=window.n_days)
    normal = float(np.median([per_day[d] for d in range(window.n_days) if window.day_label(d) not in anomaly_days]
                             or [per_day.mean()]))
    extra_c, extra_d, extra_cat = [], [], []
    for date, a in sorted(anomaly_days.items()):
        d = int(np.flatnonzero(window.days == np.datetime64(date))[0])
        k = rng.poisson(max(normal, 1.0) * (a.factor - 1))
        alive = np.flatnonzero(pop.alive_on(d) & ~pop.fraud)
        extra_c.append(alive[rng.integers(0, len(alive), k)])
        extra_d.append(np.full(k, d))
        extra_cat.append(np.full(k, _ANOMALY_CATEGORY.get(a.cause, "other"), dtype=object))
    churny = np.concatenate([np.zeros(len(cust), dtype=bool), np.ones(len(c_cust), dtype=bool),
                             np.zeros(sum(len(e) for e in extra_c), dtype=bool)])
    cust = np.concatenate([cust, c_cust, *extra_c])
    day = np.concatenate([day, c_day, *extra_d])
    category = np.concatenate([category, c_cat, *extra_cat])
    k = len(cust)
    opened = np.array([window.day_us(int(d)) for d in day], dtype=np.int64) + rng.integers(8 * 3600, 22 * 3600, k) * US
    severity = np.where(churny, _pick(("low", "medium", "high"), (0.2, 0.45, 0.35), k, rng),
                        _pick(("low", "medium", "high"), (0.5, 0.35, 0.15), k, rng))
    resolved = np.where(rng.random(k) < 0.85, opened + (rng.lognormal(np.log(20), 0.9, k) * 3600 * US).astype(np.int64),
                        np.iinfo(np.int64).min)
    text = np.array([DESCRIPTIONS[c][int(i) % len(DESCRIPTIONS[c])] for c, i in
                     zip(category.tolist(), rng.integers(0, 6, k).tolist())], dtype=object)
    order = np.lexsort((cust, opened))
    out = {"customer": cust, "day": day, "opened": opened, "channel": _pick(*zip(*_CHANNELS), k, rng),
           "category": category, "severity": severity, "resolved": resolved, "description": text}
    return {key: v[order] for key, v in out.items()}


def hotline_calls(pop: Population, window: Window, agents: Agents, complaint: dict[str, np.ndarray],
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """10086 calls: background enquiries, frequent callers, churners, outage surge, and one call
    for every complaint that came in through the hotline."""
    frequent = rng.random(pop.n) < 0.015
    persona_factor = np.array([1.2, 0.7, 1.0, 0.6, 1.6, 1.1])[pop.persona]
    rate = 0.30 / 30.4 * persona_factor * np.where(frequent, 12.0, 1.0) * ~pop.fraud
    rate = rate + np.where(pop.churn.day >= 0, 0.5 / 30.4, 0.0)
    factor = np.where(window.is_rest, 0.7, 1.0) * window.kpi_factor("hotline_calls")
    cust, day = daily_poisson(pop, window, rate, factor, rng)
    k = len(cust)
    outage = window.kpi_factor("hotline_calls")[day] > 1
    weights = np.array([w for _, _, w in IVR_PATHS])
    path_idx = rng.choice(len(IVR_PATHS), k, p=weights / weights.sum())
    path_idx = np.where(outage & (rng.random(k) < 0.6), 6, path_idx)  # outage callers report faults
    path = np.array([p for p, _, _ in IVR_PATHS], dtype=object)[path_idx]
    purpose = np.array([p for _, p, _ in IVR_PATHS], dtype=object)[path_idx]
    other = _pick(("other", "bill_enquiry", "balance_enquiry", "plan_enquiry"), (0.4, 0.3, 0.15, 0.15), k, rng)
    purpose = np.where(purpose == "other", other, purpose)
    start = np.array([window.day_us(int(d)) for d in day], dtype=np.int64) + \
        rng.choice(24, k, p=_HOURS / _HOURS.sum()) * 3600 * US + rng.integers(0, 3600, k) * US
    # complaints that came in through the hotline
    via = complaint["channel"] == "HOTLINE"
    c_n = int(via.sum())
    cust = np.concatenate([cust, complaint["customer"][via]])
    day = np.concatenate([day, complaint["day"][via]])
    start = np.concatenate([start, complaint["opened"][via] - rng.integers(60, 900, c_n) * US])
    path = np.concatenate([path, np.full(c_n, "0", dtype=object)])
    purpose = np.concatenate([purpose, np.full(c_n, "complaint", dtype=object)])
    outage = np.concatenate([outage, window.kpi_factor("hotline_calls")[complaint["day"][via]] > 1])
    k = len(cust)
    identified = rng.random(k) >= 0.06
    to_agent = purpose != None  # noqa: E711 - object array of str / None
    ivr_abandon = rng.random(k) < 0.07
    path = np.where(ivr_abandon, np.array([p.split(">")[0] for p in path.tolist()], dtype=object), path)
    to_agent &= ~ivr_abandon
    depth = np.array([len(p.split(">")) for p in path.tolist()])
    ivr_seconds = 12 + 14 * depth + rng.integers(0, 20, k)
    wait = rng.exponential(np.where(outage, 160.0, 45.0), k).astype(int)
    queue_abandon = to_agent & (rng.random(k) < 1 - np.exp(-wait / 240.0))
    served = to_agent & ~queue_abandon
    vip = (pop.plan[cust] >= 6) & (pop.brand[cust] == "gotone")
    agent = _agents_for(agents, purpose, served, vip, rng)
    is_complaint = purpose == "complaint"
    handle = (rng.lognormal(np.log(np.where(is_complaint, 420.0, 220.0)), 0.5)).astype(int)
    resolved = rng.random(k) < np.where(is_complaint, 0.5, np.where(purpose == "fault_report", 0.6, 0.85))
    surveyed = rng.random(k) < np.where(served, 0.45, np.where(~to_agent & ~ivr_abandon, 0.2, 0.0))
    happy = rng.choice([3, 4, 5], k, p=[0.15, 0.40, 0.45])
    unhappy = rng.choice([1, 2, 3], k, p=[0.40, 0.35, 0.25])
    score = np.where(~served | resolved, happy, unhappy)
    score = np.where(served & (wait > 300), np.maximum(score - 1, 1), score)
    note = np.array([NOTES[p][i % len(NOTES[p])] if p else None
                     for p, i in zip(np.where(served, purpose, None).tolist(), rng.integers(0, 4, k).tolist())],
                    dtype=object)
    nan = np.nan
    order = np.lexsort((cust, start))
    out = {
        "customer": np.where(identified, cust, -1), "day": day, "started": start, "path": path,
        "ivr_seconds": ivr_seconds, "transferred": to_agent, "abandoned": ivr_abandon | queue_abandon,
        "wait": np.where(to_agent, wait, nan), "handle": np.where(served, handle, nan), "agent": agent,
        "purpose": np.where(served, purpose, None), "note": note,
        "resolved": np.where(served, resolved.astype(float), nan), "score": np.where(surveyed, score, nan),
    }
    return {key: v[order] for key, v in out.items()}


_HOURS = np.array([0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1.5, 4, 7, 8, 8, 6, 6, 7, 7, 6, 6, 5, 5, 4, 3, 1.5, 0.6])


def _agents_for(agents: Agents, purpose: np.ndarray, served: np.ndarray, vip: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    result = np.full(len(purpose), -1)
    inbound = agents.of_team("inbound")
    vip_team = agents.of_team("vip")
    for skill in ("billing", "technical", "complaints"):
        pool = inbound[agents.skill[inbound] == skill]
        want = served & np.array([_SKILL.get(p, "billing") == skill if p else False for p in purpose.tolist()])
        result[want] = pool[rng.integers(0, len(pool), want.sum())]
    to_vip = served & vip & (rng.random(len(purpose)) < 0.7)
    result[to_vip] = vip_team[rng.integers(0, len(vip_team), to_vip.sum())]
    return result
