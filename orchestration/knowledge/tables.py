"""The tables of schema ``knowledge``: their Arrow schemas (the contract dbt's ``knowledge``
source declares, checked by tests/python/test_knowledge_compiler.py), and writing and counting
them in DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from orchestration.warehouse import connect as connect_duckdb

TABLES = ("tag_tree", "tag_definitions", "tag_conditions", "rule_definitions", "rule_conditions", "rule_products")

_CONDITION_SCHEMA = [
    ("clause_no", pa.int32()), ("condition_no", pa.int32()), ("clause_size", pa.int32()),
    ("feature_name", pa.string()), ("operator", pa.string()), ("value_kind", pa.string()),
    ("value_number", pa.float64()), ("value_number_high", pa.float64()), ("value_text", pa.string()),
    ("value_list", pa.string()), ("threshold_text", pa.string()), ("condition_text", pa.string()),
]
SCHEMAS: dict[str, pa.Schema] = {
    "tag_tree": pa.schema([
        ("node_id", pa.string()), ("parent_node_id", pa.string()), ("category_path", pa.string()),
        ("node_level", pa.int32()), ("node_name_zh", pa.string()), ("node_name_en", pa.string()),
        ("node_description", pa.string())]),
    "tag_definitions": pa.schema([
        ("tag_id", pa.string()), ("tag_name_zh", pa.string()), ("tag_name_en", pa.string()),
        ("category_path", pa.string()), ("tag_kind", pa.string()), ("value_type", pa.string()),
        ("value_feature", pa.string()), ("rule_text", pa.string()), ("owner", pa.string()),
        ("description", pa.string()), ("refresh_cadence", pa.string()), ("tag_status", pa.string()),
        ("tag_source", pa.string()), ("source_rule_ids", pa.string()), ("source_file", pa.string()),
        ("expected_coverage_min", pa.float64()), ("expected_coverage_max", pa.float64())]),
    "tag_conditions": pa.schema([("tag_id", pa.string()), *_CONDITION_SCHEMA]),
    "rule_definitions": pa.schema([
        ("rule_id", pa.string()), ("rule_name", pa.string()), ("description", pa.string()),
        ("knowledge_tag", pa.string()), ("suggested_channel", pa.string()), ("script_hint", pa.string()),
        ("owner", pa.string()), ("rule_status", pa.string()), ("refresh_cadence", pa.string()),
        ("rule_text", pa.string()), ("source_file", pa.string())]),
    "rule_conditions": pa.schema([("rule_id", pa.string()), *_CONDITION_SCHEMA]),
    "rule_products": pa.schema([("rule_id", pa.string()), ("product_rank", pa.int32()), ("product_id", pa.string())]),
}


@dataclass
class CompiledKnowledge:
    """The compiled tables (each with a compiled_at column) and what went into them."""

    tables: dict[str, pa.Table]
    compiled_at: datetime
    summary: dict[str, Any] = field(default_factory=dict)


def write_knowledge(database: Path, compiled: CompiledKnowledge) -> dict[str, int]:
    """Replace the knowledge tables in ``database`` in one transaction; rows written per table."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with connect_duckdb(database) as con:
        con.execute("begin transaction")
        con.execute("create schema if not exists knowledge")
        for name in TABLES:
            con.register("_incoming", compiled.tables[name])
            con.execute(f"create or replace table knowledge.{name} as select * from _incoming")
            con.unregister("_incoming")
        con.execute("commit")
    return {name: compiled.tables[name].num_rows for name in TABLES}


def read_counts(database: Path) -> dict[str, int]:
    """Rows per knowledge table as stored (for the asset check against what was written)."""
    with connect_duckdb(database, read_only=True) as con:
        return {name: con.execute(f"select count(*) from knowledge.{name}").fetchone()[0] for name in TABLES}
