"""Operations analytics assets: the KPI dashboard and the IVR path chart, drawn from the marts.

Thin wrappers around :mod:`orchestration.operations`: read the marts with a read-only DuckDB
connection opened and closed inside the step (they write no table, so they are not in the
DuckDB writer pool), write the pictures under ``reports/`` beside the database
(``data/reports`` by default) and attach them, with the anomaly list, as metadata.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.resources import WarehouseResource
from orchestration.operations.ivr_chart import build_ivr_chart
from orchestration.operations.kpi_dashboard import build_kpi_dashboard

OPERATIONS_GROUP = "operations"
# A day on which more than this share of daily KPIs is flagged is a flood, not a signal.
MAX_FLAGGED_SHARE = 0.01


def _mart(name: str) -> AssetKey:
    return AssetKey(["marts", name])


def _png_md(path, title: str) -> MetadataValue:  # noqa: ANN001 - a Path
    import base64

    return MetadataValue.md(f"![{title}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})")


KPI_DASHBOARD_KEY = AssetKey(["reports", "kpi_dashboard"])
IVR_CHART_KEY = AssetKey(["reports", "ivr_path_chart"])


@asset(
    key=KPI_DASHBOARD_KEY,
    group_name=OPERATIONS_GROUP,
    deps=[_mart("fct_kpi_daily"), _mart("fct_kpi_monthly"), _mart("dim_kpi")],
    kinds={"python", "html"},
    description="The KPI dashboard (经营指标看板): every daily and monthly KPI with its normal fluctuation "
    "band and anomaly flags, as PNG small multiples and a self-contained HTML page with the KPI "
    "definitions (指标口径), under reports/ beside the database.",
    check_specs=[
        AssetCheckSpec("bands_after_warm_up", asset=KPI_DASHBOARD_KEY,
                       description="Every daily KPI has a band on the window's last day (its warm-up is over)."),
        AssetCheckSpec("no_flood_of_flags", asset=KPI_DASHBOARD_KEY,
                       description=f"At most {MAX_FLAGGED_SHARE:.0%} of banded KPI-days are flagged."),
    ],
)
def kpi_dashboard(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    result = build_kpi_dashboard(warehouse.database_path)
    context.log.info(f"KPI dashboard: {result.daily_anomalies} daily and {result.monthly_anomalies} monthly "
                     f"anomalies; {result.html_path}")
    latest_daily = result.latest[result.latest.grain == "day"] if len(result.latest) else result.latest
    unbanded = sorted(latest_daily[latest_daily.status == "no band yet"].kpi_name) if len(latest_daily) else []
    frames_banded = max(1, result.daily_banded)
    share = result.daily_anomalies / frames_banded
    recent = result.anomalies.head(20)
    columns = ["period_start", "grain", "kpi_name", "anomaly_direction", "kpi_value", "baseline_value", "deviation_pct"]
    return MaterializeResult(
        metadata={
            "dashboard": MetadataValue.path(str(result.html_path)),
            "daily_picture": _png_md(result.daily_png, "daily KPIs"),
            "monthly_picture": MetadataValue.path(str(result.monthly_png)),
            "window": f"{result.first_day} to {result.last_day}",
            "daily_kpis": MetadataValue.int(result.daily_kpis),
            "monthly_kpis": MetadataValue.int(result.monthly_kpis),
            "daily_anomalies": MetadataValue.int(result.daily_anomalies),
            "monthly_anomalies": MetadataValue.int(result.monthly_anomalies),
            "recent_anomalies": MetadataValue.md(recent[columns].to_markdown(index=False) if len(recent) else "(none)"),
        },
        check_results=[
            AssetCheckResult(check_name="bands_after_warm_up", passed=not unbanded, severity=AssetCheckSeverity.WARN,
                             metadata={"kpis_without_band": MetadataValue.json(unbanded)}),
            AssetCheckResult(check_name="no_flood_of_flags", passed=share <= MAX_FLAGGED_SHARE,
                             severity=AssetCheckSeverity.WARN,
                             metadata={"flagged_share": MetadataValue.float(round(share, 5))}),
        ],
    )


@asset(
    key=IVR_CHART_KEY,
    group_name=OPERATIONS_GROUP,
    deps=[_mart("rpt_ivr_paths"), _mart("rpt_ivr_menu_funnel")],
    kinds={"python"},
    description="IVR trajectory chart (IVR轨迹): the most taken menu paths by exit (self-service, agent, "
    "hang-up), with 7-day repeat rate and satisfaction, beside the menu funnel with drop-off and "
    "transfer-to-agent points; reports/ivr_paths.png beside the database.",
)
def ivr_path_chart(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    result = build_ivr_chart(warehouse.database_path)
    context.log.info(f"IVR chart: {result.paths} paths, {result.calls} calls; {result.png_path}")
    return MaterializeResult(metadata={
        "chart": _png_md(result.png_path, "IVR paths and funnel"),
        "chart_file": MetadataValue.path(str(result.png_path)),
        "paths": MetadataValue.int(result.paths),
        "calls": MetadataValue.int(result.calls),
        "top_paths": MetadataValue.md(result.top_paths.to_markdown(index=False, floatfmt=".3f")),
        "drop_off_points": MetadataValue.md(result.drop_off_points.to_markdown(index=False, floatfmt=".3f")),
    })


operations_assets: list[AssetsDefinition] = [kpi_dashboard, ivr_path_chart]
