"""Load assets: one Dagster asset per landing contract, landing files → `raw.<source>__<table>`.

Each asset is a thin wrapper around `load_table`: it loads every delivered partition that is
new or changed (day-grain tables: only the days of the run's Dagster partition or range) (idempotent, atomic per partition), reports rows read / loaded / quarantined
as metadata, and checks its result against the load log independently of the loader.
"""

import warnings

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.partitions import DAILY_BACKFILL_POLICY, DAILY_PARTITIONS, partition_days
from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.landing.contracts import CONTRACTS, SourceTable
from orchestration.landing.load_landing import LoadReport, load_table
from orchestration.warehouse import connect as connect_duckdb

# `backfill_policy` on @asset is beta in Dagster 1.13: said once here, not once per day-grain table.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` of function `asset`")

RAW_GROUP = "raw"
# A load whose quarantine share exceeds this is flagged (warning) for a data steward to look at.
QUARANTINE_WARN_SHARE = 0.05


def raw_asset_key(table: SourceTable) -> AssetKey:
    return AssetKey(["raw", table.name])


def _partition_table_md(report: LoadReport) -> str:
    lines = ["| partition | status | read | loaded | quarantined |", "|---|---|---:|---:|---:|"]
    for p in report.partitions:
        lines.append(f"| {p.partition} | {p.status} | {p.rows_read} | {p.rows_loaded} | {p.rows_quarantined} |")
    return "\n".join(lines)


def _raw_counts_match_log(database: str, table: SourceTable) -> tuple[bool, dict[str, int]]:
    """Compare rows in the raw table per partition with the load log's last successful load."""
    with connect_duckdb(database, read_only=True) as con:
        mismatches = con.execute(
            f"""
            with last_load as (
                select partition, rows_loaded
                from raw._load_log
                where table_name = ? and status in ('loaded', 'skipped_unchanged')
                qualify row_number() over (partition by partition order by loaded_at desc) = 1
            ),
            actual as (
                select _partition as partition, count(*) as row_count
                from raw."{table.name}"
                group by _partition
            )
            select coalesce(l.partition, a.partition) as partition,
                   coalesce(l.rows_loaded, 0) as logged,
                   coalesce(a.row_count, 0) as actual
            from last_load as l
            full outer join actual as a on l.partition = a.partition
            where coalesce(l.rows_loaded, 0) <> coalesce(a.row_count, 0)
            """,
            [table.name],
        ).fetchall()
    return not mismatches, {f"{p}: logged {lg}, in raw {ac}": 1 for p, lg, ac in mismatches}


def build_load_asset(table: SourceTable) -> AssetsDefinition:
    key = raw_asset_key(table)
    checks = [
        AssetCheckSpec("rows_reconcile", asset=key,
                       description="Every row read is either loaded or quarantined, per partition."),
        AssetCheckSpec("raw_matches_load_log", asset=key,
                       description="Rows in the raw table per partition equal the load log's count."),
        AssetCheckSpec("no_refused_files", asset=key,
                       description="No delivered file was refused (wrong header, empty, undecodable…)."),
        AssetCheckSpec("quarantine_share", asset=key,
                       description=f"At most {QUARANTINE_WARN_SHARE:.0%} of rows read were quarantined."),
    ]

    daily = table.grain == "day"

    @asset(
        key=key,
        group_name=RAW_GROUP,
        # Day-grain tables are partitioned by day: a run loads just its day(s); a backfill over many
        # days is one run. Month- and full-grain tables stay unpartitioned (whole folder, skipping
        # unchanged partitions).
        partitions_def=DAILY_PARTITIONS if daily else None,
        backfill_policy=DAILY_BACKFILL_POLICY if daily else None,
        description=f"{table.description} Loaded from `{table.source}/{table.table}/` "
        f"({table.format}, {table.grain} partitions) into `raw.{table.name}`.",
        kinds={"duckdb", table.format},
        pool=DUCKDB_WRITER_POOL,
        check_specs=checks,
        metadata={
            "landing_folder": f"{table.source}/{table.table}/",
            "partition_grain": table.grain,
            "file_format": table.format,
            "encoding": table.encoding if table.format == "csv" else "n/a",
        },
    )
    def _load(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        days = partition_days(context) if daily else None
        report = load_table(warehouse.database_path, warehouse.landing_path, table, days=days)
        if days is not None:
            context.log.info(f"{table.name}: days {days[0]} to {days[1]} (exclusive)")
        context.log.info(
            f"{table.name}: read {report.rows_read}, loaded {report.rows_loaded}, "
            f"quarantined {report.rows_quarantined}, refused files {len(report.refused)}"
        )
        reconciles = report.rows_read == report.rows_loaded + report.rows_quarantined
        matches, mismatch_detail = _raw_counts_match_log(str(warehouse.database_path), table)
        share = report.rows_quarantined / report.rows_read if report.rows_read else 0.0
        check_results = [
            AssetCheckResult(check_name="rows_reconcile", passed=reconciles, metadata={
                "rows_read": report.rows_read, "rows_loaded": report.rows_loaded,
                "rows_quarantined": report.rows_quarantined}),
            AssetCheckResult(check_name="raw_matches_load_log", passed=matches,
                             metadata={"mismatches": MetadataValue.json(mismatch_detail)}),
            AssetCheckResult(check_name="no_refused_files", passed=not report.refused,
                             severity=AssetCheckSeverity.WARN,
                             metadata={"refused": MetadataValue.json(
                                 [{"file": r.source_file, "reason": r.message} for r in report.refused])}),
            AssetCheckResult(check_name="quarantine_share", passed=share <= QUARANTINE_WARN_SHARE,
                             severity=AssetCheckSeverity.WARN,
                             metadata={"quarantine_share": MetadataValue.float(round(share, 6))}),
        ]
        return MaterializeResult(
            metadata={
                "rows_read": MetadataValue.int(report.rows_read),
                "rows_loaded": MetadataValue.int(report.rows_loaded),
                "rows_quarantined": MetadataValue.int(report.rows_quarantined),
                "partitions_loaded": MetadataValue.int(len(report.partitions_loaded)),
                "partitions_skipped_unchanged": MetadataValue.int(len(report.partitions_skipped)),
                "files_refused": MetadataValue.int(len(report.refused)),
                "quarantine_reasons": MetadataValue.json(report.reason_counts),
                "partitions": MetadataValue.md(_partition_table_md(report)),
                "elapsed_seconds": MetadataValue.float(round(report.elapsed_seconds, 3)),
                **({"days": MetadataValue.text(f"{days[0]} .. {days[1]} (exclusive)")} if days else {}),
            },
            check_results=check_results,
        )

    return _load


load_assets: list[AssetsDefinition] = [build_load_asset(t) for t in CONTRACTS]
