"""`touchpoint publish` and `touchpoint docs`: audited publish to the serving file, dbt docs."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from orchestration.settings import db_path, gx_dir, serving_db_path

console = Console()


def _cmd_publish(args: argparse.Namespace) -> int:
    from orchestration.publish.audit import audit_and_publish
    from orchestration.publish.serving import PublishRefused

    try:
        outcomes, result = audit_and_publish(Path(args.db), Path(args.serving), Path(args.gx_dir))
    except PublishRefused as exc:
        console.print(f"[red]{exc}[/red]\nThe serving database was left as it was.")
        return 1
    for outcome in outcomes:
        console.print(f"[green]✓[/green] {outcome.summary()}")
    console.print(f"[green]Published[/green] {len(result.tables)} tables ({result.total_rows:,} rows) to "
                  f"{result.serving_db}\nBI connects read-only: duckdb.connect('{result.serving_db}', "
                  "read_only=True)")
    return 0


def generate_dbt_docs(target_path: Path | None = None) -> Path:
    """`dbt docs generate` (needs the built working database); returns the docs' index.html."""
    from orchestration.defs.project import dbt_cli, touchpoint_project

    target = Path(target_path or touchpoint_project.target_path)
    dbt_cli().cli(["docs", "generate"], target_path=target).wait()
    return target / "index.html"


def _cmd_docs(args: argparse.Namespace) -> int:
    index = generate_dbt_docs()
    console.print(f"dbt docs: {index} (serve with `dbt docs serve --target-path {index.parent}`)")
    return 0


def add_publish_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="run the Great Expectations suites, then publish the marts to "
                       "the serving database (atomic swap)")
    p.add_argument("--db", default=str(db_path()))
    p.add_argument("--serving", default=str(serving_db_path()), help="serving DuckDB file (TOUCHPOINT_SERVING_DB)")
    p.add_argument("--gx-dir", default=str(gx_dir()), help="Great Expectations project for Data Docs")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("docs", help="dbt docs generate (catalog of the built warehouse)")
    p.set_defaults(func=_cmd_docs)
