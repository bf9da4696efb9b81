"""Great Expectations suites: they load, pass on good marts, fail on broken ones, and block publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.publish.audit import audit_and_publish
from orchestration.publish.serving import PublishRefused, publish
from orchestration.quality.expectations import (
    EXPECTATIONS_DIR,
    SuiteSpec,
    existing_suites,
    load_suites,
    read_frame,
    run_all,
    run_suite,
    suite_columns,
    suite_query,
    validate_frame,
)
from orchestration.settings import PROJECT_DIR
from tests.python import mini_warehouse as mw


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return mw.build(tmp_path / "warehouse.duckdb")


def suite(name: str):
    return next(s for s in load_suites() if s.name == name)


def test_every_suite_names_a_dbt_model_and_valid_expectations() -> None:
    suites = load_suites()
    assert {s.name for s in suites} >= {"dim_customer", "fct_billing_monthly", "billing_reconciliation"}
    for s in suites:
        if s.schema == "marts":  # the others guard tables written by Python (e.g. campaigns)
            assert list(PROJECT_DIR.glob(f"models/**/{s.model}.sql")), f"{s.name}: no model {s.model}"
        assert s.expectations and all(e["type"].startswith("expect_") for e in s.expectations)
    assert (EXPECTATIONS_DIR / "README.md").exists()


def test_suites_pass_on_good_marts(warehouse: Path) -> None:
    outcomes = run_all(warehouse)
    assert {o.suite for o in outcomes} == {"dim_customer", "dim_customer_tiers", "fct_billing_monthly",
                                           "billing_reconciliation"}  # the marts the mini warehouse has
    assert all(o.success for o in outcomes), [o.failed for o in outcomes if not o.success]


@pytest.mark.parametrize(("sql", "suite_name", "failing"), [
    ("update marts.dim_customer set member_tier = 'platinum' where customer_id = 'CU00000001'",
     "dim_customer", "expect_column_values_to_be_in_set(column='member_tier'"),
    ("update marts.dim_customer set phone_no_masked = '13800000001' where customer_id = 'CU00000001'",
     "dim_customer", "column='phone_no_masked'"),
    ("update marts.dim_customer set phone_hash = md5(phone_hash)", "dim_customer", "column='phone_hash'"),
    ("update marts.dim_customer set age_years = 70", "dim_customer", "expect_column_mean_to_be_between"),
    ("update marts.dim_customer set member_tier = 'standard' where member_tier <> 'diamond'",
     "dim_customer_tiers", "customer_share"),
    ("update marts.fct_billing_monthly set amount_yuan = -5 where customer_id = 'CU00000003'",
     "fct_billing_monthly", "column='amount_yuan'"),
    ("delete from marts.fct_payments where customer_id = 'CU00000004'",
     "billing_reconciliation", "column='row_difference'"),
    ("update marts.fct_billing_monthly set amount_yuan = amount_yuan + 0.01 where customer_id = 'CU00000005'",
     "billing_reconciliation", "column='yuan_difference'"),
])
def test_broken_mart_fails_its_suite(warehouse: Path, sql: str, suite_name: str, failing: str) -> None:
    mw.execute(warehouse, sql)
    outcome = run_suite(suite(suite_name), warehouse)
    assert not outcome.success
    assert any(failing in f for f in outcome.failed), outcome.failed


def test_a_suite_reads_only_the_columns_its_expectations_name(warehouse: Path) -> None:
    spec = suite("dim_customer")
    frame = read_frame(warehouse, suite_query(spec))
    assert list(frame.columns) == ["member_tier", "gender", "brand", "customer_status", "age_years", "city",
                                   "phone_no_masked", "full_name_masked", "phone_hash"]
    assert len(frame) == 40  # every row, fewer columns
    assert suite_columns(suite("fct_customer_tags")) == ["tag_count", "distinct_tag_count"]
    reconciliation = read_frame(warehouse, suite_query(suite("billing_reconciliation")))
    assert set(reconciliation.columns) == {"yuan_difference", "row_difference", "fact"}


def test_a_suite_about_the_columns_themselves_reads_them_all(warehouse: Path) -> None:
    columns = ["customer_id", "member_tier"]
    spec = SuiteSpec(name="shape", model="dim_customer", query="select customer_id, member_tier from marts.dim_customer",
                     expectations=({"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": columns}},
                                   {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "customer_id"}}))
    assert suite_columns(spec) is None and suite_query(spec) == spec.query
    assert run_suite(spec, warehouse).success
    conditional = SuiteSpec(name="conditional", model="dim_customer", query="select * from marts.dim_customer",
                            expectations=({"type": "expect_column_values_to_not_be_null",
                                           "kwargs": {"column": "age_years", "row_condition": 'gender=="M"',
                                                      "condition_parser": "pandas"}},))
    assert suite_columns(conditional) is None


@pytest.mark.parametrize(("rows", "passes"), [(40, True), (41, False)])
def test_a_suite_counting_rows_only_still_reads_every_row(warehouse: Path, rows: int, passes: bool) -> None:
    spec = SuiteSpec(name="volume", model="dim_customer", query="select * from marts.dim_customer;\n",
                     expectations=({"type": "expect_table_row_count_to_be_between",
                                    "kwargs": {"min_value": rows, "max_value": rows}},))
    assert suite_columns(spec) == []
    assert run_suite(spec, warehouse).success is passes


def test_row_count_is_bounded_by_the_previous_published_run(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    publish(warehouse, serving)  # the previous run: 40 customers
    assert run_suite(suite("dim_customer"), warehouse, serving).success
    mw.execute(warehouse, "delete from marts.dim_customer where customer_id > 'CU00000019'")  # half gone
    outcome = run_suite(suite("dim_customer"), warehouse, serving)
    assert outcome.previous_row_count == 40 and not outcome.success
    assert any("expect_table_row_count_to_be_between" in f for f in outcome.failed)


def test_data_docs_are_built_and_link_the_suite_page(warehouse: Path, tmp_path: Path) -> None:
    spec = suite("fct_billing_monthly")
    outcome = validate_frame(spec, read_frame(warehouse, spec.query), docs_root=tmp_path / "gxproject")
    assert outcome.success and outcome.docs_path is not None and outcome.docs_path.exists()
    assert outcome.docs_path.suffix == ".html" and "fct_billing_monthly" in str(outcome.docs_path)
    assert (tmp_path / "gxproject/gx/uncommitted/data_docs/local_site/index.html").exists()


def test_suite_on_a_mart_that_does_not_exist_yet_is_skipped(warehouse: Path) -> None:
    mw.execute(warehouse, "drop table marts.fct_payments")
    assert "billing_reconciliation" not in {s.name for s in existing_suites(warehouse)}


def test_broken_expectation_blocks_publish_and_keeps_the_served_file(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    audit_and_publish(warehouse, serving)
    before = serving.read_bytes()
    mw.execute(warehouse, "update marts.dim_customer set member_tier = 'platinum'")

    with pytest.raises(PublishRefused, match="dim_customer"):
        audit_and_publish(warehouse, serving)

    assert serving.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
