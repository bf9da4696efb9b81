"""`touchpoint` command line: generate sample data, load, run the pipeline, summarise, open the UI.

Every subcommand calls the same plain functions the Dagster assets call, so anything the
pipeline does can be run (and debugged) without Dagster.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from orchestration.campaigns.commands import add_campaign_parser
from orchestration.knowledge.commands import add_knowledge_commands
from orchestration.mining.cli import add_mining_commands
from orchestration.operations.cli import add_operations_commands
from orchestration.publish.cli import add_publish_commands, generate_dbt_docs
from orchestration.settings import PROJECT_DIR, db_path, landing_dir

console = Console()


def _cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.generator import GeneratorConfig, generate

    config = GeneratorConfig(
        customers=args.customers, months=args.months, seed=args.seed, out=Path(args.out),
        start_month=args.start_month, bad_row_share=args.bad_rows,
    )
    result = generate(config, progress=not args.quiet)
    console.print(f"[green]Generated[/green] {result.total_rows:,} rows in "
                  f"{len(result.files)} files under {result.out} ({result.elapsed_seconds:.1f} s)")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    from orchestration.landing.load_landing import load_all
    from orchestration.reporting import print_load_reports

    reports = load_all(Path(args.db), Path(args.landing), force=args.force)
    print_load_reports(console, reports)
    return 1 if any(r.refused for r in reports) and args.strict else 0


def _cmd_export_raw(args: argparse.Namespace) -> int:
    from orchestration.landing.export_parquet import export_parquet

    tables = export_parquet(Path(args.db), Path(args.out))
    for t in tables:
        console.print(f"{t.schema}.{t.table}: {t.rows:,} rows -> {t.path}")
    console.print(f"[green]Exported[/green] {len(tables)} tables as Parquet under {Path(args.out).resolve()}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from orchestration.pipeline import run_pipeline

    ok = run_pipeline(job_name=args.job)
    return 0 if ok else 1


def _cmd_summary(args: argparse.Namespace) -> int:
    from orchestration.reporting import print_summary

    print_summary(console, Path(args.db))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.generator import GeneratorConfig, generate
    from orchestration.pipeline import run_pipeline
    from orchestration.reporting import print_demo_epilogue, print_summary

    started = time.perf_counter()
    landing = landing_dir()
    config = GeneratorConfig(customers=args.customers, months=args.months, seed=args.seed, out=landing,
                             start_month=args.start_month, bad_row_share=args.bad_rows)
    console.rule("[bold]1/3 Generate the sample operator")
    result = generate(config, progress=True)
    console.print(f"{result.total_rows:,} rows in {len(result.files)} files under {landing}")
    console.rule("[bold]2/3 Run the full pipeline through Dagster")
    if not run_pipeline(job_name="full_pipeline"):
        console.print("[red]The pipeline run failed: open the Dagster UI (make ui) to see which step.[/red]")
        return 1
    console.rule("[bold]3/3 What it produced")
    console.print(f"dbt docs: {generate_dbt_docs()}")
    print_summary(console, db_path())
    print_demo_epilogue(console, elapsed_seconds=time.perf_counter() - started)
    return 0


def _cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.pipeline import ensure_dagster_home

    from orchestration.defs.project import prepare_manifest

    ensure_dagster_home()
    prepare_manifest()
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster), "dev", "-m", "orchestration.definitions", "-h", args.host, "-p", str(args.port)]
    os.chdir(PROJECT_DIR)
    # DbtProject.prepare_if_dev() under `dagster dev` runs `dbt` from PATH: make it the venv's.
    os.environ["PATH"] = f"{dagster.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.execv(cmd[0], cmd)
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="touchpoint", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def generator_options(p: argparse.ArgumentParser, customers: int) -> None:
        p.add_argument("--customers", type=int, default=customers, help="number of customers")
        p.add_argument("--months", type=int, default=3, help="months of history")
        p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same files)")
        p.add_argument("--start-month", default="2026-08", help="first month, YYYY-MM")
        p.add_argument("--bad-rows", type=float, default=0.002,
                       help="share of extra bad rows injected per table (0 for none)")

    p = sub.add_parser("generate", help="write a synthetic operator's landing files")
    generator_options(p, customers=20000)
    p.add_argument("--out", default=str(landing_dir()), help="landing folder to write")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("load", help="load landing files into the raw schema (without Dagster)")
    p.add_argument("--landing", default=str(landing_dir()))
    p.add_argument("--db", default=str(db_path()))
    p.add_argument("--force", action="store_true", help="reload partitions even if unchanged")
    p.add_argument("--strict", action="store_true", help="exit 1 when any file was refused")
    p.set_defaults(func=_cmd_load)

    p = sub.add_parser("export-raw", help="write the loaded raw, knowledge and mining tables as Parquet "
                                          "(the sources of the Spark target, README 'Scaling out')")
    p.add_argument("--db", default=str(db_path()))
    p.add_argument("--format", default="parquet", choices=["parquet"], help="file format (Parquet only)")
    p.add_argument("--out", required=True, help="folder to write <schema>/<table>/data.parquet under")
    p.set_defaults(func=_cmd_export_raw)

    p = sub.add_parser("run", help="run a Dagster job in-process (recorded in DAGSTER_HOME)")
    p.add_argument("--job", default="full_pipeline", choices=["full_pipeline", "load_raw"])
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("summary", help="row counts per mart, quarantine and load log")
    p.add_argument("--db", default=str(db_path()))
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser("demo", help="generate sample data, run the whole pipeline, summarise")
    generator_options(p, customers=20000)
    p.set_defaults(func=_cmd_demo)

    add_mining_commands(sub)
    add_knowledge_commands(sub)
    add_publish_commands(sub)
    add_operations_commands(sub)
    add_campaign_parser(sub)

    p = sub.add_parser("ui", help="start the Dagster UI (dagster dev)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=_cmd_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:  # configuration and input errors: say what, not a trace
        console.print(f"[red]error:[/red] {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
