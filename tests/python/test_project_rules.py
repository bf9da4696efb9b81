"""dbt-project-evaluator's rules, applied to the parsed manifest (the package cannot be installed
here: no dbt hub). Exceptions live in tests/project_rules_exceptions.yml, each with a reason.

The manifest is built with `dbt parse --target lint` (in-memory DuckDB) into a temporary target
path, so the test never touches the working database or target/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orchestration.settings import PROJECT_DIR

EXCEPTIONS_FILE = PROJECT_DIR / "tests" / "project_rules_exceptions.yml"
LAYER_PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",),
                  "marts": ("dim_", "fct_", "rpt_", "mart_", "bridge_", "agg_")}
# "No model with 7+ joins". dbt-project-evaluator counts direct parents, which flags a union of
# seven touchpoint streams or a KPI model reading many marts without joining them; we count the
# joins of each select (comments stripped) — one query joining seven relations is what the rule
# is about; a model of several CTEs each joining a few is the house style.
MAX_JOINS = 6
JOIN = re.compile(r"\bjoin\b", re.I)
SELECT = re.compile(r"\bselect\b", re.I)
HARD_CODED = re.compile(r"\b(from|join)\s+(raw|staging|intermediate|marts|reference|snapshots)\.", re.I)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("dbt_target")
    dbt = str(Path(sys.executable).with_name("dbt"))
    proc = subprocess.run([dbt, "parse", "--target", "lint", "--target-path", str(target), "--quiet"],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def exceptions() -> dict[str, dict[str, str]]:
    """{rule: {node name: reason}}; every exception must give a reason."""
    data = yaml.safe_load(EXCEPTIONS_FILE.read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, str]] = {}
    for item in data.get("exceptions", []):
        assert item.get("reason", "").strip(), f"exception without a reason: {item}"
        out.setdefault(item["rule"], {})[item["name"]] = item["reason"]
    return out


def models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["package_name"] == manifest["metadata"]["project_name"]]


def layer(node: dict) -> str | None:
    return node["fqn"][1] if len(node["fqn"]) > 2 and node["fqn"][1] in LAYER_PREFIXES else None


def check(rule: str, violations: dict[str, str]) -> None:
    allowed = exceptions().get(rule, {})
    stale = sorted(set(allowed) - set(violations))
    remaining = {k: v for k, v in violations.items() if k not in allowed}
    assert not remaining, f"{rule}: " + "; ".join(f"{k}: {v}" for k, v in sorted(remaining.items()))
    assert not stale, f"{rule}: exceptions no longer needed (remove them): {stale}"


def test_names_carry_the_layer_prefix_and_sit_in_its_folder(manifest: dict) -> None:
    bad = {}
    for node in models(manifest):
        folder, name = layer(node), node["name"]
        expected = next((lay for lay, prefixes in LAYER_PREFIXES.items() if name.startswith(prefixes)), None)
        if folder is None or expected != folder:
            bad[name] = f"in {node['original_file_path']}, prefix says {expected or 'no layer'}"
    check("naming_and_folders", bad)


def test_staging_reads_exactly_one_source_and_nothing_else(manifest: dict) -> None:
    bad = {}
    for node in models(manifest):
        if layer(node) != "staging":
            continue
        parents = node["depends_on"]["nodes"]
        sources = [p for p in parents if p.startswith("source.")]
        others = [p for p in parents if not p.startswith(("source.", "seed."))]
        if len(sources) != 1 or others:
            bad[node["name"]] = f"sources {sources}, other parents {others}"
    check("staging_reads_one_source_only", bad)


def test_intermediate_and_marts_never_read_a_source(manifest: dict) -> None:
    bad = {n["name"]: str([p for p in n["depends_on"]["nodes"] if p.startswith("source.")])
           for n in models(manifest) if layer(n) in ("intermediate", "marts")
           and any(p.startswith("source.") for p in n["depends_on"]["nodes"])}
    check("marts_and_intermediate_read_no_source", bad)


def test_no_hard_coded_table_names(manifest: dict) -> None:
    bad = {n["name"]: HARD_CODED.search(_sql(n)).group(0) for n in models(manifest) if HARD_CODED.search(_sql(n))}
    check("no_hard_coded_references", bad)


def _sql(node: dict) -> str:
    return re.sub(r"--[^\n]*|\{#.*?#\}", "", node["raw_code"], flags=re.S)


def max_joins_in_one_select(sql: str) -> int:
    return max((len(JOIN.findall(part)) for part in SELECT.split(sql)), default=0)


def test_no_select_has_seven_or_more_joins(manifest: dict) -> None:
    bad = {n["name"]: f"{max_joins_in_one_select(_sql(n))} joins in one select" for n in models(manifest)
           if max_joins_in_one_select(_sql(n)) > MAX_JOINS}
    check("too_many_joins", bad)


def _tests_by_model(manifest: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        name = node["test_metadata"]["name"]
        column = node.get("column_name") or ""
        for parent in node["depends_on"]["nodes"]:
            found.setdefault(parent, set()).add(f"{name}:{column}")
    return found


def _key_columns(have: set[str]) -> set[str]:
    """Columns tested both unique and not null."""
    return {t.split(":")[1] for t in have if t.startswith("unique:")} & \
        {t.split(":")[1] for t in have if t.startswith("not_null:")}


def _grain_kept_from_parent(manifest: dict, tests: dict[str, set[str]]) -> set[str]:
    """Models with a `one_row_per_row_of` test on a column that is not null in them and the tested
    unique, not-null key of the parent they are compared with."""
    kept = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or (node.get("test_metadata") or {}).get("name") != "one_row_per_row_of":
            continue
        model = node.get("attached_node")
        column = node.get("column_name") or ""
        parents = [p for p in node["depends_on"]["nodes"] if p != model]
        if (model and f"not_null:{column}" in tests.get(model, set())
                and any(column in _key_columns(tests.get(p, set())) for p in parents)):
            kept.add(model)
    return kept


def test_every_model_has_its_grain_tested(manifest: dict) -> None:
    tests = _tests_by_model(manifest)
    kept = _grain_kept_from_parent(manifest, tests)
    bad = {}
    for node in models(manifest):
        if node["config"].get("materialized") == "ephemeral":
            continue
        have = tests.get(node["unique_id"], set())
        combo = any(t.startswith(("unique_combination_of_columns:", "exactly_one_current_row:")) for t in have)
        if not (_key_columns(have) or combo or node["unique_id"] in kept):
            bad[node["name"]] = ("no unique + not_null column, no unique_combination_of_columns test and no "
                                 "one_row_per_row_of a parent's unique, not-null key")
    check("grain_tested", bad)


def test_every_model_and_column_is_documented(manifest: dict) -> None:
    bad = {}
    for node in models(manifest):
        undocumented = [c for c, meta in node["columns"].items() if not (meta.get("description") or "").strip()]
        if not node["description"].strip():
            bad[node["name"]] = "model has no description"
        elif not node["columns"]:
            bad[node["name"]] = "no columns documented"
        elif undocumented:
            bad[node["name"]] = f"undocumented columns {undocumented}"
    check("documentation_coverage", bad)


def test_every_source_has_freshness(manifest: dict) -> None:
    bad = {}
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        has = any(freshness.get(k) for k in ("warn_after", "error_after")) and \
            any((freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after"))
        if not (has and source.get("loaded_at_field")):
            bad[f"{source['source_name']}.{source['name']}"] = "no freshness (warn/error_after and loaded_at_field)"
    check("source_freshness", bad)


def test_exceptions_file_is_well_formed() -> None:
    rules = {"naming_and_folders", "staging_reads_one_source_only", "marts_and_intermediate_read_no_source",
             "no_hard_coded_references", "too_many_joins", "grain_tested", "documentation_coverage",
             "source_freshness"}
    assert set(exceptions()) <= rules


def test_a_grain_kept_from_a_parent_counts_only_when_the_parent_key_is_tested() -> None:
    def test_node(name: str, model: str, column: str, parents: list[str]) -> dict:
        return {"resource_type": "test", "test_metadata": {"name": name}, "attached_node": model,
                "column_name": column, "depends_on": {"nodes": parents}}

    nodes = {
        "t1": test_node("one_row_per_row_of", "model.p.view", "call_id", ["model.p.view", "model.p.calls"]),
        "t2": test_node("not_null", "model.p.view", "call_id", ["model.p.view"]),
        "t3": test_node("unique", "model.p.calls", "call_id", ["model.p.calls"]),
        "t4": test_node("not_null", "model.p.calls", "call_id", ["model.p.calls"]),
    }
    manifest = {"nodes": nodes}
    assert _grain_kept_from_parent(manifest, _tests_by_model(manifest)) == {"model.p.view"}
    del nodes["t3"]  # the parent's key is not tested unique
    assert _grain_kept_from_parent(manifest, _tests_by_model(manifest)) == set()
