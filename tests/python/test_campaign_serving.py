"""Campaign lists in the serving database: served masked, PII-scanned, gated by their GX suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.publish.audit import audit_and_publish
from orchestration.publish.serving import PublishRefused, publish, served_tables
from orchestration.quality.expectations import load_suites, run_suite
from tests.python import mini_warehouse as mw

RUN = "2026-09-30_batch"


def add_campaign_tables(db: Path) -> None:
    """A batch run's list (2 campaigns × 30 customers, 10 % control), its suppressions and funnel,
    and an internal table that is not served."""
    mw.execute(db, "alter table marts.dim_customer add column is_opted_out_marketing boolean default false")
    mw.execute(db, "create schema campaigns")
    mw.execute(db, f"""
        create table campaigns.rpt_campaign_list as
        select '{RUN}' as run_id, date '2026-09-30' as run_date, campaign_id, customer_id,
               case when row_number() over (partition by campaign_id order by customer_id) % 10 = 0
                    then 'control' else 'action' end as offer_group,
               'SMS' as channel_code, 'tag:young' as reason_code
        from (select customer_id from marts.dim_customer order by customer_id limit 30)
        cross join (values ('CMP_A'), ('CMP_B')) as c(campaign_id)""")
    mw.execute(db, f"""
        create table campaigns.suppression_log as
        select '{RUN}' as run_id, 'CMP_A' as campaign_id, customer_id, 'eligible' as step,
               'opted out' as reason
        from (select customer_id from marts.dim_customer order by customer_id offset 30)""")
    mw.execute(db, f"create table campaigns.list_funnel as select '{RUN}' as run_id, 'CMP_A' as campaign_id, "
                   "'targeted' as step, 40 as customer_count")
    mw.execute(db, "create table campaigns.offer_outcomes as select 'x' as source_file")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = mw.build(tmp_path / "warehouse.duckdb")
    add_campaign_tables(db)
    return db


def test_campaign_tables_are_served_and_pass_the_pii_scan(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    result = publish(warehouse, serving)  # raises PublishRefused on any PII hit

    served = served_tables(serving)
    assert served["campaigns.rpt_campaign_list"] == 60
    assert {"campaigns.suppression_log", "campaigns.list_funnel"} <= set(result.tables)
    assert "campaigns.offer_outcomes" not in served  # working table, not BI-facing


def test_clear_phone_number_in_a_campaign_table_refuses_publish(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    mw.execute(warehouse, "create or replace table campaigns.rpt_campaign_list as select l.*, c.phone_no as phone "
                          "from campaigns.rpt_campaign_list as l join raw.crm__customers as c using (customer_id)")
    with pytest.raises(PublishRefused, match="campaigns.rpt_campaign_list.phone"):
        publish(warehouse, serving)
    assert not serving.exists()


def test_campaign_list_suite_passes_on_a_good_list(warehouse: Path) -> None:
    spec = next(s for s in load_suites() if s.name == "rpt_campaign_list")
    assert (spec.schema, spec.model) == ("campaigns", "rpt_campaign_list")
    outcome = run_suite(spec, warehouse)
    assert outcome.success, outcome.failed
    assert outcome.row_count == 60


@pytest.mark.parametrize(("sql", "failing"), [
    (f"insert into campaigns.rpt_campaign_list select * from campaigns.rpt_campaign_list limit 1",
     "expect_compound_columns_to_be_unique"),
    ("update campaigns.rpt_campaign_list set channel_code = 'IVR' where customer_id = 'CU00000001'",
     "expect_column_values_to_be_in_set"),
    ("insert into campaigns.suppression_log select run_id, campaign_id, customer_id, 'within_cap', 'cap' "
     "from campaigns.rpt_campaign_list limit 1", "is_suppressed"),
])
def test_broken_campaign_list_fails_its_suite_and_blocks_publish(warehouse: Path, tmp_path: Path,
                                                                 sql: str, failing: str) -> None:
    serving = tmp_path / "serving.duckdb"
    audit_and_publish(warehouse, serving)
    before = serving.read_bytes()
    mw.execute(warehouse, sql)

    spec = next(s for s in load_suites() if s.name == "rpt_campaign_list")
    outcome = run_suite(spec, warehouse, serving)
    assert not outcome.success and any(failing in f for f in outcome.failed), outcome.failed
    with pytest.raises(PublishRefused, match="rpt_campaign_list"):
        audit_and_publish(warehouse, serving)
    assert serving.read_bytes() == before


def test_campaign_list_volume_is_bounded_by_the_last_published_batch(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    audit_and_publish(warehouse, serving)
    # a newer batch run with a fifth of the rows: out of bounds vs the published one (60 rows)
    mw.execute(warehouse, "insert into campaigns.rpt_campaign_list select '2026-10-07_batch', run_date, campaign_id, "
                          "customer_id, offer_group, channel_code, reason_code from campaigns.rpt_campaign_list "
                          "where campaign_id = 'CMP_A' and customer_id <= 'CU00000011'")
    spec = next(s for s in load_suites() if s.name == "rpt_campaign_list")
    outcome = run_suite(spec, warehouse, serving)
    assert outcome.previous_row_count == 60
    assert not outcome.success and any("row_count" in f for f in outcome.failed)
