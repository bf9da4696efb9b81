"""dbt's overhead: replay, directly in DuckDB, every SQL statement a `dbt build` sent.

`bench/run.py` runs a second full `dbt build` (the warehouse already built, as on any day after
the first) with a JSON debug log; this module reads the statements from that log — models,
materialisation DDL (create/rename/drop), incremental deletes and inserts, snapshot merges, every
test query, hooks and the adapter's catalogue queries — and executes them in order on the same
database file in one connection with the profile's settings. dbt build wall time divided by the
replay's wall time is dbt's overhead (parsing, Jinja, compilation, events, artifacts), less what
dbt gains by running two models at a time (profiles.yml threads; recorded as ``dbt_threads``).

    python bench/dbt_overhead.py replay --db DB --log LOGDIR/dbt.log --out F
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Transaction control is dbt's connection handling, not the work: the replay runs in autocommit.
_SKIP = {"begin", "commit", "rollback", "begin transaction"}


def statements(log_file: Path) -> tuple[list[str], float]:
    """The SQL statements of a dbt JSON log in execution order, and the seconds dbt saw them take."""
    sqls: list[str] = []
    in_duckdb = 0.0
    with log_file.open() as f:
        for line in f:
            if '"SQLQuery' not in line:
                continue
            event = json.loads(line)
            name = event["info"]["name"]
            if name == "SQLQuery":
                sql = event["data"]["sql"].strip()
                if sql.rstrip(";").strip().lower() not in _SKIP:
                    sqls.append(sql)
            elif name == "SQLQueryStatus":
                in_duckdb += float(event["data"].get("elapsed") or 0.0)
    return sqls, in_duckdb


def dbt_threads(log_file: Path) -> int | None:
    """How many models the logged build ran at a time (its ConcurrencyLine), None if not logged.

    With more than one, the log holds the nodes' statements interleaved as they ran; the replay
    runs them one after another (each node starts after its parents finished, so that order is
    valid), so the ratio also counts what dbt gains by running independent nodes together."""
    with log_file.open() as f:
        for line in f:
            if '"ConcurrencyLine"' in line:
                return int(json.loads(line)["data"]["num_threads"])
    return None


def replay(db: Path, sqls: list[str]) -> dict:
    import duckdb

    from orchestration.warehouse import duckdb_config

    # the profile's settings: the project's memory limit, and dbt-duckdb's preserve_insertion_order
    con = duckdb.connect(str(db), config=duckdb_config() | {"preserve_insertion_order": False})
    errors: list[str] = []
    started = time.perf_counter()
    for sql in sqls:
        try:
            cursor = con.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()  # dbt fetches what its queries return (test failures, catalogue rows)
        except duckdb.Error as exc:
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]} — {sql[:120]!r}")
    seconds = time.perf_counter() - started
    con.close()
    return {"statements": len(sqls), "seconds": round(seconds, 3), "errors": len(errors), "first_errors": errors[:10]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["replay"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--log", required=True, help="dbt.log written with --log-format-file json")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    sqls, in_duckdb = statements(Path(args.log))
    result = replay(Path(args.db), sqls)
    result["seconds_in_duckdb_seen_by_dbt"] = round(in_duckdb, 3)
    result["dbt_threads"] = dbt_threads(Path(args.log))
    Path(args.out).write_text(json.dumps(result, indent=1))
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
