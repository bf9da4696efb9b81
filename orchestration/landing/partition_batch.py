"""Validated partitions of one table, held in temp tables until they are committed together.

`load_table` stages and validates each delivered file on its own, then adds its validated rows
to a `PartitionBatch` (temp tables ``_batch`` and ``_batch_rejects``, never written to the
database file). Once the batch holds `COMMIT_ROWS` rows, or the files run out, `commit` swaps
every partition of the batch in one transaction: delete the partitions' raw and quarantined
rows, insert the good rows and the quarantined ones, check rows read = rows loaded + rows
quarantined for each partition against what the tables now hold, and append to ``raw._load_log``.

Why batches: a transaction that appends whole row groups (122,880 rows) writes them straight
into the database file, while a small commit goes through the write-ahead log and is written a
second time at the next checkpoint. Loading a day-partitioned table one small commit per day
spent more time committing than validating. Atomicity is per batch: a failure rolls back the
partitions of the batch in hand, never a part of one, and batches committed before it stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import duckdb

from orchestration.landing.contracts import SourceTable
from orchestration.landing.discover import LandingFile
from orchestration.landing.raw_schema import LOAD_LOG_TABLE, QUARANTINE_TABLE, raw_table_ref
from orchestration.landing.read_files import LandingFileError, StagedFile
from orchestration.landing.validate import quote_ident, validation_sql

# Rows (read) a batch gathers before it is committed: several row groups per commit, while the
# temp tables stay small next to the memory DuckDB is given.
COMMIT_ROWS = 1_000_000

Status = Literal["loaded", "refused", "skipped_unchanged"]


class LoadInvariantError(AssertionError):
    """Rows read ≠ rows loaded + rows quarantined for a partition: a bug in the loader."""


@dataclass(frozen=True)
class PartitionResult:
    """What happened to one delivered file (one partition)."""

    partition: str | None
    source_file: str
    status: Status
    rows_read: int | None
    rows_loaded: int
    rows_quarantined: int
    message: str
    file_sha256: str | None = None
    file_bytes: int | None = None
    reason_counts: dict[str, int] = field(default_factory=dict)
    rules_sha256: str | None = None


@dataclass(frozen=True)
class _Pending:
    file: LandingFile
    rows_read: int
    sha256: str
    size: int
    note: str  # why the partition is loaded again, prefixed to the log message ('' if new)


def log_results(con: duckdb.DuckDBPyConnection, table: SourceTable, results: list[PartitionResult],
                at: datetime) -> None:
    """Append ``results`` to ``raw._load_log`` (one multi-row INSERT per 500 rows)."""
    for start in range(0, len(results), 500):
        batch = results[start:start + 500]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(batch))
        con.execute(f"insert into {LOAD_LOG_TABLE} values {values}",
                    [v for r in batch for v in (table.name, r.partition, r.source_file, r.file_sha256, r.file_bytes,
                                                r.status, r.rows_read, r.rows_loaded, r.rows_quarantined,
                                                r.message, at, r.rules_sha256)])


class PartitionBatch:
    """The validated rows of the partitions of ``table`` not yet committed."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: SourceTable, rules_sha256: str):
        self.con, self.table, self.rules_sha256 = con, table, rules_sha256
        self.pending: list[_Pending] = []
        self.rows = 0
        self._created = False  # _batch takes its columns from the first validated file
        con.execute("drop table if exists _batch")
        con.execute("create or replace temp table _batch_rejects (_partition varchar, _source_file varchar, "
                    "_source_row bigint, reason_code varchar, reason varchar, raw_record varchar)")

    @property
    def full(self) -> bool:
        return self.rows >= COMMIT_ROWS

    def add(self, file: LandingFile, staged: StagedFile, sha256: str, size: int, note: str) -> None:
        """Validate the staged file (``_stage``/``_stage_rejects``) into the batch.

        `LandingFileError` when the file turns out unreadable while validated (a damaged Parquet
        page, fewer rows than its metadata promised): nothing of it stays in the batch.
        """
        sql = validation_sql(file.table, file.partition, staged.source_types)
        select = f"select ? as _partition, ? as _source_file, * from ({sql})"
        params = [file.partition, file.relative_path]
        try:
            if self._created:
                validated = self.con.execute(f"insert into _batch {select}", params).fetchone()[0]
            else:
                self.con.execute(f"create temp table _batch as {select}", params)
                self._created = True
                validated = self.con.execute("select count(*) from _batch").fetchone()[0]
        except (duckdb.IOException, duckdb.InvalidInputException) as error:
            if file.table.format != "parquet":
                raise
            raise LandingFileError(f"{file.relative_path}: reading the Parquet data failed: "
                                   f"{str(error).splitlines()[0]}", rows_read=staged.rows_read) from error
        if validated != staged.parsed_rows:
            self.con.execute("delete from _batch where _source_file = ?", [file.relative_path])
            if file.table.format == "parquet":
                raise LandingFileError(f"{file.relative_path}: its metadata promises {staged.parsed_rows} rows "
                                       f"but {validated} were read", rows_read=staged.rows_read)
            raise LoadInvariantError(f"{file.relative_path}: {staged.parsed_rows} rows parsed but {validated} "
                                     "validated")
        self.con.execute("insert into _batch_rejects select ?, ?, _source_row, reason_code, reason, raw_record "
                         "from _stage_rejects", params)
        self.pending.append(_Pending(file, staged.rows_read, sha256, size, note))
        self.rows += staged.rows_read

    def commit(self, loaded_at: datetime) -> list[PartitionResult]:
        """The transaction: swap the batch's partitions for their validated rows, log them."""
        if not self.pending:
            return []
        con, table = self.con, self.table
        partitions = [p.file.partition for p in self.pending]
        con.begin()
        try:
            con.execute(f"delete from {raw_table_ref(table)} where list_contains(?, _partition)", [partitions])
            con.execute(f'delete from {QUARANTINE_TABLE} where table_name = ? and list_contains(?, "partition")',
                        [table.name, partitions])
            _insert_rows(con, table, loaded_at)
            _insert_quarantine(con, table, loaded_at)
            results = self._results(partitions)
            log_results(con, table, results, loaded_at)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            self.pending, self.rows, self._created = [], 0, False
            con.execute("drop table if exists _batch")
            con.execute("delete from _batch_rejects")
        return results

    def _results(self, partitions: list[str]) -> list[PartitionResult]:
        """Per partition, what the raw table and the quarantine now hold; the invariant checked."""
        con, table = self.con, self.table
        loaded = dict(con.execute(f"select _partition, count(*) from {raw_table_ref(table)} "
                                  "where list_contains(?, _partition) group by 1", [partitions]).fetchall())
        reasons: dict[str, dict[str, int]] = {}
        for partition, code, count in con.execute(
                f'select "partition", reason_code, count(*) from {QUARANTINE_TABLE} '
                'where table_name = ? and list_contains(?, "partition") group by 1, 2 order by 1, 3 desc, 2',
                [table.name, partitions]).fetchall():
            reasons.setdefault(partition, {})[code] = count
        results = []
        for p in self.pending:
            partition, source = p.file.partition, p.file.relative_path
            rows_loaded = loaded.get(partition, 0)
            counts = reasons.get(partition, {})
            rows_quarantined = sum(counts.values())
            if p.rows_read != rows_loaded + rows_quarantined:
                raise LoadInvariantError(
                    f"{source}: {p.rows_read} rows read but {rows_loaded} loaded + {rows_quarantined} quarantined")
            message = f"{p.note}loaded {rows_loaded} of {p.rows_read} rows"
            if rows_quarantined:
                message += f"; quarantined {rows_quarantined} (" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")"
            results.append(PartitionResult(partition, source, "loaded", p.rows_read, rows_loaded, rows_quarantined,
                                           message, p.sha256, p.size, counts, self.rules_sha256))
        return results


def _insert_rows(con: duckdb.DuckDBPyConnection, table: SourceTable, loaded_at: datetime) -> int:
    columns = ", ".join(quote_ident(c) for c in table.column_names)
    return con.execute(
        f"insert into {raw_table_ref(table)} select {columns}, _partition, _source_file, _source_row, ? "
        "from _batch where _reason_code is null order by _partition, _source_row", [loaded_at]).fetchone()[0]


def _insert_quarantine(con: duckdb.DuckDBPyConnection, table: SourceTable, loaded_at: datetime) -> int:
    return con.execute(
        f"""insert into {QUARANTINE_TABLE}
        select ?, _partition, _source_file, _source_row, column_name, reason_code, reason, raw_record, ?
        from (
            select _partition, _source_file, _source_row, _column_name as column_name,
                   _reason_code as reason_code, _reason as reason, _raw_record as raw_record
            from _batch where _reason_code is not null
            union all
            select _partition, _source_file, _source_row, null, reason_code, reason, raw_record
            from _batch_rejects
        )
        order by _partition, _source_row""", [table.name, loaded_at]).fetchone()[0]
