"""Integer codes for customer ids, so the campaign engine joins, groups and sorts on int arrays
instead of string keys.

A customer's code is its position among the sorted ids (the customers frame's ids plus any id a
candidate names that the frame does not have), so sorting by code is sorting by ``customer_id``
and every tie-break the policy documents "by customer_id" keeps its order. Looking ids up goes
through Arrow's hash lookup for string ids (one hash table per call), through pandas otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _is_string(values: pd.Series | pd.Index) -> bool:
    return pd.api.types.is_string_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype)


def _arrow_strings(values: pd.Series | pd.Index | np.ndarray) -> pa.ChunkedArray:
    arr = pa.array(values.array if hasattr(values, "array") else np.asarray(values, dtype=object), from_pandas=True)
    return (arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])).cast(pa.large_string())


def category_codes(values: pd.Series | pd.Index | np.ndarray, categories: object) -> np.ndarray:
    """Position of each value in ``categories`` (few, unique), ``-1`` when absent — as
    ``pd.Index(categories).get_indexer(values)``, nulls included, but hashing each distinct value
    once (Arrow's dictionary encoding) instead of every value as a Python object."""
    found, uniques = pd.factorize(values, use_na_sentinel=False)
    return pd.Index(categories).get_indexer(uniques).astype(np.int64)[found] if len(found) else \
        np.zeros(0, dtype=np.int64)


class CustomerCodes:
    """The code space of one engine run.

    - ``frame``: the customers frame, sorted by ``customer_id`` (unchanged when already sorted);
    - ``ids``: the sorted unique ids, code ``i`` ↔ ``ids[i]``;
    - ``row``: code → row of ``frame`` (``-1`` for ids only candidates name: unknown customers);
    - ``has_unknown``: whether any such id exists (a left merge would then have upcast columns).
    """

    def __init__(self, customers: pd.DataFrame, candidate_ids: pd.Series | None = None,
                 others: dict[str, pd.Series] | None = None) -> None:
        """``candidate_ids``: the ids candidates name (unknown ones join the space);
        ``others``: more id columns to code now, in the same lookup (``self.others[name]``)."""
        ids = customers["customer_id"]
        if not ids.is_unique:
            dupes = ids[ids.duplicated()].unique()[:3].tolist()
            raise ValueError(f"customers: customer_id must be unique, got duplicates such as {dupes}")
        if not ids.is_monotonic_increasing:
            customers = customers.iloc[np.argsort(ids.to_numpy(), kind="stable")]
            ids = customers["customer_id"]
        self.frame = customers.reset_index(drop=True)
        self.row = np.arange(len(ids), dtype=np.int64)
        self.has_unknown = False
        self._set_ids(ids.reset_index(drop=True))
        names = list(others or {})
        columns = [candidate_ids if candidate_ids is not None else pd.Series([], dtype=ids.dtype),
                   *(others or {}).values()]
        found = self.lookup_many(columns)
        self.candidate_codes = found[0]
        if (self.candidate_codes < 0).any():  # ids the customers frame lacks: extend the space, keep it sorted
            extra = pd.Series(pd.unique(candidate_ids[self.candidate_codes < 0]))
            extra = extra.astype(self.ids.dtype) if self._string else extra
            every = pd.concat([self.ids, extra], ignore_index=True)
            order = np.argsort(every.to_numpy(), kind="stable")
            self.row = np.where(order < len(self.frame), order, -1).astype(np.int64)
            self.has_unknown = True
            self._set_ids(every.iloc[order].reset_index(drop=True))
            found = self.lookup_many(columns)
            self.candidate_codes = found[0]
        self.others = dict(zip(names, found[1:]))

    def _set_ids(self, ids: pd.Series) -> None:
        self.ids = ids
        self._string = _is_string(ids)
        self._arrow = _arrow_strings(ids) if self._string else None
        self._index = None if self._string else pd.Index(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, values: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
        """Code of each value; ``-1`` for ids outside the space (and for nulls)."""
        return self.lookup_many([values])[0]

    def lookup_many(self, columns: list[pd.Series | pd.Index | np.ndarray]) -> list[np.ndarray]:
        """:meth:`lookup` for several columns in one pass (the hash table of the ids is the cost)."""
        sizes = [len(c) for c in columns]
        if sum(sizes) == 0:
            return [np.zeros(0, dtype=np.int64) for _ in columns]
        if self._string:
            try:
                chunks = [chunk for c in columns if len(c) for chunk in _arrow_strings(c).chunks]
                found = pc.index_in(pa.chunked_array(chunks, type=pa.large_string()), value_set=self._arrow)
                flat = found.fill_null(-1).to_numpy().astype(np.int64)
                return np.split(flat, np.cumsum(sizes)[:-1])
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                self._index = self._index if self._index is not None else pd.Index(self.ids)
        return [self._index.get_indexer(c).astype(np.int64) for c in columns]

    def lookup_named(self, columns: dict[str, pd.Series]) -> dict[str, np.ndarray]:
        return dict(zip(columns, self.lookup_many(list(columns.values()))))

    def column(self, name: str, codes: np.ndarray) -> pd.Series:
        """``frame[name]`` for each code, as a left merge of the codes' rows onto the customers
        frame would give it: when the run has unknown customers, with the merge's upcasting
        (int → float, bool → object) even for rows that are all known."""
        rows = self.row[codes]
        col = self.frame[name]
        if not self.has_unknown:
            return col.take(rows).reset_index(drop=True)
        return col.reindex(np.append(rows, -1)).iloc[:-1].reset_index(drop=True)

    def per_code(self, values: np.ndarray, fill: object) -> np.ndarray:
        """Spread one value per ``frame`` row to one per code (``fill`` for unknown customers)."""
        values = np.asarray(values)
        if not self.has_unknown:
            return values
        out = np.full(len(self.row), fill, dtype=np.result_type(values.dtype, type(fill)))
        known = self.row >= 0
        out[known] = values[self.row[known]]
        return out
