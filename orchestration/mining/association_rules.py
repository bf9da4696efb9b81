"""Association rules on baskets (product co-subscription): exact Apriori on numpy bitsets.

Why our own rather than mlxtend: thresholds are compared exactly (counts as integers against the
threshold as the decimal fraction it was written as, so a rule sitting exactly on ``min_support``
or ``min_confidence`` is kept, where chained float divisions can drop it), and the counting is
vectorised (one packed bitset per item, AND + popcount per candidate, pairs through one matrix
product), which is several times faster than mlxtend's fpgrowth + association_rules on the same
input. The rule set is the textbook one: every frequent itemset (Apriori: all subsets of a
frequent set are frequent) split into antecedent → consequent, with single-item consequents by
default (as arules does; no empty antecedents).

Input is a list of transactions (each an iterable of item names) or a long table of
(transaction, item) rows; see :func:`read_baskets` for files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

ITEM_SEPARATOR = ","
RULE_COLUMNS = ["antecedent", "consequent", "antecedent_size", "itemset_size", "support", "confidence", "lift",
                "conviction", "leverage", "rule_count", "antecedent_count", "consequent_count",
                "transaction_count"]


def exact_fraction(value: float | str | Fraction, name: str) -> Fraction:
    """A threshold as the exact decimal fraction it was written as (0.1 means 1/10, not the binary
    float nearest to it), checked to lie in (0, 1]."""
    try:
        frac = value if isinstance(value, Fraction) else Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{name} must be a number between 0 and 1 (got {value!r})") from exc
    if not 0 < frac <= 1:
        raise ValueError(f"{name} must be greater than 0 and at most 1 (got {value!r})")
    return frac


@dataclass(frozen=True)
class Baskets:
    """Transactions as a boolean matrix (rows = transactions, columns = items in sorted order)."""

    items: tuple[str, ...]
    matrix: np.ndarray  # (n_transactions, n_items) bool

    @property
    def n(self) -> int:
        return int(self.matrix.shape[0])

    @classmethod
    def from_transactions(cls, transactions: Iterable[Iterable[str]]) -> Baskets:
        rows = [sorted({str(i).strip() for i in t if str(i).strip()}) for t in transactions]
        items = sorted({i for r in rows for i in r})
        _check_items(items)
        index = {item: k for k, item in enumerate(items)}
        matrix = np.zeros((len(rows), len(items)), dtype=bool)
        r = np.repeat(np.arange(len(rows)), [len(x) for x in rows])
        c = np.fromiter((index[i] for x in rows for i in x), dtype=np.int64, count=len(r))
        matrix[r, c] = True
        return cls(tuple(items), matrix)

    @classmethod
    def from_long(cls, table: pd.DataFrame, transaction_col: str, item_col: str) -> Baskets:
        for col in (transaction_col, item_col):
            if col not in table.columns:
                raise ValueError(f"column {col!r} not in the table (columns: {', '.join(map(str, table.columns))})")
        df = table[[transaction_col, item_col]].dropna(subset=[transaction_col])
        tx_codes, _ = pd.factorize(df[transaction_col], sort=True)
        items = df[item_col].astype("string").str.strip()
        keep = items.notna() & (items != "")
        item_codes, item_names = pd.factorize(items[keep], sort=True)
        _check_items(list(item_names))
        n_tx = int(tx_codes.max()) + 1 if len(tx_codes) else 0
        matrix = np.zeros((n_tx, len(item_names)), dtype=bool)
        matrix[tx_codes[keep.to_numpy()], item_codes] = True
        return cls(tuple(str(i) for i in item_names), matrix)


def _check_items(items: Sequence[str]) -> None:
    bad = [i for i in items if ITEM_SEPARATOR in i]
    if bad:
        raise ValueError(f"item names must not contain {ITEM_SEPARATOR!r} (got {bad[:3]})")


def read_baskets(path: Path, transaction_col: str | None = None, item_col: str | None = None) -> Baskets:
    """A plain basket file (one transaction per line, items comma-separated; blank lines skipped)
    or, with ``transaction_col`` and ``item_col``, a long table (CSV or Parquet) of one row per
    transaction and item."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"basket file not found: {path}")
    if transaction_col or item_col:
        if not (transaction_col and item_col):
            raise ValueError("a table needs both --transaction-col and --item-col")
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        return Baskets.from_long(table, transaction_col, item_col)
    if path.suffix == ".parquet":
        raise ValueError(f"{path} is a table: name its columns with --transaction-col and --item-col")
    text = path.read_text(encoding="utf-8-sig")
    return Baskets.from_transactions(line.split(ITEM_SEPARATOR) for line in text.splitlines() if line.strip())


def _pack(columns: np.ndarray) -> np.ndarray:
    """Bool (n, k) → (k, words) uint64 bitsets."""
    n, k = columns.shape
    packed = np.packbits(columns, axis=0)  # (ceil(n/8), k) bytes
    pad = (-packed.shape[0]) % 8
    if pad:
        packed = np.vstack([packed, np.zeros((pad, k), dtype=np.uint8)])
    return np.ascontiguousarray(packed.T).view(np.uint64)


