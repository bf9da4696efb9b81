"""The vectorised campaign engine against a plain-Python reading of the documented policy.

``orchestration/campaigns/policy.py`` works on integer customer codes and numpy arrays for speed
(issue 8: all lists for 1M customers in ≤ 10 s). Here every step is re-implemented the slow,
obvious way — loops over dicts, over a few dozen customers — from the rules its docstrings state:
eligibility, suppression (first reason and every reason), the monthly cap arbitrated by priority
then score then campaign_id, ranking by score then customer_id, channel assignment in rounds
within campaign and channel capacities, the stratified hash control group, channel ranks and
history prompts; and the funnel. The engine must give the same lists, log and funnel, row for
row, whatever the input order, with ties in score, duplicate candidates, unknown customers and
campaigns. The propensity scorer (no merges) is checked against merging then predicting, and the
one-hot shortcut against the fitted pipeline, bit for bit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from orchestration.campaigns import propensity as prop
from orchestration.campaigns.build import score_candidates
from orchestration.campaigns.customer_codes import CustomerCodes, category_codes
from orchestration.campaigns.definitions import OUTBOUND_CHANNELS
from orchestration.campaigns.policy import STEPS, SUPPRESSION_REASONS, apply_policy, global_holdout, unit_hash
from tests.python.test_campaign_policy_properties import PRODUCTS, RUN_DATE, scenarios

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


def _true(value: object, missing: bool) -> bool:
    """``fillna(missing).astype(bool)`` for one value."""
    return missing if value is None or (isinstance(value, float) and math.isnan(value)) else bool(value)


def reference(candidates: pd.DataFrame, customers: pd.DataFrame, campaigns: list, policy, history,
              run_date: dt.date) -> tuple[list[tuple], dict[tuple, tuple], dict[str, dict[str, int]]]:
    """Lists (in output order), the log ((campaign, customer) → (step, reason, all reasons)) and
    the funnel, by loops over records."""
    today, s = pd.Timestamp(run_date), policy.suppression
    camp = {c.campaign_id: c for c in campaigns}
    cust = {r["customer_id"]: r for r in customers.to_dict("records")}
    offers = history.offers.to_dict("records")
    funnel = {c.campaign_id: Counter() for c in campaigns}
    log: dict[tuple, tuple] = {}

    pairs, seen = [], set()
    for r in candidates.to_dict("records"):
        key = (r["campaign_id"], r["customer_id"])
        if r["campaign_id"] in camp and key not in seen:
            seen.add(key)
            pairs.append(r)
    for p in pairs:
        funnel[p["campaign_id"]]["targeted"] += 1

    # 1. eligibility
    eligible = []
    for p in pairs:
        c, row = camp[p["campaign_id"]], cust.get(p["customer_id"])
        why = ("outside_campaign_window" if not c.window.start <= run_date <= c.window.end else
               "unknown_customer" if row is None else "not_active" if not _true(row["is_active"], False) else None)
        if why:
            log[(p["campaign_id"], p["customer_id"])] = ("eligibility", why, why)
        else:
            eligible.append(p)
            funnel[p["campaign_id"]]["eligible"] += 1

    # 2. suppression, reasons in the documented order
    holdout = dict(zip(customers["customer_id"], global_holdout(customers["customer_id"], policy)))
    complained = {r["customer_id"] for r in history.complaints.to_dict("records")
                  if r["opened_date"] > today - pd.Timedelta(days=s.complaint_days)}
    owing = {r["customer_id"] for r in history.arrears.to_dict("records")
             if r["days_overdue"] >= s.arrears_min_days_overdue}
    holds = {(r["customer_id"], r["product_id"]) for r in history.holdings.to_dict("records")}

    def any_offer(customer: str, products: list[str], test) -> bool:
        return any(o["customer_id"] == customer and o["product_id"] in products and test(o) for o in offers)

    kept = []
    for p in eligible:
        c, row, who = camp[p["campaign_id"]], cust[p["customer_id"]], p["customer_id"]
        prods = c.products
        reasons = {
            "opted_out": _true(row["is_opted_out_marketing"], True),
            "global_holdout": holdout[who],
            "recent_complaint": who in complained,
            "owns_product": any((who, x) in holds for x in prods),
            "already_accepted": any_offer(who, prods, lambda o: o["response"] == "accepted"),
            "in_arrears": who in owing,
            "fraud_risk": _true(row.get(s.fraud_score_column), False),
            "offered_same_product_recently": any_offer(who, prods, lambda o: (
                not _true(o["is_control_group"], False) and o["response"] != "considering"
                and o["offered_date"] > today - pd.Timedelta(days=s.offered_same_product_days))),
            "refused_recently": any_offer(who, prods, lambda o: o["response"] == "refused" and (
                o["offered_date"] > today - pd.Timedelta(days=s.refused_days))),
            "do_not_disturb_no_passive_channel": _true(row["is_do_not_disturb"], True) and not any(
                ch.channel not in OUTBOUND_CHANNELS for ch in c.channels),
        }
        hit = [n for n in SUPPRESSION_REASONS if reasons[n]]
        if hit:
            log[(p["campaign_id"], who)] = ("suppression", hit[0], "|".join(hit))
        else:
            p = dict(p, score=float(p["propensity"]) * float(p["value_yuan"]), priority=c.priority)
            kept.append(p)
            funnel[p["campaign_id"]]["not_suppressed"] += 1

    # 3. monthly cap: per customer, by priority, score (descending), campaign_id
    used = Counter()
    for r in history.contacts_this_month.to_dict("records"):
        used[r["customer_id"]] += r["contact_count"]
    by_customer = defaultdict(list)
    for p in kept:
        by_customer[p["customer_id"]].append(p)
    within = []
    for who, mine in by_customer.items():
        left = max(policy.monthly_cap - used[who], 0)
        mine.sort(key=lambda p: (-p["priority"], -p["score"], p["campaign_id"]))
        for i, p in enumerate(mine):
            if i < left:
                within.append(p)
                funnel[p["campaign_id"]]["within_cap"] += 1
            else:
                why = "monthly_cap_reached" if left == 0 else "monthly_cap_lower_priority"
                log[(p["campaign_id"], who)] = ("monthly_cap", why, "monthly_cap")

    # 4. ranking: per campaign by score (descending), then customer_id
    within.sort(key=lambda p: (p["campaign_id"], -p["score"], p["customer_id"]))
    rank = Counter()
    for p in within:
        rank[p["campaign_id"]] += 1
        p["campaign_rank"] = rank[p["campaign_id"]]

    # 5. channels: in rounds; round k offers each unassigned pair its k-th choice
    considering = [o for o in offers if o["response"] == "considering"
                   and o["offered_date"] > today - pd.Timedelta(days=s.offered_same_product_days)]
    for p in within:
        c, row = camp[p["campaign_id"]], cust[p["customer_id"]]
        avoid = {o["channel_code"] for o in considering
                 if o["customer_id"] == p["customer_id"] and o["product_id"] in c.products}
        opts = [ch.channel for ch in c.channels
                if not (_true(row["is_do_not_disturb"], True) and ch.channel in OUTBOUND_CHANNELS)
                and ch.channel not in avoid]
        p["options"] = sorted(opts, key=lambda ch: -1 if ch == row["preferred_channel"] else opts.index(ch))
    cap_cc = {(c.campaign_id, ch.channel): ch.capacity_per_day * policy.list_days
              for c in campaigns for ch in c.channels}
    cap_c = {ch: n * policy.list_days for ch, n in policy.channel_capacity_per_day.items()}
    used_cc, used_c, channel = Counter(), Counter(), {}
    serve = sorted(within, key=lambda p: (-p["priority"], -p["score"], p["campaign_id"], p["customer_id"]))
    for k in range(max((len(p["options"]) for p in within), default=0)):
        seen_cc, seen_c, got = Counter(), Counter(), []
        for p in serve:
            key = (p["campaign_id"], p["customer_id"])
            if key in channel or len(p["options"]) <= k:
                continue
            ch = p["options"][k]
            place = seen_cc[(p["campaign_id"], ch)]
            seen_cc[(p["campaign_id"], ch)] += 1
            if place + used_cc[(p["campaign_id"], ch)] >= cap_cc[(p["campaign_id"], ch)]:
                continue
            place = seen_c[ch]
            seen_c[ch] += 1
            if place + used_c[ch] >= cap_c.get(ch, math.inf):
                continue
            got.append((key, ch))
        for key, ch in got:
            channel[key] = ch
            used_cc[(key[0], ch)] += 1
            used_c[ch] += 1
    listed = []
    for p in within:
        key = (p["campaign_id"], p["customer_id"])
        if key in channel:
            listed.append(dict(p, channel_code=channel[key]))
            funnel[p["campaign_id"]]["channel_assigned"] += 1
        else:
            log[key] = ("channel_assignment", "no_channel_capacity", "no_channel_capacity")

    # 6. control group: per campaign and stratum, the lowest hashes, round(share × n) of them
    strata = defaultdict(list)
    for p in listed:
        p["stratum"] = str(cust[p["customer_id"]][policy.stratify_by])
        p["hash"] = unit_hash(pd.Series([f"{p['campaign_id']}|{p['customer_id']}"]), "control-group")[0]
        strata[(p["campaign_id"], p["stratum"])].append(p)
    for (campaign, _), group in strata.items():
        group.sort(key=lambda p: (p["hash"], p["customer_id"]))
        k = math.floor(camp[campaign].control_share * len(group) + 0.5)
        for i, p in enumerate(group):
            p["offer_group"] = "control" if i < k else "action"
            funnel[campaign][p["offer_group"]] += 1
    listed.sort(key=lambda p: (p["campaign_id"], p["channel_code"], p["campaign_rank"]))
    channel_rank = Counter()
    out = []
    for p in listed:
        channel_rank[(p["campaign_id"], p["offer_group"], p["channel_code"])] += 1
        prods = camp[p["campaign_id"]].products
        prior = [o for x in prods for o in offers if o["response"] == "considering" and o["customer_id"] == p[
            "customer_id"] and o["product_id"] == x and o["channel_code"] != p["channel_code"]]
        newest = max(prior, key=lambda o: o["offered_date"]) if prior else None  # first among equals
        prompt = (f"{newest['channel_code']} {newest['offered_date']:%Y-%m-%d}: considering {newest['product_id']}"
                  if newest else "")
        out.append((p["campaign_id"], p["customer_id"], camp[p["campaign_id"]].products[0], p["offer_group"],
                    p["channel_code"], p["campaign_rank"],
                    channel_rank[(p["campaign_id"], p["offer_group"], p["channel_code"])], p["score"], p["stratum"],
                    p["reason_code"], prompt, p["priority"]))
    return out, log, {c: {step: funnel[c][step] for step in STEPS} for c in funnel}


@st.composite
def with_candidates(draw: st.DrawFn) -> dict:
    """A policy scenario plus candidates: duplicates, unknown customers and campaigns, and scores
    drawn from a few values so ties are common."""
    s = draw(scenarios())
    ids = list(s["customers"]["customer_id"]) + ["ZZ0001", "AA0001"]  # two not in the customer frame
    campaign_ids = [c.campaign_id for c in s["campaigns"]] + ["C_UNKNOWN"]
    n = draw(st.integers(0, 3 * len(ids)))
    s["candidates"] = pd.DataFrame({
        "campaign_id": pd.Series(draw(st.lists(st.sampled_from(campaign_ids), min_size=n, max_size=n)), dtype=str),
        "customer_id": pd.Series(draw(st.lists(st.sampled_from(ids), min_size=n, max_size=n)), dtype=str),
        "reason_code": pd.Series([f"r{i}" for i in range(n)], dtype=str),
        "propensity": draw(st.lists(st.sampled_from([0.05, 0.1, 0.2]), min_size=n, max_size=n)),
        "value_yuan": draw(st.lists(st.sampled_from([10.0, 20.0, 120.0]), min_size=n, max_size=n)),
    })
    return s


def _compare(s: dict, shuffle: int | None) -> None:
    customers, candidates = s["customers"], s["candidates"]
    if shuffle is not None:  # the customer frame's order must not matter
        customers = customers.sample(frac=1, random_state=shuffle)
    got = apply_policy(candidates, customers, s["campaigns"], s["policy"], s["history"], RUN_DATE)
    lists, log, funnel = reference(candidates, s["customers"], s["campaigns"], s["policy"], s["history"], RUN_DATE)
    cols = ["campaign_id", "customer_id", "product_id", "offer_group", "channel_code", "campaign_rank", "channel_rank",
            "score", "stratum", "reason_code", "history_prompt", "priority"]
    assert list(got.lists[cols].itertuples(index=False, name=None)) == lists
    rows = list(got.suppressed.itertuples(index=False, name=None))
    assert rows == sorted(rows, key=lambda r: (r[0], r[1])), "the log is sorted by campaign and customer"
    assert {(r[0], r[1]): r[2:] for r in rows} == log and len(rows) == len(log)
    assert got.funnel.set_index("campaign_id").to_dict("index") == funnel
    assert list(got.funnel["campaign_id"]) == [c.campaign_id for c in s["campaigns"]]


@SETTINGS
@given(with_candidates(), st.one_of(st.none(), st.integers(0, 1000)))
def test_engine_matches_the_plain_reading_of_the_policy(s: dict, shuffle: int | None) -> None:
    _compare(s, shuffle)


def test_reference_scenario_with_contention() -> None:
    """A fixed case where every step bites: the cap arbitrates, capacities run out, ties in score."""
    rng = np.random.default_rng(3)
    n = 40
    ids = [f"CU{i:03d}" for i in range(n)]
    from orchestration.campaigns.definitions import Policy, parse_campaign
    from orchestration.campaigns.policy import History

    customers = pd.DataFrame({"customer_id": ids, "is_active": rng.random(n) < 0.95,
                              "is_opted_out_marketing": rng.random(n) < 0.05, "is_do_not_disturb": rng.random(n) < 0.2,
                              "preferred_channel": rng.choice(["OUTBOUND", "SMS", "APP", "HALL"], n),
                              "member_tier": rng.choice(["gold", "silver"], n), "fraud_flag": False})
    campaigns = [parse_campaign({
        "campaign_id": f"C{i}", "name": "c", "products": [PRODUCTS[i % 4]], "priority": [50, 50, 80][i],
        "channels": [{"channel": ch, "capacity_per_day": 6} for ch in (["OUTBOUND", "APP"], ["SMS", "HALL"],
                                                                       ["APP", "OUTBOUND", "SMS"])[i]],
        "window": {"start": "2026-10-01", "end": "2026-12-31"}, "control_share": 0.2}) for i in range(3)]
    offers = pd.DataFrame({"customer_id": rng.choice(ids, 30), "product_id": rng.choice(PRODUCTS, 30),
                           "channel_code": rng.choice(["OUTBOUND", "SMS", "APP", "HALL"], 30),
                           "response": rng.choice(["accepted", "considering", "refused", "no_answer"], 30),
                           "offered_date": pd.Timestamp(RUN_DATE) - pd.to_timedelta(rng.integers(0, 60, 30), unit="D"),
                           "is_control_group": rng.random(30) < 0.2})
    history = History(contacts_this_month=pd.DataFrame({"customer_id": ids[:10], "contact_count": [1, 2] * 5}),
                      offers=offers)
    cand = pd.DataFrame([(c.campaign_id, i, "r", float(rng.choice([0.1, 0.2])), 10.0)
                         for c in campaigns for i in ids], columns=["campaign_id", "customer_id", "reason_code",
                                                                     "propensity", "value_yuan"])
    s = {"customers": customers, "campaigns": campaigns, "history": history, "candidates": cand,
         "policy": Policy(monthly_cap=2, global_holdout_share=0.05, channel_capacity_per_day={"APP": 7, "SMS": 4})}
    _compare(s, None)
    _compare(s, 7)
    result = apply_policy(cand, customers, campaigns, s["policy"], history, RUN_DATE)
    assert set(result.suppressed["step"]) == {"eligibility", "suppression", "monthly_cap", "channel_assignment"}


def test_customer_codes_follow_id_order_and_take_in_unknown_ids() -> None:
    customers = pd.DataFrame({"customer_id": ["C3", "A1", "B2"], "tier_rank": [3, 1, 2]})
    codes = CustomerCodes(customers, pd.Series(["B2", "AB", "Z9", "AB"]), {"other": pd.Series(["A1", None, "Q"])})
    assert list(codes.ids) == ["A1", "AB", "B2", "C3", "Z9"]  # sorted: sorting by code is sorting by id
    assert list(codes.row) == [0, -1, 1, 2, -1] and list(codes.frame["customer_id"]) == ["A1", "B2", "C3"]
    assert list(codes.candidate_codes) == [2, 1, 4, 1] and list(codes.others["other"]) == [0, -1, -1]
    # with unknown customers, columns are typed as a left merge types them (int → float)
    assert codes.column("tier_rank", np.array([0, 2])).tolist() == [1.0, 2.0]
    assert codes.column("tier_rank", np.array([0, 2])).dtype == np.float64
    with pytest.raises(ValueError, match="unique"):
        CustomerCodes(pd.concat([customers, customers]))
    assert list(category_codes(pd.Series(["SMS", None, "FAX", "APP"]), ["APP", "SMS"])) == [1, -1, -1, 0]


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"CU{i:05d}" for i in range(n)]
    customers = pd.DataFrame({"customer_id": ids, "age_years": rng.integers(16, 80, n),
                              "tenure_months": rng.integers(1, 200, n), "member_tier_rank": rng.integers(1, 5, n),
                              "age_band": rng.choice(["16_23", "24_35", "36_50", None], n),
                              "brand": rng.choice(["gotone", "mzone", "easyown"], n),
                              "preferred_channel": rng.choice(["OUTBOUND", "SMS", "APP", "HALL"], n)})
    products = pd.DataFrame({"product_id": PRODUCTS, "product_category": ["vas", "vas", "plan", "data"],
                             "product_type": "vas", "monthly_fee_yuan": [5.0, 10.0, 20.0, 30.0]})
    k = 3 * n
    offers = pd.DataFrame({"customer_id": rng.choice(ids, k), "product_id": rng.choice(PRODUCTS, k),
                           "channel_code": rng.choice(["OUTBOUND", "SMS", "APP"], k),
                           "response": rng.choice(["accepted", "refused", "no_answer"], k, p=[0.3, 0.3, 0.4]),
                           "offered_date": pd.Timestamp("2026-10-01"), "is_control_group": rng.random(k) < 0.1})
    pairs = pd.DataFrame({"customer_id": list(rng.choice(ids, 500)) + ["NOT_A_CUSTOMER"],
                          "product_id": list(rng.choice(PRODUCTS, 500)) + ["P1"],
                          "channel_code": list(rng.choice(["OUTBOUND", "SMS", "APP", "HALL", "WECHAT"], 500))
                          + ["SMS"]})
    return customers, products, offers, pairs


def test_scoring_without_merges_equals_merge_then_predict() -> None:
    customers, products, offers, pairs = _synthetic(400, 5)
    model = prop.train(offers, customers, products)
    assert model.pipeline is not None
    # the definition: merge the customer and product frames onto the pairs, build features, predict
    frame = pairs.merge(customers, on="customer_id", how="left").merge(products, on="product_id", how="left")
    frame["is_preferred_channel"] = (frame["channel_code"] == frame["preferred_channel"]).astype(float)
    frame["prior_accepts"] = frame["customer_id"].map(prop._prior_accepts(offers)).fillna(0)
    expected = np.round(model.pipeline.predict_proba(prop._features(frame))[:, 1], 6)
    np.testing.assert_array_equal(prop.score(model, pairs, customers.sample(frac=1, random_state=1), products, offers),
                                  expected)


def test_one_hot_shortcut_is_the_pipeline_bit_for_bit() -> None:
    customers, products, offers, _ = _synthetic(400, 6)
    model = prop.train(offers, customers, products)
    features = prop._features(prop.training_frame(offers, customers, products))
    features.loc[features.index[:5], "brand"] = "never_seen"  # unknown category: all zeros
    assert prop._one_hot_fast_path(model.pipeline)
    np.testing.assert_array_equal(prop.predict(model.pipeline, features), model.pipeline.predict_proba(features)[:, 1])


def test_score_candidates_keeps_candidate_order_and_drops_unknown_campaigns() -> None:
    from orchestration.campaigns.definitions import parse_campaign

    customers, products, offers, _ = _synthetic(50, 7)
    campaign = parse_campaign({"campaign_id": "C1", "name": "c", "products": ["P2"], "priority": 1,
                               "channels": [{"channel": "SMS", "capacity_per_day": 5},
                                            {"channel": "APP", "capacity_per_day": 5}],
                               "window": {"start": "2026-10-01", "end": "2026-12-31"}, "control_share": 0.1})
    candidates = pd.DataFrame({"campaign_id": ["C1", "CX", "C1"], "customer_id": ["CU00003", "CU00001", "NOPE"],
                               "reason_code": ["a", "b", "c"]})
    model = prop.train(offers, customers, products)
    out = score_candidates(candidates, [campaign], customers, products, offers, model)
    assert list(out["customer_id"]) == ["CU00003", "NOPE"] and list(out["reason_code"]) == ["a", "c"]
    assert list(out["value_yuan"]) == [120.0, 120.0] and out["propensity"].between(0, 1).all()


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": pd.Series(["x", None, "", "y z", "中文"], dtype="str"),
                  "b": pd.Series(["1", "2", None, "", "a|b"], dtype="str")}),  # the Arrow path
    pd.DataFrame({"a": pd.Series(["x,y", "q"], dtype="str"), "b": "z"}),  # needs quoting: pandas
    pd.DataFrame({"a": pd.Series([""], dtype="str")}),  # one column: pandas writes ""
    pd.DataFrame({"a": pd.Series(['say "hi"', "x"], dtype="str"), "b": [1.5, None]}),
])
def test_csv_bytes_are_what_pandas_writes(frame: pd.DataFrame) -> None:
    import io

    from orchestration.campaigns.lists import csv_bytes

    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", float_format="%.6f")
    assert csv_bytes(frame) == buf.getvalue().encode("utf-8-sig")
