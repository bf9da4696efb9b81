"""The contact policy, applied to every campaign in one vectorised pass, each step logged:

1. **eligibility** — the target matched, the customer is active, the campaign's window covers the run;
2. **suppression** — opted out, global holdout, recent complaint, already owns the product,
   already accepted it at any channel, in arrears, fraud risk, offered the same product recently,
   said "refused" recently, do-not-disturb with no passive channel in the campaign;
3. **monthly cap** — proactive contacts per customer per month across every channel and campaign,
   counting what was already made this month; campaigns compete by priority, then expected value;
4. **ranking** — response propensity × value of an acceptance;
5. **channel assignment** — the customer's preferred channel first, then the campaign's order,
   within each campaign channel's capacity and each channel's capacity across campaigns;
   do-not-disturb customers only get passive channels (app inbox, hall, inbound);
6. **control group** — a deterministic hash, stratified by segment; the global holdout (step 2)
   is a persistent hash of the customer alone, so no campaign ever contacts it.

Every excluded (campaign, customer) pair gets one row in the suppression log with the step and
the first reason (``all_reasons`` lists every reason that applied).

The steps run on integer arrays, not on frames of string keys: customers are coded by their rank
among the sorted ids (:mod:`.customer_codes`, so integer order is ``customer_id`` order and every
documented tie-break holds), campaigns by ``campaign_id`` order, channels and products by small
codes; suppression lookups are bool tables indexed by those codes, the cap and ranking are sorts
of int/float arrays, the suppression log is assembled once at the end. Only the listed pairs (a
few thousand, bounded by channel capacities) become a DataFrame again for the control group.
``tests/python/test_campaign_policy_reference.py`` holds a plain-loop reading of these rules that
the engine must match row for row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orchestration.campaigns.customer_codes import CustomerCodes, category_codes
from orchestration.campaigns.definitions import Campaign, Policy
from orchestration.campaigns.policy_steps import (StepTimer, _assign_channels, _campaign_frame, _cumcount, _flag,
                                                  _Log, _merged_columns)

STEPS = ("targeted", "eligible", "not_suppressed", "within_cap", "channel_assigned", "action", "control")
LIST_COLUMNS = ["campaign_id", "customer_id", "product_id", "offer_group", "channel_code", "campaign_rank",
                "channel_rank", "score", "propensity", "value_yuan", "stratum", "reason_code", "script_hint",
                "history_prompt", "calling_hours", "priority"]


@dataclass
class History:
    """What the policy needs to know about the past. Every frame may be empty.

    - ``contacts_this_month``: ``customer_id``, ``contact_count`` proactive contacts already made
      (or already listed) this calendar month;
    - ``offers``: ``customer_id``, ``product_id``, ``channel_code``, ``response``, ``offered_date``,
      ``is_control_group`` — the shared contact history across channels, outcomes included;
    - ``complaints``: ``customer_id``, ``opened_date``; ``holdings``: ``customer_id``, ``product_id``
      (products running now); ``arrears``: ``customer_id``, ``days_overdue`` (newest month).
    """

    contacts_this_month: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"customer_id": pd.Series(dtype=object), "contact_count": pd.Series(dtype="int64")}))
    offers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("customer_id", "product_id", "channel_code", "response")}
        | {"offered_date": pd.Series(dtype="datetime64[ns]"), "is_control_group": pd.Series(dtype=bool)}))
    complaints: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"customer_id": pd.Series(dtype=object), "opened_date": pd.Series(dtype="datetime64[ns]")}))
    holdings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"customer_id": pd.Series(dtype=object), "product_id": pd.Series(dtype=object)}))
    arrears: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"customer_id": pd.Series(dtype=object), "days_overdue": pd.Series(dtype="int64")}))


@dataclass
class PolicyResult:
    lists: pd.DataFrame
    suppressed: pd.DataFrame
    funnel: pd.DataFrame


def unit_hash(keys: pd.Series, salt: str) -> np.ndarray:
    """A deterministic uniform number in [0, 1) per key (SipHash keyed by the salt)."""
    key = hashlib.sha256(salt.encode()).hexdigest()[:16]
    h = pd.util.hash_array(keys.astype(str).to_numpy(dtype=object), hash_key=key, categorize=False)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def global_holdout(customer_ids: pd.Series, policy: Policy) -> np.ndarray:
    return unit_hash(customer_ids, policy.holdout_salt) < policy.global_holdout_share


SUPPRESSION_REASONS = ("opted_out", "global_holdout", "recent_complaint", "owns_product", "already_accepted",
                       "in_arrears", "fraud_risk", "offered_same_product_recently", "refused_recently",
                       "do_not_disturb_no_passive_channel")
"""In the order they are checked: a suppressed pair's ``reason`` is the first that applies."""


