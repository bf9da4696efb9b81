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
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orchestration.campaigns.definitions import OUTBOUND_CHANNELS, Campaign, Policy

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


def _pair_flag(pairs: pd.DataFrame, products: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """For each (campaign, customer) pair: does ``table`` hold a row for the customer and any of
    the campaign's products?"""
    if table.empty or pairs.empty:
        return np.zeros(len(pairs), dtype=bool)
    keyed = pairs[["campaign_id", "customer_id"]].reset_index(names="_pair").merge(products, on="campaign_id")
    hit = keyed.merge(table[["customer_id", "product_id"]].drop_duplicates(), on=["customer_id", "product_id"])
    out = np.zeros(len(pairs), dtype=bool)
    out[hit["_pair"].to_numpy()] = True
    return out


def _campaign_frame(campaigns: list[Campaign], run_date: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    meta = pd.DataFrame({
        "campaign_id": [c.campaign_id for c in campaigns],
        "priority": [c.priority for c in campaigns],
        "control_share": [c.control_share for c in campaigns],
        "product_id": [c.products[0] for c in campaigns],
        "in_window": [c.window.start <= run_date <= c.window.end for c in campaigns],
        "has_passive": [any(ch.channel not in OUTBOUND_CHANNELS for ch in c.channels) for c in campaigns],
        "script_hint": [" / ".join(c.script_hints) for c in campaigns],
        "calling_hours": [f"{c.calling_hours.start:%H:%M}-{c.calling_hours.end:%H:%M}" for c in campaigns],
    })
    products = pd.DataFrame([(c.campaign_id, p) for c in campaigns for p in c.products],
                            columns=["campaign_id", "product_id"])
    return meta, products


def _suppression_reasons(pairs: pd.DataFrame, products: pd.DataFrame, history: History, policy: Policy,
                         run_date: dt.date, holdout: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    s = policy.suppression
    today = pd.Timestamp(run_date)
    offers = history.offers
    # "considering" does not suppress: the offer follows the customer to the next channel with a prompt
    contacted = offers[~offers["is_control_group"].fillna(False).astype(bool) & (offers["response"] != "considering")]
    recent_offer = contacted[contacted["offered_date"] > today - pd.Timedelta(days=s.offered_same_product_days)]
    refused = offers[(offers["response"] == "refused")
                     & (offers["offered_date"] > today - pd.Timedelta(days=s.refused_days))]
    accepted = offers[offers["response"] == "accepted"]
    complaints = history.complaints
    complained = complaints.loc[complaints["opened_date"] > today - pd.Timedelta(days=s.complaint_days),
                                "customer_id"]
    owing = history.arrears.loc[history.arrears["days_overdue"] >= s.arrears_min_days_overdue, "customer_id"]
    fraud = (pairs[s.fraud_score_column].fillna(False).astype(bool).to_numpy()
             if s.fraud_score_column in pairs else np.zeros(len(pairs), dtype=bool))
    cust = pairs["customer_id"]
    names = ["opted_out", "global_holdout", "recent_complaint", "owns_product", "already_accepted",
             "in_arrears", "fraud_risk", "offered_same_product_recently", "refused_recently",
             "do_not_disturb_no_passive_channel"]
    masks = [
        pairs["is_opted_out_marketing"].fillna(True).astype(bool).to_numpy(),
        holdout,
        cust.isin(complained).to_numpy(),
        _pair_flag(pairs, products, history.holdings),
        _pair_flag(pairs, products, accepted),
        cust.isin(owing).to_numpy(),
        fraud,
        _pair_flag(pairs, products, recent_offer),
        _pair_flag(pairs, products, refused),
        pairs["is_do_not_disturb"].fillna(True).astype(bool).to_numpy() & ~pairs["has_passive"].to_numpy(),
    ]
    return names, masks


def _log(frame: pd.DataFrame, step: str, reason: np.ndarray | str, all_reasons: np.ndarray | str = "") -> pd.DataFrame:
    return pd.DataFrame({"campaign_id": frame["campaign_id"].to_numpy(), "customer_id": frame["customer_id"].to_numpy(),
                         "step": step, "reason": reason, "all_reasons": all_reasons if len(frame) else []})


def _assign_channels(ranked: pd.DataFrame, campaigns: list[Campaign], policy: Policy,
                     avoid: pd.DataFrame | None = None) -> pd.DataFrame:
    """Greedy in rounds: round k offers each unassigned pair its k-th choice channel; within a
    round, pairs are served by campaign priority and score until each capacity is used up."""
    choices = pd.DataFrame([(c.campaign_id, ch.channel, i, ch.capacity_per_day * policy.list_days)
                            for c in campaigns for i, ch in enumerate(c.channels)],
                           columns=["campaign_id", "channel_code", "order", "capacity"])
    opts = ranked[["_pair", "campaign_id", "customer_id", "is_do_not_disturb", "preferred_channel", "priority",
                   "score"]].merge(choices, on="campaign_id")
    dnd = opts["is_do_not_disturb"].fillna(True).astype(bool)
    opts = opts[~(dnd & opts["channel_code"].isin(OUTBOUND_CHANNELS))].copy()
    if avoid is not None and not avoid.empty:  # the channel where the customer said "considering"
        hit = opts[["campaign_id", "customer_id", "channel_code"]].merge(
            avoid.drop_duplicates().assign(_avoid=True), how="left")["_avoid"].fillna(False).to_numpy(bool)
        opts = opts[~hit]
    opts["order"] = np.where(opts["channel_code"] == opts["preferred_channel"], -1, opts["order"])
    opts = opts.sort_values(["_pair", "order"], kind="stable")
    opts["choice"] = opts.groupby("_pair").cumcount()
    used_cc: dict[str, int] = {}  # key: campaign_id \x1f channel_code
    used_c: dict[str, int] = {}
    global_cap = {k: v * policy.list_days for k, v in policy.channel_capacity_per_day.items()}
    assigned = []
    done = pd.Index([])
    for k in range(int(opts["choice"].max()) + 1 if len(opts) else 0):
        rnd = opts[(opts["choice"] == k) & ~opts["_pair"].isin(done)]
        rnd = rnd.sort_values(["priority", "score", "campaign_id", "customer_id"],
                              ascending=[False, False, True, True], kind="stable")
        seq_cc = rnd.groupby(["campaign_id", "channel_code"]).cumcount()
        prev_cc = ((rnd["campaign_id"] + "\x1f" + rnd["channel_code"]).map(used_cc)
                   .astype("float64").fillna(0).to_numpy())
        ok = (seq_cc + prev_cc) < rnd["capacity"]
        rnd = rnd[ok]
        seq_c = rnd.groupby("channel_code").cumcount().to_numpy()
        cap_c = rnd["channel_code"].map(global_cap).astype("float64").fillna(np.inf).to_numpy()
        prev_c = rnd["channel_code"].map(used_c).astype("float64").fillna(0).to_numpy()
        rnd = rnd[(seq_c + prev_c) < cap_c]
        for key, n in (rnd["campaign_id"] + "\x1f" + rnd["channel_code"]).value_counts().items():
            used_cc[key] = used_cc.get(key, 0) + int(n)
        for key, n in rnd.groupby("channel_code").size().items():
            used_c[key] = used_c.get(key, 0) + int(n)
        assigned.append(rnd[["_pair", "channel_code"]])
        done = done.union(pd.Index(rnd["_pair"]))
    if not assigned:
        return pd.DataFrame({"_pair": pd.Series(dtype="int64"), "channel_code": pd.Series(dtype=object)})
    return pd.concat(assigned, ignore_index=True)


def apply_policy(candidates: pd.DataFrame, customers: pd.DataFrame, campaigns: list[Campaign], policy: Policy,
                 history: History, run_date: dt.date) -> PolicyResult:
    """Candidates (``campaign_id``, ``customer_id``, ``reason_code``, optional ``propensity``,
    ``value_yuan``) → the lists, the suppression log and the funnel counts per campaign and step.

    ``customers`` needs ``customer_id``, ``is_active``, ``is_opted_out_marketing``,
    ``is_do_not_disturb``, ``preferred_channel`` and the stratum column (``policy.stratify_by``);
    a customer missing from it is not eligible."""
    meta, products = _campaign_frame(campaigns, run_date)
    pairs = candidates.drop_duplicates(["campaign_id", "customer_id"]).copy()
    for col, default in (("propensity", 0.05), ("value_yuan", 1.0)):
        if col not in pairs:
            pairs[col] = default
    pairs = pairs[pairs["campaign_id"].isin(meta["campaign_id"])]
    pairs = pairs.merge(meta, on="campaign_id", how="left")
    cust_cols = [c for c in customers.columns if c not in ("propensity", "value_yuan", "priority", "product_id")]
    pairs = pairs.merge(customers[cust_cols], on="customer_id", how="left", indicator="_known")
    pairs = pairs.sort_values(["campaign_id", "customer_id"], kind="stable").reset_index(drop=True)
    logs, counts = [], [pairs.groupby("campaign_id").size().rename("targeted")]

    # 1. eligibility
    known = (pairs.pop("_known") == "both").to_numpy()
    active = known & pairs["is_active"].fillna(False).astype(bool).to_numpy()
    in_window = pairs["in_window"].to_numpy(dtype=bool)
    reason = np.select([~in_window, ~known, ~active], ["outside_campaign_window", "unknown_customer", "not_active"],
                       default="")
    logs.append(_log(pairs[reason != ""], "eligibility", reason[reason != ""], reason[reason != ""]))
    pairs = pairs[reason == ""].reset_index(drop=True)
    counts.append(pairs.groupby("campaign_id").size().rename("eligible"))

    # 2. suppression
    holdout = global_holdout(pairs["customer_id"], policy)
    names, masks = _suppression_reasons(pairs, products, history, policy, run_date, holdout)
    first = np.select(masks, names, default="")
    hit = first != ""
    every = np.full(int(hit.sum()), "", dtype=object)  # every reason, for the suppressed pairs only
    for n, m in zip(names, masks):
        mh = m[hit]
        every = np.where(mh, np.where(every == "", n, every + "|" + n), every)
    logs.append(_log(pairs[hit], "suppression", first[hit], every))
    pairs = pairs[~hit].reset_index(drop=True)
    counts.append(pairs.groupby("campaign_id").size().rename("not_suppressed"))

    # 3. monthly cap with priority arbitration (rank 4 below is the tie-break: propensity × value)
    pairs["score"] = pairs["propensity"].astype(float) * pairs["value_yuan"].astype(float)
    used = history.contacts_this_month.groupby("customer_id")["contact_count"].sum()
    remaining = (policy.monthly_cap - pairs["customer_id"].map(used).astype("float64").fillna(0)).clip(lower=0)
    pairs["_cust"] = pd.factorize(pairs["customer_id"], sort=True)[0]  # integer sort key, same order
    pairs = pairs.sort_values(["_cust", "priority", "score", "campaign_id"],
                              ascending=[True, False, False, True], kind="stable")
    over = (pairs.groupby("_cust").cumcount() >= remaining.loc[pairs.index]).to_numpy()
    capped = pairs[over]
    logs.append(_log(capped, "monthly_cap", np.where(remaining.loc[capped.index] == 0, "monthly_cap_reached",
                                                      "monthly_cap_lower_priority"), "monthly_cap"))
    pairs = pairs[~over]
    counts.append(pairs.groupby("campaign_id").size().rename("within_cap"))

    # 4. ranking within each campaign
    pairs = pairs.sort_values(["campaign_id", "score", "customer_id"], ascending=[True, False, True], kind="stable")
    pairs["campaign_rank"] = pairs.groupby("campaign_id").cumcount() + 1
    pairs = pairs.reset_index(drop=True)
    pairs["_pair"] = np.arange(len(pairs))

    # 5. channel assignment within capacity
    recent = history.offers[(history.offers["response"] == "considering") & (
        history.offers["offered_date"] > pd.Timestamp(run_date) - pd.Timedelta(
            days=policy.suppression.offered_same_product_days))]
    avoid = recent[["customer_id", "product_id", "channel_code"]].merge(products, on="product_id")[
        ["campaign_id", "customer_id", "channel_code"]]
    assigned = _assign_channels(pairs, campaigns, policy, avoid)
    pairs = pairs.merge(assigned, on="_pair", how="left")
    lost = pairs["channel_code"].isna()
    logs.append(_log(pairs[lost], "channel_assignment", "no_channel_capacity", "no_channel_capacity"))
    pairs = pairs[~lost].reset_index(drop=True)
    counts.append(pairs.groupby("campaign_id").size().rename("channel_assigned"))

    # 6. control group: per campaign and stratum, the lowest hashes up to round(share × n)
    pairs["stratum"] = pairs[policy.stratify_by].astype(str) if policy.stratify_by in pairs else "all"
    pairs["_h"] = unit_hash(pairs["campaign_id"] + "|" + pairs["customer_id"].astype(str), "control-group")
    pairs = pairs.sort_values(["campaign_id", "stratum", "_h", "customer_id"], kind="stable")
    grp = pairs.groupby(["campaign_id", "stratum"])
    n_stratum = grp["customer_id"].transform("size")
    k_control = np.floor(pairs["control_share"] * n_stratum + 0.5)
    pairs["offer_group"] = np.where(grp.cumcount() < k_control, "control", "action")
    counts.append(pairs[pairs["offer_group"] == "action"].groupby("campaign_id").size().rename("action"))
    counts.append(pairs[pairs["offer_group"] == "control"].groupby("campaign_id").size().rename("control"))

    pairs = pairs.sort_values(["campaign_id", "channel_code", "campaign_rank"], kind="stable")
    pairs["channel_rank"] = pairs.groupby(["campaign_id", "offer_group", "channel_code"]).cumcount() + 1
    pairs["history_prompt"] = history_prompts(pairs, products, history.offers)
    lists = pairs[LIST_COLUMNS].reset_index(drop=True)
    suppressed = pd.concat(logs, ignore_index=True).sort_values(["campaign_id", "customer_id"], kind="stable")
    funnel = (pd.concat(counts, axis=1).reindex(meta["campaign_id"]).fillna(0).astype("int64")
              .reindex(columns=list(STEPS), fill_value=0).rename_axis("campaign_id").reset_index())
    return PolicyResult(lists=lists, suppressed=suppressed.reset_index(drop=True), funnel=funnel)


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
