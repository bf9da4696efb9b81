"""The same dbt project on Spark gives the same marts as on DuckDB (README "Scaling out").

Not part of `make test` (testpaths is tests/python): `make test-spark` installs dbt-spark and
PySpark (requirements-spark.lock) and runs this file. On the small sample it

1. generates the operator, loads it into a temporary DuckDB file and compiles the knowledge YAML;
2. exports the source schemas as Parquet (`touchpoint export-raw`), the Spark target's sources;
3. runs `dbt build --selector spark_build` on DuckDB and on Spark (local PySpark session), each
   with every data and unit test;
4. compares the key marts — the star schema, the tags and the segments — per mart: the column
   names, the row count and an order-independent checksum of the rows, normalised (floats
   rounded, dates and timestamps as ISO text, NULL as None). Any difference fails, naming the
   mart, the columns that differ and a few differing rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_DIR

pytest.importorskip("pyspark", reason="make test-spark installs dbt-spark and PySpark (requirements-spark.lock)")
pytest.importorskip("dbt.adapters.spark", reason="make test-spark installs dbt-spark (requirements-spark.lock)")

CUSTOMERS, MONTHS, SEED = 400, 2, 7

# The marts compared: the star schema (README "What you get"), the tag library and the segments.
STAR_SCHEMA = [
    "dim_customer", "dim_customer_history", "dim_product", "dim_date", "dim_channel", "dim_region",
    "dim_agent", "dim_campaign",
    "fct_usage_daily", "fct_calls", "fct_billing_monthly", "fct_payments", "fct_subscription_events",
    "fct_contacts", "fct_ivr_sessions", "fct_campaign_offers", "fct_complaints", "fct_arrears",
]
TAGS = ["dim_tag", "fct_customer_tags", "fct_customer_knowledge"]
SEGMENTS = ["dim_customer_segment", "fct_customer_segments_monthly"]
MARTS = STAR_SCHEMA + TAGS + SEGMENTS

# Columns that legitimately differ by engine, with the reason. Everything else must be equal.
ENGINE_SPECIFIC_COLUMNS: dict[str, dict[str, str]] = {}

FLOAT_DIGITS = 6


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _run(cmd: list[str], env: dict[str, str], log: Path) -> float:
    """Run a command in the project directory, its output to ``log``; return the wall time (s)."""
    started = time.perf_counter()
    with log.open("w") as out:
        result = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        pytest.fail(f"{' '.join(cmd[:3])} failed (exit {result.returncode}); log {log}:\n{tail}")
    return elapsed


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("spark")
    env = dict(os.environ)
    env.update(
        TOUCHPOINT_DB=str(tmp / "touchpoint.duckdb"),
        TOUCHPOINT_LANDING=str(tmp / "landing"),
        DAGSTER_HOME=str(tmp / "dagster_home"),
        TOUCHPOINT_DUCKDB_MEMORY="2GB",
        TOUCHPOINT_PARQUET_DIR=str(tmp / "parquet"),
        TOUCHPOINT_SPARK_WAREHOUSE=str(tmp / "spark" / "warehouse"),
    )
    env.pop("TOUCHPOINT_TARGET", None)
    touchpoint = _bin("touchpoint")
    _run([touchpoint, "generate", "--customers", str(CUSTOMERS), "--months", str(MONTHS), "--seed", str(SEED),
          "--out", env["TOUCHPOINT_LANDING"], "--quiet"], env, tmp / "generate.log")
    _run([touchpoint, "load", "--landing", env["TOUCHPOINT_LANDING"], "--db", env["TOUCHPOINT_DB"]],
         env, tmp / "load.log")
    _run([touchpoint, "knowledge", "compile", "--db", env["TOUCHPOINT_DB"]], env, tmp / "knowledge.log")
    _run([touchpoint, "export-raw", "--format", "parquet", "--db", env["TOUCHPOINT_DB"],
          "--out", env["TOUCHPOINT_PARQUET_DIR"]], env, tmp / "export.log")

    dbt = _bin("dbt")
    times = {}
    times["duckdb"] = _run(
        [dbt, "build", "--selector", "spark_build", "--target", "duckdb", "--target-path", str(tmp / "target_duckdb"),
         "--log-path", str(tmp / "logs_duckdb")], env, tmp / "dbt_duckdb.log")
    spark_env = dict(env, TOUCHPOINT_TARGET="spark")
    times["spark"] = _run(
        [dbt, "build", "--selector", "spark_build", "--target", "spark", "--target-path", str(tmp / "target_spark"),
         "--log-path", str(tmp / "logs_spark")], spark_env, tmp / "dbt_spark.log")
    report = {"customers": CUSTOMERS, "months": MONTHS, "dbt_build_seconds": {k: round(v, 1) for k, v in times.items()}}
    (tmp / "timings.json").write_text(json.dumps(report, indent=2))
    print(f"\ndbt build --selector spark_build on the sample: DuckDB {times['duckdb']:.1f} s, "
          f"Spark {times['spark']:.1f} s ({tmp / 'timings.json'})")
    return {"db": Path(env["TOUCHPOINT_DB"]), "warehouse": Path(env["TOUCHPOINT_SPARK_WAREHOUSE"]), "times": times}


def _normalise(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        f = float(value)
        if math.isnan(f):
            return "NaN"
        f = round(f, FLOAT_DIGITS)
        return 0.0 if f == 0 else f
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _rows(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list[tuple]:
    select = ", ".join(f'"{c}"' for c in columns)
    return [tuple(_normalise(v) for v in row) for row in con.execute(f"select {select} from {relation}").fetchall()]


def _checksum(rows: list[tuple]) -> str:
    digest = hashlib.sha256()
    for line in sorted(json.dumps(row, ensure_ascii=False, default=str) for row in rows):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


@pytest.mark.parametrize("mart", MARTS)
def test_mart_equal_on_spark_and_duckdb(builds: dict, mart: str) -> None:
    folder = builds["warehouse"] / "marts.db" / mart
    assert folder.is_dir(), f"Spark built no table marts.{mart} (no folder {folder})"
    con = duckdb.connect()
    try:
        con.execute(f"attach '{builds['db']}' as duck (read_only)")
        con.execute(f"create view spark_{mart} as select * from read_parquet('{folder.as_posix()}/*.parquet')")
        duck_columns = [r[0] for r in con.execute(f"describe duck.marts.{mart}").fetchall()]
        spark_columns = [r[0] for r in con.execute(f"describe spark_{mart}").fetchall()]
        assert sorted(c.lower() for c in spark_columns) == sorted(c.lower() for c in duck_columns), (
            f"{mart}: columns differ: only DuckDB {sorted(set(duck_columns) - set(spark_columns))}, "
            f"only Spark {sorted(set(spark_columns) - set(duck_columns))}")
        excluded = ENGINE_SPECIFIC_COLUMNS.get(mart, {})
        columns = [c for c in duck_columns if c not in excluded]
        duck_rows = _rows(con, f"duck.marts.{mart}", columns)
        spark_rows = _rows(con, f"spark_{mart}", columns)
    finally:
        con.close()
    assert len(spark_rows) == len(duck_rows), f"{mart}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB"
    if _checksum(spark_rows) != _checksum(duck_rows):
        differing = [c for i, c in enumerate(columns)
                     if sorted(map(repr, (r[i] for r in duck_rows))) != sorted(map(repr, (r[i] for r in spark_rows)))]
        only_duck = sorted(set(duck_rows) - set(spark_rows), key=repr)[:3]
        only_spark = sorted(set(spark_rows) - set(duck_rows), key=repr)[:3]
        pytest.fail(f"{mart}: same {len(duck_rows)} rows but different values; columns that differ: {differing}\n"
                    f"  DuckDB only: {only_duck}\n  Spark only:  {only_spark}")
