"""Files that flow in: customer events that trigger marketing, and offer outcomes that flow back.

**Events** — ``<landing>/_events/*.csv|parquet`` with ``event_id``, ``customer_id``,
``event_type`` (sim_replacement, lost_card_suspension, balance_query, roaming_start, bill_shock)
and ``event_at``. A campaign with ``trigger: {event: ...}`` turns each fresh event (no older than
``within_minutes`` at run time) of a customer who also meets its target into a candidate, which
then goes through the same contact policy (suppression, monthly cap counting every list already
issued this month, capacity, control group) as the batch lists. The Dagster sensor
(``campaign_events_sensor`` in orchestration/defs/assets/campaigns.py) starts the run within a minute of a new file.

**Outcomes** — ``<landing>/_outcomes/*.csv|parquet`` with ``campaign_id``, ``customer_id``,
``channel_code``, ``response`` (accepted, considering, refused, no_answer) and ``responded_at``,
as channels report them. They are kept in ``campaigns.offer_outcomes`` and join the shared contact
history: "accepted" suppresses the product at every channel, "considering" becomes the next
channel's prompt, and every outcome trains the next run's propensity model.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.campaigns.tables import ensure_table

EVENT_COLUMNS = ("event_id", "customer_id", "event_type", "event_at")
OUTCOME_COLUMNS = ("campaign_id", "customer_id", "channel_code", "response", "responded_at")
RESPONSES = ("accepted", "considering", "refused", "no_answer")


def event_files(landing: Path, kind: str = "_events") -> list[Path]:
    folder = landing / kind
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet") and not p.name.startswith("."))


def read_files(paths: list[Path], columns: tuple[str, ...]) -> pd.DataFrame:
    frames = []
    for path in paths:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str,
                                                                                     encoding="utf-8-sig")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{path}: missing columns {missing} (expected {list(columns)})")
        frames.append(frame[list(columns)].assign(source_file=path.name))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*columns, "source_file")})
    return pd.concat(frames, ignore_index=True)


def read_events(paths: list[Path]) -> pd.DataFrame:
    events = read_files(paths, EVENT_COLUMNS)
    events["event_at"] = pd.to_datetime(events["event_at"])
    return events.sort_values(["event_at", "event_id"], kind="stable").reset_index(drop=True)


def triggered_candidates(events: pd.DataFrame, triggers: dict[str, tuple[str, int]], run_at: dt.datetime,
                         targets: pd.DataFrame) -> pd.DataFrame:
    """``triggers``: campaign_id → (event type, within_minutes); ``targets``: the campaigns'
    target matches (campaign_id, customer_id, reason_code). One candidate per campaign and
    customer, from the customer's newest fresh event; the reason names the event."""
    rules = pd.DataFrame([(c, e, m) for c, (e, m) in triggers.items()],
                         columns=["campaign_id", "event_type", "within_minutes"])
    fired = events.merge(rules, on="event_type")
    age = pd.Timestamp(run_at) - fired["event_at"]
    fired = fired[(age >= pd.Timedelta(0)) & (age <= pd.to_timedelta(fired["within_minutes"], unit="m"))]
    fired = fired.sort_values(["campaign_id", "customer_id", "event_at"], ascending=[True, True, False])
    fired = fired.drop_duplicates(["campaign_id", "customer_id"])
    out = fired.merge(targets, on=["campaign_id", "customer_id"], how="inner")
    out["reason_code"] = ("event:" + out["event_type"] + "@" + out["event_at"].dt.strftime("%Y-%m-%d %H:%M")
                          + " " + out["event_id"].astype(str)
                          + out["reason_code"].where(out["reason_code"] == "", " & " + out["reason_code"]))
    return out[["campaign_id", "customer_id", "reason_code"]].reset_index(drop=True)


def load_outcomes(con: duckdb.DuckDBPyConnection, paths: list[Path], campaign_products: dict[str, str]) -> int:
    """Merge outcome files into ``campaigns.offer_outcomes`` (a re-delivered file replaces its rows)."""
    outcomes = read_files(paths, OUTCOME_COLUMNS)
    bad = sorted(set(outcomes["response"]) - set(RESPONSES))
    if bad:
        raise ValueError(f"unknown responses {bad} in outcome files (expected {list(RESPONSES)})")
    outcomes["responded_at"] = pd.to_datetime(outcomes["responded_at"])
    outcomes["responded_date"] = outcomes["responded_at"].dt.normalize()
    outcomes["product_id"] = outcomes["campaign_id"].map(campaign_products)
    con.register("_outcomes", outcomes)
    try:
        ensure_table(con, "campaigns.offer_outcomes", "_outcomes")
        con.execute("delete from campaigns.offer_outcomes where source_file in (select distinct source_file "
                    "from _outcomes)")
        con.execute("insert into campaigns.offer_outcomes by name select * from _outcomes")
    finally:
        con.unregister("_outcomes")
    return len(outcomes)
