"""Writing landing files exactly to the contract: layout, format, encoding, column order and
types, deterministic bytes, and the requested share of bad rows.

CSV: header in contract order, comma-separated, ``true``/``false``, empty string for null,
dates ``YYYY-MM-DD``, timestamps ``YYYY-MM-DD HH:MM:SS``, ``\\n`` line ends, the contract's
encoding. Parquet: contract Arrow types, zstd, fixed writer settings.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.generator import bad_rows as br
from orchestration.generator.arrow_columns import contract_schema, contract_table
from orchestration.landing.contracts import SourceTable


def csv_fields(table: pa.Table, contract: SourceTable) -> list[pa.Array]:
    """Each column rendered as CSV field text (quoted where needed, '' for null)."""
    out = []
    for column, spec in zip(table.columns, contract.columns):
        arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if spec.type == "TIMESTAMP":
            text = pc.strftime(arr.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")
        elif spec.type == "VARCHAR":
            needs = pc.match_substring_regex(arr, r'[,"\n\r]')
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
            text = pc.if_else(needs, quoted, arr)
        else:
            text = arr.cast(pa.string())
        out.append(pc.fill_null(text, ""))
    return out


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", compression_level=3, use_dictionary=True,
                   write_statistics=True, version="2.6", data_page_size=1 << 20, row_group_size=1 << 20,
                   store_schema=True)
    return sink.getvalue()


class LandingWriter:
    """Writes every partition file of every table and keeps the counts the manifest reports."""

    def __init__(self, out: Path, partitions: dict[str, int], seed: int, bad_row_share: float) -> None:
        self.out = out
        self.partitions = partitions  # grain -> number of partition files per table
        self.seed = seed
        self.share = bad_row_share
        self.files: list[Path] = []
        self.rows: Counter[str] = Counter()
        self.bad: dict[str, Counter[str]] = defaultdict(Counter)
        self._files_done: Counter[str] = Counter()
        self._bad_done: Counter[str] = Counter()
        self._serial: Counter[str] = Counter()

    def write(self, contract: SourceTable, partition: str, columns: dict[str, Any]) -> Path:
        table = contract_table(contract, columns)
        name = contract.name
        n = table.num_rows
        self.rows[name] += n
        self._files_done[name] += 1
        n_bad = self._bad_count(name, self._files_done[name] == self.partitions[contract.grain], n)
        part = br.partition_range(contract.grain, partition)
        rng = np.random.default_rng([self.seed, 7_001, *partition.encode(), *name.encode()])
        plans = br.plan_bad_rows(contract, part, n, n_bad, rng) if n_bad else []
        for plan in plans:
            self.bad[name][plan.kind] += 1
        if contract.format == "parquet":
            data = parquet_bytes(self._with_bad_parquet(contract, table, plans, part, rng))
        else:
            data = self._csv_bytes(contract, table, plans, part, rng)
        path = self.out / contract.source / contract.table / contract.file_name(partition)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files.append(path)
        return path

    def _bad_count(self, name: str, last: bool, n: int) -> int:
        """Cumulative rounding keeps each table's total at round(share x rows), at least one."""
        if self.share <= 0 or n == 0:
            return 0
        target = round(self.share * self.rows[name])
        if last and self.rows[name] >= 100:
            target = max(target, 1)
        count = max(0, target - self._bad_done[name])
        self._bad_done[name] += count
        return count

    def _fresh(self, name: str, value: str) -> str:
        self._serial[name] += 1
        return br.fresh_key(value, self._serial[name])

    # ------------------------------------------------------------------ parquet
    def _with_bad_parquet(self, contract: SourceTable, table: pa.Table, plans: list[br.BadRowPlan],
                          part: br.Partition, rng: np.random.Generator) -> pa.Table:
        if not plans:
            return table
        rows = table.take(pa.array([p.source for p in plans])).to_pylist()
        for row, plan in zip(rows, plans):
            if plan.kind == "duplicate_key":
                continue
            assert plan.column is not None
            row[plan.column.name] = br.bad_value(plan.kind, plan.column, row[plan.column.name], part, rng,
                                                 as_text=False)
            fresh = br.freshen_column(contract, plan.column)
            if fresh:
                row[fresh] = self._fresh(contract.name, row[fresh])
        bad = pa.Table.from_pylist(rows, schema=contract_schema(contract))
        keys = np.concatenate([np.arange(table.num_rows, dtype=float), [p.position for p in plans]])
        order = np.argsort(keys, kind="stable")
        return pa.concat_tables([table, bad]).take(pa.array(order))

    # ------------------------------------------------------------------ csv
    def _csv_bytes(self, contract: SourceTable, table: pa.Table, plans: list[br.BadRowPlan],
                   part: br.Partition, rng: np.random.Generator) -> bytes:
        encoding = contract.encoding
        header = ",".join(contract.column_names)
        fields = csv_fields(table, contract)
        if table.num_rows:
            lines = pc.binary_join_element_wise(*fields, ",").to_pylist()
        else:
            lines = []
        if not plans:
            return ("\n".join([header, *lines]) + "\n").encode(encoding)
        encoded: list[bytes] = [line.encode(encoding) for line in lines]
        names = list(contract.column_names)
        bad_lines: list[bytes] = []
        for plan in plans:
            row = [f[plan.source].as_py() for f in fields]
            if plan.kind == "duplicate_key":
                bad_lines.append(encoded[plan.source])
                continue
            fresh = br.freshen_column(contract, plan.column)
            if fresh:
                i = names.index(fresh)
                row[i] = self._fresh(contract.name, row[i])
            if plan.kind == "truncated_line":
                bad_lines.append(",".join(row[: max(1, len(row) // 2)]).encode(encoding))
                continue
            assert plan.column is not None
            i = names.index(plan.column.name)
            if plan.kind == "invalid_encoding":
                row[i] = "\x00"
                before, after = ",".join(row).split("\x00")
                bad_lines.append(before.encode(encoding) + "客户来电".encode(encoding) + br.INVALID_GBK
                                 + "咨询".encode(encoding) + after.encode(encoding))
                continue
            row[i] = str(br.bad_value(plan.kind, plan.column, row[i], part, rng, as_text=True))
            bad_lines.append(",".join(row).encode(encoding))
        keys = np.concatenate([np.arange(len(encoded), dtype=float), [p.position for p in plans]])
        order = np.argsort(keys, kind="stable")
        everything = encoded + bad_lines
        return b"\n".join([header.encode(encoding), *(everything[i] for i in order)]) + b"\n"
