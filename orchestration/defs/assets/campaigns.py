"""Campaign assets (group ``campaigns``): thin wrappers around :mod:`orchestration.campaigns.build`.

- ``campaigns/rpt_campaign_list`` — the batch lists of every campaign in ``campaigns/*.yml``: the
  ``campaigns.rpt_campaign_list`` table (+ ``suppression_log``, ``list_funnel``), files under
  ``<database folder>/lists/<run_id>/``, the funnel as metadata, and checks that nobody who must
  not be contacted is listed;
- ``campaigns/campaign_evaluation`` — action vs control per campaign, channel and segment, with the
  lift chart as metadata;
- ``campaigns/event_offers`` — event-triggered offers from ``<landing>/_events/`` files, started by
  the ``campaign_events_sensor`` within a minute of a new file, under the same caps and suppressions.
"""

# no `from __future__ import annotations`: Dagster reads the config classes from the signatures
import base64
import datetime as dt
import json
from pathlib import Path
from typing import Optional

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    sensor,
)
from pydantic import Field

from orchestration.campaigns import evaluation as ev
from orchestration.campaigns import events as evt
from orchestration.campaigns.build import CAMPAIGNS_DIR, BuildResult, run_build
from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import landing_dir
from orchestration.warehouse import connect as connect_duckdb

CAMPAIGNS_GROUP = "campaigns"
MART_DEPS = ["dim_customer", "dim_product", "fct_contacts", "fct_campaign_offers", "fct_complaints", "fct_arrears",
             "fct_subscription_events", "fct_usage_daily"]
LIST_KEY = AssetKey(["campaigns", "rpt_campaign_list"])
EVAL_KEY = AssetKey(["campaigns", "campaign_evaluation"])
EVENT_KEY = AssetKey(["campaigns", "event_offers"])


class CampaignBuildConfig(Config):
    campaign: Optional[str] = Field(None, description="build one campaign only (its campaign_id)")
    run_date: Optional[str] = Field(None, description="YYYY-MM-DD; default: the newest day with contacts")


class EventOffersConfig(Config):
    event_files: list[str] = Field(default_factory=list, description="file names under <landing>/_events; "
                                   "empty: every file there")


def lists_root(warehouse: WarehouseResource) -> Path:
    return warehouse.database_path.parent / "lists"


def _funnel_md(result: BuildResult) -> MetadataValue:
    return MetadataValue.md(result.result.funnel.to_markdown(index=False))


def _list_checks(database: Path, run_id: str) -> list[AssetCheckResult]:
    """Re-read what was written and check it against the warehouse (independent of the engine)."""
    with connect_duckdb(str(database), read_only=True) as con:
        bad_contact = con.execute("""
            select count(*) from campaigns.rpt_campaign_list l join marts.dim_customer c using (customer_id)
            where l.run_id = ? and (c.is_opted_out_marketing
                  or (c.is_do_not_disturb and l.channel_code in ('OUTBOUND', 'SMS', 'MMS', 'EMAIL', 'WECHAT',
                                                                 'ACCOUNT_MANAGER')))
        """, [run_id]).fetchone()[0]
        no_reason = con.execute("select count(*) from campaigns.rpt_campaign_list where run_id = ? and "
                                "coalesce(reason_code, '') = ''", [run_id]).fetchone()[0]
    return [
        AssetCheckResult(check_name="no_opted_out_or_dnd_outbound", passed=bad_contact == 0, asset_key=LIST_KEY,
                         metadata={"violations": bad_contact}),
        AssetCheckResult(check_name="every_row_has_a_reason", passed=no_reason == 0, asset_key=LIST_KEY,
                         metadata={"rows_without_reason": no_reason}, severity=AssetCheckSeverity.WARN),
    ]


@asset(
    key=LIST_KEY,
    deps=[AssetKey(["marts", m]) for m in MART_DEPS],
    group_name=CAMPAIGNS_GROUP,
    pool=DUCKDB_WRITER_POOL,
    check_specs=[AssetCheckSpec("no_opted_out_or_dnd_outbound", asset=LIST_KEY,
                                description="no opted-out customer listed; no do-not-disturb customer on a call/SMS"),
                 AssetCheckSpec("every_row_has_a_reason", asset=LIST_KEY)],
    description="Campaign lists for every campaign in campaigns/*.yml through the contact policy "
                "(campaigns.rpt_campaign_list; files under <db folder>/lists/<run_id>/).",
)
def rpt_campaign_list(context: AssetExecutionContext, config: CampaignBuildConfig,
                      warehouse: WarehouseResource):
    run_date = dt.date.fromisoformat(config.run_date) if config.run_date else None
    result = run_build(warehouse.database_path, warehouse.landing_path, CAMPAIGNS_DIR, lists_root(warehouse),
                       run_date=run_date, only=config.campaign)
    lists = result.result.lists
    yield MaterializeResult(asset_key=LIST_KEY, metadata={
        "run_id": result.run_id,
        "run_date": result.run_date.isoformat(),
        "list_folder": MetadataValue.path(str(lists_root(warehouse) / result.run_id)),
        "funnel": _funnel_md(result),
        "action_rows": int((lists["offer_group"] == "action").sum()),
        "control_rows": int((lists["offer_group"] == "control").sum()),
        "suppressed_pairs": len(result.result.suppressed),
        "skipped_campaigns": MetadataValue.json(result.skipped),
        "seconds": MetadataValue.json({k: round(v, 2) for k, v in result.seconds.items()}),
        "propensity_model": MetadataValue.json(result.manifest["propensity_model"]),
    })
    yield from _list_checks(warehouse.database_path, result.run_id)


