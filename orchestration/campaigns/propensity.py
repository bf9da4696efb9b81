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

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["age_years", "tenure_months", "member_tier_rank", "monthly_fee_yuan", "is_preferred_channel",
           "prior_accepts"]
CATEGORICAL = ["channel_code", "product_category", "age_band", "brand"]
DEFAULT_PROPENSITY = 0.05


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


def train(offers: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame, seed: int = 0) -> PropensityModel:
    frame = training_frame(offers, customers, products)
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


def score(model: PropensityModel, pairs: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame,
          offers: pd.DataFrame) -> np.ndarray:
    """Propensity for each (``customer_id``, ``product_id``, ``channel_code``) row of ``pairs``."""
    if model.pipeline is None or pairs.empty:
        return np.full(len(pairs), model.base_rate if len(pairs) else 0.0)
    frame = pairs[["customer_id", "product_id", "channel_code"]].merge(
        customers, on="customer_id", how="left").merge(products, on="product_id", how="left")
    frame["is_preferred_channel"] = (frame["channel_code"] == frame.get("preferred_channel")).astype(float)
    frame["prior_accepts"] = frame["customer_id"].map(_prior_accepts(offers)).fillna(0)
    return np.round(model.pipeline.predict_proba(_features(frame))[:, 1], 6)
