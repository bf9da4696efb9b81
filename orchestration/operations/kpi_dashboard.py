"""The KPI dashboard picture: every operating indicator with its normal fluctuation band and
anomaly flags ("vital signs"), as PNG small multiples and one self-contained HTML page.

Input is the KPI marts (``fct_kpi_daily``, ``fct_kpi_monthly``, ``dim_kpi``); nothing here
computes a KPI or a band, it only draws what dbt computed from the one metric definition.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from orchestration.operations.marts import KpiFrames, read_kpis, reports_dir  # noqa: E402

AREA_ORDER = ("customers", "usage", "contacts", "service", "revenue", "marketing")
_UP, _DOWN, _BAND, _LINE = "#d62728", "#1f77b4", "#b7d7b0", "#333333"


@dataclass
class DashboardResult:
    """What ``build_kpi_dashboard`` wrote and found."""

    html_path: Path
    daily_png: Path
    monthly_png: Path
    daily_kpis: int
    monthly_kpis: int
    first_day: str
    last_day: str
    daily_banded: int
    daily_anomalies: int
    monthly_anomalies: int
    anomalies: pd.DataFrame = field(repr=False)
    latest: pd.DataFrame = field(repr=False)


def _ordered(catalogue: pd.DataFrame, names: set[str]) -> list[pd.Series]:
    rank = {area: i for i, area in enumerate(AREA_ORDER)}
    rows = catalogue[catalogue.kpi_name.isin(names)].copy()
    rows["_rank"] = rows.kpi_area.map(rank).fillna(len(rank))
    return [row for _, row in rows.sort_values(["_rank", "kpi_name"]).iterrows()]


def plot_kpi_panels(frame: pd.DataFrame, catalogue: pd.DataFrame, period: str, path: Path, title: str,
                    columns: int = 4) -> Path:
    """One panel per KPI: value, band (shaded where it exists), baseline, anomalies (red up,
    blue down). ``frame`` is fct_kpi_daily or fct_kpi_monthly; ``period`` its date column."""
    kpis = _ordered(catalogue, set(frame.kpi_name))
    rows = max(1, math.ceil(len(kpis) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.6 * rows), squeeze=False)
    for ax in axes.flat[len(kpis):]:
        ax.axis("off")
    for ax, kpi in zip(axes.flat, kpis):
        data = frame[frame.kpi_name == kpi.kpi_name].sort_values(period)
        x = pd.to_datetime(data[period])
        banded = data.has_band.fillna(False).to_numpy(dtype=bool)
        ax.fill_between(x, data.band_lower.astype(float), data.band_upper.astype(float), where=banded,
                        color=_BAND, alpha=0.6, linewidth=0, label="normal band")
        ax.plot(x, data.baseline_value.where(banded).astype(float), color="#4c8c3f", linewidth=0.8,
                linestyle="--", label="baseline")
        ax.plot(x, data.kpi_value.astype(float), color=_LINE, linewidth=0.9,
                marker="o" if period == "month_start_date" else None, markersize=3, label="value")
        for direction, colour, marker in (("up", _UP, "^"), ("down", _DOWN, "v")):
            hit = data[data.anomaly_direction == direction]
            ax.scatter(pd.to_datetime(hit[period]), hit.kpi_value.astype(float), color=colour, marker=marker,
                       s=42, zorder=5, label=f"anomaly {direction}")
        flagged = int(data.is_anomaly.sum())
        ax.set_title(f"{kpi.kpi_label}" + (f"  [{flagged} flagged]" if flagged else ""), fontsize=9,
                     color=_UP if flagged else "black")
        ax.tick_params(labelsize=7)
        ax.tick_params(axis="x", rotation=30)
        ax.grid(alpha=0.25)
    if kpis:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper right", fontsize=8, ncol=5)
    fig.suptitle(title, fontsize=12, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def anomaly_list(frames: KpiFrames) -> pd.DataFrame:
    """Every flagged KPI-period, newest first, with label, direction and size."""
    parts = []
    for grain, frame, period in (("day", frames.daily, "date_day"), ("month", frames.monthly, "month_start_date")):
        hit = frame[frame.is_anomaly].rename(columns={period: "period_start"})
        parts.append(hit.assign(grain=grain)[["grain", "kpi_name", "period_start", "anomaly_direction", "kpi_value",
                                              "baseline_value", "band_lower", "band_upper", "robust_z",
                                              "deviation_pct", "band_basis"]])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out = out.merge(frames.catalogue[["kpi_name", "kpi_label", "kpi_label_zh", "unit"]], on="kpi_name", how="left")
    return out.sort_values(["period_start", "grain", "kpi_name"], ascending=[False, True, True], ignore_index=True)


def latest_status(frames: KpiFrames) -> pd.DataFrame:
    """Each KPI's latest complete period with a value: value, band and whether it is inside."""
    rows = []
    for grain, frame, period in (("day", frames.daily, "date_day"), ("month", frames.monthly, "month_start_date")):
        complete = frame[frame.is_complete_period.fillna(False).astype(bool) & frame.kpi_value.notna()]
        for _, last in complete.sort_values(period).groupby("kpi_name").tail(1).iterrows():
            status = ("no band yet" if not last.has_band else
                      f"anomaly {last.anomaly_direction}" if last.is_anomaly else "normal")
            rows.append({"grain": grain, "kpi_name": last.kpi_name, "period_start": last[period],
                         "kpi_value": last.kpi_value, "band_lower": last.band_lower, "band_upper": last.band_upper,
                         "status": status})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.merge(frames.catalogue[["kpi_name", "kpi_label", "kpi_label_zh", "unit"]], on="kpi_name", how="left")


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return html.escape(str(value))


