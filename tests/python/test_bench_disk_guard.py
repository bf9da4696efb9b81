"""The benchmark's disk guard (bench/measure.py `DiskGuard`): every stage's DuckDB spill is
measured, and a stage is stopped before it fills the disk; the run then ends with what was
measured, says why, and `--resume` runs the stopped stage again."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import report  # noqa: E402
import run as bench_run  # noqa: E402

# A child that spills like DuckDB: 64 MB into the spill folder, held a moment, then removed.
SPILL = ("import os, sys, time; d = sys.argv[1]; os.makedirs(d, exist_ok=True); p = os.path.join(d, 'spill.block')\n"
         "with open(p, 'wb') as f:\n    f.write(b'x' * (64 * 2**20)); f.flush(); os.fsync(f.fileno())\n"
         "time.sleep(1.0); os.remove(p); time.sleep(0.3)")


def test_the_spill_peak_is_measured_while_the_stage_runs(tmp_path: Path) -> None:
    spill = tmp_path / "w.duckdb.tmp"
    guard = measure.DiskGuard(spill, min_free_mb=0, interval=0.05)
    result = measure.run_stage("spills", [sys.executable, "-c", SPILL, str(spill)], env={}, log_dir=tmp_path,
                               cwd=tmp_path, disk=guard)
    assert result.ok and not result.interrupted
    assert 60 <= result.peak_spill_mb <= 80  # the peak, although the folder is empty at the end
    assert guard.spill_mb() == 0
    assert 0 < result.min_free_disk_mb <= shutil.disk_usage(tmp_path).free / 2**20 + 100
    # without a guard nothing is watched, and nothing is claimed
    quiet = measure.run_stage("quiet", [sys.executable, "-c", "pass"], env={}, log_dir=tmp_path, cwd=tmp_path)
    assert quiet.peak_spill_mb is None and quiet.min_free_disk_mb is None


def test_a_stage_is_stopped_when_free_disk_falls_below_the_floor(tmp_path: Path) -> None:
    floor = shutil.disk_usage(tmp_path).free / 2**20 + 10**9  # a floor this disk is already under
    guard = measure.DiskGuard(tmp_path / "w.duckdb.tmp", min_free_mb=floor, interval=0.05)
    with pytest.raises(measure.StageOutOfDisk, match="stage 'fills' stopped after .* free disk fell below") as stop:
        measure.run_stage("fills", [sys.executable, "-c", "import time; time.sleep(120)"], env={},
                          log_dir=tmp_path, cwd=tmp_path, disk=guard)
    result = stop.value.result
    assert result.interrupted and result.returncode == -9  # killed, not left to run on
    assert result.peak_spill_mb == 0 and stop.value.floor_mb == floor


def test_a_run_stopped_for_disk_says_so_and_resume_runs_that_stage_again(tiny_landing: Path) -> None:
    first = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    first.until = "load"
    first.run(reuse_landing=True, skip_comparisons=True)

    starved = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    starved.min_free_disk_mb = shutil.disk_usage(tiny_landing).free / 2**20 + 10**9
    results = starved.run(reuse_landing=True, skip_comparisons=True, resume=True)
    stopped = results["stopped"]
    assert (stopped["reason"], stopped["stage"]) == ("out_of_disk", "knowledge")
    assert stopped["min_free_disk_mb"] == starved.min_free_disk_mb and stopped["peak_spill_mb"] is not None
    assert [s["name"] for s in results["stages"]] == ["load", "knowledge"] and results["stages"][1]["interrupted"]
    assert "knowledge" in results["end_to_end"]["not_measured"]
    text = "\n".join(report._stopped(results, {"t": results}))
    assert "`knowledge` was stopped after" in text and "when free disk fell below" in text

    again = bench_run.Bench("t", 60, 1, 3, tiny_landing)  # the default floor: this disk has room
    again.until = "knowledge"
    resumed = again.run(reuse_landing=True, skip_comparisons=True, resume=True)
    assert resumed["resumed"]["carried_stages"] == ["load"]  # the stopped stage is not carried: it ran again
    knowledge = resumed["stages"][1]
    assert (knowledge["name"], knowledge["returncode"], knowledge["interrupted"]) == ("knowledge", 0, False)
    assert knowledge["peak_spill_mb"] is not None and knowledge["min_free_disk_mb"] > 0
