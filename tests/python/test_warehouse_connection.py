"""Every Python connection to the DuckDB files gets the project's memory limit."""

from __future__ import annotations

from pathlib import Path

from orchestration import warehouse


def _memory_limit(con) -> str:  # noqa: ANN001
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_connect_applies_the_memory_limit_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TOUCHPOINT_DUCKDB_MEMORY", "1GB")
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute("create table t as select 1 as x")
        assert _memory_limit(con) in ("1.0 GiB", "953.6 MiB", "1.0 GB", "1000.0 MB")
    with warehouse.connect(tmp_path / "w.duckdb", read_only=True) as con:
        assert con.execute("select x from t").fetchall() == [(1,)]


def test_the_default_matches_the_dbt_profile(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TOUCHPOINT_DUCKDB_MEMORY", raising=False)
    assert warehouse.duckdb_config() == {"memory_limit": "4GB"}
    profile = (Path(warehouse.__file__).resolve().parents[1] / "profiles.yml").read_text()
    assert f"env_var('TOUCHPOINT_DUCKDB_MEMORY', '{warehouse.DEFAULT_MEMORY_LIMIT}')" in profile


def test_release_cache_drops_cached_blocks_and_keeps_the_limit(tmp_path: Path) -> None:
    database = tmp_path / "cache.duckdb"
    with warehouse.connect(database) as con:
        con.execute("create table t as select range as i, md5(range::varchar) as s from range(6000000)")
    with warehouse.connect(database, read_only=True) as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
        con.execute("select * from t").fetchall()
        cached = "select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory() where tag = 'BASE_TABLE'"
        assert con.execute(cached).fetchone()[0] > 96 * 2**20
        warehouse.release_cache(con)
        assert con.execute(cached).fetchone()[0] <= 64 * 2**20  # what release_cache keeps
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == limit
        assert con.execute("select count(*) from t").fetchone()[0] == 6_000_000
