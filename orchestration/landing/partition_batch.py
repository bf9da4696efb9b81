"""Validated partitions of one table, held in temp tables until they are committed together.

`load_table` stages each delivered file on its own and adds it to a `PartitionBatch`, which
validates it into temp tables ``_batch`` and ``_batch_rejects`` (never written to the
database file). Once the batch holds `COMMIT_ROWS` rows, or the files run out, `commit` swaps
every partition of the batch in one transaction: delete the partitions' raw and quarantined
rows, insert the good rows and the quarantined ones, check rows read = rows loaded + rows
quarantined for each partition against what the tables now hold, and append to ``raw._load_log``.

Files are validated together, at `commit`: one query per batch rather than one per file.
Parquet: `add` only notes a staged file, and `commit` reads the noted files of the same column
types with one ``read_parquet`` (`read_files.parquet_files_rows_sql`) and validates them in one
query (`validation_sql`: each row carries its file's partition), which DuckDB runs on all cores.
One small file per query left a core idle (at 20k customers fifteen days of call records took
2.6-2.9 s so, 0.6-0.9 s in one query); a UNION ALL of per-file queries was fast for a few files
but costs planning time that grows faster than the files: at 20k customers the 184 daily files
of app sessions (269k rows, one batch) took 11.0 s to validate in one UNION ALL and 0.19 s read
as one. A file that turns out unreadable sends its files back to one query per file, so that
only the damaged file is refused.
CSV: `add` copies the staged rows, with their partition's first and last day, into
``_csv_staged``, and `commit` validates them all in one query: a small CSV file's validation
is mostly planning.

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
from orchestration.landing.discover import LandingFile, partition_bounds
from orchestration.landing.raw_schema import LOAD_LOG_TABLE, QUARANTINE_TABLE, raw_table_ref
from orchestration.landing.read_files import StagedFile, parquet_files_rows_sql
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
    source_types: dict[str, str] | None = None  # a Parquet file's columns, while it awaits validation
    parsed_rows: int | None = None  # a CSV file's rows in ``_csv_staged``, while they await validation


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
        con.execute("drop table if exists _batch; drop table if exists _csv_staged")
        con.execute("create or replace temp table _batch_rejects (_partition varchar, _source_file varchar, "
                    "_source_row bigint, reason_code varchar, reason varchar, raw_record varchar)")

    @property
    def full(self) -> bool:
        return self.rows >= COMMIT_ROWS

    def add(self, file: LandingFile, staged: StagedFile, sha256: str, size: int, note: str) -> None:
        """Add the checked file to the batch; it is validated at `commit`.

        A CSV file's staged rows (``_stage``/``_stage_rejects``) are copied, since the next file's
        staging replaces them, and validated with the batch's other CSV files in one query. A
        Parquet file is read then, with the batch's other Parquet files; an unreadable one is refused.
        """
        if self.table.format == "parquet":
            self.pending.append(_Pending(file, staged.rows_read, sha256, size, note, staged.source_types))
        else:
            bounds = partition_bounds(self.table.grain, file.partition) or (None, None)
            select = "select ? as _partition, ? as _source_file, ?::date as _first_day, ?::date as _last_day, * " \
                     "from _stage"
            params = [file.partition, file.relative_path, *bounds]
            into = "insert into _csv_staged" if self.pending else "create or replace temp table _csv_staged as"
            self.con.execute(f"{into} {select}", params)
            self.con.execute("insert into _batch_rejects select ?, ?, _source_row, reason_code, reason, raw_record "
                             "from _stage_rejects", params[:2])
            self.pending.append(_Pending(file, staged.rows_read, sha256, size, note, parsed_rows=staged.parsed_rows))
        self.rows += staged.rows_read

    def _validate(self) -> list[PartitionResult]:
        """Validate the batch's files into ``_batch``; the results of the files refused."""
        if self.table.format == "parquet":
            return self._validate_parquet()
        types = dict.fromkeys(self.table.column_names, "VARCHAR")
        self.con.execute(f"create temp table _batch as {validation_sql(self.table, types, '_csv_staged')}")
        counts = self._counts()
        for p in self.pending:
            if counts.get(p.file.relative_path, 0) != p.parsed_rows:
                raise LoadInvariantError(f"{p.file.relative_path}: {p.parsed_rows} rows parsed but "
                                         f"{counts.get(p.file.relative_path, 0)} validated")
        return []

    def _counts(self) -> dict[str, int]:
        """Rows in ``_batch`` per source file."""
        return dict(self.con.execute("select _source_file, count(*) from _batch group by 1").fetchall())

    def _validate_parquet(self) -> list[PartitionResult]:
        """Validate the batch's Parquet files into ``_batch``: one query per set of files with the
        same column types, or one query per file if one is unreadable, which is then refused. A
        file with fewer rows than its metadata promised is refused too, and its rows leave ``_batch``."""
        refused, readable = [], []

        def into_batch(sql: str) -> None:  # the first query to read creates ``_batch``
            self.con.execute(f"{'insert into _batch' if readable else 'create temp table _batch as'} {sql}")

        same_types: dict[tuple, list[_Pending]] = {}
        for p in self.pending:
            same_types.setdefault(tuple(p.source_types.items()), []).append(p)
        for files in same_types.values():
            try:
                into_batch(self._validation_sql(files))
                readable += files
                continue
            except duckdb.Error as error:
                if not _unreadable(error):
                    raise
            for p in files:  # one query per file tells which failed (nothing was inserted)
                try:
                    into_batch(self._validation_sql([p]))
                    readable.append(p)
                except duckdb.Error as error:
                    if not _unreadable(error):
                        raise
                    refused.append(self._refused(p, f"reading the Parquet data failed: {str(error).splitlines()[0]}"))
        counts = self._counts() if readable else {}
        for p in readable:
            read = counts.get(p.file.relative_path, 0)
            if read != p.rows_read:
                self.con.execute("delete from _batch where _source_file = ?", [p.file.relative_path])
                refused.append(self._refused(p, f"its metadata promises {p.rows_read} rows but {read} were read"))
        return refused

    def _validation_sql(self, files: list[_Pending]) -> str:
        """Parquet files of the same column types, read as one and validated."""
        return validation_sql(self.table, files[0].source_types, f"({parquet_files_rows_sql([p.file for p in files])})")

    def _refused(self, p: _Pending, why: str) -> PartitionResult:
        return PartitionResult(p.file.partition, p.file.relative_path, "refused", p.rows_read, 0, 0,
                               f"refused: {p.file.relative_path}: {why}", p.sha256, p.size)

    def commit(self, loaded_at: datetime) -> list[PartitionResult]:
        """The transaction: swap the batch's partitions for their validated rows, log them.

        One result per file added, in order: loaded, or refused (a Parquet file found unreadable
        when validated at commit; its partition keeps its rows)."""
        if not self.pending:
            return []
        con, table = self.con, self.table
        try:
            refused = {r.source_file: r for r in self._validate()}
            loading = [p for p in self.pending if p.file.relative_path not in refused]
            partitions = [p.file.partition for p in loading]
            con.begin()
            try:
                if loading:
                    con.execute(f"delete from {raw_table_ref(table)} where list_contains(?, _partition)",
                                [partitions])
                    con.execute(f'delete from {QUARANTINE_TABLE} where table_name = ? and '
                                'list_contains(?, "partition")', [table.name, partitions])
                    _insert_rows(con, table, loaded_at)
                    _insert_quarantine(con, table, loaded_at)
                loaded = {r.source_file: r for r in self._results(loading, partitions)}
                results = [loaded.get(p.file.relative_path) or refused[p.file.relative_path] for p in self.pending]
                log_results(con, table, results, loaded_at)
                con.commit()
            except BaseException:
                con.rollback()
                raise
        finally:
            self.pending, self.rows = [], 0
            con.execute("drop table if exists _batch")
            con.execute("drop table if exists _csv_staged")
            con.execute("delete from _batch_rejects")
        return results

    def _results(self, loading: list[_Pending], partitions: list[str]) -> list[PartitionResult]:
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
        for p in loading:
            partition, source = p.file.partition, p.file.relative_path
            rows_loaded = loaded.get(partition, 0)
            counts = reasons.get(partition, {})
            rows_quarantined = sum(counts.values())
            if p.rows_read != rows_loaded + rows_quarantined:
                raise LoadInvariantError(
                    f"{source}: {p.rows_read} rows read but {rows_loaded} loaded + {rows_quarantined} quarantined")
            message = f"{p.note}loaded {rows_loaded} of {p.rows_read} rows"
            if rows_quarantined:
                reasons_shown = ", ".join(f"{k}: {v}" for k, v in counts.items())
                message += f"; quarantined {rows_quarantined} ({reasons_shown})"
            results.append(PartitionResult(partition, source, "loaded", p.rows_read, rows_loaded, rows_quarantined,
                                           message, p.sha256, p.size, counts, self.rules_sha256))
        return results


def _unreadable(error: duckdb.Error) -> bool:
    """A Parquet file's data failed to read: I/O, a damaged page (DuckDB raises its base ``Error``
    for a page header it cannot decode), or fewer values than the metadata said."""
    return isinstance(error, (duckdb.IOException, duckdb.InvalidInputException)) or type(error) is duckdb.Error


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
