"""Great Expectations suites (`expectations/*.yml`) run against marts read from DuckDB.

GX 1.x cannot validate DuckDB through its SQL datasource (see ENVIRONMENT.md), so each suite's
query is read into a pandas DataFrame over a *read-only* connection and validated in memory.
Only the columns the expectations name are read (`suite_query`): at 1M customers a whole wide
mart read into pandas peaked at 18 GB, while a suite looks at a handful of columns.
Row-count bounds are relative to the previous run: the table as currently published in the
serving database (the last state that passed every gate). With a ``docs_root`` the validation
runs in a GX file context whose checkpoint updates the Data Docs site; without one it runs in an
ephemeral context (fast, for tests and ad-hoc checks).

Plain functions: the Dagster asset checks (`defs/assets/quality.py`) and the CLI call these.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from orchestration.settings import PROJECT_DIR
from orchestration.warehouse import connect as connect_duckdb

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network calls from GX


@dataclass(frozen=True)
class SuiteSpec:
    """One suite file: which mart it guards, how to read it, what to expect."""

    name: str
    model: str  # the table (asset `<schema>/<model>`) the check is attached to: a dbt mart by default
    query: str
    expectations: tuple[dict[str, Any], ...]
    blocking: bool = True
    description: str = ""
    row_count_vs_previous: tuple[float, float] | None = None  # (min_ratio, max_ratio)
    compare_table: str | None = None  # serving table whose row count is "the previous run"
    schema: str = "marts"  # `campaigns` for the campaign tables written by Python
    compare_query: str | None = None  # instead of compare_table's count: a count query on the serving db


@dataclass
class ValidationOutcome:
    """The result of one suite on one DataFrame."""

    suite: str
    model: str
    success: bool
    row_count: int
    evaluated: int
    failed: list[str] = field(default_factory=list)
    docs_path: Path | None = None
    previous_row_count: int | None = None

    def summary(self) -> str:
        state = "passed" if self.success else f"FAILED {len(self.failed)} of {self.evaluated}"
        return f"{self.suite} on {self.model}: {state} ({self.row_count} rows)"


def load_suites(folder: Path = EXPECTATIONS_DIR) -> list[SuiteSpec]:
    """Every suite in ``folder`` (one YAML file each), in name order."""
    suites = []
    for path in sorted(Path(folder).glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        try:
            model = raw["model"]
            schema = raw.get("schema", "marts")
            ratio = raw.get("row_count_vs_previous")
            suites.append(SuiteSpec(
                name=raw.get("name", path.stem), model=model,
                query=raw.get("query") or f"select * from {schema}.{model}",
                expectations=tuple(raw["expectations"]), blocking=bool(raw.get("blocking", True)),
                description=raw.get("description", ""),
                row_count_vs_previous=(float(ratio["min_ratio"]), float(ratio["max_ratio"])) if ratio else None,
                compare_table=raw.get("compare_table", f"{schema}.{model}" if ratio else None),
                schema=schema, compare_query=raw.get("compare_query"),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: invalid suite ({exc!r}); needs model and expectations") from exc
    return suites


# Expectations about the table's columns themselves (their names, their count) need every column;
# so does a row_condition (a pandas query that may name any column).
_WHOLE_TABLE_TYPES = ("expect_table_column", "expect_table_columns", "expect_column_to_exist")
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)


def suite_columns(spec: SuiteSpec) -> list[str] | None:
    """The columns the suite's expectations read, in first-named order; None when they need all."""
    columns: list[str] = []
    for expectation in spec.expectations:
        kwargs = expectation.get("kwargs") or {}
        if expectation["type"].startswith(_WHOLE_TABLE_TYPES) or kwargs.get("row_condition"):
            return None
        named = [kwargs[k] for k in _COLUMN_KWARGS if k in kwargs]
        named += [c for k in _COLUMN_LIST_KWARGS for c in kwargs.get(k, ())]
        columns += [c for c in named if c not in columns]
    return columns


def suite_query(spec: SuiteSpec) -> str:
    """The suite's query reduced to the columns its expectations read (row counts need no column:
    one constant column keeps the rows)."""
    columns = suite_columns(spec)
    if columns is None:
        return spec.query
    projection = ", ".join('"' + c.replace('"', '""') + '"' for c in columns) or "true as suite_row"
    return f"select {projection}\nfrom (\n{spec.query.strip().rstrip(';')}\n) as suite_rows"


def read_frame(db: Path, query: str) -> pd.DataFrame:
    """The query's result from the DuckDB file, read-only (never takes the writer lock)."""
    with connect_duckdb(str(db), read_only=True) as con:
        return con.execute(query).df()


