"""Property-based tests of the contact policy over random customers, histories and campaign mixes:
nobody suppressed or opted out is ever listed, nobody goes over the monthly cap, no channel goes
over capacity, the control share holds per stratum, and the same inputs give byte-identical lists.

The suppression oracle here is written independently (plain loops over a few dozen customers), so
the vectorised policy is checked against a second reading of the rules, not against itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from orchestration.campaigns import lists as lst
from orchestration.campaigns.build import build_lists
from orchestration.campaigns.definitions import OUTBOUND_CHANNELS, Policy, parse_campaign
from orchestration.campaigns.policy import History, global_holdout
from orchestration.campaigns.propensity import PropensityModel

RUN_DATE = dt.date(2026, 10, 31)
PRODUCTS = ["P1", "P2", "P3", "P4"]
CHANNELS = ["OUTBOUND", "SMS", "APP", "HALL"]
TIERS = ["diamond", "gold", "silver", "standard"]
RESPONSES = ["accepted", "considering", "refused", "no_answer"]
PRODUCT_FRAME = pd.DataFrame({"product_id": PRODUCTS, "product_category": "vas", "product_type": "vas",
                              "monthly_fee_yuan": [5.0, 10.0, 20.0, 30.0]})
NO_MODEL = PropensityModel(None, 0.05, 0)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 50))
    ids = [f"CU{i:05d}" for i in range(n)]
    flags = st.lists(st.booleans(), min_size=n, max_size=n)
    customers = pd.DataFrame({
        "customer_id": ids,
        "is_active": draw(st.lists(st.booleans(), min_size=n, max_size=n).map(
            lambda xs: [x or i % 5 for i, x in enumerate(xs)])),
        "is_opted_out_marketing": draw(flags),
        "is_do_not_disturb": draw(flags),
        "preferred_channel": draw(st.lists(st.sampled_from(CHANNELS), min_size=n, max_size=n)),
        "member_tier": draw(st.lists(st.sampled_from(TIERS), min_size=n, max_size=n)),
        "age_years": draw(st.lists(st.integers(16, 80), min_size=n, max_size=n)),
        "fraud_flag": draw(flags),
        "full_name_masked": "张**", "phone_no_masked": "138****0000", "district": "D1",
    })
    customers["is_active"] = customers["is_active"].astype(bool)
    k = draw(st.integers(0, 3 * n))
    pick = st.lists(st.sampled_from(ids), min_size=k, max_size=k)
    offers = pd.DataFrame({
        "customer_id": draw(pick),
        "product_id": draw(st.lists(st.sampled_from(PRODUCTS), min_size=k, max_size=k)),
        "channel_code": draw(st.lists(st.sampled_from(CHANNELS), min_size=k, max_size=k)),
        "response": draw(st.lists(st.sampled_from(RESPONSES), min_size=k, max_size=k)),
        "offered_date": pd.to_datetime(RUN_DATE) - pd.to_timedelta(
            draw(st.lists(st.integers(0, 200), min_size=k, max_size=k)), unit="D"),
        "is_control_group": draw(st.lists(st.booleans(), min_size=k, max_size=k)),
    })
    m = draw(st.integers(0, n))
    history = History(
        contacts_this_month=pd.DataFrame({"customer_id": draw(st.lists(st.sampled_from(ids), min_size=m, max_size=m)),
                                          "contact_count": draw(st.lists(st.integers(1, 3), min_size=m, max_size=m))}),
        offers=offers,
        complaints=pd.DataFrame({"customer_id": draw(st.lists(st.sampled_from(ids), max_size=5)),
                                 }).assign(opened_date=pd.Timestamp(RUN_DATE) - pd.Timedelta(days=draw(
                                     st.integers(0, 60)))),
        holdings=pd.DataFrame({"customer_id": draw(st.lists(st.sampled_from(ids), max_size=n)),
                               }).pipe(lambda f: f.assign(product_id=[PRODUCTS[i % 4] for i in range(len(f))])),
        arrears=pd.DataFrame({"customer_id": draw(st.lists(st.sampled_from(ids), max_size=4))}).assign(days_overdue=5),
    )
    campaigns = []
    for c in range(draw(st.integers(1, 5))):
        chans = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=4, unique=True))
        campaigns.append(parse_campaign({
            "campaign_id": f"C{c}", "name": f"campaign {c}", "products": [draw(st.sampled_from(PRODUCTS))],
            "priority": draw(st.integers(0, 100)),
            "target": {"all": [{"column": "age_years", "op": ">=", "value": draw(st.integers(16, 60))}]},
            "channels": [{"channel": ch, "capacity_per_day": draw(st.integers(1, 15))} for ch in chans],
            "window": {"start": "2026-10-01", "end": "2026-12-31"},
            "control_share": draw(st.sampled_from([0.0, 0.1, 0.2, 0.3])),
        }))
    policy = Policy(monthly_cap=draw(st.integers(0, 4)), global_holdout_share=draw(st.sampled_from([0.0, 0.1, 0.3])),
                    channel_capacity_per_day=draw(st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 20),
                                                                  max_size=2)))
    return {"customers": customers, "history": history, "campaigns": campaigns, "policy": policy}


def run(s: dict, shuffle_seed: int | None = None):
    customers, history = s["customers"], s["history"]
    if shuffle_seed is not None:
        customers = customers.sample(frac=1, random_state=shuffle_seed)
        history = History(history.contacts_this_month.sample(frac=1, random_state=shuffle_seed),
                          history.offers.sample(frac=1, random_state=shuffle_seed), history.complaints,
                          history.holdings, history.arrears)
    members = pd.DataFrame(columns=["customer_id", "kind", "member"])
    result, _ = build_lists(s["campaigns"], s["policy"], customers, members, PRODUCT_FRAME, history, RUN_DATE,
                            NO_MODEL)
    return result


def must_not_list(s: dict) -> set[tuple[str, str]]:
    """The oracle: every (campaign, customer) pair some rule forbids, by plain loops over records."""
    h, policy = s["history"], s["policy"]
    sup, today = policy.suppression, pd.Timestamp(RUN_DATE)
    holdout = dict(zip(s["customers"]["customer_id"], global_holdout(s["customers"]["customer_id"], policy)))
    complained = {r.customer_id for r in h.complaints.itertuples()
                  if r.opened_date > today - pd.Timedelta(days=sup.complaint_days)}
    holds = {(r.customer_id, r.product_id) for r in h.holdings.itertuples()}
    owing = set(h.arrears["customer_id"])
    blocked = set()  # (customer, product) blocked by the offer history
    for o in h.offers.itertuples():
        age = (today - o.offered_date).days
        if (o.response == "accepted" or (o.response == "refused" and age < sup.refused_days)
                or ((not o.is_control_group) and o.response != "considering"
                    and age < sup.offered_same_product_days)):
            blocked.add((o.customer_id, o.product_id))
    forbidden = set()
    for c in s["campaigns"]:
        product = c.products[0]
        passive = any(ch.channel not in OUTBOUND_CHANNELS for ch in c.channels)
        for row in s["customers"].itertuples():
            cid = row.customer_id
            if (row.is_opted_out_marketing or not row.is_active or holdout[cid] or row.fraud_flag
                    or (row.is_do_not_disturb and not passive) or cid in complained or (cid, product) in holds
                    or cid in owing or (cid, product) in blocked):
                forbidden.add((c.campaign_id, cid))
    return forbidden


# no shrinking phase: each example runs the whole policy, and shrinking a 50-customer history can take
# minutes; a failure still prints its (unshrunk) example and seed.
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


@SETTINGS
@given(scenarios())
def test_nobody_suppressed_or_opted_out_is_listed(s: dict) -> None:
    lists = run(s).lists
    listed = set(zip(lists["campaign_id"], lists["customer_id"]))
    assert not listed & must_not_list(s)
    opted = set(s["customers"].loc[s["customers"]["is_opted_out_marketing"], "customer_id"])
    assert not set(lists["customer_id"]) & opted


@SETTINGS
@given(scenarios())
def test_do_not_disturb_only_passive_channels(s: dict) -> None:
    lists = run(s).lists.merge(s["customers"][["customer_id", "is_do_not_disturb"]], on="customer_id")
    assert not (lists["is_do_not_disturb"] & lists["channel_code"].isin(OUTBOUND_CHANNELS)).any()


@SETTINGS
@given(scenarios())
def test_nobody_over_the_monthly_cap(s: dict) -> None:
    lists = run(s).lists
    used = s["history"].contacts_this_month.groupby("customer_id")["contact_count"].sum()
    planned = lists.groupby("customer_id").size()
    total = planned.add(used, fill_value=0)
    over = planned[total.loc[planned.index] > s["policy"].monthly_cap]
    assert over.empty, f"over the cap: {over.to_dict()}"


@SETTINGS
@given(scenarios())
def test_no_channel_over_capacity(s: dict) -> None:
    lists, policy = run(s).lists, s["policy"]
    per_cc = lists.groupby(["campaign_id", "channel_code"]).size()
    caps = {(c.campaign_id, ch.channel): ch.capacity_per_day * policy.list_days
            for c in s["campaigns"] for ch in c.channels}
    for key, n in per_cc.items():
        assert n <= caps[key], f"{key}: {n} > {caps[key]}"
    for channel, n in lists.groupby("channel_code").size().items():
        assert n <= policy.channel_capacity_per_day.get(channel, 10**9) * policy.list_days
    assert set(per_cc.index) <= set(caps)  # only the campaign's own channels


@SETTINGS
@given(scenarios())
def test_control_share_per_stratum(s: dict) -> None:
    lists = run(s).lists
    shares = {c.campaign_id: c.control_share for c in s["campaigns"]}
    for (campaign, _), part in lists.groupby(["campaign_id", "stratum"]):
        k, n = int((part["offer_group"] == "control").sum()), len(part)
        assert abs(k - shares[campaign] * n) <= 0.5 + 1e-9, (campaign, k, n)


@SETTINGS
@given(scenarios(), st.integers(0, 1000))
def test_same_inputs_byte_identical_lists(s: dict, seed: int) -> None:
    a, b = run(s), run(s, shuffle_seed=seed)
    pd.testing.assert_frame_equal(a.lists, b.lists)
    pd.testing.assert_frame_equal(a.suppressed, b.suppressed)
    files_a = lst.channel_files(a.lists, s["customers"], None)
    files_b = lst.channel_files(b.lists, s["customers"].sample(frac=1, random_state=seed), None)
    assert files_a.keys() == files_b.keys()
    for key in files_a:
        assert lst.csv_bytes(files_a[key]) == lst.csv_bytes(files_b[key])
        assert lst.parquet_bytes(files_a[key]) == lst.parquet_bytes(files_b[key])


@settings(max_examples=5, deadline=None, phases=[Phase.generate])
@given(scenarios())
def test_write_run_is_byte_identical(tmp_path_factory, s: dict) -> None:
    tmp_path = tmp_path_factory.mktemp("lists")
    result = run(s)
    files = lst.channel_files(result.lists, s["customers"], None)
    m1 = lst.write_run(tmp_path / "a", "r1", files, result.suppressed, result.funnel, {"run_date": "2026-10-31"})
    m2 = lst.write_run(tmp_path / "b", "r1", files, result.suppressed, result.funnel, {"run_date": "2026-10-31"})
    assert m1 == m2
    assert (tmp_path / "a/r1/manifest.json").read_bytes() == (tmp_path / "b/r1/manifest.json").read_bytes()
    assert np.all([(tmp_path / "a/r1" / f).read_bytes() == (tmp_path / "b/r1" / f).read_bytes() for f in m1["sha256"]])
