"""``touchpoint campaign …``: validate definitions, build lists, process event files, evaluate —
the same functions the Dagster assets call (orchestration/defs/assets/campaigns.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from orchestration.settings import db_path, landing_dir

console = Console()


def _paths(args: argparse.Namespace) -> tuple[Path, Path, Path, Path]:
    from orchestration.campaigns.build import CAMPAIGNS_DIR

    db = Path(args.db)
    lists = Path(args.lists) if args.lists else db.parent / "lists"
    return db, Path(args.landing), Path(args.campaigns or CAMPAIGNS_DIR), lists


def _print_funnel(funnel, title: str) -> None:
    table = Table(title=title)
    for col in funnel.columns:
        table.add_column(col, justify="left" if col == "campaign_id" else "right")
    for row in funnel.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)


def _cmd_validate(args: argparse.Namespace) -> int:
    from orchestration.campaigns.definitions import load_campaigns, load_policy

    _, _, folder, _ = _paths(args)
    policy = load_policy(folder)
    campaigns = load_campaigns(folder)
    console.print(f"[green]{len(campaigns)} campaigns valid[/green] in {folder}; monthly cap {policy.monthly_cap}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from orchestration.campaigns.build import run_build

    db, landing, folder, lists = _paths(args)
    run_date = dt.date.fromisoformat(args.run_date) if args.run_date else None
    result = run_build(db, landing, folder, lists, run_date=run_date, run_id=args.run_id, only=args.campaign,
                       write_db=not args.no_db)
    _print_funnel(result.result.funnel, f"Campaign funnel, run {result.run_id} ({result.run_date})")
    for campaign, why in result.skipped.items():
        console.print(f"[yellow]skipped[/yellow] {campaign}: {why}")
    console.print(f"lists under {lists / result.run_id}; "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items()))
    return 0


def _cmd_events(args: argparse.Namespace) -> int:
    from orchestration.campaigns import events as evt
    from orchestration.campaigns.build import run_build

    db, landing, folder, lists = _paths(args)
    files = evt.event_files(landing)
    if not files:
        console.print(f"no event files under {landing / '_events'}")
        return 0
    run_at = dt.datetime.fromisoformat(args.run_at) if args.run_at else dt.datetime.now()
    result = run_build(db, landing, folder, lists, event_paths=files, run_at=run_at)
    _print_funnel(result.result.funnel, f"Event offers, run {result.run_id}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from orchestration.campaigns.build import evaluate_warehouse

    db, *_ = _paths(args)
    table = evaluate_warehouse(db, write=not args.no_db)
    overall = table[table["level"] == "campaign"].round(4)
    _print_funnel(overall.drop(columns=["level", "level_value"]), "Action vs control (uplift with 95 % CI)")
    return 0


def add_campaign_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``touchpoint campaign`` (one line in cli.build_parser calls this)."""
    parser = sub.add_parser("campaign", help="campaign lists: validate, build, events, evaluate")
    csub = parser.add_subparsers(dest="campaign_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default=str(db_path()))
        p.add_argument("--landing", default=str(landing_dir()))
        p.add_argument("--campaigns", default=None, help="campaign definitions folder (default campaigns/)")
        p.add_argument("--lists", default=None, help="lists root (default: <db folder>/lists)")

    p = csub.add_parser("validate", help="check every campaigns/*.yml and _policy.yml")
    common(p)
    p.set_defaults(func=_cmd_validate)

    p = csub.add_parser("build", help="build the lists of every (or one) campaign through the contact policy")
    common(p)
    p.add_argument("--campaign", default=None, help="one campaign_id only")
    p.add_argument("--run-date", default=None, help="YYYY-MM-DD (default: newest day with contacts)")
    p.add_argument("--run-id", default=None, help="default: <run date>_batch")
    p.add_argument("--no-db", action="store_true", help="write files only, open the database read-only")
    p.set_defaults(func=_cmd_build)

    p = csub.add_parser("events", help="turn the event files under <landing>/_events into offers now")
    common(p)
    p.add_argument("--run-at", default=None, help="ISO timestamp the freshness window is measured from")
    p.set_defaults(func=_cmd_events)

    p = csub.add_parser("evaluate", help="action vs control per campaign, channel and segment")
    common(p)
    p.add_argument("--no-db", action="store_true", help="print only, do not write campaigns.campaign_evaluation")
    p.set_defaults(func=_cmd_evaluate)