def previous_row_count(serving_db: Path | None, table: str | None, count_query: str | None = None) -> int | None:
    """Rows of ``table`` in the serving database (the last published run); None if absent.

    With ``count_query`` (a query returning one count, e.g. the newest run's rows of a table that
    keeps every run) that count instead, when ``table`` exists there.
    """
    if serving_db is None or table is None or not Path(serving_db).exists():
        return None
    schema, name = table.split(".")
    with connect_duckdb(str(serving_db), read_only=True) as con:
        found = con.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, name]).fetchone()[0]
        if not found:
            return None
        return con.execute(count_query or f'select count(*) from "{schema}"."{name}"').fetchone()[0]


def _expectation_objects(spec: SuiteSpec, previous_rows: int | None) -> list:
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    configs = [ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {}), meta=e.get("meta"))
               for e in spec.expectations]
    if spec.row_count_vs_previous and previous_rows:
        low, high = spec.row_count_vs_previous
        configs.append(ExpectationConfiguration(
            type="expect_table_row_count_to_be_between",
            kwargs={"min_value": int(previous_rows * low), "max_value": int(previous_rows * high) + 1},
            meta={"notes": f"relative to the previous published run ({previous_rows} rows)"}))
    return [c.to_domain_obj() for c in configs]


def _describe(result: Any) -> str:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    observed = (result.result or {}).get("observed_value")
    unexpected = (result.result or {}).get("unexpected_count")
    detail = f" observed={observed!r}" if observed is not None else ""
    detail += f" unexpected={unexpected}" if unexpected else ""
    return f"{config.type}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}){detail}"


def _newest_docs_page(docs_site: Path, suite: str) -> Path | None:
    pages = sorted((docs_site / "validations" / suite).rglob("*.html"), key=lambda p: p.stat().st_mtime)
    return pages[-1] if pages else (docs_site / "index.html" if (docs_site / "index.html").exists() else None)


def docs_site_dir(docs_root: Path) -> Path:
    return Path(docs_root) / "gx" / "uncommitted" / "data_docs" / "local_site"


def validate_frame(spec: SuiteSpec, frame: pd.DataFrame, previous_rows: int | None = None,
                   docs_root: Path | None = None) -> ValidationOutcome:
    """Validate ``frame`` against the suite; with ``docs_root`` also update the Data Docs site."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if docs_root is not None:
        Path(docs_root).mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
    else:
        context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_or_update_pandas("touchpoint_marts")
    asset = next((a for a in source.assets if a.name == spec.name), None) or source.add_dataframe_asset(spec.name)
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) \
        or asset.add_batch_definition_whole_dataframe("whole")
    suite = context.suites.add_or_update(gx.ExpectationSuite(
        name=spec.name, expectations=_expectation_objects(spec, previous_rows),
        meta={"model": spec.model, "description": spec.description}))
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=spec.name, data=batch, suite=suite))
    if docs_root is not None:
        checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
            name=spec.name, validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "SUMMARY"}))
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        [result] = list(run.run_results.values())
    else:
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
    failed = [_describe(r) for r in result.results if not r.success]
    return ValidationOutcome(
        suite=spec.name, model=spec.model, success=bool(result.success), row_count=len(frame),
        evaluated=len(result.results), failed=failed, previous_row_count=previous_rows,
        docs_path=_newest_docs_page(docs_site_dir(docs_root), spec.name) if docs_root else None)


def run_suite(spec: SuiteSpec, db: Path, serving_db: Path | None = None,
              docs_root: Path | None = None) -> ValidationOutcome:
    """Read the suite's query from ``db`` (read-only; the columns it needs) and validate it."""
    frame = read_frame(db, suite_query(spec))
    return validate_frame(spec, frame, previous_row_count(serving_db, spec.compare_table, spec.compare_query),
                          docs_root)


def existing_suites(db: Path, suites: list[SuiteSpec] | None = None) -> list[SuiteSpec]:
    """The suites whose model exists as a relation in ``db`` (marts built by others may be absent)."""
    suites = load_suites() if suites is None else suites
    with connect_duckdb(str(db), read_only=True) as con:
        present = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
    return [s for s in suites if (s.schema, s.model) in present]


def run_all(db: Path, serving_db: Path | None = None, docs_root: Path | None = None,
            suites: list[SuiteSpec] | None = None) -> list[ValidationOutcome]:
    """Every suite whose mart exists, validated; used by `touchpoint publish` before publishing."""
    return [run_suite(s, db, serving_db, docs_root) for s in existing_suites(db, suites)]