def _table(frame: pd.DataFrame, columns: list[str], headers: list[str]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(row[c])}</td>" for c in columns) + "</tr>"
                   for _, row in frame.iterrows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(path: Path) -> str:
    return f'<img alt="{path.stem}" src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}">'


def render_html(frames: KpiFrames, daily_png: Path, monthly_png: Path, path: Path) -> Path:
    """One self-contained page: latest status, the two pictures, recent anomalies, the catalogue."""
    anomalies = anomaly_list(frames)
    latest = latest_status(frames)
    days = pd.to_datetime(frames.daily.date_day)
    window = f"{days.min():%Y-%m-%d} – {days.max():%Y-%m-%d}" if len(days) else "(no data)"
    style = ("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:12px;"
             "margin-bottom:24px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#eee}"
             "img{max-width:100%;border:1px solid #ddd;margin:8px 0}")
    page = f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>touchpoint KPI dashboard</title>
<style>{style}</style></head><body>
<h1>经营指标看板 · KPI dashboard</h1>
<p>Observation window {window}. Each KPI is defined once as a dbt metric (口径 below); its normal
fluctuation band is the median ± max(z × robust SD, minimum change) of its own past on the same
kind of day (workday / rest day; holidays and month ends where declared), with no look-ahead.</p>
<h2>Latest status</h2>
{_table(latest, ["grain", "kpi_label_zh", "kpi_label", "period_start", "kpi_value", "band_lower", "band_upper",
                 "status"], ["grain", "指标", "KPI", "period", "value", "band low", "band high", "status"])}
<h2>Daily KPIs</h2>{_img(daily_png)}
<h2>Monthly KPIs</h2>{_img(monthly_png)}
<h2>Anomalies ({len(anomalies)})</h2>
{_table(anomalies, ["period_start", "grain", "kpi_label_zh", "kpi_label", "anomaly_direction", "kpi_value",
                    "baseline_value", "deviation_pct", "robust_z", "band_basis"],
        ["period", "grain", "指标", "KPI", "direction", "value", "baseline", "vs baseline", "robust z", "compared with"])}
<h2>指标口径 · KPI definitions</h2>
{_table(frames.catalogue, ["kpi_area", "kpi_label_zh", "kpi_name", "kpi_description", "formula", "grains", "unit"],
        ["area", "指标", "KPI", "definition", "formula", "grains", "unit"])}
</body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def build_kpi_dashboard(database: Path, out_dir: Path | None = None) -> DashboardResult:
    """Read the KPI marts from ``database`` and write ``kpi_daily.png``, ``kpi_monthly.png`` and
    ``kpi_dashboard.html`` into ``out_dir`` (default ``reports/`` beside the database)."""
    frames = read_kpis(Path(database))
    out = Path(out_dir) if out_dir else reports_dir(Path(database))
    days = pd.to_datetime(frames.daily.date_day)
    first, last = (f"{days.min():%Y-%m-%d}", f"{days.max():%Y-%m-%d}") if len(days) else ("", "")
    daily_png = plot_kpi_panels(frames.daily, frames.catalogue, "date_day", out / "kpi_daily.png",
                                f"Daily KPIs with normal fluctuation bands, {first} to {last}")
    monthly_png = plot_kpi_panels(frames.monthly, frames.catalogue, "month_start_date", out / "kpi_monthly.png",
                                  "Monthly KPIs with normal fluctuation bands")
    html_path = render_html(frames, daily_png, monthly_png, out / "kpi_dashboard.html")
    return DashboardResult(
        html_path=html_path, daily_png=daily_png, monthly_png=monthly_png,
        daily_kpis=frames.daily.kpi_name.nunique(), monthly_kpis=frames.monthly.kpi_name.nunique(),
        first_day=first, last_day=last, daily_banded=int(frames.daily.has_band.sum()),
        daily_anomalies=int(frames.daily.is_anomaly.sum()),
        monthly_anomalies=int(frames.monthly.is_anomaly.sum()), anomalies=anomaly_list(frames),
        latest=latest_status(frames))
