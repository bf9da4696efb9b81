"""Turning numpy columns into Arrow arrays of the contract's types, fast and exactly.

Ids and phone numbers are built as fixed-width byte matrices and wrapped as Arrow string
buffers (no Python string per row); money is built as exact decimal128 from integer cents.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa

from orchestration.landing.contracts import SourceTable

_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def arrow_type(duckdb_type: str) -> pa.DataType:
    """The Arrow type a contract DuckDB type is delivered as in Parquet."""
    match = _DECIMAL.fullmatch(duckdb_type)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    return {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
        "DOUBLE": pa.float64(),
        "INTEGER": pa.int32(),
        "BOOLEAN": pa.bool_(),
    }[duckdb_type]


def contract_schema(contract: SourceTable) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c.type), nullable=True) for c in contract.columns])


def fixed_width_strings(prefix: str, numbers: np.ndarray, width: int) -> pa.StringArray:
    """``prefix`` followed by each number zero-padded to ``width`` digits, as Arrow strings."""
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    matrix = np.empty((n, len(head) + width), dtype=np.uint8)
    matrix[:, : len(head)] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    matrix[:, len(head):] = (numbers[:, None] // powers[None, :]) % 10 + 48
    row = len(head) + width
    offsets = np.arange(n + 1, dtype=np.int32) * row
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(matrix.tobytes()))


def decimal_from_cents(cents: np.ndarray, precision: int, scale: int = 2,
                       null: np.ndarray | None = None) -> pa.Array:
    """Exact decimal128 array from integer units of ``10**-scale``."""
    cents = np.asarray(cents, dtype=np.int64)
    n = len(cents)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    validity = None
    if null is not None and null.any():
        validity = pa.array(~null).buffers()[1]
    return pa.Array.from_buffers(pa.decimal128(precision, scale), n,
                                 [validity, pa.py_buffer(words.tobytes())])


def to_arrow(values: Any, duckdb_type: str) -> pa.Array:
    """One column as the Arrow type of ``duckdb_type``. Numeric inputs use NaN for null;
    datetimes use NaT; strings use None."""
    target = arrow_type(duckdb_type)
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values if values.type == target else values.cast(target)
    if isinstance(target, pa.Decimal128Type):
        arr = np.asarray(values, dtype=np.float64)
        null = np.isnan(arr)
        cents = np.rint(np.where(null, 0, arr) * 10**target.scale).astype(np.int64)
        return decimal_from_cents(cents, target.precision, target.scale, null)
    if target == pa.string():
        if isinstance(values, np.ndarray) and values.dtype.kind == "U":
            return pa.array(values, type=pa.string())
        return pa.array(list(values), type=pa.string())
    arr = np.asarray(values)
    if target == pa.date32():
        arr = arr.astype("datetime64[D]")
        return pa.array(arr, type=pa.date32(), mask=np.isnat(arr))
    if target == pa.timestamp("us"):
        arr = arr.astype("datetime64[s]").astype("datetime64[us]")  # whole seconds, as delivered
        return pa.array(arr, type=target, mask=np.isnat(arr))
    if arr.dtype.kind == "f":
        null = np.isnan(arr)
        if target == pa.float64():
            return pa.array(arr, type=target, mask=null if null.any() else None)
        filled = np.where(null, 0, arr)
        if target == pa.bool_():
            return pa.array(filled.astype(bool), type=target, mask=null)
        return pa.array(np.rint(filled).astype(np.int64), type=pa.int64(), mask=null).cast(target)
    return pa.array(arr, type=target) if arr.dtype.kind != "O" else pa.array(list(arr), type=target)


def contract_table(contract: SourceTable, columns: dict[str, Any]) -> pa.Table:
    """A table with exactly the contract's columns, order and Arrow types."""
    missing = set(contract.column_names) - set(columns)
    extra = set(columns) - set(contract.column_names)
    if missing or extra:
        raise ValueError(f"{contract.name}: missing columns {sorted(missing)}, unexpected {sorted(extra)}")
    arrays = [to_arrow(columns[c.name], c.type) for c in contract.columns]
    return pa.Table.from_arrays(arrays, schema=contract_schema(contract))


def null_strings(n: int) -> pa.Array:
    return pa.nulls(n, type=pa.string())