@asset(
    key=EVAL_KEY,
    deps=[AssetKey(["marts", "fct_campaign_offers"]), AssetKey(["marts", "dim_customer"]), LIST_KEY],
    group_name=CAMPAIGNS_GROUP,
    pool=DUCKDB_WRITER_POOL,
    description="Action vs control response rate, uplift with 95 % CI and lift, per campaign, channel and "
                "segment (campaigns.campaign_evaluation), with the lift chart.",
)
def campaign_evaluation(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from orchestration.campaigns.build import evaluate_warehouse

    table = evaluate_warehouse(warehouse.database_path, write=True)
    png = ev.lift_chart_png(table)
    path = warehouse.database_path.parent / "plots" / "campaign_lift.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    overall = table[table["level"] == "campaign"]
    return MaterializeResult(metadata={
        "lift_chart": MetadataValue.md(f"![lift](data:image/png;base64,{base64.b64encode(png).decode()})"),
        "lift_chart_path": MetadataValue.path(str(path)),
        "campaigns": MetadataValue.md(overall[["campaign_id", "action_count", "control_count", "action_rate",
                                               "control_rate", "uplift", "uplift_ci_low", "uplift_ci_high",
                                               "lift"]].round(4).to_markdown(index=False)),
        "significant_campaigns": int(overall["is_significant"].sum()),
    })


@asset(
    key=EVENT_KEY,
    deps=[LIST_KEY],
    group_name=CAMPAIGNS_GROUP,
    pool=DUCKDB_WRITER_POOL,
    description="Event-triggered offers (SIM replacement, lost-card suspension, balance query, roaming start, "
                "bill shock) from <landing>/_events files, through the same contact policy.",
)
def event_offers(context: AssetExecutionContext, config: EventOffersConfig,
                 warehouse: WarehouseResource) -> MaterializeResult:
    files = evt.event_files(warehouse.landing_path)
    if config.event_files:
        files = [f for f in files if f.name in set(config.event_files)]
    if not files:
        return MaterializeResult(metadata={"event_files": 0, "note": "no event files"})
    result = run_build(warehouse.database_path, warehouse.landing_path, CAMPAIGNS_DIR, lists_root(warehouse),
                       event_paths=files, run_at=dt.datetime.now())
    lists = result.result.lists
    return MaterializeResult(metadata={
        "run_id": result.run_id, "event_files": MetadataValue.json([f.name for f in files]),
        "funnel": _funnel_md(result), "offers": int((lists["offer_group"] == "action").sum()),
        "list_folder": MetadataValue.path(str(lists_root(warehouse) / result.run_id)),
    })


campaign_event_job = define_asset_job(
    name="campaign_event_offers", selection=AssetSelection.assets(EVENT_KEY),
    description="Turn new event files into offers (started by campaign_events_sensor).")


@sensor(job=campaign_event_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING,
        description="Watches <landing>/_events/ and starts campaign_event_offers for new or changed files.")
def campaign_events_sensor(context: SensorEvaluationContext):
    seen = json.loads(context.cursor) if context.cursor else {}
    now = {p.name: f"{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in evt.event_files(landing_dir())}
    fresh = sorted(name for name, stamp in now.items() if seen.get(name) != stamp)
    if not fresh:
        yield SkipReason("no new event files")
        return
    context.update_cursor(json.dumps(now, sort_keys=True))
    yield RunRequest(run_key="events:" + "|".join(f"{n}@{now[n]}" for n in fresh),
                     run_config={"ops": {"campaigns__event_offers": {"config": {"event_files": fresh}}}})


campaign_assets = [rpt_campaign_list, campaign_evaluation, event_offers]
campaign_jobs = [campaign_event_job]
campaign_sensors = [campaign_events_sensor]
