"""Run one benchmark stage in its own process and measure it: wall time, CPU time, peak RSS.

Each stage is a separate child process, so `os.wait4` gives exactly that stage's CPU time (user +
system, its own and its waited-for children's) and its peak resident set (the largest process of
the stage: Linux reports the maximum over the child and its descendants, not their sum).
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
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


def run_stage(name: str, command: list[str], env: dict[str, str], log_dir: Path, cwd: Path,
              ok_codes: tuple[int, ...] = (0,)) -> StageResult:
    """Run ``command`` as one child process; its output goes to ``<log_dir>/<name>.log``. An exit
    code outside ``ok_codes`` raises `StageFailed` with the end of the log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    load = os.getloadavg()[0]
    interrupted = False
    with log_path.open("w") as log:
        started = time.perf_counter()
        # Its own process group, so stopping the benchmark stops the stage and all it started.
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                start_new_session=True)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            interrupted = True
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = StageResult(
        name=name, command=command, wall_seconds=round(wall, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        returncode=proc.returncode, load_average_start=round(load, 2), interrupted=interrupted,
    )
    if interrupted:
        raise StageInterrupted(result)
    if result.returncode not in ok_codes:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise StageFailed(f"stage {name!r} exited {result.returncode}; last lines of {log_path}:\n{tail}", result)
    return result


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
