"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and the snapshot.

dbt tests become asset checks (source tests too). dbt sources map onto the load assets'
keys (`raw/<source>__<table>`), so the graph runs landing → raw → staging → marts. The models
built on the mining results (`source:mining+`) are a second dbt asset: their sources map onto the
mining assets' keys (`mining/<table>`), so they run after mining, which runs after the marts.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.project import touchpoint_project

MINING_SOURCE = "mining"
MINING_SELECTION = f"source:{MINING_SOURCE}+"
_LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


class TouchpointDbtTranslator(DagsterDbtTranslator):
    """Asset keys and groups that follow the project's layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props.get("source_name") == MINING_SOURCE:
                return AssetKey(["mining", dbt_resource_props["name"]])  # written by the mining assets
            if dbt_resource_props.get("source_name") == "knowledge":
                return AssetKey(["knowledge", dbt_resource_props["name"]])  # compiled by the knowledge assets
            # The relation identifier is the raw table's name, `<source>__<table>`.
            identifier = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return AssetKey(["raw", identifier])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return "reference"
        if resource_type == "snapshot":
            return "marts"
        fqn = dbt_resource_props.get("fqn", [])
        for part in fqn[1:-1]:
            if part in _LAYER_GROUPS:
                return _LAYER_GROUPS[part]
        return super().get_group_name(dbt_resource_props)


translator = TouchpointDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


@dbt_assets(
    manifest=touchpoint_project.manifest_path,
    project=touchpoint_project,
    dagster_dbt_translator=translator,
    exclude=MINING_SELECTION,
    pool=DUCKDB_WRITER_POOL,
)
def touchpoint_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the selected models, seeds, snapshot and tests."""
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=touchpoint_project.manifest_path,
    project=touchpoint_project,
    dagster_dbt_translator=translator,
    select=MINING_SELECTION,
    name="touchpoint_dbt_mining_assets",
    pool=DUCKDB_WRITER_POOL,
)
def touchpoint_dbt_mining_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the staging views and marts on the mining results, with their tests."""
    yield from dbt.cli(["build"], context=context).stream()
