"""Render `bench/RESULTS.md` from every `bench/results/<scale>.json` the harness wrote."""

from __future__ import annotations

import json
from pathlib import Path

_ORDER = {"20k": 0, "100k": 1, "1m": 2}
SCALES = {"20k": 20_000, "100k": 100_000, "1m": 1_000_000}
# The stages that make up "end to end" (generation excluded).
END_TO_END = ["load", "knowledge", "dbt_build", "checks", "mining", "dbt_mining_marts", "lists", "publish"]
STAGE_LABELS = {
    "generate": "generate (landing files)", "load": "load (landing → raw, validated)",
    "knowledge": "knowledge compile", "dbt_build": "dbt build (seeds, models, snapshot, tests)",
    "checks": "checks (Great Expectations suites)", "mining": "mining (8 Python steps)",
    "dbt_mining_marts": "dbt build of the marts on mining", "lists": "campaign lists (warehouse → files)",
    "publish": "publish (serving database, atomic swap)",
    "dbt_rebuild_logged": "dbt build again, statements logged", "dbt_sql_replayed_in_duckdb":
    "the same SQL replayed directly in DuckDB", "load_one_day": "load one new day",
    "dbt_incremental_one_day": "dbt incremental build of the new day", "rules_vs_mlxtend":
    "rule mining vs mlxtend (process)", "campaign_engine_synthetic": "campaign engine on synthetic customers",
}


def _fmt_s(x: float | None) -> str:
    return "—" if x is None else (f"{x:,.1f}" if x >= 10 else f"{x:,.2f}")