def history_ids(history: History) -> dict[str, pd.Series]:
    """The customer id columns of the history, to code in one lookup with the candidates'."""
    return {"offers": history.offers["customer_id"], "holdings": history.holdings["customer_id"],
            "contacts": history.contacts_this_month["customer_id"],
            "complaints": history.complaints["customer_id"], "arrears": history.arrears["customer_id"]}


def code_customers(customers: pd.DataFrame, candidates: pd.DataFrame, campaigns: list[Campaign],
                   history: History) -> tuple[CustomerCodes, np.ndarray]:
    """The run's customer codes and each candidate row's code (``-1`` for rows of campaigns not in
    ``campaigns``: only the others' unknown customers join the code space, as only they reach the
    merge with the customers frame)."""
    known = candidates["campaign_id"].isin({c.campaign_id for c in campaigns}).to_numpy()
    whole = bool(known.all())
    codes = CustomerCodes(customers, candidates["customer_id"] if whole else candidates["customer_id"][known],
                          history_ids(history))
    if whole:
        return codes, codes.candidate_codes
    out = np.full(len(candidates), -1, dtype=np.int64)
    out[known] = codes.candidate_codes
    return codes, out


def _history_codes(codes: CustomerCodes, history: History) -> dict[str, np.ndarray]:
    """The history's customer codes: coded with the candidates (:func:`code_customers`), else now."""
    wanted = history_ids(history)
    if set(codes.others) == set(wanted) and all(len(codes.others[k]) == len(v) for k, v in wanted.items()):
        return codes.others
    return codes.lookup_named(wanted)


def apply_policy(candidates: pd.DataFrame, customers: pd.DataFrame, campaigns: list[Campaign], policy: Policy,
                 history: History, run_date: dt.date, seconds: dict[str, float] | None = None) -> PolicyResult:
    """Candidates (``campaign_id``, ``customer_id``, ``reason_code``, optional ``propensity``,
    ``value_yuan``) → the lists, the suppression log and the funnel counts per campaign and step.

    ``customers`` needs ``customer_id`` (unique), ``is_active``, ``is_opted_out_marketing``,
    ``is_do_not_disturb``, ``preferred_channel`` and the stratum column (``policy.stratify_by``);
    a customer missing from it is not eligible. With ``seconds``, adds each step's time to it."""
    codes, candidate_codes = code_customers(customers, candidates, campaigns, history)
    return apply_policy_coded(candidates, candidate_codes, codes, campaigns, policy, history, run_date, seconds)


