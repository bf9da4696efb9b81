"""Knowledge assets: the tag library and behaviour → knowledge → product rules (``knowledge/``)
compiled into the DuckDB schema ``knowledge``, upstream of dbt.

One multi-asset, keys ``knowledge/<table>``, the keys dbt's ``knowledge`` source maps onto, so
the graph runs raw catalogue → knowledge → dbt (tags, rules, unified view). It is a thin wrapper
around :func:`orchestration.knowledge.compile_knowledge.compile_knowledge` and
:func:`orchestration.knowledge.tables.write_knowledge`
— the same calls as ``touchpoint knowledge compile``. A bad YAML file fails the step with every
problem listed (file, tag or rule, field, what is wrong); nothing is written then.
"""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.knowledge.catalogue import build_catalogue
from orchestration.knowledge.compile_knowledge import KNOWLEDGE_DIR, compile_knowledge
from orchestration.knowledge.tables import TABLES, read_counts, write_knowledge

KNOWLEDGE_GROUP = "knowledge"
PRODUCTS_KEY = AssetKey(["raw", "catalog__products"])  # rules are checked against the loaded catalogue
_DESCRIPTIONS = {
    "tag_tree": "The tag tree (knowledge/tags/_tree.yml), one row per node.",
    "tag_definitions": "Library tags (knowledge/tags/*.yml) and the knowledge tags rules yield, one row per tag.",
    "tag_conditions": "Library tags' conditions in disjunctive normal form, one row per leaf.",
    "rule_definitions": "Behaviour → knowledge → product rules (knowledge/rules/*.yml), one row per rule.",
    "rule_conditions": "Rules' conditions in disjunctive normal form, one row per leaf.",
    "rule_products": "Products each rule recommends, in order.",
}


def knowledge_key(table: str) -> AssetKey:
    return AssetKey(["knowledge", table])


@multi_asset(
    name="knowledge_tables",
    specs=[
        AssetSpec(knowledge_key(table), group_name=KNOWLEDGE_GROUP, deps=[PRODUCTS_KEY], kinds={"duckdb", "yaml"},
                  description=f"{_DESCRIPTIONS[table]} Compiled from `knowledge/` and validated against the "
                              "feature catalogue, the product catalogue and the channels seed.")
        for table in TABLES
    ],
    check_specs=[
        AssetCheckSpec("stored_rows_match_compiled", asset=knowledge_key("tag_definitions"),
                       description="Every knowledge table holds exactly the rows the compiler wrote."),
    ],
    pool=DUCKDB_WRITER_POOL,
)
def knowledge_tables(context: AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[Any]:
    """Validate and compile knowledge/tags and knowledge/rules, then replace schema `knowledge`."""
    catalogue = build_catalogue(warehouse.database_path)
    compiled = compile_knowledge(KNOWLEDGE_DIR, catalogue)
    written = write_knowledge(warehouse.database_path, compiled)
    stored = read_counts(warehouse.database_path)
    summary = compiled.summary
    context.log.info(f"knowledge compiled: {summary}")
    for table in TABLES:
        metadata: dict[str, Any] = {"rows": MetadataValue.int(written[table])}
        if table == "tag_definitions":
            metadata.update({
                "library_tags_by_status": MetadataValue.json(summary["library_tags_by_status"]),
                "knowledge_tags": MetadataValue.int(summary["knowledge_tags"]),
                "catalogue": MetadataValue.json(summary["catalogue"]),
            })
        if table == "rule_definitions":
            metadata["rules_by_status"] = MetadataValue.json(summary["rules_by_status"])
        yield MaterializeResult(asset_key=knowledge_key(table), metadata=metadata)
    mismatches = {t: {"written": written[t], "stored": stored[t]} for t in TABLES if written[t] != stored[t]}
    yield AssetCheckResult(check_name="stored_rows_match_compiled", asset_key=knowledge_key("tag_definitions"),
                           passed=not mismatches, metadata={"mismatches": MetadataValue.json(mismatches)})


knowledge_assets = [knowledge_tables]
