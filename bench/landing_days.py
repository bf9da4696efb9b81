"""The benchmark's landing folder: its size, and the last delivered day held back for the
incremental comparison (delivered again afterwards)."""

from __future__ import annotations

import shutil
from pathlib import Path


def landing_size(landing: Path) -> dict:
    """Files and bytes of the profile (the planted truths aside)."""
    files = [p for p in landing.rglob("*") if p.is_file() and "_truth" not in p.parts]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def hold_back_last_day(landing: Path, holdback: Path) -> str:
    """Move the last delivered day's files aside: they are the "new day" of the incremental run."""
    from orchestration.landing.contracts import CONTRACTS
    from orchestration.landing.discover import discover_files

    day_files = [f for t in CONTRACTS if t.grain == "day" for f in discover_files(landing, t) if f.partition]
    last = max(f.partition for f in day_files)
    for f in day_files:
        if f.partition == last:
            target = holdback / f.path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(f.path, target)
    return last


def deliver_held_back(landing: Path, holdback: Path) -> None:
    """Put the held-back files back where the generator wrote them."""
    if not holdback.exists():
        return
    for path in sorted(p for p in holdback.rglob("*") if p.is_file()):
        target = landing / path.relative_to(holdback)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    shutil.rmtree(holdback)