def apply_policy_coded(candidates: pd.DataFrame, candidate_codes: np.ndarray, codes: CustomerCodes,
                       campaigns: list[Campaign], policy: Policy, history: History, run_date: dt.date,
                       seconds: dict[str, float] | None = None) -> PolicyResult:
    """:func:`apply_policy` with the customer ids already coded (``candidate_codes``: one code per
    candidate row, in ``codes``)."""
    tick = StepTimer(seconds)
    meta, products = _campaign_frame(campaigns, run_date)
    n_codes, frame = len(codes), codes.frame
    # campaigns coded by campaign_id order, so sorting by code is sorting by id
    by_id = sorted(range(len(meta)), key=lambda i: meta["campaign_id"].iloc[i])
    meta_s = meta.iloc[by_id].reset_index(drop=True)
    camp_ids = meta_s["campaign_id"].to_numpy(dtype=object)
    in_window = meta_s["in_window"].to_numpy(dtype=bool)
    has_passive = meta_s["has_passive"].to_numpy(dtype=bool)
    priority = meta_s["priority"].to_numpy()
    cand_camp = category_codes(candidates["campaign_id"], camp_ids)
    # one pair per (campaign, customer): the first candidate row, in (campaign_id, customer_id) order
    valid = np.flatnonzero((cand_camp >= 0) & (candidate_codes >= 0))
    keys = cand_camp[valid] * n_codes + candidate_codes[valid]
    order = np.argsort(keys, kind="stable")
    first = order[np.r_[True, keys[order][1:] != keys[order][:-1]]] if len(keys) else order
    row, camp, cust = valid[first], keys[first] // n_codes, keys[first] % n_codes
    log = _Log(n_codes)
    counts = {"targeted": np.bincount(camp, minlength=len(meta))}
    # where a column named by the policy (fraud flag, stratum) comes from, as the merges would have it
    merged = _merged_columns(list(dict.fromkeys([*candidates.columns, "propensity", "value_yuan"])),
                             list(meta.columns), [c for c in frame.columns
                                                  if c not in ("propensity", "value_yuan", "priority", "product_id")])

    def keep(mask: np.ndarray) -> None:
        nonlocal row, camp, cust
        row, camp, cust = row[mask], camp[mask], cust[mask]

    def boolean(name: str, na: bool) -> np.ndarray:
        return codes.per_code(frame[name].fillna(na).astype(bool).to_numpy(), na)

    tick("policy_pairs")

    # 1. eligibility
    is_known = codes.row[cust] >= 0
    active = is_known & boolean("is_active", False)[cust]
    reason = np.select([~in_window[camp], ~is_known, ~active], [1, 2, 3], 0)
    texts = np.array([-1] + [log.label(t) for t in ("outside_campaign_window", "unknown_customer", "not_active")])
    out = reason != 0
    log.add(camp[out], cust[out], "eligibility", texts[reason[out]], texts[reason[out]])
    keep(~out)
    counts["eligible"] = np.bincount(camp, minlength=len(meta))
    tick("policy_eligibility")

    # 2. suppression
    s = policy.suppression
    today = pd.Timestamp(run_date)
    offers = history.offers
    product_ids = pd.Index(pd.unique(products["product_id"]))
    camp_products = [product_ids.get_indexer(products.loc[products["campaign_id"] == c, "product_id"])
                     for c in camp_ids]
    coded = _history_codes(codes, history)
    offer_cust = coded["offers"]
    offer_prod = category_codes(offers["product_id"], product_ids)

    def pair_flag(cust_codes: np.ndarray, prod_codes: np.ndarray) -> np.ndarray:
        """Does the table (given as customer and product codes) hold a row for the pair's
        customer and any of its campaign's products?"""
        ok = (cust_codes >= 0) & (prod_codes >= 0)
        held = np.zeros((n_codes, len(product_ids)), dtype=bool)
        held[cust_codes[ok], prod_codes[ok]] = True
        hit = np.zeros(len(camp), dtype=bool)
        for c, prods in enumerate(camp_products):
            sel = np.flatnonzero(camp == c)
            for p in prods:
                hit[sel] |= held[cust[sel], p]
        return hit

    def offer_flag(mask: pd.Series) -> np.ndarray:
        m = mask.to_numpy(dtype=bool)
        return pair_flag(offer_cust[m], offer_prod[m])

    # "considering" does not suppress: the offer follows the customer to the next channel with a prompt
    contacted = ~offers["is_control_group"].fillna(False).astype(bool) & (offers["response"] != "considering")
    recent_offer = contacted & (offers["offered_date"] > today - pd.Timedelta(days=s.offered_same_product_days))
    refused = (offers["response"] == "refused") & (offers["offered_date"] > today - pd.Timedelta(days=s.refused_days))
    accepted = offers["response"] == "accepted"
    complaints = history.complaints
    complained = coded["complaints"][
        (complaints["opened_date"] > today - pd.Timedelta(days=s.complaint_days)).to_numpy(dtype=bool)]
    owing = coded["arrears"][(history.arrears["days_overdue"] >= s.arrears_min_days_overdue).to_numpy(dtype=bool)]
    holdings = history.holdings
    fraud = np.zeros(len(camp), dtype=bool)
    if merged.get(s.fraud_score_column) == "customers":
        fraud = boolean(s.fraud_score_column, False)[cust]
    elif merged.get(s.fraud_score_column) == "candidates":
        fraud = candidates[s.fraud_score_column].iloc[row].fillna(False).astype(bool).to_numpy()
    elif merged.get(s.fraud_score_column) == "meta":
        fraud = meta_s[s.fraud_score_column].fillna(False).astype(bool).to_numpy()[camp]
    holdout = np.zeros(n_codes, dtype=bool)
    seen = np.flatnonzero(np.bincount(cust, minlength=n_codes))
    holdout[seen] = global_holdout(codes.ids.iloc[seen], policy)
    masks = [
        boolean("is_opted_out_marketing", True)[cust],
        holdout[cust],
        _flag(n_codes, complained)[cust],
        pair_flag(coded["holdings"], category_codes(holdings["product_id"], product_ids))
        if len(holdings) and len(camp) else np.zeros(len(camp), dtype=bool),
        offer_flag(accepted) if len(offers) and len(camp) else np.zeros(len(camp), dtype=bool),
        _flag(n_codes, owing)[cust],
        fraud,
        offer_flag(recent_offer) if len(offers) and len(camp) else np.zeros(len(camp), dtype=bool),
        offer_flag(refused) if len(offers) and len(camp) else np.zeros(len(camp), dtype=bool),
        boolean("is_do_not_disturb", True)[cust] & ~has_passive[camp],
    ]
    bits = np.zeros(len(camp), dtype=np.int64)
    for i, m in enumerate(masks):
        bits |= m.astype(np.int64) << i
    hit = bits != 0
    combos = np.unique(bits[hit])
    first_text = np.array([log.label(SUPPRESSION_REASONS[(int(b) & -int(b)).bit_length() - 1]) for b in combos])
    every_text = np.array([log.label("|".join(n for i, n in enumerate(SUPPRESSION_REASONS) if int(b) >> i & 1))
                           for b in combos])
    which = np.searchsorted(combos, bits[hit])
    log.add(camp[hit], cust[hit], "suppression", first_text[which] if len(combos) else which,
            every_text[which] if len(combos) else which)
    keep(~hit)
    counts["not_suppressed"] = np.bincount(camp, minlength=len(meta))
    tick("policy_suppression")

    # 3. monthly cap with priority arbitration (rank 4 below is the tie-break: propensity × value)
    prop = (candidates["propensity"].astype(float).to_numpy() if "propensity" in candidates
            else np.full(len(candidates), 0.05))
    value = (candidates["value_yuan"].astype(float).to_numpy() if "value_yuan" in candidates
             else np.full(len(candidates), 1.0))
    score_all = prop * value
    contacts = history.contacts_this_month
    contact_codes = coded["contacts"]
    ok = contact_codes >= 0
    used = np.bincount(contact_codes[ok], minlength=n_codes,
                       weights=contacts["contact_count"].astype("float64").fillna(0).to_numpy()[ok])
    remaining = np.maximum(policy.monthly_cap - used, 0)
    score = score_all[row]
    per_customer = np.bincount(cust, minlength=n_codes)
    left = remaining[cust]
    over = left <= 0
    contested = np.flatnonzero((per_customer[cust] > left) & ~over)
    if len(contested):  # customers with more pairs than contacts left: by priority, score, campaign_id
        order = contested[np.lexsort((camp[contested], -score[contested], -priority[camp[contested]],
                                      cust[contested]))]
        over[order] = _cumcount(cust[order]) >= left[order]
    capped_text = np.where(left[over] == 0, log.label("monthly_cap_reached"), log.label("monthly_cap_lower_priority"))
    log.add(camp[over], cust[over], "monthly_cap", capped_text, np.full(int(over.sum()), log.label("monthly_cap")))
    keep(~over)
    score = score[~over]
    counts["within_cap"] = np.bincount(camp, minlength=len(meta))
    tick("policy_cap")

    # 4. ranking within each campaign: score descending, then customer_id
    order = np.lexsort((cust, -score, camp))
    keep(order)
    score = score[order]
    campaign_rank = _cumcount(camp) + 1
    tick("policy_ranking")

    # 5. channel assignment within capacity
    channels = sorted({ch.channel for c in campaigns for ch in c.channels})
    n_ch = len(channels)
    preferred = codes.per_code(category_codes(frame["preferred_channel"], channels), -1)
    considering = (offers["response"] == "considering") & (
        offers["offered_date"] > today - pd.Timedelta(days=s.offered_same_product_days))
    avoid = np.zeros(0, dtype=np.int64)
    if considering.any():  # the channel where the customer said "considering", for every campaign of the product
        m = considering.to_numpy(dtype=bool) & (offer_cust >= 0)
        o_cust, o_prod = offer_cust[m], offer_prod[m]
        o_chan = category_codes(offers["channel_code"][m], channels)
        parts = [(c * n_codes + o_cust[sel]) * n_ch + o_chan[sel]
                 for c, prods in enumerate(camp_products) for p in prods
                 for sel in [(o_prod == p) & (o_chan >= 0)]]
        avoid = np.concatenate(parts) if parts else avoid
    by_meta = [campaigns[i] for i in by_id]
    assigned, had_options = _assign_channels(camp, cust, priority[camp], score, by_meta, policy, channels,
                                boolean("is_do_not_disturb", True)[cust], preferred[cust], avoid, n_codes)
    lost = assigned < 0
    label = log.label("no_channel_capacity")
    log.add(camp[lost], cust[lost], "channel_assignment", np.full(int(lost.sum()), label),
            np.full(int(lost.sum()), label))
    keep(~lost)
    score, campaign_rank, assigned = score[~lost], campaign_rank[~lost], assigned[~lost]
    counts["channel_assigned"] = np.bincount(camp, minlength=len(meta))
    tick("policy_channels")

    # 6. control group: per campaign and stratum, the lowest hashes up to round(share × n)
    pairs = pd.DataFrame({
        "campaign_id": candidates["campaign_id"].take(row).reset_index(drop=True),
        "customer_id": candidates["customer_id"].take(row).reset_index(drop=True),
        "reason_code": candidates["reason_code"].take(row).reset_index(drop=True),
        "propensity": prop[row], "value_yuan": value[row],
    })
    if "propensity" in candidates:
        pairs["propensity"] = candidates["propensity"].take(row).reset_index(drop=True)
    if "value_yuan" in candidates:
        pairs["value_yuan"] = candidates["value_yuan"].take(row).reset_index(drop=True)
    for col in ("product_id", "script_hint", "calling_hours", "priority", "control_share"):
        pairs[col] = meta_s[col].take(camp).reset_index(drop=True)
    pairs["score"] = score
    pairs["campaign_rank"] = campaign_rank
    # (typed like the channel catalogue; object when no pair had any channel, as an empty merge gives)
    pairs["channel_code"] = pd.Series(np.array(channels, dtype=object)[assigned],
                                      dtype=pd.Series(channels).dtype if had_options else object)
    source = merged.get(policy.stratify_by)
    if source == "customers":
        pairs["stratum"] = codes.column(policy.stratify_by, cust).astype(str)
    elif source == "candidates":
        pairs["stratum"] = candidates[policy.stratify_by].take(row).reset_index(drop=True).astype(str)
    elif source == "meta":
        pairs["stratum"] = meta_s[policy.stratify_by].take(camp).reset_index(drop=True).astype(str)
    else:
        pairs["stratum"] = "all"
    pairs["_h"] = unit_hash(pairs["campaign_id"] + "|" + pairs["customer_id"].astype(str), "control-group")
    pairs = pairs.sort_values(["campaign_id", "stratum", "_h", "customer_id"], kind="stable")
    grp = pairs.groupby(["campaign_id", "stratum"])
    n_stratum = grp["customer_id"].transform("size")
    k_control = np.floor(pairs["control_share"] * n_stratum + 0.5)
    pairs["offer_group"] = np.where(grp.cumcount() < k_control, "control", "action")
    is_control = (pairs["offer_group"] == "control").to_numpy()
    grouped = np.asarray(pd.Index(camp_ids).get_indexer(pairs["campaign_id"]))
    counts["action"] = np.bincount(grouped[~is_control], minlength=len(meta))
    counts["control"] = np.bincount(grouped[is_control], minlength=len(meta))

    pairs = pairs.sort_values(["campaign_id", "channel_code", "campaign_rank"], kind="stable")
    pairs["channel_rank"] = pairs.groupby(["campaign_id", "offer_group", "channel_code"]).cumcount() + 1
    pairs["history_prompt"] = history_prompts(pairs, products, history.offers)
    lists = pairs[LIST_COLUMNS].reset_index(drop=True)
    tick("policy_control_and_lists")
    suppressed = log.frame(camp_ids, codes, candidates[["campaign_id", "customer_id"]])
    by_code = np.argsort(by_id)  # meta row → campaign code
    funnel = pd.DataFrame({"campaign_id": meta["campaign_id"]}
                          | {step: counts[step][by_code].astype("int64") for step in STEPS})
    tick("policy_log_and_funnel")
    return PolicyResult(lists=lists, suppressed=suppressed, funnel=funnel)


def history_prompts(pairs: pd.DataFrame, products: pd.DataFrame, offers: pd.DataFrame) -> np.ndarray:
    """The newest 'considering' answer to the same product at another channel, as a prompt for the
    next channel (e.g. the hall clerk sees 'HOTLINE 2026-11-03: considering')."""
    out = np.full(len(pairs), "", dtype=object)
    considering = offers[offers["response"] == "considering"]
    if considering.empty or pairs.empty:
        return out
    keyed = pairs[["campaign_id", "customer_id", "channel_code"]].reset_index(drop=True).reset_index(names="_row")
    keyed = keyed.merge(products, on="campaign_id").merge(
        considering[["customer_id", "product_id", "channel_code", "offered_date"]].rename(
            columns={"channel_code": "prior_channel"}), on=["customer_id", "product_id"])
    keyed = keyed[keyed["prior_channel"] != keyed["channel_code"]]
    keyed = keyed.sort_values(["_row", "offered_date"], ascending=[True, False]).drop_duplicates("_row")
    out[keyed["_row"].to_numpy()] = (keyed["prior_channel"] + " " + keyed["offered_date"].dt.strftime("%Y-%m-%d")
                                     + ": considering " + keyed["product_id"]).to_numpy()
    return out
