"""The building blocks of the contact policy (:mod:`.policy`): the step timer, the campaign
table, integer-array helpers, the suppression log gathered as codes, and channel assignment
within capacities."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd

from orchestration.campaigns.customer_codes import CustomerCodes
from orchestration.campaigns.definitions import OUTBOUND_CHANNELS, Campaign, Policy


class StepTimer:
    """Adds the wall seconds since the previous mark to ``seconds[step]`` (no-op without a dict),
    and the CPU seconds of this process to ``seconds["cpu:" + step]``."""

    def __init__(self, seconds: dict[str, float] | None) -> None:
        self.seconds = seconds
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def __call__(self, step: str) -> None:
        if self.seconds is not None:
            now, cpu = time.perf_counter(), time.process_time()
            self.seconds[step] = self.seconds.get(step, 0.0) + now - self.last
            self.seconds[f"cpu:{step}"] = self.seconds.get(f"cpu:{step}", 0.0) + cpu - self.last_cpu
            self.last, self.last_cpu = now, cpu


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


def _cumcount(keys: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements with the same key (groupby().cumcount())."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    idx = np.arange(len(keys))
    first = np.maximum.accumulate(np.where(np.r_[True, ordered[1:] != ordered[:-1]], idx, 0))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = idx - first
    return out


def _flag(n_codes: int, found: np.ndarray) -> np.ndarray:
    """One bool per customer code: is the customer among ``found`` (codes, ``-1`` ignored)?"""
    out = np.zeros(n_codes, dtype=bool)
    out[found[found >= 0]] = True
    return out


def merged_column_sources(left_name: str, left: list[str],
                          joins: list[tuple[str, list[str], str]]) -> dict[str, str]:
    """Column → the frame it comes from in ``left ⋈ join₁ ⋈ join₂ …`` (each join given as (name,
    columns, key)), with pandas merge names: a column both sides carry is suffixed ``_x``/``_y``
    and no longer reachable by its name."""
    out = {c: left_name for c in left}
    for name, cols, key in joins:
        for col in cols:
            if col == key:
                continue
            if col in out:
                out[f"{col}_x"] = out.pop(col)
                out[f"{col}_y"] = name
            else:
                out[col] = name
    return out


def _merged_columns(candidates: list[str], meta: list[str], customers: list[str]) -> dict[str, str]:
    """Column → the frame it comes from in ``candidates ⋈ meta ⋈ customers``."""
    return merged_column_sources("candidates", candidates,
                                 [("meta", meta, "campaign_id"), ("customers", customers, "customer_id")])


def _log(frame: pd.DataFrame, step: str, reason: np.ndarray | str, all_reasons: np.ndarray | str = "") -> pd.DataFrame:
    return pd.DataFrame({"campaign_id": frame["campaign_id"].to_numpy(), "customer_id": frame["customer_id"].to_numpy(),
                         "step": step, "reason": reason, "all_reasons": all_reasons if len(frame) else []})


class _Log:
    """The suppression log, gathered as int codes and written out once, sorted by
    (campaign_id, customer_id) — unique, as each excluded pair is logged at one step."""

    def __init__(self, n_codes: int) -> None:
        self.n_codes = n_codes
        self.labels: dict[str, int] = {}
        self.parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]] = []

    def label(self, text: str) -> int:
        return self.labels.setdefault(text, len(self.labels))

    def add(self, camp: np.ndarray, cust: np.ndarray, step: str, reason: np.ndarray, every: np.ndarray) -> None:
        self.parts.append((camp.astype(np.int64) * self.n_codes + cust, step, np.asarray(reason, dtype=np.int64),
                           np.asarray(every, dtype=np.int64)))

    def _dtypes(self, sample: pd.DataFrame) -> pd.Series:
        """The column types of the log as step-by-step frames concatenated would have them (a step
        that excluded nobody contributes object columns)."""
        kinds = {"eligibility": ("u", "u"), "suppression": ("u", "o"), "monthly_cap": ("u", "monthly_cap"),
                 "channel_assignment": ("no_channel_capacity", "no_channel_capacity")}
        frames = []
        for keys, step, _, _ in self.parts:
            n = min(len(keys), 1)
            arrays = {"u": np.array(["x"] * n, dtype=str), "o": np.array(["x"] * n, dtype=object)}
            reason, every = (arrays.get(k, k) for k in kinds[step])
            frames.append(_log(sample.iloc[:n], step, reason, every))
        return pd.concat(frames, ignore_index=True).dtypes

    def frame(self, camp_ids: np.ndarray, codes: CustomerCodes, sample: pd.DataFrame) -> pd.DataFrame:
        keys = np.concatenate([p[0] for p in self.parts])
        step_names = np.array([p[1] for p in self.parts], dtype=object)
        steps = np.repeat(np.arange(len(self.parts)), [len(p[0]) for p in self.parts])
        reason = np.concatenate([p[2] for p in self.parts])
        every = np.concatenate([p[3] for p in self.parts])
        texts = np.array(list(self.labels) or [""], dtype=object)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        dtypes = self._dtypes(sample)

        def strings(values: np.ndarray, at: np.ndarray, dtype: object) -> object:
            # a take from the few distinct values, typed as the step-by-step frames would be
            if len(at) and isinstance(dtype, pd.StringDtype):
                return pd.array(values, dtype=dtype).take(at)
            return values[at]  # (typed by the astype below)

        ids = codes.ids.array
        frame = pd.DataFrame({
            "campaign_id": strings(camp_ids, keys // self.n_codes, dtypes["campaign_id"]),
            "customer_id": (ids.take(keys % self.n_codes) if ids.dtype == dtypes["customer_id"]
                            else codes.ids.to_numpy()[keys % self.n_codes]),
            "step": strings(step_names, steps[order], dtypes["step"]),
            "reason": strings(texts, reason[order], dtypes["reason"]),
            "all_reasons": strings(texts, every[order], dtypes["all_reasons"]),
        })
        return frame.astype({c: t for c, t in dtypes.items() if frame[c].dtype != t})


def _assign_channels(camp: np.ndarray, cust: np.ndarray, prio: np.ndarray, score: np.ndarray,
                     campaigns: list[Campaign], policy: Policy, channels: list[str], dnd: np.ndarray,
                     preferred: np.ndarray, avoid: np.ndarray, n_codes: int) -> tuple[np.ndarray, bool]:
    """The channel code each ranked pair gets, ``-1`` for none; and whether any pair had a channel
    to offer at all.

    Greedy in rounds: round k offers each unassigned pair its k-th choice channel (the customer's
    preferred channel first, then the campaign's order; do-not-disturb customers only passive
    channels; never the channel where they said "considering"); within a round, pairs are served
    by campaign priority, then score, then campaign_id and customer_id, until the campaign's
    capacity on the channel, then the channel's capacity across campaigns, is used up (a pair
    turned away by the second still took its place in the first)."""
    n, n_ch = len(camp), len(channels)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return out, False
    width = max(len(c.channels) for c in campaigns)
    camp_chan = np.full((len(campaigns), width), -1, dtype=np.int64)
    camp_cap = np.zeros(len(campaigns) * n_ch, dtype=np.float64)
    for i, c in enumerate(campaigns):
        for j, ch in enumerate(c.channels):
            camp_chan[i, j] = channels.index(ch.channel)
            camp_cap[i * n_ch + channels.index(ch.channel)] = ch.capacity_per_day * policy.list_days
    outbound = np.isin(np.array(channels, dtype=object), OUTBOUND_CHANNELS)
    global_cap = np.array([policy.channel_capacity_per_day.get(ch, np.inf) * policy.list_days for ch in channels],
                          dtype=np.float64)
    # serve order: priority, score (both descending), campaign_id, customer_id
    served = np.lexsort((cust, camp, -score, -prio))
    n_opts = (camp_chan[camp[served]] >= 0).sum(axis=1)
    pair = np.repeat(served, n_opts)  # one row per (pair, campaign channel), pairs in serve order
    j = np.arange(len(pair)) - np.repeat(np.cumsum(n_opts) - n_opts, n_opts)
    chan = camp_chan[camp[pair], j]
    allowed = ~(dnd[pair] & outbound[chan])
    if len(avoid):  # only rows of customers with something to avoid need the lookup
        some = np.zeros(n_codes, dtype=bool)
        some[avoid // n_ch % n_codes] = True
        check = np.flatnonzero(some[cust[pair]])
        allowed[check] &= ~np.isin((camp[pair[check]] * n_codes + cust[pair[check]]) * n_ch + chan[check], avoid)
    pair, j, chan = pair[allowed], j[allowed], chan[allowed]
    is_pref = chan == preferred[pair]
    pref_j = np.full(n, -1, dtype=np.int64)
    pref_j[pair[is_pref]] = j[is_pref]
    # rows of a pair are contiguous and in campaign order; the preferred channel moves to the front
    start = np.r_[True, pair[1:] != pair[:-1]] if len(pair) else np.zeros(0, dtype=bool)
    idx = np.arange(len(pair))
    within = idx - np.maximum.accumulate(np.where(start, idx, 0)) if len(pair) else idx
    choice = np.where(is_pref, 0, within + (pref_j[pair] > j))
    by_round = np.argsort(choice, kind="stable")
    bounds = np.searchsorted(choice[by_round], np.arange(int(choice.max(initial=-1)) + 2))
    used_cc = np.zeros(len(campaigns) * n_ch, dtype=np.float64)
    used_c = np.zeros(n_ch, dtype=np.float64)
    done = np.zeros(n, dtype=bool)
    for k in range(len(bounds) - 1):
        rows = by_round[bounds[k]:bounds[k + 1]]
        rows = rows[~done[pair[rows]]]
        cc = camp[pair[rows]] * n_ch + chan[rows]
        rows = rows[(_cumcount(cc) + used_cc[cc]) < camp_cap[cc]]
        ch = chan[rows]
        rows = rows[(_cumcount(ch) + used_c[ch]) < global_cap[ch]]
        done[pair[rows]] = True
        out[pair[rows]] = chan[rows]
        used_cc += np.bincount(camp[pair[rows]] * n_ch + chan[rows], minlength=len(used_cc))
        used_c += np.bincount(chan[rows], minlength=n_ch)
    return out, len(pair) > 0
