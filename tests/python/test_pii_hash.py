"""hash_pii (macros/pii.sql) is a *keyed* sha256: compiled by dbt and run on DuckDB, it matches
sha256(key || value) for the configured key and nothing in an attacker's dictionary of unkeyed
md5/sha256 hashes of the phone-number space."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.settings import PROJECT_DIR

KEY = "a-secret-key-for-the-test"
PHONES = ["13800000001", "13912345678", "15000000000", "18688886666"]


def compiled_hash_query(tmp_path: Path) -> str:
    values = ", ".join(f"('{p}')" for p in [*PHONES]) + ", (null)"
    inline = f"select phone, {{{{ hash_pii('phone') }}}} as phone_hash from (values {values}) as t (phone)"
    env = {**os.environ, "TOUCHPOINT_PII_SALT": KEY}
    proc = subprocess.run([str(Path(sys.executable).with_name("dbt")), "compile", "--target", "lint", "--quiet",
                           "--target-path", str(tmp_path / "target"), "--inline", inline],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout.strip()


def test_hash_pii_is_keyed_sha256_and_an_unkeyed_dictionary_does_not_match(tmp_path: Path) -> None:
    sql = compiled_hash_query(tmp_path)
    assert "md5" not in sql.lower() and "sha256" in sql.lower()
    rows = dict(duckdb.sql(sql).fetchall())

    assert rows[None] is None  # null stays null
    hashes = {rows[p] for p in PHONES}
    assert hashes == {hashlib.sha256((KEY + p).encode()).hexdigest() for p in PHONES}  # joinable with the key
    dictionary = {hashlib.sha256(p.encode()).hexdigest() for p in PHONES} | {
        hashlib.md5(p.encode()).hexdigest() for p in PHONES}  # noqa: S324 - what an attacker would try
    assert not hashes & dictionary
    demo_key = {hashlib.sha256(("touchpoint-demo-salt" + p).encode()).hexdigest() for p in PHONES}
    assert not hashes & demo_key  # the key really comes from TOUCHPOINT_PII_SALT
