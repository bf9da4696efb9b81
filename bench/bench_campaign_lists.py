"""Benchmark: the campaign engine (targeting → propensity scoring → contact policy → lists in
memory) over N synthetic customers with the shipped campaign definitions.

    python bench/bench_campaign_lists.py --customers 1000000

Reads no warehouse: customers, memberships and history are random but shaped like the marts, so
the number measures the engine itself (the target for a later issue: all lists for 1M customers
in ≤ 10 s). Reading the warehouse and writing files are timed separately by `touchpoint campaign
build` (the manifest's `seconds`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

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
    args = parser.parse_args()
    customers, members, products, history = synthetic(args.customers)
    campaigns = [c for c in load_campaigns(CAMPAIGNS_DIR) if c.trigger is None]
    policy = load_policy(CAMPAIGNS_DIR)
    started = time.perf_counter()
    model = train(history.offers, customers, products)
    trained = time.perf_counter()
    result, skipped = build_lists(campaigns, policy, customers, members, products, history,
                                  dt.date(2026, 10, 31), model)
    done = time.perf_counter()
    print(result.funnel.to_string(index=False))
    print(f"{args.customers:,} customers: train {trained - started:.2f} s, lists {done - trained:.2f} s "
          f"({len(result.lists):,} rows, {len(result.suppressed):,} suppressed pairs); skipped {sorted(skipped)}")


if __name__ == "__main__":
    main()
