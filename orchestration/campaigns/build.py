"""One campaign run, end to end: definitions → targets → propensity × value → contact policy →
lists, suppression log, manifest, ``campaigns.*`` tables, evaluation.

:func:`build_lists` is the pure engine (DataFrames in, :class:`~.policy.PolicyResult` out) that
the property tests drive; :func:`run_build` reads the warehouse, calls it and writes everything —
the Dagster assets and ``touchpoint campaign build`` both call it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.campaigns import evaluation as ev
from orchestration.campaigns import events as evt
from orchestration.campaigns import inputs
from orchestration.campaigns import lists as lst
from orchestration.campaigns import propensity as prop
from orchestration.campaigns.definitions import Campaign, Policy, load_campaigns, load_policy
from orchestration.campaigns.customer_codes import CustomerCodes, category_codes
from orchestration.campaigns.policy import (History, PolicyResult, StepTimer, apply_policy_coded,
                                             code_customers)
from orchestration.campaigns.targeting import MissingInput, select_targets
from orchestration.settings import PROJECT_DIR
from orchestration.warehouse import connect as connect_duckdb

CAMPAIGNS_DIR = PROJECT_DIR / "campaigns"
LISTS_DIR = PROJECT_DIR / "data" / "lists"


@dataclass
class BuildResult:
    run_id: str
    run_date: dt.date
    result: PolicyResult
    manifest: dict
    evaluation: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def targets_for(campaigns: list[Campaign], customers: pd.DataFrame,
                members: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    frames, skipped = [], {}
    for campaign in campaigns:
        try:
            frames.append(select_targets(campaign, customers, members))
        except MissingInput as exc:
            skipped[campaign.campaign_id] = str(exc)
    if not frames:
        return pd.DataFrame(columns=["campaign_id", "customer_id", "reason_code"]), skipped
    return pd.concat(frames, ignore_index=True), skipped


def score_candidates(candidates: pd.DataFrame, campaigns: list[Campaign], customers: pd.DataFrame,
                     products: pd.DataFrame, offers: pd.DataFrame, model: prop.PropensityModel) -> pd.DataFrame:
    """Adds ``propensity`` (at the channel the customer would most likely get: their preferred
    one if the campaign has it, else the campaign's first) and ``value_yuan``."""
    codes, candidate_codes = code_customers(customers, candidates, campaigns, History(offers=offers))
    return _score(candidates, candidate_codes, campaigns, codes, products, offers, model)[0]


def _score(candidates: pd.DataFrame, candidate_codes: np.ndarray, campaigns: list[Campaign], codes: CustomerCodes,
           products: pd.DataFrame, offers: pd.DataFrame,
           model: prop.PropensityModel) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`score_candidates` on coded customers; also returns the scored rows' codes."""
    campaign_ids = [c.campaign_id for c in campaigns]
    camp = np.full(len(candidates), -1, dtype=np.int64)
    if len(candidates):
        found, uniques = pd.factorize(candidates["campaign_id"])
        camp = np.append(pd.Index(campaign_ids).get_indexer(uniques), -1)[found]
    rows = np.flatnonzero(camp >= 0)  # an inner merge with the campaigns: candidate order kept
    camp, pair_codes = camp[rows], candidate_codes[rows]
    whole = len(rows) == len(candidates)
    pairs = pd.DataFrame({col: (candidates[col] if whole else candidates[col].take(rows)).reset_index(drop=True)
                          for col in ("campaign_id", "customer_id", "reason_code")})
    # the channel scored: the customer's preferred one if the campaign has it, else its first
    channels = sorted({ch.channel for c in campaigns for ch in c.channels})
    offered = np.zeros((len(campaigns), len(channels) + 1), dtype=bool)  # last column: no channel
    for i, c in enumerate(campaigns):
        offered[i, [channels.index(ch.channel) for ch in c.channels]] = True
    preferred = codes.column("preferred_channel", pair_codes) if "preferred_channel" in codes.frame else None
    pref = category_codes(preferred, channels) if preferred is not None else np.full(len(rows), -1, dtype=np.int64)
    first = np.array([channels.index(c.channels[0].channel) for c in campaigns], dtype=np.int64)
    has_pref = offered[camp, pref]  # pref -1 → the "no channel" column
    pairs["product_id"] = pd.Series(np.array([c.products[0] for c in campaigns], dtype=object)[camp])
    # (a take from the channel names, typed as pandas types the strings np.where would give)
    pairs["channel_code"] = pd.array(channels, dtype=pd.Series(channels, dtype=object).infer_objects().dtype
                                     ).take(np.where(has_pref, pref, first[camp]))
    pairs["propensity"] = prop.score_coded(model, pairs, pair_codes, codes, products, offers)
    fee = pairs["product_id"].map(products.set_index("product_id")["monthly_fee_yuan"]).astype(float).fillna(1.0)
    campaign_value = pd.Series(np.array([c.value_yuan or np.nan for c in campaigns], dtype=float)[camp])
    pairs["value_yuan"] = campaign_value.fillna(fee * 12).round(2)
    return pairs[["campaign_id", "customer_id", "reason_code", "propensity", "value_yuan"]], pair_codes


def build_lists(campaigns: list[Campaign], policy: Policy, customers: pd.DataFrame, members: pd.DataFrame,
                products: pd.DataFrame, history: History, run_date: dt.date,
                model: prop.PropensityModel | None = None, candidates: pd.DataFrame | None = None,
                seconds: dict[str, float] | None = None) -> tuple[PolicyResult, dict[str, str]]:
    """The pure engine. ``candidates`` overrides targeting (event runs pass theirs). With
    ``seconds``, adds the time of each step (targeting, scoring, the policy's steps) to it."""
    tick = StepTimer(seconds)
    skipped: dict[str, str] = {}
    if candidates is None:
        candidates, skipped = targets_for([c for c in campaigns if c.trigger is None], customers, members)
    tick("targeting")
    if model is None:
        model = prop.train(history.offers, customers, products)
        tick("train_propensity")
    codes, candidate_codes = code_customers(customers, candidates, campaigns, history)
    scored, scored_codes = _score(candidates, candidate_codes, campaigns, codes, products, history.offers, model)
    tick("scoring")
    return apply_policy_coded(scored, scored_codes, codes, campaigns, policy, history, run_date, seconds), skipped


def _offers(con: duckdb.DuckDBPyConnection, segment: str) -> pd.DataFrame:
    return con.execute(f"""
        select o.campaign_id, o.channel_code, o.is_control_group, o.is_accepted, c.{segment}
        from marts.fct_campaign_offers as o left join marts.dim_customer as c using (customer_id)
        order by o.offer_id
    """).df()


def _evaluation(con: duckdb.DuckDBPyConnection, segment: str) -> pd.DataFrame:
    return ev.evaluate(_offers(con, segment), segment)


def evaluate_offers(database: Path, segment: str = "member_tier") -> pd.DataFrame:
    """Every target of every campaign with its group and outcome (the evaluation's input)."""
    with connect_duckdb(database, read_only=True) as con:
        return _offers(con, segment)


def evaluate_warehouse(database: Path, segment: str = "member_tier", write: bool = False) -> pd.DataFrame:
    """Action vs control over every campaign's offers in fct_campaign_offers; with ``write``,
    replaces ``campaigns.campaign_evaluation``."""
    with connect_duckdb(database, read_only=not write) as con:
        table = _evaluation(con, segment)
        if write:
            con.execute("create schema if not exists campaigns")
            con.register("_evaluation", table)
            con.execute("create or replace table campaigns.campaign_evaluation as select * from _evaluation")
            con.unregister("_evaluation")
    return table


def run_build(database: Path, landing: Path | None = None, campaigns_dir: Path = CAMPAIGNS_DIR,
              lists_root: Path = LISTS_DIR, run_date: dt.date | None = None, run_id: str | None = None,
              only: str | None = None, event_paths: list[Path] | None = None,
              run_at: dt.datetime | None = None, write_db: bool = True) -> BuildResult:
    """Read the warehouse, build the lists, write files (and ``campaigns.*`` tables when ``write_db``).

    With ``event_paths`` this is an event run: only triggered campaigns, candidates from the events."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    campaigns = load_campaigns(campaigns_dir, only)
    policy = load_policy(campaigns_dir)
    con = connect_duckdb(database, read_only=not write_db)
    con.execute("set enable_progress_bar = false")
    try:
        if write_db and landing is not None:
            evt.load_outcomes(con, evt.event_files(landing, "_outcomes"),
                              {c.campaign_id: c.products[0] for c in campaigns})
        run_date = run_date or inputs.as_of_date(con)
        customers, wide = inputs.customer_frame(con, run_date)
        members, long = inputs.membership_frame(con, run_date)
        products = inputs.products_frame(con)
        offers = inputs.offers_history(con)
        is_event_run = event_paths is not None
        run_id = run_id or (f"events_{(run_at or dt.datetime.now()):%Y%m%dT%H%M%S}" if is_event_run
                            else f"{run_date:%Y-%m-%d}_batch")
        history = inputs.history(con, run_date, offers, members, exclude_run_id=run_id)
        seconds["read_inputs"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        model = prop.train(offers, customers, products)
        seconds["train_propensity"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        if is_event_run:
            triggered = [c for c in campaigns if c.trigger is not None]
            targets, skipped = targets_for(triggered, customers, members)
            candidates = evt.triggered_candidates(
                evt.read_events(event_paths), {c.campaign_id: (c.trigger.event, c.trigger.within_minutes)
                                               for c in triggered}, run_at or dt.datetime.now(), targets)
            result, _ = build_lists(triggered, policy, customers, members, products, history, run_date, model,
                                    candidates)
        else:
            campaigns = [c for c in campaigns if c.trigger is None]
            result, skipped = build_lists(campaigns, policy, customers, members, products, history, run_date, model)
        seconds["build_lists"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        phones = inputs.phones_for(con, result.lists.loc[(result.lists["channel_code"] == "OUTBOUND")
                                                         & (result.lists["offer_group"] == "action"), "customer_id"])
        files = lst.channel_files(result.lists, customers, phones)
        manifest = lst.write_run(lists_root, run_id, files, result.suppressed, result.funnel, {
            "run_date": run_date.isoformat(), "kind": "events" if is_event_run else "batch",
            "campaigns": sorted({c.campaign_id for c in campaigns}), "skipped_campaigns": skipped,
            "policy": policy.model_dump(mode="json"), "optional_inputs_used": sorted(wide + long),
            "propensity_model": model.describe(),
            "event_files": sorted(p.name for p in event_paths or [])})
        evaluation = _evaluation(con, policy.stratify_by)
        if write_db:
            lst.write_table(con, result.lists, run_id, run_date)
            lst.write_frame(con, result.suppressed, "suppression_log", run_id)
            lst.write_frame(con, result.funnel, "list_funnel", run_id)
        seconds["write_outputs"] = time.perf_counter() - t3
    finally:
        con.close()
    seconds["total"] = time.perf_counter() - t0
    return BuildResult(run_id, run_date, result, manifest, evaluation, skipped, seconds)
