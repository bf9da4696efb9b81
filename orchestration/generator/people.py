"""People and organisations: Chinese names, ID-card and phone numbers, call-centre agents and
the enterprises (group customers) whose employees hold lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator.places import CITY_NAMES, CITY_SHARES, DISTRICTS

SURNAMES = np.array(list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"))
_SURNAME_P = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
_SURNAME_P /= _SURNAME_P.sum()
_MALE = np.array(list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志峰亮成晨文博"))
_FEMALE = np.array(list("芳娜敏静丽艳娟霞燕玲婷雪慧颖琳倩洁红梅莉晶月欣怡佳悦萍丹璐瑶蕾琴云嘉萱"))
_NEUTRAL = np.array(list("子思雨一晓小海春金永新安家德立"))
_OTHER_PROVINCE_AREAS = np.array(["430102", "360102", "450102", "510104", "420102", "350102", "460105"])
_CHECK = np.array(list("10X98765432"))
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])


def chinese_names(is_male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Realistic full names: a common surname and one or two given-name characters."""
    n = len(is_male)
    surname = SURNAMES[rng.choice(len(SURNAMES), n, p=_SURNAME_P)]
    first = np.where(is_male, _MALE[rng.integers(0, len(_MALE), n)], _FEMALE[rng.integers(0, len(_FEMALE), n)])
    second_pool = np.where(rng.random(n) < 0.3, _NEUTRAL[rng.integers(0, len(_NEUTRAL), n)],
                           np.where(is_male, _MALE[rng.integers(0, len(_MALE), n)],
                                    _FEMALE[rng.integers(0, len(_FEMALE), n)]))
    second = np.where(rng.random(n) < 0.6, second_pool, "")
    return np.char.add(np.char.add(surname, first), second)


def id_card_numbers(birth: np.ndarray, is_male: np.ndarray, district: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """18-character resident ID numbers: area code, birth date, sequence (odd for men), check digit."""
    n = len(birth)
    local = np.array([DISTRICTS[d][2] for d in district])
    area = np.where(rng.random(n) < 0.7, local, _OTHER_PROVINCE_AREAS[rng.integers(0, 7, n)])
    ymd = np.char.replace(birth.astype("datetime64[D]").astype(str), "-", "")
    seq = rng.integers(0, 50, n) * 2 * 10 + np.where(is_male, 1, 0) + rng.integers(0, 5, n) * 2
    seq = np.clip(seq, 0, 999)
    body = np.char.add(np.char.add(area, ymd), np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(n, 17) - 48
    check = _CHECK[(digits * _ID_WEIGHTS).sum(axis=1) % 11]
    return np.char.add(body, check)


def phone_numbers(prefixes: tuple[str, ...], n: int, rng: np.random.Generator,
                  exclude: np.ndarray | None = None) -> np.ndarray:
    """``n`` distinct 11-digit numbers (int64) on the given 3-digit prefixes."""
    pref = np.array([int(p) for p in prefixes], dtype=np.int64)
    taken = np.zeros(0, dtype=np.int64) if exclude is None else np.unique(exclude)
    result = np.zeros(0, dtype=np.int64)
    while len(result) < n:
        need = (n - len(result)) * 11 // 10 + 10
        cand = pref[rng.integers(0, len(pref), need)] * 10**8 + rng.integers(0, 10**8, need)
        cand = cand[~np.isin(cand, taken)]
        cand = np.unique(np.concatenate([result, cand]))
        result = cand if len(cand) <= n else rng.choice(cand, n, replace=False)
        taken = np.union1d(taken, result)
    return rng.permutation(np.sort(result))


TEAMS = (("inbound", 95), ("outbound", 30), ("vip", 12), ("account_management", 13))
_SKILLS = {"inbound": (("billing", "technical", "complaints"), (0.5, 0.3, 0.2)), "outbound": (("sales",), (1.0,)),
           "vip": (("vip",), (1.0,)), "account_management": (("sales", "vip"), (0.6, 0.4))}


@dataclass
class Agents:
    team: np.ndarray
    skill: np.ndarray
    seniority: np.ndarray
    hired: np.ndarray  # datetime64[D]
    name: np.ndarray

    def of_team(self, team: str) -> np.ndarray:
        return np.flatnonzero(self.team == team)


def build_agents(window_start: np.datetime64, rng: np.random.Generator) -> Agents:
    team = np.array([t for t, k in TEAMS for _ in range(k)])
    skill = np.array([rng.choice(_SKILLS[t][0], p=_SKILLS[t][1]) for t in team])
    seniority = np.minimum(rng.gamma(2.0, 2.5, len(team)).astype(int), 30)
    seniority[team == "vip"] += 3
    hired = window_start - (seniority * 365 + rng.integers(0, 365, len(team))).astype("timedelta64[D]")
    name = chinese_names(rng.random(len(team)) < 0.35, rng)
    return Agents(team, skill, seniority, hired, name)


INDUSTRIES = (("finance", "投资"), ("manufacturing", "电子制造"), ("government", "行政服务中心"),
              ("education", "教育"), ("retail", "商贸"), ("logistics", "物流"), ("it_services", "科技"),
              ("healthcare", "医疗"), ("real_estate", "置业"), ("hospitality", "酒店管理"))
_TRADE_NAMES = np.array(["华信", "金源", "宏达", "瑞丰", "恒通", "新世纪", "东方", "盛世", "天成", "嘉禾", "海纳",
                         "力拓", "远航", "中联", "鼎盛", "博雅", "汇通", "龙腾", "锦程", "凯越", "佳宁", "明德"])


@dataclass
class Enterprises:
    industry: np.ndarray
    size_band: np.ndarray
    employees: np.ndarray
    city: np.ndarray  # city index
    name: list[str]
    account_manager: np.ndarray  # agent index or -1
    signed: np.ndarray  # datetime64[D]


def build_enterprises(n: int, agents: Agents, window_start: np.datetime64,
                      rng: np.random.Generator) -> Enterprises:
    employees = np.maximum(3, rng.lognormal(3.5, 1.4, n)).astype(int)
    size = np.select([employees < 10, employees < 100, employees < 1000], ["micro", "small", "medium"], "large")
    industry_idx = rng.integers(0, len(INDUSTRIES), n)
    city = rng.choice(len(CITY_NAMES), n, p=CITY_SHARES)
    names, seen = [], set()
    for i in range(n):
        base = f"{CITY_NAMES[city[i]]}{rng.choice(_TRADE_NAMES)}{INDUSTRIES[industry_idx[i]][1]}有限公司"
        if INDUSTRIES[industry_idx[i]][0] == "government":
            base = f"{CITY_NAMES[city[i]]}{rng.choice(_TRADE_NAMES)}{INDUSTRIES[industry_idx[i]][1]}"
        k, name = 1, base
        while name in seen:
            k += 1
            name = f"{base}({k})"
        seen.add(name)
        names.append(name)
    managers = agents.of_team("account_management")
    has_manager = np.isin(size, ["medium", "large"]) | (rng.random(n) < 0.4)
    manager = np.where(has_manager, managers[rng.integers(0, len(managers), n)], -1)
    signed = window_start - rng.integers(30, 16 * 365, n).astype("timedelta64[D]")
    return Enterprises(np.array([INDUSTRIES[i][0] for i in industry_idx]), size, employees, city, names,
                       manager, signed)
