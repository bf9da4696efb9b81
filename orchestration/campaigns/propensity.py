"""The contact-response propensity model (接触响应模型): who responded to proactive marketing
before gets contacted first.

A logistic regression trained on the shared contact history — every action-group offer with its
outcome (fct_campaign_offers plus the outcomes that flowed back from earlier lists) — over the
customer's attributes, the offer's channel (and whether it is the customer's preferred one) and
the product's category and fee. Each run retrains on the history so far, so responses to this
run's lists feed the next run's ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from orchestration.campaigns.customer_codes import category_codes
from orchestration.campaigns.policy_steps import merged_column_sources

if TYPE_CHECKING:
    from orchestration.campaigns.customer_codes import CustomerCodes

NUMERIC = ["age_years", "tenure_months", "member_tier_rank", "monthly_fee_yuan", "is_preferred_channel",
           "prior_accepts"]
CATEGORICAL = ["channel_code", "product_category", "age_band", "brand"]
DEFAULT_PROPENSITY = 0.05
USED = {*NUMERIC, *CATEGORICAL, "preferred_channel", "customer_id", "product_id", "channel_code", "response",
        "is_control_group"}
"""Every column the model reads from a merged frame (features, keys, label)."""


@dataclass
class PropensityModel:
    pipeline: Pipeline | None
    base_rate: float
    training_rows: int

    def describe(self) -> dict[str, object]:
        return {"training_rows": self.training_rows, "base_rate": round(self.base_rate, 4),
                "fitted": self.pipeline is not None}


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col in NUMERIC:
        out[col] = pd.to_numeric(frame[col], errors="coerce").astype(float) if col in frame else 0.0
    for col in CATEGORICAL:
        out[col] = frame[col].astype(str) if col in frame else "unknown"
    return out.fillna({c: 0.0 for c in NUMERIC})


def _prior_accepts(offers: pd.DataFrame) -> pd.Series:
    acc = offers[(offers["response"] == "accepted") & ~offers["is_control_group"].astype(bool)]
    return acc.groupby("customer_id").size()


def training_frame(offers: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Action-group offers with their outcome (``is_accepted``) and the model's features."""
    action = offers[~offers["is_control_group"].astype(bool)]
    frame = action[["customer_id", "product_id", "channel_code", "response"]].merge(
        customers, on="customer_id", how="left").merge(products, on="product_id", how="left")
    frame["is_preferred_channel"] = (frame["channel_code"] == frame.get("preferred_channel")).astype(float)
    accepted = frame["response"] == "accepted"
    # accepts elsewhere: the customer's accepts minus this offer's own, so no label leakage
    frame["prior_accepts"] = frame["customer_id"].map(_prior_accepts(offers)).fillna(0) - accepted
    frame["is_accepted"] = accepted.astype(int)
    return frame


