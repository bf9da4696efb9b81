"""A calibrated binary classifier for any labelled customer table (mixed numeric and categorical
columns, blanks, odd types), with honest evaluation and per-row drivers.

- :func:`prepare_table` turns a raw DataFrame into model input and says, column by column, what
  it did (blank markers → missing, numbers written as text → numbers, dates → days, identifier-like
  text dropped) and fails with a message naming the column when it cannot go on.
- :func:`build_model`: gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier:
  handles missing values and categories natively, no scaling needed) wrapped in sigmoid
  calibration (Platt; stable with few positives) so the scores read as probabilities.
- :func:`classification_metrics`: ROC AUC, PR AUC, lift in the top decile, Brier score.
- :func:`explain`: each row's top drivers, by occlusion — the change in log-odds when one feature
  is set to a typical value (median / most frequent), which works for any model; for the model
  :func:`build_model` fits, only the trees that split on the feature are asked again
  (`tree_contributions`), with the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import threadpool_limits

from orchestration.mining.tree_contributions import swapped_probabilities

BLANKS = {"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "missing"}
POSITIVE = {"1", "true", "t", "yes", "y", "churn", "churned", "positive", "pos", "是"}
NEGATIVE = {"0", "false", "f", "no", "n", "stay", "stayed", "retained", "negative", "neg", "否"}
NUMERIC_SHARE = 0.95  # text columns whose values parse as numbers at least this often are numeric


@dataclass
class PreparedTable:
    """Model input: features (numeric float columns, categorical str columns), target, row ids."""

    X: pd.DataFrame
    y: np.ndarray | None
    ids: pd.Series
    numeric: list[str]
    categorical: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def features(self) -> list[str]:
        return self.categorical + self.numeric


def _blank_to_na(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.strip()
    return text.mask(text.str.lower().isin(BLANKS))


def coerce_target(series: pd.Series, name: str) -> pd.Series:
    """The target as 0/1 (nullable): booleans, 0/1 numbers or recognisable yes/no words."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype("Int64")
    text = _blank_to_na(series)
    values = sorted(text.dropna().unique().tolist())
    if len(values) > 2:
        raise ValueError(f"target column {name!r} must have two classes, found {len(values)}: {values[:6]}")
    if len(values) < 2:
        raise ValueError(f"target column {name!r} has only one class ({values}): nothing to learn")
    lower = {v: v.lower() for v in values}
    as_num = pd.to_numeric(pd.Series(values), errors="coerce")
    if as_num.notna().all() and set(as_num.tolist()) == {0.0, 1.0}:
        positive = values[int(np.argmax(as_num.to_numpy()))]
    elif any(lower[v] in POSITIVE for v in values) or any(lower[v] in NEGATIVE for v in values):
        pos = [v for v in values if lower[v] in POSITIVE]
        neg = [v for v in values if lower[v] in NEGATIVE]
        if len(pos) == 1:
            positive = pos[0]
        elif len(neg) == 1:
            positive = next(v for v in values if v != neg[0])
        else:
            raise ValueError(f"target column {name!r}: cannot tell the positive class from {values}")
    else:
        raise ValueError(f"target column {name!r}: cannot tell which of {values} is the positive class; "
                         "use 0/1, true/false or yes/no")
    return (text == positive).astype("Int64").mask(text.isna())


