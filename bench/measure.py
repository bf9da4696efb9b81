"""Run one benchmark stage in its own process and measure it: wall time, CPU time, peak RSS,
and how much DuckDB spilled to disk.

Each stage is a separate child process, so `os.wait4` gives exactly that stage's CPU time (user +
system, its own and its waited-for children's) and its peak resident set (the largest process of
the stage: Linux reports the maximum over the child and its descendants, not their sum). A
`DiskGuard` watches DuckDB's spill folder (``<database>.tmp``) while the stage runs: it records the
largest size it reached and stops the stage before the disk fills (a full disk can corrupt the
warehouse and leaves every other process on the machine without room).
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class StageResult:
    name: str
    command: list[str]
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    load_average_start: float
    rows: int | None = None  # rows the stage processed, when it has a natural count
    detail: dict = field(default_factory=dict)
    interrupted: bool = False  # stopped (Ctrl-C, SIGTERM) before it finished: the times are lower bounds
    peak_spill_mb: float | None = None  # largest size of DuckDB's spill folder seen while it ran
    min_free_disk_mb: float | None = None  # least free space seen on the spill folder's disk
    speed_reference_seconds: float | None = None  # `speed_reference` just before the stage started

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.wall_seconds if self.rows and self.wall_seconds > 0 else None

    def to_json(self) -> dict:
        return {**asdict(self), "rows_per_second": self.rows_per_second}


class StageFailed(RuntimeError):
    def __init__(self, message: str, result: StageResult):
        super().__init__(message)
        self.result = result


class StageInterrupted(RuntimeError):
    """The benchmark was stopped while a stage ran: the stage's process group was killed and what
    it had used so far is in ``result``."""

    def __init__(self, result: StageResult):
        super().__init__(f"stage {result.name!r} interrupted after {result.wall_seconds:.1f} s")
        self.result = result


class StageOutOfDisk(StageInterrupted):
    """The stage was stopped because free space on the disk of DuckDB's spill fell below the
    guard's floor; ``result`` holds what it used until then, its spill peak included."""

    def __init__(self, result: StageResult, floor_mb: float):
        RuntimeError.__init__(self, f"stage {result.name!r} stopped after {result.wall_seconds:.1f} s: free disk "
                                    f"fell below {floor_mb:,.0f} MB (spill peaked at {result.peak_spill_mb:,.0f} MB)")
        self.result, self.floor_mb = result, floor_mb


@dataclass
class DiskGuard:
    """Watch ``spill_dir`` (DuckDB's ``<database>.tmp``) while a stage runs: its peak size, the
    least free space on its disk, and a floor (``min_free_mb``) under which the stage is stopped."""

    spill_dir: Path
    min_free_mb: float = 3072.0
    interval: float = 0.5
    peak_spill_mb: float = 0.0
    min_free_seen_mb: float | None = None
    tripped: bool = False

    def spill_mb(self) -> float:
        total = 0
        for root, _, files in os.walk(self.spill_dir):
            for f in files:
                try:
                    total += os.stat(os.path.join(root, f)).st_blocks * 512  # space used, not apparent size
                except OSError:
                    continue  # DuckDB removed it between the listing and the stat
        return total / 2**20

    def free_mb(self) -> float:
        folder = self.spill_dir if self.spill_dir.exists() else self.spill_dir.parent
        return shutil.disk_usage(folder).free / 2**20

    def check(self) -> bool:
        """One look: update the figures; True when the stage must be stopped."""
        self.peak_spill_mb = max(self.peak_spill_mb, self.spill_mb())
        free = self.free_mb()
        self.min_free_seen_mb = free if self.min_free_seen_mb is None else min(self.min_free_seen_mb, free)
        return free < self.min_free_mb

    def watch(self, pgid: int, done: threading.Event) -> None:
        while not done.is_set():
            if self.check():
                self.tripped = True
                os.killpg(pgid, signal.SIGKILL)
                return
            done.wait(self.interval)


def run_stage(name: str, command: list[str], env: dict[str, str], log_dir: Path, cwd: Path,
              ok_codes: tuple[int, ...] = (0,), disk: DiskGuard | None = None) -> StageResult:
    """Run ``command`` as one child process; its output goes to ``<log_dir>/<name>.log``. An exit
    code outside ``ok_codes`` raises `StageFailed` with the end of the log; ``disk`` watches the
    spill while it runs and stops it (`StageOutOfDisk`) before the disk fills."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    load = os.getloadavg()[0]
    interrupted = False
    done = threading.Event()
    with log_path.open("w") as log:
        started = time.perf_counter()
        # Its own process group, so stopping the benchmark stops the stage and all it started.
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                start_new_session=True)
        watcher = threading.Thread(target=disk.watch, args=(proc.pid, done), daemon=True) if disk else None
        if watcher:
            watcher.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            interrupted = True
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            done.set()
            if watcher:
                watcher.join()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = StageResult(
        name=name, command=command, wall_seconds=round(wall, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        returncode=proc.returncode, load_average_start=round(load, 2),
        interrupted=interrupted or bool(disk and disk.tripped),
        peak_spill_mb=round(disk.peak_spill_mb, 1) if disk else None,
        min_free_disk_mb=round(disk.min_free_seen_mb, 1) if disk and disk.min_free_seen_mb is not None else None,
    )
    if disk and disk.tripped:
        raise StageOutOfDisk(result, disk.min_free_mb)
    if interrupted:
        raise StageInterrupted(result)
    if result.returncode not in ok_codes:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise StageFailed(f"stage {name!r} exited {result.returncode}; last lines of {log_path}:\n{tail}", result)
    return result


# A fixed piece of the work the pipeline does (text hashing, a string hash aggregate), on one
# thread in memory: the same machine ran the 100k load at 682k and 456k rows/s on different days
# with nothing else running, and this says how fast the machine was when a run was measured.
SPEED_REFERENCE_SQL = "select count(distinct md5(cast(i as varchar))) from range(3000000) as t(i)"


def speed_reference(repeats: int = 3) -> float:
    """Seconds of the best of ``repeats`` runs of `SPEED_REFERENCE_SQL` (lower is faster)."""
    import duckdb

    with duckdb.connect(config={"threads": 1}) as con:
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            con.execute(SPEED_REFERENCE_SQL).fetchall()
            best = min(best, time.perf_counter() - started)
    return round(best, 3)


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for module in ("duckdb", "dbt.version", "dagster", "pandas", "numpy"):
        try:
            mod = __import__(module, fromlist=["x"])
            versions[module.split(".")[0]] = getattr(mod, "__version__", None) or getattr(mod, "installed", None)
        except ImportError:
            continue
    versions["dbt"] = str(versions.get("dbt"))
    from orchestration.warehouse import duckdb_config

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_gib, "os": platform.platform(),
            "python": platform.python_version(), "versions": versions,
            "duckdb_memory_limit": duckdb_config()["memory_limit"]}