def _used_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the columns the model reads: merging a 1M-row customer frame then costs a few columns,
    not all of them. A name every frame keeps gets the same merge suffixes as before."""
    return frame[[c for c in frame.columns if c in USED]]


def train(offers: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame, seed: int = 0) -> PropensityModel:
    frame = training_frame(offers, _used_columns(customers), _used_columns(products))
    y = frame["is_accepted"].to_numpy()
    base = float(y.mean()) if len(y) else DEFAULT_PROPENSITY
    if len(frame) < 50 or y.min(initial=0) == y.max(initial=0):
        return PropensityModel(None, base, len(frame))
    pipe = Pipeline([
        ("prep", ColumnTransformer([("num", StandardScaler(), NUMERIC),
                                    ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])),
        ("model", LogisticRegression(max_iter=500, C=1.0, random_state=seed)),
    ])
    pipe.fit(_features(frame), y)
    return PropensityModel(pipe, base, len(frame))


def _merged_sources(left: list[str], customers: list[str], products: list[str]) -> dict[str, str]:
    """Column → frame it comes from in ``left ⋈ customers ⋈ products``."""
    return merged_column_sources("pairs", left, [("customers", customers, "customer_id"),
                                                 ("products", products, "product_id")])


def _take_like_merge(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """``column`` at ``rows`` (``-1``: no match), typed as a left merge would type it."""
    column = column.reset_index(drop=True)
    if (rows >= 0).all():
        return column.take(rows).reset_index(drop=True)
    return column.reindex(rows).reset_index(drop=True)


def score(model: PropensityModel, pairs: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame,
          offers: pd.DataFrame) -> np.ndarray:
    """Propensity for each (``customer_id``, ``product_id``, ``channel_code``) row of ``pairs``."""
    from orchestration.campaigns.customer_codes import CustomerCodes

    if model.pipeline is None or pairs.empty:
        return np.full(len(pairs), model.base_rate if len(pairs) else 0.0)
    codes = CustomerCodes(customers, pairs["customer_id"], {"offers": offers["customer_id"]})
    return score_coded(model, pairs, codes.candidate_codes, codes, products, offers)


def score_coded(model: PropensityModel, pairs: pd.DataFrame, pair_codes: np.ndarray, codes: CustomerCodes,
                products: pd.DataFrame, offers: pd.DataFrame) -> np.ndarray:
    """:func:`score` with the customers already coded: the feature frame is gathered column by
    column at the pairs' customer codes and product rows — the same frame, value for value and
    type for type, as merging the customer and product frames onto the pairs, without the merges."""
    if model.pipeline is None or pairs.empty:
        return np.full(len(pairs), model.base_rate if len(pairs) else 0.0)
    sources = _merged_sources(["customer_id", "product_id", "channel_code"], list(codes.frame.columns),
                              list(products.columns))
    product_rows = category_codes(pairs["product_id"], products["product_id"])
    frame = pd.DataFrame(index=pd.RangeIndex(len(pairs)))
    for col in [*NUMERIC, *CATEGORICAL, "preferred_channel", "customer_id"]:
        source = sources.get(col)
        if source == "pairs":
            frame[col] = pairs[col].reset_index(drop=True)
        elif source == "customers":
            frame[col] = codes.column(col, pair_codes)
        elif source == "products":
            frame[col] = _take_like_merge(products[col], product_rows)
    frame["is_preferred_channel"] = (frame["channel_code"] == frame.get("preferred_channel")).astype(float)
    # the customer's accepts (_prior_accepts), counted on the offers' customer codes
    accepted = ((offers["response"] == "accepted") & ~offers["is_control_group"].astype(bool)).to_numpy(dtype=bool)
    offer_codes = codes.others.get("offers")
    if offer_codes is None or len(offer_codes) != len(offers):
        offer_codes = codes.lookup(offers["customer_id"])
    hits = offer_codes[accepted]
    per_code = np.bincount(hits[hits >= 0], minlength=len(codes)).astype(float)
    frame["prior_accepts"] = per_code[pair_codes]
    return np.round(predict(model.pipeline, _features(frame)), 6)


def _one_hot_fast_path(pipeline: Pipeline) -> bool:
    """Is the pipeline the one :func:`train` fits (so :func:`predict` may build its matrix)?"""
    prep = pipeline.named_steps.get("prep")
    if not isinstance(prep, ColumnTransformer) or getattr(prep, "sparse_output_", True) or prep.remainder != "drop":
        return False
    fitted = {name: (trans, list(cols)) for name, trans, cols in prep.transformers_}
    enc = fitted.get("cat", (None, None))[0]
    return (list(fitted) == ["num", "cat"] and fitted["num"][1] == NUMERIC and fitted["cat"][1] == CATEGORICAL
            and isinstance(enc, OneHotEncoder) and enc.handle_unknown == "ignore" and enc.drop is None
            and enc.min_frequency is None and enc.max_categories is None and enc.dtype == np.float64)


def predict(pipeline: Pipeline, features: pd.DataFrame) -> np.ndarray:
    """``pipeline.predict_proba(features)[:, 1]``, with the one-hot block built from category codes
    (a pandas index lookup per column) instead of the encoder's per-value Python loop. The matrix
    handed to the logistic regression is the one the column transformer builds: the fitted scaler's
    output, then per categorical column 1.0 in its category's column (an unknown category: all 0,
    as ``handle_unknown="ignore"``), side by side, dense."""
    if not _one_hot_fast_path(pipeline):
        return pipeline.predict_proba(features)[:, 1]
    prep = pipeline.named_steps["prep"]
    categories = prep.named_transformers_["cat"].categories_
    matrix = np.zeros((len(features), len(NUMERIC) + sum(len(c) for c in categories)), dtype=np.float64)
    matrix[:, :len(NUMERIC)] = prep.named_transformers_["num"].transform(features[NUMERIC])
    offset = len(NUMERIC)
    for col, cats in zip(CATEGORICAL, categories):
        at = category_codes(features[col], cats)
        hit = np.flatnonzero(at >= 0)
        matrix[hit, offset + at[hit]] = 1.0
        offset += len(cats)
    return pipeline.steps[-1][1].predict_proba(matrix)[:, 1]