def prepare_table(df: pd.DataFrame, target: str | None = None, id_col: str | None = None,
                  drop: tuple[str, ...] = ()) -> PreparedTable:
    """Validate and type a table for :func:`build_model`; ``notes`` says what was changed."""
    notes: list[str] = []
    for col in (target, id_col):
        if col is not None and col not in df.columns:
            raise ValueError(f"column {col!r} not in the table (columns: {', '.join(map(str, df.columns))})")
    df = df.reset_index(drop=True)
    y = None
    if target is not None:
        t = coerce_target(df[target], target)
        missing = int(t.isna().sum())
        if missing:
            notes.append(f"target {target!r}: {missing} rows with a blank target dropped")
            df, t = df[t.notna()].reset_index(drop=True), t[t.notna()].reset_index(drop=True)
        y = t.to_numpy(dtype=int)
    ids = df[id_col].astype("string") if id_col else pd.Series(np.arange(len(df)), name="row").astype("string")
    if id_col and ids.duplicated().any():
        notes.append(f"id column {id_col!r} has duplicate values")
    X = pd.DataFrame(index=df.index)
    numeric, categorical = [], []
    for col in df.columns:
        if col in (target, id_col) or col in drop:
            continue
        name = str(col)
        s = df[col]
        if s.map(lambda v: isinstance(v, (list, dict, set, tuple, bytes))).any():
            raise ValueError(f"column {name!r} holds nested values (lists, dicts or bytes); flatten it first")
        if pd.api.types.is_bool_dtype(s):
            X[name], kind = s.astype(float), "num"
        elif pd.api.types.is_numeric_dtype(s):
            X[name], kind = s.astype(float), "num"
        elif pd.api.types.is_datetime64_any_dtype(s):
            X[name], kind = _days(s), "num"
            notes.append(f"column {name!r}: dates used as days since 1970-01-01")
        else:
            X[name], kind = _typed_text(s, name, notes)
        if kind is None:
            continue
        values = X[name]
        if values.isna().all():
            notes.append(f"column {name!r}: every value is blank, dropped")
            X = X.drop(columns=name)
            continue
        if values.nunique(dropna=False) <= 1:
            notes.append(f"column {name!r}: constant, dropped")
            X = X.drop(columns=name)
            continue
        (numeric if kind == "num" else categorical).append(name)
    if not numeric and not categorical:
        raise ValueError("no usable feature columns left (see the notes above)")
    X = X[categorical + numeric]
    for col in numeric:  # plain float64 with NaN (not pandas' nullable types, which scikit-learn refuses)
        values = pd.to_numeric(X[col], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        X[col] = np.where(np.isinf(values), np.nan, values)
    return PreparedTable(X, y, ids.reset_index(drop=True), numeric, categorical, notes)


def _days(s: pd.Series) -> pd.Series:
    return (pd.to_datetime(s) - pd.Timestamp("1970-01-01")).dt.days.astype(float)


def _typed_text(s: pd.Series, name: str, notes: list[str]) -> tuple[pd.Series, str | None]:
    text = _blank_to_na(s)
    present = text.dropna()
    if present.empty:
        return pd.Series(np.nan, index=s.index), "num"
    cleaned = text.str.replace(r"[,\s¥$%]", "", regex=True)
    number = pd.to_numeric(cleaned, errors="coerce")
    parsed = number.notna() & text.notna()
    if parsed.sum() >= NUMERIC_SHARE * len(present):
        bad = present[~parsed[present.index]]
        if len(bad):
            notes.append(f"column {name!r}: {len(bad)} non-numeric values treated as missing "
                         f"(e.g. {', '.join(repr(v) for v in bad.unique()[:3])})")
        return number, "num"
    dates = pd.to_datetime(text, errors="coerce", format="mixed")
    if dates.notna().sum() >= NUMERIC_SHARE * len(present) and number.notna().sum() < 0.5 * len(present):
        notes.append(f"column {name!r}: dates used as days since 1970-01-01")
        return _days(dates), "num"
    distinct = present.nunique()
    if distinct > 0.9 * len(present) and len(present) > 20:
        notes.append(f"column {name!r}: text unique on almost every row (an identifier or free text), dropped")
        return pd.Series(np.nan, index=s.index), None
    if 0 < parsed.sum() and parsed.sum() >= 0.5 * len(present):
        notes.append(f"column {name!r}: mixes numbers and text ({parsed.sum()} of {len(present)} numeric), "
                     "used as a category")
    return text.astype(object).where(text.notna(), np.nan), "cat"


def build_model(prepared: PreparedTable, seed: int = 0, calibration_folds: int = 3):  # noqa: ANN201
    """Sigmoid-calibrated gradient-boosted trees over ``prepared``'s columns."""
    n_cat = len(prepared.categorical)
    encode = ColumnTransformer(
        [("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                encoded_missing_value=np.nan, max_categories=250), prepared.categorical),
         ("num", "passthrough", prepared.numeric)],
        remainder="drop", verbose_feature_names_out=False)
    trees = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=20, l2_regularization=1.0,
        categorical_features=list(range(n_cat)) if n_cat else None, random_state=seed)
    pipeline = Pipeline([("encode", encode), ("trees", trees)])
    folds = StratifiedKFold(calibration_folds, shuffle=True, random_state=seed)
    return CalibratedClassifierCV(pipeline, method="sigmoid", cv=folds)


def check_trainable(y: np.ndarray, what: str, min_positives: int = 5) -> None:
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives < min_positives or negatives < min_positives:
        raise ValueError(f"{what}: {positives} positive and {negatives} negative rows; need at least "
                         f"{min_positives} of each to train and calibrate")


def classification_metrics(y: np.ndarray, score: np.ndarray, top_share: float = 0.1) -> dict[str, float]:
    """ROC AUC, PR AUC, lift in the top ``top_share`` of scores, Brier score (if probabilities)."""
    y = np.asarray(y, dtype=int)
    score = np.asarray(score, dtype=float)
    out: dict[str, float] = {"rows": float(len(y)), "positives": float(y.sum()),
                             "base_rate": float(y.mean()) if len(y) else float("nan")}
    if len(np.unique(y)) < 2:
        return out | {"roc_auc": float("nan"), "pr_auc": float("nan"), "top_decile_lift": float("nan")}
    k = max(1, int(round(top_share * len(y))))
    top = np.argsort(-score, kind="stable")[:k]
    out["roc_auc"] = float(roc_auc_score(y, score))
    out["pr_auc"] = float(average_precision_score(y, score))
    out["top_decile_lift"] = float(y[top].mean() / y.mean())
    out["top_decile_precision"] = float(y[top].mean())
    if np.all((score >= 0) & (score <= 1)):
        out["brier"] = float(brier_score_loss(y, score))
    return out


def reference_values(X: pd.DataFrame, prepared: PreparedTable) -> dict[str, object]:
    """A typical value per feature: median for numbers, most frequent category otherwise."""
    ref: dict[str, object] = {}
    for col in prepared.numeric:
        ref[col] = float(X[col].median()) if X[col].notna().any() else np.nan
    for col in prepared.categorical:
        mode = X[col].dropna().mode()
        ref[col] = mode.iloc[0] if len(mode) else np.nan
    return ref


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


# Rows explained at a time. Each calibrated member keeps every tree's value for every row it
# explains (trees × rows doubles): all of 1M rows at once held ~1.6 GB per member, ~4.8 GB for
# three; a block of 100k holds a tenth. Rows are explained independently, so blocks change nothing.
EXPLAIN_BLOCK_ROWS = 100_000


def explain(model, X: pd.DataFrame, reference: dict[str, object], top: int = 3,  # noqa: ANN001
            probability: np.ndarray | None = None) -> pd.DataFrame:
    """Top ``top`` drivers per row (those raising the score most): row position, rank, feature,
    the row's value and the log-odds the feature adds over its typical value (``EXPLAIN_BLOCK_ROWS``
    rows at a time). ``probability``: ``model.predict_proba(X)[:, 1]`` when the caller has it
    already, so that the rows are not predicted again."""
    if probability is not None and len(probability) != len(X):
        raise ValueError(f"probability has {len(probability)} values for {len(X)} rows")
    if X.empty:
        return _explain_block(model, X, reference, top, 0, probability)
    return pd.concat([_explain_block(model, X.iloc[start:start + EXPLAIN_BLOCK_ROWS], reference, top, start,
                                     None if probability is None else probability[start:start + EXPLAIN_BLOCK_ROWS])
                      for start in range(0, len(X), EXPLAIN_BLOCK_ROWS)], ignore_index=True)


def _explain_block(model, X: pd.DataFrame, reference: dict[str, object], top: int,  # noqa: ANN001
                   offset: int, probability: np.ndarray | None) -> pd.DataFrame:
    # rows already at the typical value are unchanged by the swap: their contribution is 0, so
    # only the others are predicted again (predictions are row by row, so the rest is as before)
    rows_of = {}
    for col in X.columns:
        ref = reference.get(col, np.nan)
        same = X[col].isna() if _missing(ref) else (X[col] == ref).fillna(False)
        rows_of[col] = np.flatnonzero(~same.to_numpy(dtype=bool))
    # the trees that split on a feature are the only ones a swap can move (tree_contributions)
    if probability is None:
        probability = model.predict_proba(X)[:, 1]
    shortcut = swapped_probabilities(model, X, reference, rows_of, probability)
    base = _logit(shortcut[0] if shortcut else probability)  # the swaps' own base, when they are the shortcut's
    contrib = np.zeros((len(X), len(X.columns)))
    for j, col in enumerate(X.columns):
        rows = rows_of[col]
        if not len(rows):
            continue
        if shortcut:
            swapped_probability = shortcut[1][col]
        else:
            swapped = X.iloc[rows].copy()
            swapped[col] = reference.get(col, np.nan)
            swapped_probability = model.predict_proba(swapped)[:, 1]
        contrib[rows, j] = base[rows] - _logit(swapped_probability)
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :top]
    rows = np.broadcast_to(np.arange(len(X))[:, None], order.shape)
    value = contrib[rows, order]
    # a row's drivers stop at its first feature that does not raise the score
    keep = np.logical_and.accumulate(~(value <= 1e-9), axis=1) if order.size else np.zeros(order.shape, dtype=bool)
    i, j = rows[keep], order[keep]
    rank = np.broadcast_to(np.arange(1, order.shape[1] + 1), order.shape)[keep]
    text = np.full(len(i), None, dtype=object)
    for k, col in enumerate(X.columns):  # one pass per feature, not per row
        at = np.flatnonzero(j == k)
        text[at] = _value_text(X[col].to_numpy()[i[at]])
    return pd.DataFrame({"row": (i + offset).astype(np.int64), "driver_rank": rank.astype(np.int64),
                         "feature": np.asarray(list(X.columns), dtype=object)[j].tolist(),
                         "feature_value": text.tolist(), "contribution_log_odds": value[keep].astype(float)},
                        columns=["row", "driver_rank", "feature", "feature_value", "contribution_log_odds"])


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _round(value: object) -> object:
    return round(float(value), 3) if isinstance(value, (int, float, np.number)) else value


