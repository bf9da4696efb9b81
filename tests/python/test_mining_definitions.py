"""The mining assets in the Dagster graph: after the marts they read, before the dbt models on their
results, in the DuckDB writer pool, with their checks; and the `touchpoint mine` commands."""

from __future__ import annotations

import pytest
from dagster import AssetKey

from orchestration.mining.tables import contracts


@pytest.fixture(scope="module")
def graph():
    from orchestration.defs.project import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def test_every_mining_table_is_a_materializable_asset_in_group_mining(graph) -> None:
    for table in contracts():
        node = graph.get(AssetKey(["mining", table]))
        assert node.is_materializable and node.group_name == "mining", table
        assert node.parent_keys, f"mining.{table} depends on no mart"
        for parent in node.parent_keys:
            assert graph.get(parent).is_materializable, f"{table} reads {parent.to_user_string()}, which no asset makes"


def test_dbt_models_on_mining_run_after_it(graph) -> None:
    for table in contracts():
        children = graph.get(AssetKey(["mining", table])).child_keys
        assert any(c.path[0] == "staging" and c.path[-1].startswith("stg_mining__") for c in children), table
    churn_mart = graph.get(AssetKey(["marts", "mart_churn_risk"]))
    assert AssetKey(["staging", "stg_mining__churn_scores"]) in churn_mart.parent_keys
    # the mining marts are built by the second dbt asset, the star schema by the first
    first = graph.get(AssetKey(["marts", "dim_customer"])).assets_def
    second = graph.get(AssetKey(["marts", "mart_churn_risk"])).assets_def
    assert first is not second
    assert AssetKey(["marts", "mart_next_best_offers"]) in second.keys
    assert not any(k.path[-1].startswith("stg_mining__") for k in first.keys)


def test_mining_assets_write_in_the_duckdb_pool_and_carry_checks(graph) -> None:
    from orchestration.defs.assets.mining import mining_assets
    from orchestration.defs.pools import DUCKDB_WRITER_POOL

    for assets_def in mining_assets:
        assert assets_def.op.pool == DUCKDB_WRITER_POOL
    checks = {(c.asset_key.path[-1], c.name) for c in graph.asset_check_keys if c.asset_key.path[0] == "mining"}
    assert {("churn_scores", "roc_auc_above_floor"), ("association_rules", "rules_found"),
            ("recommendations", "beats_popularity"), ("best_fit_tariff", "rerating_matches_bills")} <= checks


def test_mine_commands_are_registered() -> None:
    from orchestration.cli import build_parser

    parser = build_parser()
    for argv in (["mine", "rules", "--baskets", "b.txt", "--min-support", "0.1", "--min-confidence", "0.5"],
                 ["mine", "churn", "--input", "t.csv", "--target", "churned", "--id", "customer_id", "--cv", "3"],
                 ["mine", "all", "--step", "churn"]):
        args = parser.parse_args(argv)
        assert callable(args.func)