def _popcount(bits: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits).sum(axis=-1, dtype=np.int64)


def _pair_counts(columns: np.ndarray) -> np.ndarray:
    """Co-occurrence counts of every pair of columns: float32 BLAS products over row blocks small
    enough that every partial count is exact, summed as integers."""
    block = 1 << 23  # < 2**24, the largest count a float32 holds exactly
    k = columns.shape[1]
    total = np.zeros((k, k), dtype=np.int64)
    # one BLAS thread: the product is small, and waking a thread pool on a busy machine costs more
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, columns.shape[0], block):
            x = columns[start:start + block].astype(np.float32)
            total += np.rint(x.T @ x).astype(np.int64)
    return total


def _keys(itemsets: np.ndarray, base: int) -> np.ndarray:
    """Itemsets (rows of sorted item indices) as one integer each (base-``base`` digits)."""
    keys = np.zeros(len(itemsets), dtype=np.int64)
    for j in range(itemsets.shape[1]):
        keys = keys * base + itemsets[:, j]
    return keys


def frequent_itemsets(baskets: Baskets, min_support: float | str | Fraction,
                      max_len: int | None = None) -> pd.DataFrame:
    """Every itemset whose count is at least ``min_support`` × transactions (exact), up to
    ``max_len`` items: columns itemset (comma-joined, sorted), size, count, support."""
    levels = _mine_levels(baskets, exact_fraction(min_support, "min_support"), max_len)
    names = np.array(baskets.items, dtype=object)
    rows = []
    for size, (sets, counts) in levels.items():
        for s, c in zip(sets.tolist(), counts.tolist()):
            rows.append((ITEM_SEPARATOR.join(names[s]), size, c))
    df = pd.DataFrame(rows, columns=["itemset", "size", "count"])
    df["support"] = df["count"] / max(baskets.n, 1)
    return df.sort_values(["size", "itemset"], ignore_index=True)