def _value_text(values: np.ndarray) -> np.ndarray:
    """``str(_round(v))`` per value, None where missing. Floats: numpy's rounding and repr (the
    shortest round-trip, as Python's), with values near a rounding tie (or huge) done by Python's ``round``;
    anything else (categories) once per distinct value."""
    out = np.full(len(values), None, dtype=object)
    if values.dtype.kind == "f":
        ok = ~np.isnan(values)
        v = values[ok]
        r = np.round(v, 3)
        # near a tie, or too big for v × 1000 to be exact
        with np.errstate(invalid="ignore"):  # ±inf
            tie = np.flatnonzero((np.abs(np.abs(v * 1000) % 1 - 0.5) < 1e-6) | (np.abs(v) >= 1e12))
        r[tie] = [round(float(x), 3) for x in v[tie]]
        out[ok] = r.astype(str).astype(object)
        return out
    missing = pd.isna(values)
    uniques = pd.unique(values[~missing])
    lookup = dict(zip(uniques, (str(_round(u)) for u in uniques)))
    out[~missing] = [lookup[x] for x in values[~missing]]
    return out


@dataclass
class CrossValidation:
    metrics: dict[str, float]
    baseline: dict[str, float]
    baseline_feature: str
    probabilities: np.ndarray  # out-of-fold, per row
    notes: list[str]


