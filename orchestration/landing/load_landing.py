"""Load landing files into DuckDB's ``raw`` schema: idempotent, atomic, audited.

For each delivered partition of a table, `load_table`:

1. checksums the file and skips it when it equals the last successful load (``skipped_unchanged``)
   unless ``force``;
2. stages it (`read_files.stage_file`) into a batch of partitions (`partition_batch.PartitionBatch`),
   whose files are validated against the contract together (`validate.validation_sql`, one
   query per batch) as the batch commits; a file that cannot be loaded at all is *refused*
   (`LandingFileError` while staged, or a Parquet file found unreadable at commit): it is
   logged, reported, and the partition keeps its previous rows;
3. commits the batch in one transaction once it holds about a million rows, and at the end:
   the batch's partitions lose their raw and quarantined rows and get the validated ones, rows
   read = rows loaded + rows quarantined is checked per partition, and ``raw._load_log`` gets a
   row per partition. A failure rolls back the batch in hand; batches committed before it stay.

One DuckDB connection per call, closed at the end (dbt opens the file next).
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.landing.contracts import CONTRACTS, SourceTable, contract
from orchestration.landing.discover import LandingFile, discover_files, partition_problem
from orchestration.landing.partition_batch import (
    LoadInvariantError,
    PartitionBatch,
    PartitionResult,
    Status,
    log_results,
)
from orchestration.landing.raw_schema import (
    LOAD_LOG_TABLE,
    ensure_raw_schema,
    ensure_tables,
    raw_table_ddl,
    raw_table_ref,
)
from orchestration.landing.read_files import LandingFileError, stage_file
from orchestration.landing.transcode import fingerprint
from orchestration.landing.validate import REASON_CODES, rules_fingerprint
from orchestration.warehouse import connect as connect_duckdb

__all__ = [
    "LandingFileError", "LoadInvariantError", "LoadReport", "PartitionResult", "REASON_CODES",
    "ensure_raw_schema", "load_all", "load_table", "raw_table_ddl",
]

@dataclass
class LoadReport:
    """The outcome of `load_table`, for logs and Dagster metadata.

    Row totals and reason counts cover the partitions loaded by this call (a skipped partition
    was not read again; a refused one loaded nothing), so rows_read = rows_loaded + rows_quarantined.
    """

    table_name: str  # the raw table, <source>__<table>
    partitions: list[PartitionResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # requested partitions with no file
    elapsed_seconds: float = 0.0

    def _with(self, status: Status) -> list[PartitionResult]:
        return [p for p in self.partitions if p.status == status]

    @property
    def partitions_loaded(self) -> list[str]:
        return [p.partition for p in self._with("loaded")]

    @property
    def partitions_skipped(self) -> list[str]:
        return [p.partition for p in self._with("skipped_unchanged")]

    @property
    def partitions_refused(self) -> list[str | None]:
        return [p.partition for p in self._with("refused")]

    @property
    def refused(self) -> list[PartitionResult]:
        return self._with("refused")

    @property
    def rows_read(self) -> int:
        return sum(p.rows_read or 0 for p in self._with("loaded"))

    @property
    def rows_loaded(self) -> int:
        return sum(p.rows_loaded for p in self._with("loaded"))

    @property
    def rows_quarantined(self) -> int:
        return sum(p.rows_quarantined for p in self._with("loaded"))

    @property
    def reason_counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for p in self._with("loaded"):
            total.update(p.reason_counts)
        return dict(total.most_common())


@dataclass(frozen=True)
class _LastLoad:
    sha256: str
    rules_sha256: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_in_raw: int


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _last_loads(con: duckdb.DuckDBPyConnection, table: SourceTable) -> dict[str, _LastLoad]:
    """Per partition, the last successful load and how many rows the raw table holds for it now."""
    rows = con.execute(f"""
        with last_load as (
            select "partition", file_sha256, rules_sha256, rows_read, rows_loaded, rows_quarantined
            from {LOAD_LOG_TABLE}
            where table_name = ? and status = 'loaded'
            qualify row_number() over (partition by "partition" order by loaded_at desc) = 1
        ),
        in_raw as (
            select _partition as "partition", count(*) as row_count from {raw_table_ref(table)} group by 1
        )
        select l.*, coalesce(r.row_count, 0)
        from last_load as l left join in_raw as r using ("partition")""", [table.name]).fetchall()
    return {r[0]: _LastLoad(*r[1:]) for r in rows}


def _refuse(con: duckdb.DuckDBPyConnection, file: LandingFile, message: str, rows_read: int | None,
            sha256: str | None = None, size: int | None = None) -> PartitionResult:
    result = PartitionResult(file.partition, file.relative_path, "refused", rows_read, 0, 0,
                             f"refused: {message}", sha256, size)
    log_results(con, file.table, [result], _utc_now())
    return result


def _skip_or_why_not(last: _LastLoad | None, sha256: str, rules_sha256: str) -> str | None:
    """None to skip an unchanged partition, else a note on why it is loaded again ('' if new/changed)."""
    if last is None or last.sha256 != sha256:
        return ""
    if last.rules_sha256 != rules_sha256:
        return "file unchanged but the contract or its seed codes changed: re-validated; "
    if last.rows_in_raw != last.rows_loaded:
        return (f"file unchanged but the raw table held {last.rows_in_raw} rows of this partition, "
                f"not the {last.rows_loaded} last loaded: reloaded; ")
    return None


def _load_file(con: duckdb.DuckDBPyConnection, file: LandingFile, last: _LastLoad | None, force: bool,
               rules_sha256: str, workdir: Path, batch: PartitionBatch) -> PartitionResult | None:
    """Refuse, skip, or validate ``file`` into ``batch`` (None: its result comes with the commit)."""
    table = file.table
    if file.problem is not None:
        return _refuse(con, file, file.problem, None)
    fp = fingerprint(file.path, table.encoding if table.format == "csv" else None)
    note = "forced reload; " if force else _skip_or_why_not(last, fp.sha256, rules_sha256)
    if note is None:
        result = PartitionResult(file.partition, file.relative_path, "skipped_unchanged", last.rows_read,
                                 last.rows_loaded, last.rows_quarantined,
                                 "unchanged since the last load (same file SHA-256 and rules)",
                                 fp.sha256, fp.size, rules_sha256=rules_sha256)
        return result  # logged by load_table, all skips in one statement
    try:
        staged = stage_file(con, file, fp, workdir)
        batch.add(file, staged, fp.sha256, fp.size, note)
    except LandingFileError as error:
        return _refuse(con, file, error.message, error.rows_read, fp.sha256, fp.size)
    finally:
        for temporary in workdir.iterdir():  # a transcoded copy is not needed past this point
            temporary.unlink()
    return None


def load_table(db_path: Path, landing: Path, table: SourceTable | str, partitions: list[str] | None = None,
               force: bool = False, days: tuple[date, date] | None = None) -> LoadReport:
    """Load the delivered partitions of one source table into ``raw.<source>__<table>``.

    ``partitions`` limits the load to those partitions (a requested partition without a file is
    listed in ``LoadReport.missing``); ``days`` (day-grain tables only) limits it to the delivered
    days in the half-open window [first, end) — a Dagster daily partition or range of them; a day
    without a file is simply not delivered yet. ``force`` reloads partitions whose file is
    unchanged. Refused files are reported, never raised; unexpected errors roll back the
    batch of partitions in hand (see `partition_batch`) and propagate.
    """
    started = time.perf_counter()
    spec = table if isinstance(table, SourceTable) else contract(table)
    report = LoadReport(table_name=spec.name)
    files = discover_files(Path(landing), spec)
    if days is not None:
        if spec.grain != "day":
            raise ValueError(f"{spec.name}: a day window applies to day-grain tables, not {spec.grain!r} ones")
        first, end = (d.isoformat() for d in days)
        # A file whose name is no valid day (partition None) belongs to no window: it is kept, so
        # it is refused and reported on every run (as by an unpartitioned load) until renamed.
        files = [f for f in files if f.partition is None or first <= f.partition < end]
    if partitions is not None:
        wanted = set(partitions)
        for p in sorted(wanted):
            if (problem := partition_problem(spec.grain, p)) is not None:
                raise ValueError(f"{spec.name}: requested partition {problem}")
        files = [f for f in files if f.partition in wanted]
        report.missing = sorted(wanted - {f.partition for f in files})
    con = connect_duckdb(db_path)
    try:
        # Checkpoint once at the end rather than every 16 MB of WAL: a backfill of many daily
        # partitions otherwise spends most of its time in repeated checkpoints.
        con.execute("set checkpoint_threshold = '1GB'")
        ensure_tables(con, [spec])
        last_loads = _last_loads(con, spec)
        rules_sha256 = rules_fingerprint(spec)
        batch = PartitionBatch(con, spec, rules_sha256)
        results: dict[int, PartitionResult] = {}  # by the file's place in `files`
        in_batch: list[int] = []

        def commit() -> None:
            results.update(zip(in_batch, batch.commit(_utc_now()), strict=True))
            in_batch.clear()

        with tempfile.TemporaryDirectory(prefix="touchpoint_landing_") as workdir:
            for i, file in enumerate(files):
                result = _load_file(con, file, last_loads.get(file.partition), force, rules_sha256,
                                    Path(workdir), batch)
                if result is None:
                    in_batch.append(i)
                    if batch.full:
                        commit()
                else:
                    results[i] = result
            commit()
        report.partitions = [results[i] for i in range(len(files))]
        if skipped := [p for p in report.partitions if p.status == "skipped_unchanged"]:
            con.begin()
            log_results(con, spec, skipped, _utc_now())
            con.commit()
        con.execute("checkpoint")
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("reset checkpoint_threshold")
        con.close()
    report.elapsed_seconds = time.perf_counter() - started
    return report


def load_all(db_path: Path, landing: Path, tables: list[SourceTable | str] | None = None,
             force: bool = False) -> list[LoadReport]:
    """`load_table` for every contract (or the given ones), creating every raw table first."""
    specs = [t if isinstance(t, SourceTable) else contract(t) for t in (tables or CONTRACTS)]
    ensure_raw_schema(db_path, specs if tables else CONTRACTS)
    return [load_table(db_path, landing, spec, force=force) for spec in specs]