def _fmt_n(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _speed(r: dict) -> str:
    speed = r.get("speed_reference_seconds")
    if not speed:
        return ""
    return f"; speed reference {_fmt_s(speed['start'])} s at start, {_fmt_s(speed['end'])} s at the end"


def _machine(results: list[dict]) -> list[str]:
    m = results[0]["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    return [f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gib']} GiB; {m['os']}",
            f"- Python {m['python']}; {versions}"]


def _stage_table(r: dict) -> list[str]:
    lines = ["| stage | wall s | CPU s | peak RSS MB | peak spill MB | rows | rows/s | load avg at start | "
             "speed reference s at start |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    stopped = r.get("stopped") or {}
    for s in r["stages"]:
        label, wall = STAGE_LABELS.get(s["name"], s["name"]), _fmt_s(s["wall_seconds"])
        if (s.get("detail") or {}).get("reused"):
            label = f"{label} — measured when the reused files were written ({s['detail'].get('measured_at')})"
        if (s.get("detail") or {}).get("carried_from_run_started_at"):
            label = (f"{label} — measured by the run started {s['detail']['carried_from_run_started_at']}, "
                     "resumed after it")
        if s.get("interrupted"):
            label, wall = f"{label} — **stopped before it finished**", f"> {wall}"
        elif stopped.get("reason") == "failed" and stopped.get("stage") == s["name"]:
            label = f"{label} — **failed** (exit {s['returncode']})"
        lines.append(f"| {label} | {wall} | {_fmt_s(s['cpu_seconds'])} | {_fmt_n(s['peak_rss_mb'])} | "
                     f"{_fmt_n(s.get('peak_spill_mb'))} | {_fmt_n(s.get('rows'))} | "
                     f"{_fmt_n(s.get('rows_per_second'))} | {s['load_average_start']} | "
                     f"{_fmt_s(s.get('speed_reference_seconds'))} |")
    e = r["end_to_end"]
    missing = e.get("not_measured") or []
    if missing:
        lines.append(f"| **end to end, measured stages only** (not measured: {', '.join(missing)}) | "
                     f"**> {_fmt_s(e['wall_seconds'])}** | {_fmt_s(e['cpu_seconds'])} | {_fmt_n(e['peak_rss_mb'])} | | | | | |")
    else:
        lines.append(f"| **end to end** (load → publish) | **{_fmt_s(e['wall_seconds'])}** | "
                     f"{_fmt_s(e['cpu_seconds'])} | {_fmt_n(e['peak_rss_mb'])} | | | | | |")
    failing = [(s["name"], s["detail"]["failed"]) for s in r["stages"] if (s.get("detail") or {}).get("failed")]
    for name, nodes in failing:
        lines.append(f"\ndbt nodes that failed in `{name}` (the stage still ran to the end): "
                     + ", ".join(f"`{n}`" for n in nodes))
    return lines


def _facts_table(r: dict) -> list[str]:
    lines = ["| model (in the dbt build) | rows | seconds | rows/s |", "|---|---:|---:|---:|"]
    for f in r["big_facts"]:
        lines.append(f"| {f['model']} | {_fmt_n(f['rows'])} | {_fmt_s(f['seconds'])} | {_fmt_n(f['rows_per_second'])} |")
    load = next((s for s in r["stages"] if s["name"] == "load"), None)
    if load and load.get("detail", {}).get("tables"):
        lines += ["", "| raw table (load) | rows read | seconds | rows/s |", "|---|---:|---:|---:|"]
        tables = sorted(load["detail"]["tables"].items(), key=lambda kv: -kv[1]["rows_read"])[:5]
        for name, t in tables:
            rate = t["rows_read"] / t["seconds"] if t["seconds"] else None
            lines.append(f"| {name} | {_fmt_n(t['rows_read'])} | {_fmt_s(t['seconds'])} | {_fmt_n(rate)} |")
    return lines


def _comparisons(r: dict) -> list[str]:
    c = r.get("comparisons") or {}
    if not c:
        stopped = r.get("stopped")
        return [f"Comparisons not run (the run stopped at `{stopped['stage']}`)." if stopped
                else "Comparisons not run (`--skip-comparisons`)."]
    lines = []
    o = c.get("dbt_overhead")
    if o:
        threads = o.get("dbt_threads")
        build = f"`dbt build` ({threads} thread{'s' if threads != 1 else ''})" if threads else "`dbt build`"
        replayed = ("replayed one after another in one DuckDB connection" if threads and threads > 1
                    else "replayed directly in DuckDB")
        lines.append(f"- **dbt overhead**: {build} {_fmt_s(o['dbt_build_seconds'])} s vs the same "
                     f"{o['replay_statements']:,} statements {replayed} {_fmt_s(o['replay_seconds'])} s "
                     f"→ **{o['ratio']}×** (replay errors: {o['replay_errors']}; dbt itself timed "
                     f"{_fmt_s(o['sql_seconds_seen_by_dbt'])} s inside DuckDB).")
    i = c.get("incremental_one_day")
    if i:
        lines.append(f"- **one new day ({i['day']})**: load {_fmt_s(i['load_one_day_seconds'])} s; "
                     f"`dbt build {i['selection']}` {_fmt_s(i['dbt_incremental_seconds'])} s vs the full build "
                     f"{_fmt_s(i['full_build_seconds'])} s → **{i['ratio_to_full_build']:.1%}** of the full build.")
    q = c.get("rules_vs_mlxtend")
    if q:
        lines.append(f"- **rule mining vs mlxtend** on the warehouse baskets ({_fmt_n(q.get('transactions'))} × "
                     f"{q.get('items')} items, min support {q.get('min_support')}, min confidence "
                     f"{q.get('min_confidence')}, max len {q.get('max_len')}): rules ours {_fmt_n(q.get('rules_ours'))}, "
                     f"mlxtend {_fmt_n(q.get('rules_mlxtend'))}, identical: {q.get('identical')}; "
                     f"{_fmt_s(q.get('seconds_ours'))} s vs {_fmt_s(q.get('seconds_mlxtend'))} s → "
                     f"**{q.get('speedup')}× faster**.")
    g = c.get("campaign_engine")
    if g:
        lines.append(f"- **campaign engine** alone on {_fmt_n(g.get('customers'))} synthetic customers: "
                     f"{_fmt_s(g.get('seconds'))} s, {_fmt_n(g.get('peak_rss_mb'))} MB peak RSS.")
    if r.get("comparisons_not_run"):
        lines.append("- not run (left out by `--comparisons`, or after the run stopped): "
                     f"{', '.join(f'`{c}`' for c in r['comparisons_not_run'])}.")
    return lines


def _targets(results: dict[str, dict]) -> list[str]:
    lines = ["| target | scale | measured | met |", "|---|---|---|---|"]

    def row(target: str, scale: str, measured: str, met: bool | None) -> None:
        lines.append(f"| {target} | {scale} | {measured} | {'yes' if met else ('no' if met is not None else '—')} |")

    for scale, r in results.items():
        e = r["end_to_end"]
        # A run that stopped early measured a lower bound: it can only fail a target, never meet it.
        missing = e.get("not_measured") or []
        bound = "> " if missing else ""
        partial = f" ({len(END_TO_END) - len(missing)} of {len(END_TO_END)} stages measured)" if missing else ""
        if scale == "1m":
            over = e["wall_seconds"] > 600 or e["peak_rss_mb"] > 6144
            row("end to end ≤ 600 s, peak RSS ≤ 6 GiB", scale, f"{bound}{_fmt_s(e['wall_seconds'])} s, "
                f"{bound}{e['peak_rss_mb'] / 1024:.2f} GiB{partial}", False if over else (None if missing else True))
        if scale == "100k":
            over = e["wall_seconds"] > 90
            row("end to end ≤ 90 s", scale, f"{bound}{_fmt_s(e['wall_seconds'])} s{partial}",
                False if over else (None if missing else True))
        c = r.get("comparisons") or {}
        if "dbt_overhead" in c:
            row("dbt overhead ≤ 1.3× (target at 1M)", scale, f"{c['dbt_overhead']['ratio']}×",
                c["dbt_overhead"]["ratio"] <= 1.3)
        if "incremental_one_day" in c:
            ratio = c["incremental_one_day"]["ratio_to_full_build"]
            row("one-day incremental ≤ 10 % of full build (target at 1M)", scale, f"{ratio:.1%}", ratio <= 0.10)
        q = c.get("rules_vs_mlxtend") or {}
        if q:
            row("rules identical to mlxtend, ≥ 5× faster", scale, f"identical {q.get('identical')}, "
                f"{q.get('speedup')}×", bool(q.get("identical")) and (q.get("speedup") or 0) >= 5)
        lists = next((s for s in r["stages"] if s["name"] == "lists"), None)
        if lists:
            # A run before the lists stage recorded what it listed may have listed nobody (its run
            # date past every campaign's window): its time is shown, not judged.
            listed = lists.get("detail") or {}
            recorded = "run_date" in listed
            what = (f"{listed['rows']:,} rows listed for {listed['run_date']}" if recorded
                    else "rows listed not recorded")
            row("all campaign lists ≤ 10 s (target at 1M)", scale, f"{_fmt_s(lists['wall_seconds'])} s "
                f"(warehouse → files; {what})", lists["wall_seconds"] <= 10 if recorded else None)
    return lines


def _complete(r: dict) -> bool:
    return not r["end_to_end"].get("not_measured")


def _projected_stages(results: dict[str, dict], customers: int, names: list[str]) -> tuple[list[str], float, list]:
    """Each stage's wall time extended linearly in customers (fixed cost + cost per customer) from
    the two largest complete 6-month runs. Returns table rows, their total and the two runs."""
    base = sorted((r for r in results.values() if r.get("months") == 6 and _complete(r)),
                  key=lambda r: r["customers"])[-2:]
    if len(base) < 2:
        return [], 0.0, base
    (a, b) = base
    wall = {r["scale"]: {s["name"]: s["wall_seconds"] for s in r["stages"]} for r in (a, b)}
    rows, total = [], 0.0
    for name in names:
        wa, wb = wall[a["scale"]].get(name), wall[b["scale"]].get(name)
        if wa is None or wb is None:
            continue
        slope = (wb - wa) / (b["customers"] - a["customers"])
        projected = max(wb + slope * (customers - b["customers"]), 0.0)
        total += projected
        rows.append(f"| {STAGE_LABELS.get(name, name)} | {_fmt_s(projected)} |")
    return rows, total, base


def _projection(results: dict[str, dict], scale: str, customers: int) -> list[str]:
    """A scale with no results file: every end-to-end stage projected. Labelled as a projection,
    never as a result."""
    out = [f"## {scale}: {customers:,} customers × 6 months — not measured", "",
           f"No `bench/results/{scale}.json` yet (`make bench SCALE={scale}`)."]
    rows, total, base = _projected_stages(results, customers, END_TO_END)
    if not rows:
        return out + [""]
    (a, b) = base
    lines = [f"Projection, not a measurement: each stage's wall time extended linearly in customers from "
             f"the {a['scale']} and {b['scale']} runs above (fixed cost + cost per customer). Landing rows "
             f"grow with customers × months ({_fmt_n(b['landing']['rows_read_by_first_load'])} rows at "
             f"{b['customers']:,}).", "", "| stage | projected wall s |", "|---|---:|", *rows,
             f"| **end to end** | **{_fmt_s(total)}** |"]
    return out + [""] + lines + [""]


def _stopped(r: dict, results: dict[str, dict]) -> list[str]:
    """Why a run ended early, and (labelled as such) a projection of the stages it did not measure."""
    stopped = r.get("stopped")
    if not stopped:
        return []
    why = {"until": f"stopped as asked after `{stopped['stage']}` (`--until {stopped['stage']}`)",
           "interrupted": f"stopped by hand while `{stopped['stage']}` ran, after "
                          f"{_fmt_s(stopped.get('after_seconds'))} s",
           "failed": f"`{stopped['stage']}` failed (exit {stopped.get('returncode')})",
           "out_of_disk": f"`{stopped['stage']}` was stopped after {_fmt_s(stopped.get('after_seconds'))} s, when "
                          f"free disk fell below {_fmt_n(stopped.get('min_free_disk_mb'))} MB (DuckDB's spill "
                          f"had reached {_fmt_n(stopped.get('peak_spill_mb'))} MB)"}[stopped["reason"]]
    out = [f"**This run did not finish**: {why}. Stages after it were not run; figures above are what "
           "was measured."]
    missing = r["end_to_end"].get("not_measured") or []
    rows, total, base = _projected_stages(results, r["customers"], missing)
    if rows:
        out += ["", f"Projection of the stages not measured, not a measurement: linear in customers from the "
                f"{base[0]['scale']} and {base[1]['scale']} runs.", "", "| stage | projected wall s |",
                "|---|---:|", *rows,
                f"| **measured {_fmt_s(r['end_to_end']['wall_seconds'])} s + projected** | "
                f"**{_fmt_s(r['end_to_end']['wall_seconds'] + total)}** |"]
    return out + [""]


def _where_time_goes(r: dict) -> list[str]:
    """The full dbt build's slowest nodes and each mining step, when the run recorded them."""
    stages = {s["name"]: s.get("detail") or {} for s in r["stages"]}
    lines: list[str] = []
    slowest = stages.get("dbt_build", {}).get("slowest_nodes") or {}
    threads = stages.get("dbt_build", {}).get("threads") or ((r.get("comparisons") or {}).get("dbt_overhead")
                                                             or {}).get("dbt_threads")
    if slowest and threads and threads > 1:
        lines += [f"The build ran {threads} nodes at a time: a node's seconds include sharing the two "
                  "cores with another node, and the nodes' seconds overlap.", ""]
    if slowest:
        lines += ["| slowest dbt nodes (full build) | seconds |", "|---|---:|"]
        lines += [f"| `{uid.split('.', 2)[-1]}` ({uid.split('.')[0]}) | {_fmt_s(t)} |" for uid, t in slowest.items()]
    steps = stages.get("mining", {}).get("steps") or {}
    if steps:
        lines += ["", "| mining step | seconds | rows written | peak RSS MB so far |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {_fmt_s(st['seconds'])} | {_fmt_n(sum(st['rows'].values()))} | "
                  f"{_fmt_n(st['peak_rss_mb_so_far'])} |" for name, st in steps.items()]
    return ["### Where the time goes", "", *lines, ""] if lines else []


def _notes(r: dict) -> list[str]:
    """What the figures of a run do not say themselves (``notes`` in its results file, written by
    hand after the run: which figure it qualifies and why)."""
    notes = r.get("notes") or []
    return ["### Notes on this run (added after it)", "", *[f"- {n}" for n in notes], ""] if notes else []


def write_results_md(results_dir: Path, path: Path) -> Path:
    results = {p.stem: json.loads(p.read_text()) for p in sorted(results_dir.glob("*.json"))}
    results = dict(sorted(results.items(), key=lambda kv: (_ORDER.get(kv[0], 9), kv[1]["customers"])))
    out = ["# Benchmark results", "",
           "Written by `bench/run.py` (`make bench SCALE=...`); every figure below was measured by it. "
           "Each stage runs as its own process: wall time, CPU time (user + system) and peak RSS "
           "(largest process) per stage. The load average at each stage's start says how busy the "
           "machine was: on this 2-core machine anything above ~2 means other work shared the CPUs "
           "and the times are upper bounds. The same machine is not always as fast with nothing else "
           "running: the speed reference (`bench/measure.py` `SPEED_REFERENCE_SQL`, a fixed query "
           "on one thread, lower is faster), taken at a run's start and end (best of 3) and before "
           "each stage (best of 2), says how fast it was; runs written before it was added do not "
           "have it (—).", ""]
    if not results:
        path.write_text("\n".join(out + ["No results yet."]) + "\n")
        return path
    out += ["## Machine", "", *_machine(list(results.values())), "", "## Targets", "", *_targets(results), ""]
    for scale, r in results.items():
        land = r["landing"]
        out += [f"## {scale}: {r['customers']:,} customers × {r['months']} months (seed {r['seed']})", "",
                f"Run {r['started_at']} → {r['finished_at']}; load average {r['load_average_start']} at start, "
                f"{r['load_average_end']} at the end{_speed(r)}. Landing: {land['files']:,} files, "
                f"{land['bytes'] / 1e6:,.0f} MB, {_fmt_n(land['rows_read_by_first_load'])} rows read by the first "
                "load (the last day held back for the incremental run)"
                f"{' (' + land['note'] + ')' if land.get('note') else ''}. DuckDB memory_limit: "
                f"{r['machine'].get('duckdb_memory_limit', '8GB (the default then)')}.", "",
                *_stage_table(r), "", *_notes(r), *_stopped(r, results), *_where_time_goes(r),
                "### Big facts", "", *_facts_table(r), "", "### Comparisons", "", *_comparisons(r), ""]
    for scale, customers in SCALES.items():
        if scale not in results:
            out += _projection(results, scale, customers)
    path.write_text("\n".join(out) + "\n")
    return path
