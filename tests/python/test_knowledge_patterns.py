"""End to end without Dagster: generate an operator with planted knowledge patterns, load it,
compile the knowledge through the CLI, run `dbt build`, and check that the knowledge tags the
rules yield find the planted customers (precision and recall >= 0.9 per pattern), that the
feature catalogue is exactly the built model's columns, and that tag health keeps run history.

    .venv/bin/python -m pytest tests/python/test_knowledge_patterns.py -s   # prints the figures
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

CUSTOMERS, MONTHS, SEED = 2000, 3, 20261
# planted truth flag (customers.parquet is_<flag>) -> knowledge tag yielded by the shipped rules
PATTERNS = {
    "car_owner": "car_owner", "golfer": "golfer", "stock_trader": "stock_trader",
    "hk_macau_traveller": "hk_macau_traveller", "young_music_fan": "young_music_fan",
    "business_traveller": "business_traveller", "campus_student": "campus_student", "sports_fan": "sports_fan",
}
FLOOR = 0.9


def _dbt(tmp: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOUCHPOINT_DB": str(db), "TOUCHPOINT_DUCKDB_MEMORY": "2GB"}
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=3600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    from orchestration.cli import main
    from orchestration.generator import GeneratorConfig, generate
    from orchestration.landing.load_landing import load_all

    tmp = tmp_path_factory.mktemp("knowledge_patterns")
    landing, db = tmp / "landing", tmp / "t.duckdb"
    generate(GeneratorConfig(customers=CUSTOMERS, months=MONTHS, seed=SEED, out=landing), progress=False)
    load_all(db, landing)
    assert main(["knowledge", "compile", "--db", str(db)]) == 0  # as a marketer would, before dbt
    proc = _dbt(tmp, db, "build")
    assert proc.returncode == 0, f"dbt build failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-2000:]}"
    return tmp, landing, db


def test_knowledge_tags_recover_the_planted_patterns(built: tuple[Path, Path, Path]) -> None:
    _, landing, db = built
    truth = pd.read_parquet(landing / "_truth" / "customers.parquet")
    with duckdb.connect(str(db), read_only=True) as con:
        tagged = con.execute("select customer_id, tag_id from marts.fct_customer_tags "
                             "where tag_source = 'knowledge_rule'").df()
    rows = []
    for flag, tag in PATTERNS.items():
        predicted = set(tagged.loc[tagged.tag_id == tag, "customer_id"])
        actual = set(truth.loc[truth[f"is_{flag}"], "customer_id"])
        hits = len(predicted & actual)
        rows.append({"pattern": flag, "planted": len(actual), "tagged": len(predicted), "true_positives": hits,
                     "precision": hits / len(predicted) if predicted else 0.0,
                     "recall": hits / len(actual) if actual else 0.0})
    report = pd.DataFrame(rows)
    print(f"\nknowledge tags vs planted patterns ({CUSTOMERS} customers x {MONTHS} months, seed {SEED}):\n"
          + report.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    weak = report[(report.precision < FLOOR) | (report.recall < FLOOR)]
    assert weak.empty, f"patterns under {FLOOR}:\n{weak}"


def test_feature_catalogue_is_the_built_model(built: tuple[Path, Path, Path]) -> None:
    import yaml

    from orchestration.knowledge.catalogue import FEATURE_MODEL_YAML, load_features

    _, _, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        built_columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'intermediate' "
            "and table_name = 'int_customer_features' order by ordinal_position").fetchall()]
        unpivoted = {r[0] for r in con.execute(
            "select distinct feature_name from intermediate.int_customer_features_unpivoted").fetchall()}
    document = yaml.safe_load(FEATURE_MODEL_YAML.read_text(encoding="utf-8"))
    documented = [c["name"] for c in document["models"][0]["columns"]]
    assert sorted(documented) == sorted(built_columns), "every feature column documented, nothing stale"
    assert unpivoted == set(load_features()), "the long table holds exactly the documented features"


def test_marts_and_tag_health(built: tuple[Path, Path, Path]) -> None:
    _, _, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        def scalar(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        for mart in ("dim_tag", "fct_customer_tags", "mart_customer_360", "dim_customer_segment",
                     "fct_customer_segments_monthly", "rpt_segment_migration", "rpt_segment_sizes_monthly",
                     "fct_tag_coverage_history", "rpt_tag_health", "fct_customer_knowledge", "rpt_knowledge_groups",
                     "rpt_knowledge_group_products", "fct_product_tags", "rpt_product_portrait",
                     "rpt_product_lookalike_targets"):
            assert scalar(f"select count(*) from marts.{mart}") > 0, f"{mart} is empty"
        assert scalar("select count(*) from marts.dim_tag where is_approved and tag_source = 'library'") >= 60
        customers = scalar("select count(*) from marts.dim_customer")
        assert scalar("select count(*) from marts.mart_customer_360") == customers
        assert scalar("select count(*) from marts.rpt_tag_health where tag_status = 'approved' "
                      "and not is_available") == 0
        niche = scalar("select count(distinct product_id) from marts.rpt_product_lookalike_targets "
                       "where is_niche_product")
        assert niche >= 5, "look-alike lists cover long-tail products"
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns "
                                             "where table_name = 'fct_customer_knowledge'").fetchall()}
        assert {"customer_id", "rule_id", "knowledge_tag", "product_id", "suggested_channel", "evidence"} <= columns


def test_tag_health_compares_with_the_previous_run(built: tuple[Path, Path, Path]) -> None:
    tmp, _, db = built
    proc = _dbt(tmp, db, "build", "--select", "fct_tag_coverage_history", "rpt_tag_health")
    assert proc.returncode == 0, proc.stdout[-6000:]
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("select count(distinct run_id) from marts.fct_tag_coverage_history").fetchone()[0]
        compared = con.execute("select count(*), count(previous_run_id), max(abs(coverage_share_change)) "
                               "from marts.rpt_tag_health").fetchone()
    assert runs >= 2
    assert compared[0] == compared[1], "every tag is compared with the run before"
    assert compared[2] == 0, "same data, same coverage"
