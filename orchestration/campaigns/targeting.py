"""Target conditions over generic named inputs.

The customer frame is one row per customer with any named columns (dim_customer attributes,
model scores such as ``churn_probability`` or ``fraud_flag``, features); the membership frame is
long (``customer_id``, ``kind``, ``member``) and holds tags, segments, knowledge groups, clusters —
whatever the identification and mining marts provide. A campaign's target is evaluated over both,
vectorised, and every matched customer gets a reason code naming the conditions that put them there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.campaigns.definitions import Campaign, ColumnCondition, MemberCondition


class MissingInput(LookupError):
    """A target names a column or membership kind the inputs do not have (yet)."""


def _describe(cond: ColumnCondition | MemberCondition) -> str:
    if isinstance(cond, MemberCondition):
        return f"{'not ' if cond.negate else ''}{cond.kind}:{cond.member}"
    if cond.op in ("is_true", "is_false", "is_null", "not_null"):
        return f"{cond.column} {cond.op}"
    value = ",".join(map(str, cond.value)) if isinstance(cond.value, list) else cond.value
    return f"{cond.column}{cond.op if cond.op not in ('in', 'not_in') else ' ' + cond.op + ' '}{value}"


def _column_mask(customers: pd.DataFrame, cond: ColumnCondition) -> np.ndarray:
    if cond.column not in customers.columns:
        raise MissingInput(f"column {cond.column!r} is not in the customer frame")
    col = customers[cond.column]
    op, v = cond.op, cond.value
    if op == "is_true":
        out = col.fillna(False).astype(bool)
    elif op == "is_false":
        out = ~col.fillna(True).astype(bool)
    elif op == "is_null":
        out = col.isna()
    elif op == "not_null":
        out = col.notna()
    elif op == "in":
        out = col.isin(v)
    elif op == "not_in":
        out = ~col.isin(v) & col.notna()
    else:
        out = {"==": col.eq, "!=": col.ne, "<": col.lt, "<=": col.le, ">": col.gt, ">=": col.ge}[op](v)
        out = out & col.notna()
    return np.asarray(out, dtype=bool)


def _member_mask(customers: pd.DataFrame, members: pd.DataFrame, cond: MemberCondition) -> np.ndarray:
    if not (members["kind"] == cond.kind).any():
        raise MissingInput(f"no memberships of kind {cond.kind!r} (is its mart built?)")
    ids = members.loc[(members["kind"] == cond.kind) & (members["member"] == cond.member), "customer_id"]
    out = _isin(customers["customer_id"], ids)
    return ~out if cond.negate else out


def _isin(column: pd.Series, values: pd.Series) -> np.ndarray:
    """``column.isin(values)``; for an Arrow string column through Arrow directly (pandas builds
    the value set one Python scalar at a time: seconds for a few hundred thousand members)."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        try:
            value_set = pa.array(values.array if isinstance(values.dtype, pd.StringDtype)
                                 else values.to_numpy(dtype=object), from_pandas=True)
            value_set = value_set.combine_chunks() if isinstance(value_set, pa.ChunkedArray) else value_set
            if value_set.type in (pa.string(), pa.large_string(), pa.null()):
                found = pc.is_in(pa.array(column.array), value_set=value_set.cast(pa.large_string()))
                return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass  # values that are not all strings: pandas' own rules
    return column.isin(values).to_numpy()


def condition_mask(customers: pd.DataFrame, members: pd.DataFrame,
                   cond: ColumnCondition | MemberCondition) -> np.ndarray:
    if isinstance(cond, MemberCondition):
        return _member_mask(customers, members, cond)
    return _column_mask(customers, cond)


def select_targets(campaign: Campaign, customers: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Customers matching ``campaign.target``: ``customer_id``, ``campaign_id``, ``reason_code``.

    The reason code lists the ``all`` conditions and the first ``any`` condition that matched,
    e.g. ``tag:car_owner & age_years>=24 & any(churn_probability>=0.3)``.
    """
    n = len(customers)
    mask = np.ones(n, dtype=bool)
    parts = [_describe(c) for c in campaign.target.all]
    for cond in campaign.target.all:
        mask &= condition_mask(customers, members, cond)
    prefix = " & ".join(parts)
    labels = np.array([prefix if parts else "all_customers"], dtype=object)
    which = np.zeros(n, dtype=np.int64)  # index into labels, per customer
    if campaign.target.any:
        any_masks = [condition_mask(customers, members, c) for c in campaign.target.any]
        mask &= np.logical_or.reduce(any_masks)
        lead = prefix + " & " if prefix != "" else ""
        labels = np.array([f"{lead}any({_describe(c)})" for c in campaign.target.any], dtype=object)
        which = np.argmax(np.vstack(any_masks), axis=0)  # the first condition that holds
    hits = np.flatnonzero(mask)
    ids = customers["customer_id"]
    # strings stay Arrow strings (no round trip through Python objects); other ids as before
    keep_type = hits.size and isinstance(ids.dtype, pd.StringDtype) and ids.dtype == pd.Series(["x"]).dtype
    return pd.DataFrame({
        "campaign_id": campaign.campaign_id,
        "customer_id": ids.take(hits).reset_index(drop=True) if keep_type else ids.to_numpy()[hits],
        "reason_code": (pd.array(labels, dtype=pd.Series(labels).dtype).take(which[hits]) if hits.size
                        else np.array([], dtype=object)),
    })
