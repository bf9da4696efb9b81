"""Benchmark: the campaign engine (targeting → propensity scoring → contact policy → lists in
memory) over N synthetic customers with the shipped campaign definitions.

    python bench/bench_campaign_lists.py --customers 1000000 [--seed 0] [--json-out engine.json]

Reads no warehouse: customers, memberships and history are random but shaped like the marts, so
the number measures the engine itself (target, issue 8: all lists for 1M customers in ≤ 10 s).
Reading the warehouse and writing files are timed separately by `touchpoint campaign build`
(the manifest's `seconds`).

Prints the load average at the start (the reference machine has 2 cores: a load above 2 means
the figures include waiting for a CPU — compare ``cpu_seconds``), the funnel, the seconds of each
step, and as its last line one JSON object: ``seconds`` (train + lists, wall), ``cpu_seconds``,
``peak_rss_mb``, ``rows``, ``steps`` … — what ``bench/run.py`` reads (also written to
``--json-out``). Generating the synthetic input is timed apart (``synthetic_seconds``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.campaigns.build import CAMPAIGNS_DIR, build_lists
from orchestration.campaigns.definitions import load_campaigns, load_policy
from orchestration.campaigns.policy import History
from orchestration.campaigns.propensity import train

PRODUCTS = ["PLAN_388", "VAS_RBT", "VAS_ROAM_HKMO", "VAS_DATA_ADDON", "VAS_MUSIC", "VAS_CAR", "HS_MID"]
CHANNELS = ["OUTBOUND", "SMS", "APP", "HALL", "HOTLINE"]


def synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, History]:
    rng = np.random.default_rng(seed)
    ids = pd.Series([f"CU{i:08d}" for i in range(n)])
    customers = pd.DataFrame({
        "customer_id": ids, "is_active": rng.random(n) < 0.95, "is_opted_out_marketing": rng.random(n) < 0.03,
        "is_do_not_disturb": rng.random(n) < 0.05, "preferred_channel": rng.choice(CHANNELS, n),
        "member_tier": rng.choice(["diamond", "gold", "silver", "standard"], n), "age_years": rng.integers(16, 80, n),
        "age_band": "24_35", "brand": rng.choice(["gotone", "mzone", "easyown"], n),
        "plan_id": rng.choice(["PLAN_88", "PLAN_188", "PLAN_288", "PLAN_58"], n),
        "tenure_months": rng.integers(1, 200, n),
        "member_tier_rank": rng.integers(1, 5, n), "data_mb_per_month": rng.gamma(2, 5000, n),
        "hk_macau_roaming_days": rng.poisson(0.1, n), "fraud_flag": rng.random(n) < 0.005,
    })
    holders = rng.random(n) < 0.3
    members = pd.DataFrame({"customer_id": ids[holders].to_numpy(), "kind": "holds_product",
                            "member": rng.choice(PRODUCTS, int(holders.sum()))})
    products = pd.DataFrame({"product_id": PRODUCTS, "product_category": "vas", "product_type": "vas",
                             "monthly_fee_yuan": [388.0, 5, 30, 20, 10, 10, 60]})
    k = n // 5
    offers = pd.DataFrame({
        "customer_id": ids.sample(k, replace=True, random_state=seed).to_numpy(), "product_id": rng.choice(PRODUCTS, k),
        "channel_code": rng.choice(CHANNELS[:3], k),
        "response": rng.choice(["accepted", "considering", "refused", "no_answer"], k, p=[0.1, 0.1, 0.2, 0.6]),
        "offered_date": pd.Timestamp("2026-10-31") - pd.to_timedelta(rng.integers(0, 120, k), unit="D"),
        "is_control_group": rng.random(k) < 0.1})
    history = History(
        contacts_this_month=pd.DataFrame({"customer_id": ids.sample(n // 4, random_state=seed).to_numpy(),
                                          "contact_count": rng.integers(1, 4, n // 4)}),
        offers=offers,
        complaints=pd.DataFrame({"customer_id": ids.sample(n // 50, random_state=seed).to_numpy(),
                                 "opened_date": pd.Timestamp("2026-10-20")}),
        holdings=members.rename(columns={"member": "product_id"})[["customer_id", "product_id"]],
        arrears=pd.DataFrame({"customer_id": ids.sample(n // 30, random_state=seed).to_numpy(), "days_overdue": 10}))
    return customers, members, products, history


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path, help="also write the JSON result here")
    args = parser.parse_args()
    load_start = os.getloadavg()
    print(f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f} "
          f"({os.cpu_count()} CPUs)", flush=True)
    t = time.perf_counter()
    customers, members, products, history = synthetic(args.customers, args.seed)
    synthetic_seconds = time.perf_counter() - t
    campaigns = [c for c in load_campaigns(CAMPAIGNS_DIR) if c.trigger is None]
    policy = load_policy(CAMPAIGNS_DIR)
    steps: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    model = train(history.offers, customers, products)
    steps["train_propensity"] = time.perf_counter() - started
    steps["cpu:train_propensity"] = time.process_time() - cpu_started
    result, skipped = build_lists(campaigns, policy, customers, members, products, history,
                                  dt.date(2026, 10, 31), model, seconds=steps)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    load_end = os.getloadavg()
    print(result.funnel.to_string(index=False))
    print(f"{args.customers:,} customers (synthetic input {synthetic_seconds:.2f} s, not counted):")
    print(f"  {'step':<28} {'wall s':>7} {'CPU s':>7}")
    for step, sec in steps.items():
        if not step.startswith("cpu:"):
            print(f"  {step:<28} {sec:7.2f} {steps.get('cpu:' + step, float('nan')):7.2f}")
    print(f"  {'total':<28} {seconds:7.2f} s wall, {cpu_seconds:.2f} s CPU; {len(result.lists):,} list rows, "
          f"{len(result.suppressed):,} suppressed pairs; skipped {sorted(skipped)}; "
          f"load average {load_start[0]:.2f} → {load_end[0]:.2f}")
    out = {"bench": "campaign_lists", "customers": args.customers, "seed": args.seed,
           "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "rows": len(result.lists), "suppressed_rows": len(result.suppressed),
           "steps": {k: round(v, 3) for k, v in steps.items() if not k.startswith("cpu:")},
           "steps_cpu": {k[4:]: round(v, 3) for k, v in steps.items() if k.startswith("cpu:")},
           "synthetic_seconds": round(synthetic_seconds, 3),
           "load_average_start": [round(x, 2) for x in load_start], "load_average_end": [round(x, 2) for x in load_end],
           "cpu_count": os.cpu_count(), "target_seconds": 10}
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
