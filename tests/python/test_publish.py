"""Write-audit-publish: what reaches the serving file, the PII scan, atomicity and readers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import serving as serving_module
from orchestration.publish.serving import PublishRefused, publish, served_tables
from tests.python import mini_warehouse as mw


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return mw.build(tmp_path / "warehouse.duckdb")


@pytest.fixture
def serving(tmp_path: Path) -> Path:
    return tmp_path / "bi" / "serving.duckdb"


def schemas(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}


def test_publish_copies_the_marts_only(warehouse: Path, serving: Path) -> None:
    result = publish(warehouse, serving)

    assert set(result.tables) == {"marts.dim_customer", "marts.fct_billing_monthly", "marts.fct_payments"}
    assert schemas(serving) == {"marts", "serving_meta"}  # no raw, no staging
    assert served_tables(serving)["marts.dim_customer"] == 40
    assert mw.scalar(serving, "select table_count from serving_meta.publications") == 3
    assert not [p for p in serving.parent.iterdir() if p.name != serving.name]  # no temp file left


# leak -> (the mart's query, what the scan must say about it)
LEAKS = {
    "raw phone number": ("select customer_id, phone_no as contact from raw.crm__customers",
                         "40 value(s) equal to a raw phone number"),
    "phone inside text": ("select customer_id, '请回电 ' || phone_no || ' 谢谢' as contact from raw.crm__customers",
                          "40 value(s) shaped like a mobile number"),
    "mobile number not in the raw data": ("select customer_id, '19900000000' as contact from raw.crm__customers",
                                          "40 value(s) shaped like a mobile number"),
    "phone as an integer": ("select customer_id, cast(phone_no as bigint) as contact from raw.crm__customers",
                            "40 number(s) equal to a raw phone number"),
    "ID-card number": ("select customer_id, id_card_no as contact from raw.crm__customers",
                       "40 value(s) shaped like an ID-card number"),
    "full name": ("select customer_id, full_name as contact from raw.crm__customers",
                  "value(s) equal to a raw full name"),
    "unkeyed md5 of the phone": ("select customer_id, md5(phone_no) as contact from raw.crm__customers",
                                 "40 value(s) equal to a raw unkeyed md5 of a phone number"),
    "unkeyed sha256 of the phone": ("select customer_id, sha256(phone_no) as contact from raw.crm__customers",
                                    "40 value(s) equal to a raw unkeyed sha256 of a phone number"),
}


@pytest.mark.parametrize("kind", list(LEAKS))
def test_pii_column_in_a_mart_fails_the_scan_and_nothing_is_served(warehouse: Path, serving: Path,
                                                                   kind: str) -> None:
    publish(warehouse, serving)
    before = serving.read_bytes()
    query, finding = LEAKS[kind]
    mw.execute(warehouse, f"create table marts.rpt_callback_list as {query}")

    with pytest.raises(PublishRefused) as refused:
        publish(warehouse, serving)

    found = [p for p in refused.value.problems if p.startswith("marts.rpt_callback_list.contact")]
    assert any(finding in p for p in found), refused.value
    assert serving.read_bytes() == before
    assert not [p for p in serving.parent.iterdir() if p.name != serving.name]


def test_the_scan_finds_the_same_however_the_columns_are_batched(warehouse: Path, serving: Path,
                                                               monkeypatch) -> None:
    from orchestration.publish import pii_scan

    mw.execute(warehouse, "create table marts.rpt_callback_list as select customer_id, phone_no as contact, "
                          "'请回电 ' || phone_no as note, full_name, md5(phone_no) as token from raw.crm__customers")
    found = {}
    for per_query in (1, 2, 1000):  # one column per query, batches split inside a table, all at once
        monkeypatch.setattr(pii_scan, "COLUMNS_PER_QUERY", per_query)
        with pytest.raises(PublishRefused) as refused:
            publish(warehouse, serving)
        found[per_query] = refused.value.problems
    assert found[1] == found[2] == found[1000]
    leaked = {p.split(":")[0] for p in found[1]}
    assert leaked == {f"marts.rpt_callback_list.{c}" for c in ("contact", "note", "full_name", "token")}


def test_keyed_hash_and_masks_pass_and_an_unkeyed_dictionary_does_not_match(warehouse: Path, serving: Path) -> None:
    publish(warehouse, serving)  # dim_customer carries masks and keyed sha256 hashes only
    served = {r[0] for r in duckdb.connect(str(serving), read_only=True).execute(
        "select phone_hash from marts.dim_customer").fetchall()}
    dictionary = {hashlib.sha256(p.encode()).hexdigest() for p in mw.PHONES} | {
        hashlib.md5(p.encode()).hexdigest() for p in mw.PHONES}  # noqa: S324 - the attacker's dictionary
    assert len(served) == 40 and not served & dictionary
    assert served == {mw.keyed_hash(p) for p in mw.PHONES}  # joinable by whoever holds the key


def test_failure_mid_publish_leaves_the_served_file(warehouse: Path, serving: Path, monkeypatch) -> None:
    publish(warehouse, serving)
    before = serving.read_bytes()
    mw.execute(warehouse, "delete from marts.dim_customer")

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(serving_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        publish(warehouse, serving)
    assert serving.read_bytes() == before
    assert not [p for p in serving.parent.iterdir() if p.name != serving.name]


READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)   # a BI tool holding the serving file open
    print(con.execute("select count(*) from marts.dim_customer").fetchone()[0], flush=True)
    sys.stdin.readline()                                 # ... while a build and a publish happen
    print(con.execute("select count(*) from marts.dim_customer").fetchone()[0], flush=True)
    print(con.execute("select count(*) from marts.fct_payments").fetchone()[0], flush=True)
""")


def test_reader_is_unaffected_by_a_build_and_a_publish(warehouse: Path, serving: Path) -> None:
    publish(warehouse, serving)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "40"
        # A build writes the working file while BI reads: no lock conflict (different files).
        mw.execute(warehouse, "delete from marts.dim_customer where customer_id >= 'CU00000030'")
        mw.execute(warehouse, "delete from marts.fct_payments where customer_id >= 'CU00000030'")
        mw.execute(warehouse, "delete from raw.billing__payments where customer_id >= 'CU00000030'")
        publish(warehouse, serving)  # and the publish swaps the file under the reader
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    assert out.split() == ["40", "40"]  # the reader kept its complete, consistent snapshot
    assert mw.scalar(serving, "select count(*) from marts.dim_customer") == 30  # new readers see the new one
    assert mw.scalar(serving, "select count(*) from marts.fct_payments") == 30


def test_publish_refuses_cleanly_when_the_working_file_is_missing(tmp_path: Path, serving: Path) -> None:
    with pytest.raises(FileNotFoundError, match="build it first"):
        publish(tmp_path / "nothing.duckdb", serving)
    assert not serving.exists()


def test_serving_db_and_gx_dir_follow_the_environment(monkeypatch, tmp_path: Path) -> None:
    from orchestration.settings import gx_dir, serving_db_path

    monkeypatch.setenv("TOUCHPOINT_SERVING_DB", str(tmp_path / "s.duckdb"))
    monkeypatch.setenv("TOUCHPOINT_DB", str(tmp_path / "w" / "t.duckdb"))
    monkeypatch.delenv("TOUCHPOINT_GX_DIR", raising=False)
    assert serving_db_path() == tmp_path / "s.duckdb" and gx_dir() == tmp_path / "w" / "gx"
    assert os.environ["TOUCHPOINT_SERVING_DB"].endswith("s.duckdb")
