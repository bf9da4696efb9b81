"""The benchmark harness: one scale profile, every stage measured on its own, ratios, results.

    make bench SCALE=20k            # or 100k, 1m, or a number of customers
    .venv/bin/python bench/run.py --scale 20k [--months 6] [--work DIR] [--reuse-landing]
    .venv/bin/python bench/run.py --scale 1m --until load      # then, later, on that warehouse:
    .venv/bin/python bench/run.py --scale 1m --resume          # the stages after load

Generates the profile's landing files (customers × months), holds back the last delivered day,
then runs each stage as its own process and measures wall time, CPU time and peak RSS:

    generate · load · knowledge · dbt build · checks (Great Expectations) · mining ·
    dbt mining marts · lists · publish

End to end (load → lists → publish, generation excluded) is the sum of those after generate.
Then the comparisons, reported as ratios (`bench/comparisons.py`): dbt's overhead, one new day
incremental against the full build, rule mining against mlxtend, the campaign engine alone;
`--comparisons` picks some of them.

Writes `bench/results/<scale>.json` and regenerates `bench/RESULTS.md` from every results file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(BENCH_DIR))

from comparisons import COMPARISONS, run_comparisons  # noqa: E402
from landing_days import deliver_held_back, hold_back_last_day, landing_size  # noqa: E402
from measure import (  # noqa: E402
    DiskGuard,
    StageFailed,
    StageInterrupted,
    StageOutOfDisk,
    StageResult,
    machine,
    run_stage,
    speed_reference,
)
from report import END_TO_END, SCALES, write_results_md  # noqa: E402
from resume import carry_over  # noqa: E402

PIPELINE = ["generate", *END_TO_END]
BIG_FACTS = ["fct_usage_daily", "fct_calls", "fct_contacts", "fct_billing_monthly", "fct_subscription_events",
             "int_customer_features", "mart_customer_360"]


def scale_customers(scale: str) -> tuple[str, int]:
    key = scale.lower()
    if key in SCALES:
        return key, SCALES[key]
    customers = int(key.replace("_", ""))
    return f"{customers}", customers


class Bench:
    def __init__(self, label: str, customers: int, months: int, seed: int, work: Path):
        self.label, self.customers, self.months, self.seed, self.work = label, customers, months, seed, work
        self.landing, self.holdback = work / "landing", work / "holdback"
        self.db, self.serving = work / "touchpoint.duckdb", work / "serving.duckdb"
        self.target, self.logs = work / "target", work / "logs"
        self.bin = Path(sys.executable).parent
        self.stages: list[StageResult] = []
        self.until: str | None = None  # stop after this pipeline stage (`--until`)
        self.stopped: dict | None = None  # why the run ended before its last stage, when it did
        self.load_detail: dict = {}  # what the first load read, per table
        self.landing_size: dict = {"files": 0, "bytes": 0}  # the profile's files, before any stage ran
        self.big_facts: list[dict] = []  # rows and seconds of the big facts in the full dbt build
        self.node_timing: dict[str, dict[str, float]] = {}  # dbt stage -> node -> seconds
        self.resumed: dict | None = None  # the earlier run this one continues (`--resume`)
        self.comparisons: tuple[str, ...] = COMPARISONS  # which to run after the stages (`--comparisons`)
        self.min_free_disk_mb = 3072.0  # a stage is stopped when free disk falls below (`--min-free-disk-mb`)
        self.env = {**os.environ, "TOUCHPOINT_DB": str(self.db), "TOUCHPOINT_LANDING": str(self.landing),
                    "TOUCHPOINT_SERVING_DB": str(self.serving), "TOUCHPOINT_GX_DIR": str(work / "gx"),
                    "DAGSTER_HOME": str(work / "dagster"), "DBT_LOG_PATH": str(self.logs / "dbt"),
                    "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"}

    # -- running -------------------------------------------------------------------------------
    def stage(self, name: str, command: list[str], out: Path | None = None,
              ok_codes: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> StageResult:
        print(f"[bench {self.label}] {name}: {' '.join(command[:6])}{' …' if len(command) > 6 else ''}",
              flush=True)
        speed = speed_reference(repeats=2)  # how fast the machine is as the stage starts
        try:
            disk = DiskGuard(Path(f"{self.db}.tmp"), self.min_free_disk_mb)  # DuckDB's default spill folder
            result = run_stage(name, command, {**self.env, **(env or {})}, self.logs, PROJECT_DIR, ok_codes, disk)
        except (StageFailed, StageInterrupted) as stop:
            stop.result.speed_reference_seconds = speed
            self.stages.append(stop.result)  # measured up to where it stopped, and reported as such
            raise
        result.speed_reference_seconds = speed
        if out is not None and out.exists():
            result.detail = json.loads(out.read_text())
        elif out is not None:  # a script that prints its JSON as the last line of its output
            lines = (self.logs / f"{name}.log").read_text(errors="replace").strip().splitlines()
            try:
                result.detail = json.loads(lines[-1]) if lines else {}
            except json.JSONDecodeError:
                result.detail = {}
        self.stages.append(result)
        print(f"[bench {self.label}] {name}: {result.wall_seconds:.1f} s wall, {result.cpu_seconds:.1f} s CPU, "
              f"{result.peak_rss_mb:,.0f} MB peak RSS, {result.peak_spill_mb or 0:,.0f} MB peak spill", flush=True)
        return result

    def touchpoint(self, *args: str) -> list[str]:
        return [str(self.bin / "touchpoint"), *args]

    def python(self, script: str, *args: str) -> list[str]:
        return [sys.executable, str(BENCH_DIR / script), *args]

    def dbt(self, *args: str, name: str) -> list[str]:
        return [str(self.bin / "dbt"), *args, "--target-path", str(self.target),
                "--log-path", str(self.logs / f"dbt_{name}")]

    def dbt_stage(self, name: str, *args: str, env: dict[str, str] | None = None) -> StageResult:
        """A dbt command as a stage. dbt exits 1 when a test fails: the stage still counts (its
        failures are recorded and reported), any other error stops the benchmark."""
        shutil.rmtree(self.logs / f"dbt_{name}", ignore_errors=True)  # dbt appends to its log file
        result = self.stage(name, self.dbt(*args, name=name), ok_codes=(0, 1), env=env)
        run_results = json.loads((self.target / "run_results.json").read_text())
        (self.work / f"run_results_{name}.json").write_text(json.dumps(run_results))
        statuses: dict[str, int] = {}
        for r in run_results["results"]:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        failed = [r["unique_id"] for r in run_results["results"] if r["status"] in ("fail", "error")]
        timing = {r["unique_id"]: r["execution_time"] for r in run_results["results"]}
        self.node_timing[name] = timing
        slowest = sorted(timing.items(), key=lambda kv: -kv[1])[:10]
        workers = {r.get("thread_id") for r in run_results["results"]} - {None, "main"}
        result.detail = {"nodes": len(run_results["results"]), "statuses": statuses, "failed": failed,
                         "threads": max(len(workers), 1),  # nodes dbt ran at a time
                         "slowest_nodes": {uid: round(t, 3) for uid, t in slowest}}
        if failed:
            print(f"[bench {self.label}] {name}: dbt reported {len(failed)} failing nodes: {failed[:5]}", flush=True)
        return result

    # -- the landing profile -------------------------------------------------------------------
    def generate(self, reuse: bool) -> None:
        manifest = self.landing / "_truth" / "manifest.json"
        wanted = {"customers": self.customers, "months": self.months, "seed": self.seed}
        if reuse and manifest.exists():
            config = json.loads(manifest.read_text()).get("config", {})
            if all(config.get(k) == v for k, v in wanted.items()):
                deliver_held_back(self.landing, self.holdback)
                print(f"[bench {self.label}] reusing the landing files in {self.landing}", flush=True)
                self._carry_over_generation()
                return
        shutil.rmtree(self.holdback, ignore_errors=True)
        self.generation_record.unlink(missing_ok=True)
        result = self.stage("generate", self.touchpoint("generate", "--customers", str(self.customers), "--months",
                                                        str(self.months), "--seed", str(self.seed), "--out",
                                                        str(self.landing), "--quiet"))
        self.generation_record.write_text(json.dumps(
            {**result.to_json(), "generated_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}))

    @property
    def generation_record(self) -> Path:
        """The measurement of the run that generated these landing files, kept beside them."""
        return self.work / "generate_stage.json"

    def _carry_over_generation(self) -> None:
        """Reused landing files: report the generation measured when they were written (marked
        ``reused``), so the results still say what generating this profile costs."""
        if not self.generation_record.exists():
            return
        record = json.loads(self.generation_record.read_text())
        fields = {k: record[k] for k in StageResult.__dataclass_fields__ if k in record}
        result = StageResult(**fields)
        result.detail = {**result.detail, "reused": True, "measured_at": record.get("generated_at")}
        self.stages.append(result)

    # -- the stages ----------------------------------------------------------------------------
    def run(self, reuse_landing: bool, skip_comparisons: bool, resume: bool = False) -> dict:
        """Every stage, then the comparisons. A stage that fails, the benchmark being stopped
        (Ctrl-C, SIGTERM) or `--until` end the run early: what was measured is still returned,
        with ``stopped`` saying where and why. ``resume`` continues the last run in this working
        folder on the warehouse it left, after the stages it finished (see `_resume`)."""
        started = dt.datetime.now().astimezone()
        self.work.mkdir(parents=True, exist_ok=True)
        load_start = os.getloadavg()
        speed_start = speed_reference()
        comparisons: dict = {}
        done = self._resume() if resume else set()
        try:
            if not resume:
                self.generate(reuse_landing)
                self.landing_size = landing_size(self.landing)  # before any stage moves a file
            self._reached("generate")
            new_day = hold_back_last_day(self.landing, self.holdback)
            build = self._pipeline(self.work / "stage_out", done)
            if not skip_comparisons:
                run_comparisons(self, new_day, build, self.work / "stage_out", self.comparisons, into=comparisons)
        except _Stop:
            pass
        except StageOutOfDisk as stop:
            self.stopped = {"reason": "out_of_disk", "stage": stop.result.name,
                            "after_seconds": stop.result.wall_seconds, "min_free_disk_mb": stop.floor_mb,
                            "peak_spill_mb": stop.result.peak_spill_mb}
        except StageInterrupted as stop:
            self.stopped = {"reason": "interrupted", "stage": stop.result.name,
                            "after_seconds": stop.result.wall_seconds}
        except StageFailed as stop:
            self.stopped = {"reason": "failed", "stage": stop.result.name, "returncode": stop.result.returncode,
                            "message": str(stop)[-2000:]}
        finally:
            deliver_held_back(self.landing, self.holdback)
        unfinished = self.stopped["stage"] if self.stopped and self.stopped["reason"] != "until" else None
        measured = {s.name for s in self.stages} - {unfinished}
        e2e = [s for s in self.stages if s.name in END_TO_END]
        results = {
            "scale": self.label, "customers": self.customers, "months": self.months, "seed": self.seed,
            "started_at": started.isoformat(timespec="seconds"),
            **({"resumed": self.resumed} if self.resumed else {}),
            "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(), "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "speed_reference_seconds": {"start": speed_start, "end": speed_reference()},
            "landing": {**self.landing_size, "rows_read_by_first_load": self.load_detail.get("rows_read")},
            "stages": [s.to_json() for s in self.stages],
            "stopped": self.stopped,
            "end_to_end": {"stages": [s.name for s in e2e],
                           "not_measured": [n for n in END_TO_END if n not in measured],
                           "wall_seconds": round(sum(s.wall_seconds for s in e2e), 3),
                           "cpu_seconds": round(sum(s.cpu_seconds for s in e2e), 3),
                           "peak_rss_mb": max((s.peak_rss_mb for s in e2e), default=0.0)},
            "big_facts": self.big_facts, "comparisons": comparisons,
            **({"comparisons_not_run": [c for c in COMPARISONS if c not in comparisons]}
               if comparisons and set(comparisons) != set(COMPARISONS) else {}),
        }
        self.last_results.write_text(json.dumps(results, indent=1, default=str))  # what `--resume` continues
        return results

    # -- resuming --------------------------------------------------------------------------------
    @property
    def last_results(self) -> Path:
        """The results of the last run in this folder: what it measured and where it stopped."""
        return self.work / "results.json"

    def _resume(self) -> set[str]:
        """Take over the finished stages of the last run in this folder (bench/resume.py)."""
        carried = carry_over(self.last_results, self.db,
                             {"customers": self.customers, "months": self.months, "seed": self.seed}, PIPELINE)
        self.stages, self.landing_size, self.big_facts = carried.stages, carried.landing_size, carried.big_facts
        self.load_detail, self.resumed = carried.load_detail, carried.resumed
        print(f"[bench {self.label}] resuming the run started at {self.resumed['first_started_at']} after: "
              f"{', '.join(self.resumed['carried_stages']) or 'nothing'}", flush=True)
        return carried.done

    def _reached(self, name: str) -> None:
        if self.until == name:
            self.stopped = {"reason": "until", "stage": name}
            raise _Stop(name)

    def _pipeline(self, out: Path, done: set[str] = frozenset()) -> StageResult:
        """load → knowledge → dbt build → checks → mining → mining marts → lists → publish, less the
        stages ``done`` (resuming); returns the full dbt build's measurement (the incremental run
        is compared with it)."""
        if "load" not in done:
            for path in (self.db, self.serving, self.db.with_suffix(".duckdb.wal")):
                path.unlink(missing_ok=True)
            shutil.rmtree(self.work / "gx", ignore_errors=True)
            shutil.rmtree(self.work / "lists", ignore_errors=True)
        out.mkdir(exist_ok=True)
        steps = {
            "load": self._load, "knowledge": lambda _: self.stage(
                "knowledge", self.touchpoint("knowledge", "compile", "--db", str(self.db))),
            "dbt_build": self._dbt_build, "checks": self._checks,
            "mining": lambda o: self.stage("mining", self.touchpoint(
                "mine", "all", "--db", str(self.db), "--timings", str(o / "mining.json")), o / "mining.json"),
            "dbt_mining_marts": lambda _: self.dbt_stage("dbt_mining_marts", "build", "--select", "source:mining+"),
            "lists": lambda o: self.stage("lists", self.python(
                "stages.py", "lists", "--db", str(self.db), "--lists", str(self.work / "lists"), "--out",
                str(o / "lists.json")), o / "lists.json"),
            "publish": self._publish,
        }
        for name, step in steps.items():
            if name not in done:
                step(out)
            self._reached(name)
        return next(s for s in self.stages if s.name == "dbt_build")

    def _load(self, out: Path) -> None:
        load = self.stage("load", self.python("stages.py", "load", "--db", str(self.db), "--landing",
                                              str(self.landing), "--out", str(out / "load.json")),
                          out / "load.json")
        load.rows = load.detail["rows_read"]
        self.load_detail = load.detail

    def _dbt_build(self, out: Path) -> None:
        # --full-refresh: a resumed run builds on the warehouse of the run it continues, where the
        # incremental models may exist already; this stage measures the full build
        self.dbt_stage("dbt_build", "build", "--full-refresh", "--exclude", "source:mining+")
        self.big_facts = self._big_facts(self.node_timing["dbt_build"], out)

    def _checks(self, out: Path) -> None:
        checks = self.stage("checks", self.python("stages.py", "checks", "--db", str(self.db), "--out",
                                                  str(out / "checks.json")), out / "checks.json")
        checks.rows = checks.detail.get("rows")

    def _publish(self, out: Path) -> None:
        publish = self.stage("publish", self.python("stages.py", "publish", "--db", str(self.db), "--serving",
                                                    str(self.serving), "--out", str(out / "publish.json")),
                             out / "publish.json")
        publish.rows = publish.detail.get("rows")

    @staticmethod
    def has_selector(name: str) -> bool:
        path = PROJECT_DIR / "selectors.yml"
        if not path.exists():
            return False
        import yaml

        return any(s.get("name") == name for s in (yaml.safe_load(path.read_text()) or {}).get("selectors", []))

    def _big_facts(self, node_timing: dict[str, float], out: Path) -> list[dict]:
        timing = {uid.split(".")[-1]: t for uid, t in node_timing.items() if uid.startswith("model.")}
        names = [n for n in BIG_FACTS if n in timing]
        schemas = {"int_customer_features": "intermediate"}
        tables = [f"{schemas.get(n, 'marts')}.{n}" for n in names]
        counts = self.stage("count_big_facts", self.python("stages.py", "counts", "--db", str(self.db),
                                                           *[a for t in tables for a in ("--table", t)],
                                                           "--out", str(out / "counts.json")), out / "counts.json")
        self.stages.remove(counts)  # bookkeeping, not a stage of the pipeline
        return [{"model": n, "rows": counts.detail[t], "seconds": round(timing[n], 3),
                 "rows_per_second": round(counts.detail[t] / timing[n]) if timing[n] and counts.detail[t] else None}
                for n, t in zip(names, tables)]


class _Stop(Exception):
    """`--until` reached: the stages after it are not run."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the benchmark like Ctrl-C: the running stage is killed, results kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="20k", help="20k, 100k, 1m, or a number of customers")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", help="working folder (default data/bench/<scale>)")
    parser.add_argument("--reuse-landing", action="store_true",
                        help="keep the landing files of an earlier run with the same profile")
    parser.add_argument("--skip-comparisons", action="store_true", help="stages only, no ratios")
    parser.add_argument("--comparisons", nargs="+", choices=COMPARISONS, default=list(COMPARISONS),
                        help="which comparisons to run after the stages (default: all)")
    parser.add_argument("--until", choices=PIPELINE,
                        help="stop after this stage (no comparisons); the results say which stages were not run")
    parser.add_argument("--resume", action="store_true",
                        help="continue the last run in the working folder on the warehouse it left, after the "
                             "stages it finished (their measurements are carried, and marked as such)")
    parser.add_argument("--results-dir", default=str(BENCH_DIR / "results"))
    parser.add_argument("--min-free-disk-mb", type=float, default=3072.0,
                        help="stop a stage when free space on the warehouse's disk falls below this (MB); "
                             "its DuckDB spill and the free space are measured either way")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)

    label, customers = scale_customers(args.scale)
    work = Path(args.work) if args.work else PROJECT_DIR / "data" / "bench" / label
    bench = Bench(label, customers, args.months, args.seed, work.resolve())
    bench.until, bench.comparisons = args.until, tuple(args.comparisons)
    bench.min_free_disk_mb = args.min_free_disk_mb
    results = bench.run(args.reuse_landing, args.skip_comparisons or args.until is not None, args.resume)
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{label}.json").write_text(json.dumps(results, indent=1, default=str))
    md = write_results_md(results_dir, BENCH_DIR / "RESULTS.md" if results_dir == BENCH_DIR / "results"
                          else results_dir / "RESULTS.md")
    e2e, stopped = results["end_to_end"], results["stopped"]
    if stopped:
        print(f"[bench {label}] stopped ({stopped['reason']}) at {stopped['stage']}; stages not measured: "
              f"{', '.join(e2e['not_measured']) or 'none'}; results in {md}")
        return 0 if stopped["reason"] == "until" else 1
    print(f"[bench {label}] end to end {e2e['wall_seconds']:.1f} s; results in {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
