"""The dbt `sources:` YAML stays in step with the landing contracts (orchestration/landing/contracts.py).

Every contract table is declared once, under its source system, with identifier ``<source>__<table>``
in schema ``raw``, a freshness policy, and exactly the contract's columns (same order and DuckDB
type) followed by the loader's lineage columns; every column is described.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration.landing.contracts import CONTRACTS, SourceTable
from orchestration.settings import PROJECT_DIR

LINEAGE = [("_partition", "varchar"), ("_source_file", "varchar"), ("_source_row", "bigint"),
           ("_loaded_at", "timestamp")]


def _declared_tables() -> dict[str, tuple[dict, dict, Path]]:
    tables: dict[str, tuple[dict, dict, Path]] = {}
    for path in sorted((PROJECT_DIR / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            if source.get("schema") != "raw":
                continue  # not a landing source (e.g. schema knowledge, compiled from knowledge/*.yml)
            for table in source["tables"]:
                tables[f"{source['name']}__{table['name']}"] = (source, table, path)
    return tables


DECLARED = _declared_tables()


def test_every_contract_is_a_source_and_nothing_else() -> None:
    assert sorted(DECLARED) == sorted(t.name for t in CONTRACTS)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda t: t.name)
def test_source_table_matches_contract(contract: SourceTable) -> None:
    source, table, path = DECLARED[contract.name]
    assert path.parent.name == contract.source, f"{contract.name} declared in {path}"
    assert source["schema"] == "raw"
    assert table.get("identifier") == contract.name
    assert table.get("description")
    assert table.get("config", {}).get("freshness", {}).get("error_after"), f"{contract.name}: no freshness"
    assert source.get("config", {}).get("loaded_at_field") == "_loaded_at"
    declared = [(c["name"], c.get("data_type")) for c in table["columns"]]
    expected = [(c.name, c.type.lower()) for c in contract.columns] + LINEAGE
    assert declared == expected
    assert all(c.get("description") for c in table["columns"]), f"{contract.name}: undocumented column"
