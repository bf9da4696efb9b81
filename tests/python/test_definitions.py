"""The Dagster code location loads and its graph runs landing → raw → staging → marts."""

from __future__ import annotations

import pytest
from dagster import AssetKey


@pytest.fixture(scope="module")
def defs():
    from orchestration.defs.project import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import defs as definitions

    return definitions


def test_definitions_load_with_jobs_and_schedule(defs) -> None:
    assert defs.resolve_job_def("full_pipeline") is not None
    assert defs.resolve_job_def("load_raw") is not None
    assert defs.resolve_schedule_def("nightly_full_pipeline").cron_schedule == "30 2 * * *"


def test_every_contract_has_a_load_asset_feeding_dbt(defs) -> None:
    from orchestration.landing.contracts import CONTRACTS

    graph = defs.resolve_asset_graph()
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    for contract in CONTRACTS:
        key = AssetKey(["raw", contract.name])
        assert key in materializable, f"no load asset for {contract.name}"
        children = graph.get(key).child_keys
        assert children, f"raw.{contract.name} feeds no dbt model: is its source declared?"
    # Every dbt source resolves to a load asset, so no source dangles as an external asset.
    external = {k for k in graph.get_all_asset_keys() if not graph.get(k).is_materializable}
    assert not external, f"dbt sources with no load asset: {sorted(k.to_user_string() for k in external)}"


def test_groups_follow_the_layers(defs) -> None:
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"raw", "reference", "staging", "marts"} <= groups
    assert graph.get(AssetKey(["marts", "dim_customer"])).group_name == "marts"
    assert graph.get(AssetKey(["staging", "stg_crm__customers"])).group_name == "staging"


def test_dbt_tests_surface_as_asset_checks(defs) -> None:
    graph = defs.resolve_asset_graph()
    checks = graph.asset_check_keys
    assert any(c.asset_key == AssetKey(["marts", "dim_customer"]) for c in checks)
    assert any(c.asset_key == AssetKey(["raw", "crm__customers"]) and c.name == "rows_reconcile" for c in checks)
