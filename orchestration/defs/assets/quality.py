"""Great Expectations suites as Dagster asset checks on the marts they guard.

Each suite in `expectations/` becomes the check `gx_<suite>` on `marts/<model>`: it reads the
suite's query from the working DuckDB read-only into pandas, validates it with GX, updates the
Data Docs site and links the suite's page from the check's metadata. Blocking suites (the
default) stop everything downstream of the mart, in particular `serving_database`, so BI keeps
the last state that passed. A suite whose mart is not (yet) in the dbt project has no check.
"""


from collections.abc import Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.defs.assets.serving import ServingResource
from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.expectations import SuiteSpec, load_suites, run_suite


def mart_key(model: str, schema: str = "marts") -> AssetKey:
    """The asset a suite guards: `<schema>/<model>` (dbt marts, or e.g. `campaigns/rpt_campaign_list`)."""
    return AssetKey([schema, model])


def _check_for(spec: SuiteSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=mart_key(spec.model, spec.schema), name=f"gx_{spec.name}", blocking=spec.blocking,
        description=f"Great Expectations suite expectations/{spec.name}.yml. {spec.description}".strip(),
        pool=DUCKDB_WRITER_POOL,  # reads the working file: not while a step writes it
    )
    def _gx_check(context: AssetCheckExecutionContext, warehouse: WarehouseResource,
                  serving: ServingResource) -> AssetCheckResult:
        outcome = run_suite(spec, warehouse.database_path, serving.serving_path, serving.gx_path)
        context.log.info(outcome.summary())
        metadata: dict = {
            "rows_validated": outcome.row_count,
            "expectations_evaluated": outcome.evaluated,
            "expectations_failed": len(outcome.failed),
            "failed_expectations": MetadataValue.md("\n".join(f"- `{f}`" for f in outcome.failed) or "none"),
            "previous_published_rows": outcome.previous_row_count if outcome.previous_row_count is not None
            else MetadataValue.text("no previous publication"),
        }
        if outcome.docs_path is not None:
            metadata["data_docs"] = MetadataValue.url(outcome.docs_path.resolve().as_uri())
            metadata["data_docs_path"] = MetadataValue.path(str(outcome.docs_path.resolve()))
        return AssetCheckResult(passed=outcome.success, severity=AssetCheckSeverity.ERROR, metadata=metadata)

    return _gx_check


def build_gx_checks(available: Iterable[AssetKey], suites: list[SuiteSpec] | None = None) -> list[AssetChecksDefinition]:
    """One check per suite whose mart is among ``available`` asset keys."""
    keys = set(available)
    return [_check_for(s) for s in (load_suites() if suites is None else suites) if mart_key(s.model, s.schema) in keys]
