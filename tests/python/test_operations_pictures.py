"""The operations pictures draw from hand-made mart rows (no database, no dbt), and the Dagster
code location wires them downstream of the marts they read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetKey

from orchestration.operations.ivr_chart import plot_ivr
from orchestration.operations.kpi_dashboard import anomaly_list, latest_status, plot_kpi_panels, render_html
from orchestration.operations.marts import KpiFrames


def _kpi_frames() -> KpiFrames:
    days = pd.date_range("2026-01-01", periods=30, freq="D")
    value = [100.0] * 29 + [180.0]
    daily = pd.DataFrame({
        "kpi_name": "hotline_calls", "date_day": days, "kpi_value": value, "baseline_value": 100.0,
        "band_lower": [None] * 10 + [80.0] * 20, "band_upper": [None] * 10 + [120.0] * 20,
        "has_band": [False] * 10 + [True] * 20, "is_complete_period": True,
        "is_anomaly": [False] * 29 + [True], "anomaly_direction": [None] * 29 + ["up"],
        "robust_z": [None] * 10 + [0.0] * 19 + [16.0], "deviation_pct": [None] * 10 + [0.0] * 19 + [0.8],
        "band_basis": "workday"})
    monthly = pd.DataFrame({
        "kpi_name": "arpu_yuan", "month_start_date": pd.date_range("2026-01-01", periods=3, freq="MS"),
        "kpi_value": [50.0, 51.0, 50.5], "baseline_value": [None, 50.0, 50.5], "band_lower": None,
        "band_upper": None, "has_band": False, "is_complete_period": True, "is_anomaly": False,
        "anomaly_direction": None, "robust_z": None, "deviation_pct": None, "band_basis": "month"})
    catalogue = pd.DataFrame({
        "kpi_name": ["hotline_calls", "arpu_yuan"], "kpi_label": ["Hotline calls (10086)", "ARPU (yuan)"],
        "kpi_label_zh": ["10086来电量", "ARPU(元)"], "kpi_area": ["contacts", "revenue"],
        "kpi_description": ["Calls to 10086.", "Revenue per billed customer."],
        "formula": ["count(contact_id) where …", "revenue_yuan / billed_customers | where …"],
        "grains": ["day,month", "month"], "unit": ["calls", "yuan"]})
    return KpiFrames(daily=daily, monthly=monthly, catalogue=catalogue)


def test_kpi_dashboard_draws_bands_flags_and_definitions(tmp_path: Path) -> None:
    frames = _kpi_frames()
    daily = plot_kpi_panels(frames.daily, frames.catalogue, "date_day", tmp_path / "d.png", "daily")
    monthly = plot_kpi_panels(frames.monthly, frames.catalogue, "month_start_date", tmp_path / "m.png", "monthly")
    page = render_html(frames, daily, monthly, tmp_path / "k.html").read_text(encoding="utf-8")
    assert daily.stat().st_size > 5_000 and monthly.stat().st_size > 5_000
    assert "10086来电量" in page and "revenue_yuan / billed_customers" in page and "data:image/png;base64," in page
    anomalies = anomaly_list(frames)
    assert anomalies[["kpi_name", "anomaly_direction"]].values.tolist() == [["hotline_calls", "up"]]
    status = latest_status(frames).set_index("kpi_name").status
    assert status["hotline_calls"] == "anomaly up" and status["arpu_yuan"] == "no band yet"


def test_ivr_chart_draws_paths_and_funnel(tmp_path: Path) -> None:
    paths = pd.DataFrame({
        "ivr_path": ["1>1", "0", "1"], "path_rank": [1, 2, 3], "call_count": [50, 30, 5],
        "contained_call_count": [50, 0, 0], "agent_call_count": [0, 25, 0], "abandoned_in_queue_count": [0, 5, 0],
        "abandoned_in_ivr_count": [0, 0, 5], "repeat_within_7_days_rate": [0.1, 0.2, None],
        "avg_satisfaction_score": [4.3, 3.8, None]})
    funnel = pd.DataFrame({
        "node_path": ["0", "1", "1>1"], "node_level": [1, 1, 2], "reached_call_count": [30, 55, 50],
        "continued_call_count": [0, 50, 0], "self_served_call_count": [0, 0, 50], "transferred_call_count": [30, 0, 0],
        "dropped_call_count": [0, 5, 0], "drop_off_rate": [0.0, 5 / 55, 0.0], "transfer_rate": [1.0, 0.0, 0.0]})
    assert plot_ivr(paths, funnel, tmp_path / "ivr.png").stat().st_size > 5_000


@pytest.mark.slow
def test_operations_assets_follow_the_marts() -> None:
    from orchestration.defs.project import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    dashboard = graph.get(AssetKey(["reports", "kpi_dashboard"]))
    assert AssetKey(["marts", "fct_kpi_daily"]) in dashboard.parent_keys
    assert graph.get(AssetKey(["marts", "fct_kpi_daily"])).is_materializable
    assert AssetKey(["marts", "rpt_ivr_paths"]) in graph.get(AssetKey(["reports", "ivr_path_chart"])).parent_keys
    checks = {c.name for c in graph.asset_check_keys if c.asset_key == dashboard.key}
    assert {"bands_after_warm_up", "no_flood_of_flags"} <= checks
