"""`bench/run.py --resume`: continue the last run in a working folder on the warehouse it left.

A long profile (1M customers: ~25 min to load) can be loaded once with `--until load` and its later
stages run, and run again, on that warehouse. The stages the last run finished are carried with
their measurements, each marked with the run that measured it; a stage it did not finish (failed or
stopped) runs again, and so does everything after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from measure import StageResult


@dataclass
class Carried:
    """What a resumed run takes over from the run it continues."""

    stages: list[StageResult]
    landing_size: dict
    big_facts: list[dict]
    resumed: dict = field(default_factory=dict)  # reported in the results: which run, which stages

    @property
    def done(self) -> set[str]:
        return {s.name for s in self.stages}

    @property
    def load_detail(self) -> dict:
        return next((s.detail for s in self.stages if s.name == "load"), {})


def carry_over(last_results: Path, db: Path, profile: dict, pipeline: list[str]) -> Carried:
    """The finished stages of the run whose results are ``last_results``; refuses when there is
    nothing to continue (no results or no warehouse) or the run was of another profile."""
    if not last_results.exists() or not db.exists():
        raise SystemExit(f"--resume: no earlier run to continue in {last_results.parent} "
                         f"({last_results.name} and {db.name} are needed)")
    last = json.loads(last_results.read_text())
    if {k: last.get(k) for k in profile} != profile:
        raise SystemExit(f"--resume: the run in {last_results.parent} was not {profile}")
    stopped = last.get("stopped") or {}
    unfinished = stopped.get("stage") if stopped.get("reason") in ("failed", "interrupted", "out_of_disk") else None
    first_started = (last.get("resumed") or {}).get("first_started_at") or last["started_at"]
    fields = StageResult.__dataclass_fields__
    stages = []
    for record in last["stages"]:
        if record["name"] in pipeline and record["name"] != unfinished:
            result = StageResult(**{k: record[k] for k in fields if k in record})
            result.detail = {**result.detail, "carried_from_run_started_at": first_started}
            stages.append(result)
    carried = Carried(stages, {k: v for k, v in last["landing"].items() if k in ("files", "bytes")},
                      last.get("big_facts") or [])
    carried.resumed = {"first_started_at": first_started,
                       "carried_stages": sorted(carried.done, key=pipeline.index)}
    return carried