def _mine_levels(baskets: Baskets, min_support: Fraction,
                 max_len: int | None) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Frequent itemsets per size: (itemsets as sorted item-index rows, counts)."""
    if max_len is not None and max_len < 1:
        raise ValueError(f"max_len must be at least 1 (got {max_len})")
    n = baskets.n
    min_count = max(1, math.ceil(min_support * n))
    counts1 = baskets.matrix.sum(axis=0, dtype=np.int64)
    frequent = np.flatnonzero(counts1 >= min_count)
    levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if n == 0 or not len(frequent):
        return levels
    levels[1] = (frequent[:, None], counts1[frequent])
    limit = max_len or len(frequent)
    if limit < 2 or len(frequent) < 2:
        return levels
    columns = baskets.matrix[:, frequent]
    pairs = _pair_counts(columns)
    i, j = np.triu_indices(len(frequent), 1)
    keep = pairs[i, j] >= min_count
    # itemsets are held as indices into `frequent` (local ids) while mining, mapped back at the end
    local = {2: (np.stack([i[keep], j[keep]], axis=1), pairs[i, j][keep])}
    bits = _pack(columns) if limit > 2 else None
    level_bits = None
    base = len(frequent)
    size = 2
    while size < limit and len(local[size][0]) >= 2:
        sets, _ = local[size]
        if level_bits is None:  # bitsets of the size-2 itemsets
            level_bits = bits[sets[:, 0]] & bits[sets[:, 1]]
        cand, parent, last = _candidates(sets, base)
        if not len(cand):
            break
        counts = np.empty(len(cand), dtype=np.int64)
        new_bits = []
        chunk = max(1, (1 << 21) // max(bits.shape[1], 1))  # ~16 MB of bitsets per step
        for start in range(0, len(cand), chunk):
            sl = slice(start, start + chunk)
            b = level_bits[parent[sl]] & bits[last[sl]]
            counts[sl] = _popcount(b)
            new_bits.append(b[counts[sl] >= min_count])
        keep = counts >= min_count
        size += 1
        local[size] = (cand[keep], counts[keep])
        level_bits = np.concatenate(new_bits) if new_bits else None
    for s, (sets, counts) in local.items():
        if len(sets):
            levels[s] = (frequent[sets], counts)
    return levels


def _candidates(sets: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apriori join and prune: size-k frequent itemsets (sorted rows, lexicographic order) →
    size-(k+1) candidates whose every k-subset is frequent, with the row of the parent that
    shares their first k items and the extra last item."""
    m, k = sets.shape
    if k > 1:
        prefix_change = np.any(sets[1:, :-1] != sets[:-1, :-1], axis=1)
    else:
        prefix_change = np.ones(m - 1, dtype=bool)
    bounds = np.concatenate([[0], np.flatnonzero(prefix_change) + 1, [m]])
    left, right = [], []
    for a, b in zip(bounds[:-1], bounds[1:]):
        g = b - a
        if g < 2:
            continue
        i, j = np.triu_indices(g, 1)
        left.append(i + a)
        right.append(j + a)
    if not left:
        return np.empty((0, k + 1), dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    parent = np.concatenate(left)
    other = np.concatenate(right)
    cand = np.concatenate([sets[parent], sets[other][:, -1:]], axis=1)
    if k >= 2:  # prune: drop each of the first k-1 items in turn; that subset must be frequent
        use_int = (k + 1) * math.log2(max(base, 2)) < 62
        if use_int:
            known = np.sort(_keys(sets, base))
        else:
            known_set = {tuple(r) for r in sets.tolist()}
        ok = np.ones(len(cand), dtype=bool)
        for drop in range(k - 1):
            sub = np.delete(cand, drop, axis=1)
            if use_int:
                keys = _keys(sub, base)
                pos = np.minimum(np.searchsorted(known, keys), len(known) - 1)
                ok &= known[pos] == keys
            else:
                ok &= np.fromiter((tuple(r) in known_set for r in sub.tolist()), dtype=bool, count=len(sub))
        cand, parent = cand[ok], parent[ok]
    return cand, parent, cand[:, -1]


def mine_rules(baskets: Baskets | Iterable[Iterable[str]], min_support: float | str | Fraction,
               min_confidence: float | str | Fraction, max_len: int | None = None,
               max_consequent_len: int = 1) -> pd.DataFrame:
    """Association rules antecedent → consequent with support ≥ ``min_support`` and confidence ≥
    ``min_confidence`` (both compared exactly), itemsets of at most ``max_len`` items and
    consequents of at most ``max_consequent_len`` items (1 = single-item, as arules).

    Columns: see ``RULE_COLUMNS``; antecedent/consequent are comma-joined sorted item names;
    conviction is inf for rules with confidence 1. Sorted by lift, confidence, support (desc),
    then antecedent and consequent.
    """
    if not isinstance(baskets, Baskets):
        baskets = Baskets.from_transactions(baskets)
    support = exact_fraction(min_support, "min_support")
    confidence = exact_fraction(min_confidence, "min_confidence")
    if max_consequent_len < 1:
        raise ValueError(f"max_consequent_len must be at least 1 (got {max_consequent_len})")
    levels = _mine_levels(baskets, support, max_len)
    n = baskets.n
    lookup = {}
    base = len(baskets.items) + 1
    use_int = (max(levels) if levels else 1) * math.log2(base) < 62
    for size, (sets, counts) in levels.items():
        if use_int:
            keys = _keys(sets, base)
            order = np.argsort(keys)
            lookup[size] = (keys[order], counts[order])
        else:
            lookup[size] = {tuple(s): c for s, c in zip(sets.tolist(), counts.tolist())}

    def count_of(sub: np.ndarray) -> np.ndarray:
        table = lookup[sub.shape[1]]
        if use_int:
            keys, counts = table
            return counts[np.searchsorted(keys, _keys(sub, base))]  # every subset is frequent
        return np.array([table[tuple(r)] for r in sub.tolist()], dtype=np.int64)

    parts = []
    big = confidence.denominator * max(n, 1) >= 2**62
    for size, (sets, counts) in levels.items():
        if size < 2:
            continue
        for c_len in range(1, min(max_consequent_len, size - 1) + 1):
            for cons_pos in combinations(range(size), c_len):
                ante_pos = [p for p in range(size) if p not in cons_pos]
                ante, cons = sets[:, ante_pos], sets[:, list(cons_pos)]
                a_count, c_count = count_of(ante), count_of(cons)
                if big:
                    keep = np.array([r * confidence.denominator >= confidence.numerator * a
                                     for r, a in zip(counts.tolist(), a_count.tolist())], dtype=bool)
                else:
                    keep = counts * confidence.denominator >= confidence.numerator * a_count
                if keep.any():
                    parts.append((ante[keep], cons[keep], counts[keep], a_count[keep], c_count[keep], size))
    return _rules_frame(parts, baskets, n)


def _rules_frame(parts: list, baskets: Baskets, n: int) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(RULE_COLUMNS, [
            "object", "object", "int64", "int64", "float64", "float64", "float64", "float64", "float64", "int64",
            "int64", "int64", "int64"])})
    names = np.array(baskets.items, dtype=object)

    def join(rows: np.ndarray) -> list[str]:
        return [ITEM_SEPARATOR.join(r) for r in names[rows].tolist()]

    frames = []
    for ante, cons, rc, ac, cc, size in parts:
        rc, ac, cc = rc.astype(np.int64), ac.astype(np.int64), cc.astype(np.int64)
        with np.errstate(divide="ignore"):
            conviction = np.where(ac == rc, np.inf, ((n - cc) * ac) / (n * np.maximum(ac - rc, 1)).astype(float))
        frames.append(pd.DataFrame({
            "antecedent": join(ante), "consequent": join(cons), "antecedent_size": ante.shape[1],
            "itemset_size": size, "support": rc / n, "confidence": rc / ac, "lift": (rc * n) / (ac * cc),
            "conviction": conviction, "leverage": rc / n - (ac / n) * (cc / n), "rule_count": rc,
            "antecedent_count": ac, "consequent_count": cc, "transaction_count": n,
        }))
    rules = pd.concat(frames, ignore_index=True)
    return rules.sort_values(["lift", "confidence", "support", "antecedent", "consequent"],
                             ascending=[False, False, False, True, True], ignore_index=True)
