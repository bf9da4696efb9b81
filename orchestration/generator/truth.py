"""The planted truths, written to ``<out>/_truth`` (never loaded as source data): the manifest
and Parquet tables of per-customer latent attributes, circles, anomalies and campaign uplift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from orchestration.generator import behaviour as bh
from orchestration.generator.billing import ITEMS, Bills
from orchestration.generator.calendar import Window
from orchestration.generator.config import GeneratorConfig
from orchestration.generator.holdings import CIRCLE_PRODUCTS, PLANTED_RULES, active_on
from orchestration.generator.landing_writer import LandingWriter, parquet_bytes
from orchestration.generator.places import Cells
from orchestration.generator.population import Population
from orchestration.generator.seed_codes import SeedCodes
from orchestration.generator.usage import SERVICE_CATEGORIES

USED_CHANNELS = ("HALL", "HOTLINE", "WEB", "APP", "SMS", "OUTBOUND", "ACCOUNT_MANAGER", "WECHAT")
USED_AREAS = ("residential", "business_district", "industrial_park", "campus", "transport_hub", "scenic_area",
              "golf_course", "rural")


def check_seed_codes(seeds: SeedCodes) -> None:
    """Fail early if a seed no longer lists a code the generator writes."""
    for what, used, known in (("bill item", ITEMS, seeds.bill_items), ("channel", USED_CHANNELS, seeds.channels),
                              ("area type", USED_AREAS, seeds.area_types),
                              ("service category", SERVICE_CATEGORIES, tuple(seeds.service_numbers))):
        missing = sorted(set(used) - set(known))
        if missing:
            raise ValueError(f"seeds lack {what} codes the generator uses: {missing}")


def _cid(index: np.ndarray) -> list[str]:
    return [f"CU{i + 1:08d}" for i in np.asarray(index).tolist()]


def association_rules(pop: Population, subs: dict[str, np.ndarray], basket: np.ndarray,
                      day: np.datetime64) -> list[dict[str, Any]]:
    """Realised support, confidence and lift of each planted rule among ``basket`` customers on ``day``."""
    live = active_on(subs, day)
    n_baskets = int(basket.sum())
    rules = []
    for antecedent, consequent, planted in PLANTED_RULES:
        def has(item: str) -> np.ndarray:
            if item.startswith("knowledge:"):
                return pop.flags[item.split(":", 1)[1]].copy()
            mask = np.zeros(pop.n, dtype=bool)
            mask[subs["customer"][live & (subs["product"] == item)]] = True
            return mask

        a, c = has(antecedent) & basket, has(consequent) & basket
        both = int((a & c).sum())
        p_c = c.sum() / max(n_baskets, 1)
        conf = both / max(int(a.sum()), 1)
        rules.append({"antecedent": antecedent, "consequent": consequent, "planted_confidence": planted,
                      "antecedent_count": int(a.sum()), "consequent_count": int(c.sum()), "both_count": both,
                      "support": round(both / max(n_baskets, 1), 6), "confidence": round(conf, 6),
                      "lift": round(conf / p_c, 6) if p_c > 0 else None})
    return rules


def circle_lift(pop: Population, subs: dict[str, np.ndarray], basket: np.ndarray, day: np.datetime64) -> dict:
    live = active_on(subs, day)
    result = {}
    for product in CIRCLE_PRODUCTS:
        holds = np.zeros(pop.n, dtype=bool)
        holds[subs["customer"][live & (subs["product"] == product)]] = True
        holds &= basket
        per_circle = np.bincount(pop.circle, weights=holds, minlength=len(pop.circle_size))
        others = (per_circle[pop.circle] - holds) > 0
        base = holds[basket].mean() if basket.any() else 0.0
        given = holds[basket & others].mean() if (basket & others).any() else 0.0
        result[product] = {"adoption": round(float(base), 6), "adoption_if_circle_peer_adopts": round(float(given), 6),
                           "circle_lift": round(float(given / base), 4) if base > 0 else None}
    return result


def write_truth(out: Path, config: GeneratorConfig, window: Window, pop: Population, cells: Cells,
                cell_ids: np.ndarray, subs: dict[str, np.ndarray], status: np.ndarray, uplift: list[dict],
                bills: Bills, writer: LandingWriter) -> None:
    folder = out / "_truth"
    folder.mkdir(parents=True, exist_ok=True)
    churn = pop.churn
    churned = churn.day >= 0
    churn_date = pop.churn_dates(window.start)
    churn_month = np.array([str(d)[:7] if ok else None for d, ok in zip(churn_date, churned)], dtype=object)
    drivers = ["|".join(d for d in bh.CHURN_DRIVERS if churn.drivers[d][i]) or None for i in range(pop.n)]
    homecoming = (pop.homecoming_slope > 0) | churn.drivers["competitor_calls_rise"]
    work = np.where(pop.work_cell >= 0, pop.work_cell, 0)
    join_month = window.month_of_day[np.maximum(pop.join_day, 0)]
    customers = {
        "customer_id": pa.array(_cid(np.arange(pop.n))),
        "persona": pa.array(np.array(bh.PERSONAS)[pop.persona]),
        "customer_type": pa.array(np.where(pop.is_b, "B", "C")),
        "enterprise_id": pa.array([f"EN{e + 1:06d}" if e >= 0 else None for e in pop.enterprise.tolist()]),
        "age": pa.array(pop.age.astype(np.int32)),
        "circle_id": pa.array([f"CIR{c + 1:05d}" for c in pop.circle.tolist()]),
        "is_key_person": pa.array(pop.is_key),
        **{f"is_{flag}": pa.array(pop.flags[flag]) for flag in bh.KNOWLEDGE},
        "is_sports_fan": pa.array(pop.sports_fan),
        "join_date": pa.array(pop.join, pa.date32()),
        "joined_in_window": pa.array(pop.joined_in_window),
        "churn_date": pa.array(churn_date, pa.date32(), mask=~churned),
        "churn_month": pa.array(churn_month.tolist(), pa.string()),
        "churn_in_window": pa.array(pop.churned_in_window),
        "churn_drivers": pa.array(drivers, pa.string()),
        **{f"churn_driver_{d}": pa.array(churn.drivers[d]) for d in bh.CHURN_DRIVERS},
        "is_fraud": pa.array(pop.fraud),
        "is_homecoming": pa.array(homecoming),
        "homecoming_monthly_slope": pa.array(pop.homecoming_slope),
        "competitor_call_share_base": pa.array(np.round(pop.comp_base, 4)),
        "preferred_channel": pa.array(pop.preferred_channel.astype(str)),
        "response_propensity": pa.array(pop.propensity),
        "is_arrears_prone": pa.array(pop.arrears_prone),
        "home_cell_id": pa.array(cell_ids[pop.home_cell]),
        "work_cell_id": pa.array(cell_ids[work], mask=pop.work_cell < 0),
    }
    (folder / "customers.parquet").write_bytes(parquet_bytes(pa.table(customers)))
    keys = pop.circle_keys
    circles = {
        "circle_id": pa.array([f"CIR{c + 1:05d}" for c in range(len(pop.circle_size))]),
        "size": pa.array(pop.circle_size.astype(np.int32)),
        "key_person_ids": pa.array([sorted(set(_cid(k))) for k in keys], pa.list_(pa.string())),
        "vas_affinity": pa.array(np.round(pop.circle_affinity, 4)),
    }
    (folder / "circles.parquet").write_bytes(parquet_bytes(pa.table(circles)))
    anomalies = [a.__dict__ for a in window.anomalies]
    (folder / "anomalies.parquet").write_bytes(parquet_bytes(pa.Table.from_pylist(anomalies)))
    (folder / "campaign_uplift.parquet").write_bytes(parquet_bytes(pa.Table.from_pylist(uplift)))

    last = window.month_end(window.n_months - 1)
    basket = status[-1] != "closed"
    manifest = {
        "description": "Planted truths of the synthetic operator; _truth is never loaded as source data.",
        "config": {"customers": config.customers, "months": config.months, "seed": config.seed,
                   "start_month": config.start_month, "bad_row_share": config.bad_row_share},
        "window": {"start": str(window.start), "end": str(window.end), "months": [window.month_label(m) for m in
                                                                                  range(window.n_months)]},
        "files": len(writer.files),
        "row_counts": dict(sorted(writer.rows.items())),
        "bad_rows": {k: dict(sorted(v.items())) for k, v in sorted(writer.bad.items())},
        "bad_rows_note": ("Each bad row is an extra row breaking exactly one contract rule: a corrupted copy "
                          "of a real row with a fresh key, or an exact duplicate of an earlier row. Rows read "
                          "per table = row_counts + sum of bad_rows."),
        "truths": {
            "personas": {
                "names": list(bh.PERSONAS),
                "counts": {p: int((pop.persona == i).sum()) for i, p in enumerate(bh.PERSONAS)},
                "recovery": ("cluster customers on standardized log1p monthly features from daily_usage and "
                             "content_visits (voice out/in, local, long-distance, sms, data, roaming minutes, "
                             "content visits by category); exclude is_fraud lines and churners"),
            },
            "knowledge_patterns": {
                f: {"count": int(pop.flags[f].sum()), "share": round(float(pop.flags[f].mean()), 4),
                    "signal": bh.KNOWLEDGE_SIGNALS[f]} for f in bh.KNOWLEDGE},
            "association_rules": {
                "baskets": ("customers not closed at the last month end; items = products whose subscription "
                            "runs on that day (start_date <= day and (end_date is null or end_date >= day)); "
                            "antecedents 'knowledge:<flag>' are truth flags from customers.parquet"),
                "as_of": str(last), "basket_count": int(basket.sum()),
                "rules": association_rules(pop, subs, basket, last)},
            "circles": {
                "count": int(len(pop.circle_size)), "size_min": int(pop.circle_size.min()),
                "size_max": int(pop.circle_size.max()), "size_mean": round(float(pop.circle_size.mean()), 2),
                "key_persons": int(pop.is_key.sum()),
                "calls_design": ("person-to-person calls: a competitor share per customer (base ~12 %, rising "
                                 "for homecoming and churners), ~8 % to other own-operator numbers, ~1 % to random "
                                 "customers, the rest inside the caller's circle; key persons call the whole "
                                 "circle and are called by it"),
                "vas_adoption": circle_lift(pop, subs, basket, last)},
            "churn": {
                "monthly_rate_target": 0.025,
                "by_month": {m: int((churn_month == m).sum()) for m in sorted(set(churn_month[churned].tolist()))},
                "drivers": {d: int(churn.drivers[d].sum()) for d in bh.CHURN_DRIVERS},
                "definition": ("churners stop all usage on churn_date and show status 'closed' from the churn "
                               "month's extract on; drivers act over the 30-60 days before churn. Churn months "
                               "run from the window's second month to the month after the window: those last "
                               "churners (churn_in_window false) show only their drivers in the data"),
            },
            "new_lines": {
                "monthly_rate_target": 0.015,
                "by_month": {window.month_label(m): int((pop.joined_in_window & (join_month == m)).sum())
                             for m in range(window.n_months)},
                "definition": ("customers whose join_date lies inside the window: no CRM row, usage, bill, "
                               "contact, offer or subscription before it; a hall visit 'new_line' on the day. "
                               "Fraud lines, key persons, churners and drifting customers join before the window"),
            },
            "fraud": {"customer_ids": _cid(np.flatnonzero(pop.fraud)),
                      "signature": ("SIM box: ~100 short (8-60 s) outgoing calls a day to ever-new numbers, almost "
                                    "no incoming minutes, near-zero data, one stationary cell in all time bands")},
            "homecoming": {"count": int(homecoming.sum()),
                           "drifting_non_churners": int((pop.homecoming_slope > 0).sum()),
                           "definition": "share of calls to competitor-prefix numbers rises month over month"},
            "channel_preference": {c: int((pop.preferred_channel == c).sum()) for c in bh.CHANNEL_PREFS},
            "campaign_uplift": uplift,
            "anomalies": anomalies,
            "bill_total_yuan_by_month": {window.month_label(m): round(float(bills.total[m].sum()), 2)
                                         for m in range(window.n_months)},
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")
