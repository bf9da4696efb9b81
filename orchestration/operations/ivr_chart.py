"""The IVR trajectory picture: the most taken paths through the 10086 menu with where their
callers left (self-service, agent, hang-up in the menu or the queue), their 7-day repeat rate and
satisfaction, beside the menu funnel (calls reaching each node and what they did there).

Input is ``rpt_ivr_paths`` and ``rpt_ivr_menu_funnel``; this module only draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from orchestration.operations.marts import read_ivr, reports_dir  # noqa: E402

_PATH_EXITS = (("contained_call_count", "self-service in IVR", "#2ca02c"),
               ("agent_call_count", "agent", "#1f77b4"),
               ("abandoned_in_queue_count", "hung up in queue", "#ff7f0e"),
               ("abandoned_in_ivr_count", "hung up in menu", "#d62728"))
_NODE_OUTCOMES = (("continued_call_count", "pressed on", "#c7c7c7"),
                  ("self_served_call_count", "self-served here", "#2ca02c"),
                  ("transferred_call_count", "to agent here", "#1f77b4"),
                  ("dropped_call_count", "hung up here", "#d62728"))


@dataclass
class IvrChartResult:
    """What ``build_ivr_chart`` wrote and found."""

    png_path: Path
    paths: int
    calls: int
    top_paths: pd.DataFrame = field(repr=False)
    drop_off_points: pd.DataFrame = field(repr=False)


def _stacked(ax: plt.Axes, frame: pd.DataFrame, label_col: str, parts: tuple) -> None:
    y = np.arange(len(frame))
    left = np.zeros(len(frame))
    for col, label, colour in parts:
        values = frame[col].fillna(0).to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=colour, label=label, height=0.7)
        left += values
    ax.set_yticks(y, frame[label_col].astype(str).tolist(), fontsize=8, family="monospace")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.25)


def plot_ivr(paths: pd.DataFrame, funnel: pd.DataFrame, path: Path, top: int = 15) -> Path:
    """Left: the ``top`` most taken paths, stacked by exit, annotated with 7-day repeat rate and
    satisfaction. Right: every menu node (indented by level), stacked by what callers did there."""
    top_paths = paths.sort_values("path_rank").head(top)
    nodes = funnel.sort_values("node_path").assign(
        label=lambda f: [("\u00a0\u00a0\u00a0" * (lvl - 1) + "\u2514 " if lvl > 1 else "") + p
                         for lvl, p in zip(f.node_level.astype(int), f.node_path)])
    height = max(4.0, 0.32 * max(len(top_paths), len(nodes)) + 1.5)
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, height))
    _stacked(left, top_paths, "ivr_path", _PATH_EXITS)
    for i, row in enumerate(top_paths.itertuples()):
        repeat = "" if pd.isna(row.repeat_within_7_days_rate) else f"repeat {row.repeat_within_7_days_rate:.0%}"
        csat = "" if pd.isna(row.avg_satisfaction_score) else f"  csat {row.avg_satisfaction_score:.2f}"
        left.text(row.call_count, i, f"  {repeat}{csat}", va="center", fontsize=7)
    left.set_xlim(0, top_paths.call_count.max() * 1.35 if len(top_paths) else 1)
    left.set_title("Top IVR paths: where callers left (repeat = called again within 7 days)", fontsize=10)
    left.set_xlabel("calls")
    left.legend(fontsize=8, loc="lower right")
    _stacked(right, nodes, "label", _NODE_OUTCOMES)
    for i, row in enumerate(nodes.itertuples()):
        note = (f"  drop-off {row.drop_off_rate:.0%}" if row.drop_off_rate > 0 else "") + \
            (f"  to agent {row.transfer_rate:.0%}" if row.transfer_rate > 0 else "")
        if note:
            right.text(row.reached_call_count, i, note, va="center", fontsize=7)
    right.set_xlim(0, nodes.reached_call_count.max() * 1.3 if len(nodes) else 1)
    right.set_title("Menu funnel: calls reaching each node and what they did there", fontsize=10)
    right.set_xlabel("calls")
    right.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def build_ivr_chart(database: Path, out_dir: Path | None = None) -> IvrChartResult:
    """Read the IVR marts from ``database`` and write ``ivr_paths.png`` into ``out_dir`` (default
    ``reports/`` beside the database)."""
    frames = read_ivr(Path(database))
    out = Path(out_dir) if out_dir else reports_dir(Path(database))
    png = plot_ivr(frames.paths, frames.funnel, out / "ivr_paths.png")
    drops = frames.funnel[frames.funnel.dropped_call_count > 0].sort_values("dropped_call_count", ascending=False)
    return IvrChartResult(
        png_path=png, paths=len(frames.paths), calls=int(frames.paths.call_count.sum()),
        top_paths=frames.paths.head(10)[["ivr_path", "call_count", "call_share", "containment_rate",
                                         "transfer_to_agent_rate", "abandonment_rate", "repeat_within_7_days_rate",
                                         "avg_satisfaction_score"]],
        drop_off_points=drops[["node_path", "reached_call_count", "dropped_call_count", "drop_off_rate"]])
