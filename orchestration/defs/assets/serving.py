"""The serving database: the audited BI-facing marts, published atomically for BI tools.

`serving_database` depends on every mart of the dbt assets (core, mining, operations, whatever
exists) and on the campaign lists and evaluation, so it runs only after dbt built them and their tests passed, and — because the Great
Expectations checks on the marts are blocking — only when the data steward's suites passed too.
It then calls `orchestration.publish.serving.publish`, which refuses (leaving the served file as
it was) if any column of the candidate holds raw personal data.
"""


from collections.abc import Iterable
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    ConfigurableResource,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.publish.serving import SERVED_TABLES, publish
from orchestration.settings import gx_dir, serving_db_path

SERVING_GROUP = "serving"


class ServingResource(ConfigurableResource):
    """Where BI's serving DuckDB file and the Great Expectations project (Data Docs) are."""

    serving_database: str
    gx_root: str

    @property
    def serving_path(self) -> Path:
        return Path(self.serving_database)

    @property
    def gx_path(self) -> Path:
        return Path(self.gx_root)


def serving_resource() -> ServingResource:
    return ServingResource(serving_database=str(serving_db_path()), gx_root=str(gx_dir()))


def mart_keys(assets_defs: Iterable[AssetsDefinition]) -> list[AssetKey]:
    """Every asset key of a served table produced by ``assets_defs``: the `marts` schema (snapshots
    excluded) and the BI-facing campaign tables (`campaigns/rpt_campaign_list`, `…/campaign_evaluation`),
    so the publish runs after them and their blocking checks."""
    def served(key: AssetKey) -> bool:
        if key.path[0] not in SERVED_TABLES:
            return False
        tables = SERVED_TABLES[key.path[0]]
        return tables is None or key.path[-1] in tables

    return sorted({k for a in assets_defs for k in a.keys if served(k)}, key=lambda k: k.path)


def build_serving_asset(assets_defs: Iterable[AssetsDefinition]) -> AssetsDefinition:
    deps = mart_keys(assets_defs)

    @asset(
        key=AssetKey(["serving", "serving_database"]), group_name=SERVING_GROUP, deps=deps,
        pool=DUCKDB_WRITER_POOL,  # reads the working file, which a writer would lock
        description="The BI-facing marts and campaign tables (no raw tables, no unmasked personal data) copied into the "
        "serving DuckDB file (TOUCHPOINT_SERVING_DB) by an atomic swap, after dbt tests and the "
        "Great Expectations checks passed. BI connects to it read-only.",
        kinds={"duckdb"},
    )
    def serving_database(context: AssetExecutionContext, warehouse: WarehouseResource,
                         serving: ServingResource) -> MaterializeResult:
        result = publish(warehouse.database_path, serving.serving_path)
        context.log.info(f"published {len(result.tables)} tables ({result.total_rows:,} rows) "
                         f"to {result.serving_db}")
        table_md = "\n".join(["| table | rows |", "|---|---:|",
                              *(f"| {t} | {n:,} |" for t, n in result.tables.items())])
        return MaterializeResult(metadata={
            "serving_database": MetadataValue.path(str(result.serving_db)),
            "tables_published": len(result.tables),
            "rows_published": result.total_rows,
            "tables": MetadataValue.md(table_md),
            "connect_read_only": MetadataValue.text(
                f"duckdb.connect('{result.serving_db}', read_only=True)"),
        })

    return serving_database