def best_single_feature(X: pd.DataFrame, y: np.ndarray, numeric: list[str]) -> tuple[str, float]:
    """The numeric column (and its sign) with the highest ROC AUC on its own: a simple baseline."""
    best, sign, best_auc = "", 1.0, -1.0
    for col in numeric:
        v = X[col].fillna(X[col].median()).to_numpy()
        if np.nanstd(v) == 0 or np.isnan(v).all():
            continue
        auc = roc_auc_score(y, v)
        if max(auc, 1 - auc) > best_auc:
            best, sign, best_auc = col, (1.0 if auc >= 0.5 else -1.0), max(auc, 1 - auc)
    return best, sign


def cross_validate(prepared: PreparedTable, folds: int = 5, seed: int = 0) -> CrossValidation:
    """Stratified K-fold: out-of-fold calibrated probabilities and their metrics, against the best
    single feature chosen on each training fold."""
    if prepared.y is None:
        raise ValueError("cross-validation needs a target column")
    with threadpool_limits(limits=1, user_api="openmp"):  # see churn.train_and_score
        return _cross_validate(prepared, folds, seed)


def _cross_validate(prepared: PreparedTable, folds: int, seed: int) -> CrossValidation:
    y = prepared.y
    check_trainable(y, "target", min_positives=max(folds, 5))
    probs = np.zeros(len(y))
    base = np.zeros(len(y))
    chosen: list[str] = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(prepared.X, y):
        model = build_model(prepared, seed).fit(prepared.X.iloc[train], y[train])
        probs[test] = model.predict_proba(prepared.X.iloc[test])[:, 1]
        if prepared.numeric:
            col, sign = best_single_feature(prepared.X.iloc[train], y[train], prepared.numeric)
            if col:
                fill = prepared.X[col].iloc[train].median()
                # ranked within the fold, so folds that chose different columns pool fairly
                values = pd.Series(sign * prepared.X[col].iloc[test].fillna(fill).to_numpy())
                base[test] = values.rank(pct=True).to_numpy()
                chosen.append(col)
    feature = max(set(chosen), key=chosen.count) if chosen else ""
    return CrossValidation(classification_metrics(y, probs), classification_metrics(y, base), feature, probs,
                           list(prepared.notes))
