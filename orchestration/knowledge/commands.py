"""`touchpoint knowledge …`: validate and compile the tag library and the knowledge rules.

    touchpoint knowledge check               validate the YAML (products too, when the database has them)
    touchpoint knowledge compile [--db F]    validate, then write schema `knowledge` for dbt to evaluate

Both print every problem (file, tag or rule, field, what is wrong) and exit 2 on a bad file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from orchestration.settings import db_path

console = Console()


def _compile(args: argparse.Namespace, write: bool) -> int:
    from orchestration.knowledge.catalogue import build_catalogue
    from orchestration.knowledge.compile_knowledge import compile_knowledge
    from orchestration.knowledge.tables import write_knowledge

    database = Path(args.db)
    check_products = write or database.exists()
    catalogue = build_catalogue(database if check_products else None)
    compiled = compile_knowledge(Path(args.knowledge_dir), catalogue)
    summary = compiled.summary
    tags = summary["library_tags_by_status"]
    rules = summary["rules_by_status"]
    console.print(f"[green]Valid[/green]: {summary['library_tags']} library tags ({tags['approved']} approved, "
                  f"{tags['draft']} draft, {tags['retired']} retired) on {summary['tree_nodes']} tree nodes; "
                  f"{summary['rules']} rules ({rules['approved']} approved, {rules['draft']} draft, "
                  f"{rules['retired']} retired) yielding {summary['knowledge_tags']} knowledge tags; "
                  f"{summary['condition_rows']} condition rows.")
    if not check_products:
        console.print("[yellow]Products not checked[/yellow]: no database yet (load the landing files first).")
    if write:
        written = write_knowledge(database, compiled)
        console.print(f"Wrote schema knowledge in {database}: "
                      + ", ".join(f"{name} {rows}" for name, rows in written.items()))
    return 0


def add_knowledge_commands(sub: argparse._SubParsersAction) -> None:
    """Add the `knowledge` command group to the `touchpoint` parser."""
    from orchestration.knowledge.compile_knowledge import KNOWLEDGE_DIR

    knowledge = sub.add_parser("knowledge", help="validate and compile the tag library and knowledge rules")
    actions = knowledge.add_subparsers(dest="knowledge_command", required=True)
    for name, write, help_text in (
        ("check", False, "validate knowledge/tags and knowledge/rules without writing anything"),
        ("compile", True, "validate, then write the knowledge schema that dbt evaluates"),
    ):
        p = actions.add_parser(name, help=help_text)
        p.add_argument("--db", default=str(db_path()), help="DuckDB file (products are checked against it)")
        p.add_argument("--knowledge-dir", default=str(KNOWLEDGE_DIR), help="folder with tags/ and rules/")
        p.set_defaults(func=lambda args, write=write: _compile(args, write))
