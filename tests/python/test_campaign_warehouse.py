"""Campaigns over a generated warehouse (landing → raw → dbt marts): evaluation recovers the
generator's planted uplift (marketing/offers → fct_campaign_offers → action vs control with a
95 % CI); the batch build lists every channel with the right PII; outcomes flow back; events fire."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.campaigns.evaluation import evaluate, uplift_table, wilson
from orchestration.settings import PROJECT_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from orchestration.generator import GeneratorConfig, generate
    from orchestration.landing.load_landing import load_all

    tmp = tmp_path_factory.mktemp("campaign_eval")
    out = tmp / "landing"
    generate(GeneratorConfig(customers=4000, months=3, seed=11, out=out, start_month="2026-08", bad_row_share=0.0),
             progress=False)
    db = tmp / "touchpoint.duckdb"
    load_all(db, out)
    env = dict(os.environ, TOUCHPOINT_DB=str(db), TOUCHPOINT_LANDING=str(out))
    dbt = Path(sys.executable).with_name("dbt")
    marts = ["fct_campaign_offers", "dim_customer", "dim_product", "fct_contacts", "fct_complaints", "fct_arrears",
             "fct_subscription_events", "fct_usage_daily"]
    # seeds and models upstream of the marts the campaigns read (dbt's own tests run elsewhere)
    proc = subprocess.run([str(dbt), "build", "--select", *[f"+{m}" for m in marts],
                           "--exclude-resource-type", "test", "unit_test",
                           "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return db, out


def test_uplift_recovered_within_confidence_interval(warehouse: tuple[Path, Path]) -> None:
    from orchestration.campaigns.build import evaluate_offers, evaluate_warehouse

    db, out = warehouse
    truth = pq.read_table(out / "_truth" / "campaign_uplift.parquet").to_pandas().set_index("campaign_id")
    table = evaluate_warehouse(db).query("level == 'campaign'").set_index("campaign_id")
    assert set(table.index) == set(truth.index)
    joined = table.join(truth)
    # the pipeline counts exactly what the generator drew
    assert (joined["action_count"] == joined["action_targets"]).all()
    assert (joined["control_count"] == joined["control_targets"]).all()
    np.testing.assert_allclose(joined["action_rate"], joined["realised_action_rate"], atol=6e-5)
    np.testing.assert_allclose(joined["control_rate"], joined["realised_control_rate"], atol=6e-5)
    # and the planted uplift lies in the 95 % CI — up to the one campaign in eight that chance
    # alone puts outside (P(no miss) is only 0.95**8 = 66 %) — and in every campaign's 99 % CI
    inside = (joined["uplift_ci_low"] <= joined["true_uplift"]) & (joined["true_uplift"] <= joined["uplift_ci_high"])
    assert inside.sum() >= len(joined) - 1, joined[["uplift", "uplift_ci_low", "uplift_ci_high", "true_uplift"]]
    offers = evaluate_offers(db)
    wide = uplift_table(offers, z=2.5758).set_index("campaign_id").join(truth)
    assert ((wide["uplift_ci_low"] <= wide["true_uplift"]) & (wide["true_uplift"] <= wide["uplift_ci_high"])).all()


def test_uplift_table_by_hand() -> None:
    offers = pd.DataFrame({"campaign_id": "C", "is_control_group": [False] * 100 + [True] * 100,
                           "is_accepted": [True] * 30 + [False] * 70 + [True] * 10 + [False] * 90,
                           "channel_code": "SMS", "member_tier": ["gold", "silver"] * 100})
    row = uplift_table(offers).iloc[0]
    assert row["action_rate"] == pytest.approx(0.3) and row["control_rate"] == pytest.approx(0.1)
    la, ua = wilson(np.array([30.0]), np.array([100.0]))
    lc, uc = wilson(np.array([10.0]), np.array([100.0]))
    assert row["uplift_ci_low"] == pytest.approx(0.2 - np.sqrt((0.3 - la[0]) ** 2 + (uc[0] - 0.1) ** 2))
    assert 0.2 - 1.96 * 0.06 < row["uplift_ci_low"] < 0.2 - 1.96 * 0.045  # close to Wald away from 0
    zero = uplift_table(offers.assign(is_accepted=~offers["is_control_group"] & offers["is_accepted"])).iloc[0]
    assert zero["uplift_ci_high"] - zero["uplift"] > 0.02  # no collapse when control has no acceptance
    assert row["lift"] == pytest.approx(3.0) and row["is_significant"]
    levels = set(evaluate(offers)["level"])
    assert levels == {"campaign", "channel", "segment"}


def _copy(db: Path, tmp: Path) -> Path:
    target = tmp / "work.duckdb"
    shutil.copy(db, target)
    return target


def test_batch_lists_cover_channels_with_channel_pii(warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    import duckdb

    from orchestration.campaigns.build import CAMPAIGNS_DIR, run_build

    db = _copy(warehouse[0], tmp_path)
    result = run_build(db, tmp_path / "landing", CAMPAIGNS_DIR, tmp_path / "lists", run_id="t1")
    lists = result.result.lists
    action = lists[lists["offer_group"] == "action"]
    assert action["campaign_id"].nunique() >= 5
    assert {"OUTBOUND", "SMS", "APP", "HALL"} <= set(action["channel_code"])
    folder = tmp_path / "lists" / "t1"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    for path in folder.glob("*/*.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
        assert frame["reason_code"].notna().all()
        clear = ~frame["phone"].fillna("*").str.contains("*", regex=False)
        if path.stem == "OUTBOUND":
            assert clear.all()
        else:
            assert not clear.any(), path
    with duckdb.connect(str(db), read_only=True) as con:
        cols = {r[0] for r in con.execute("select column_name from information_schema.columns "
                                          "where table_schema = 'campaigns'").fetchall()}
        assert not {"phone", "phone_no"} & cols
        assert con.execute("select count(*) from campaigns.rpt_campaign_list").fetchone()[0] == len(lists)
    funnel = result.result.funnel.set_index("campaign_id")
    steps = ["targeted", "eligible", "not_suppressed", "within_cap", "channel_assigned"]
    assert (funnel[steps].diff(axis=1).iloc[:, 1:] <= 0).all().all()
    assert (funnel["action"] + funnel["control"] == funnel["channel_assigned"]).all()


def test_same_warehouse_same_bytes(warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    from orchestration.campaigns.build import CAMPAIGNS_DIR, run_build

    for name in ("a", "b"):
        run_build(warehouse[0], tmp_path / "landing", CAMPAIGNS_DIR, tmp_path / name, run_id="r", write_db=False)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_outcomes_flow_back_across_channels(warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    from orchestration.campaigns.build import CAMPAIGNS_DIR, run_build

    db = _copy(warehouse[0], tmp_path)
    landing = tmp_path / "landing"
    first = run_build(db, landing, CAMPAIGNS_DIR, tmp_path / "lists", run_id="wave1", write_db=False)
    calls = first.result.lists.query("campaign_id == 'CMP_MUSIC_CLUB' and offer_group == 'action'")
    considering, accepted = calls["customer_id"].iloc[0], calls["customer_id"].iloc[1]
    channel = calls["channel_code"].iloc[0]
    (landing / "_outcomes").mkdir(parents=True)
    pd.DataFrame({"campaign_id": "CMP_MUSIC_CLUB", "customer_id": [considering, accepted],
                  "channel_code": [channel, calls["channel_code"].iloc[1]], "response": ["considering", "accepted"],
                  "responded_at": f"{first.run_date} 11:00:00"}).to_csv(landing / "_outcomes" / "o1.csv", index=False)
    second = run_build(db, landing, CAMPAIGNS_DIR, tmp_path / "lists", run_id="wave2")
    music = second.result.lists.query("campaign_id == 'CMP_MUSIC_CLUB'").set_index("customer_id")
    assert accepted not in music.index
    log = second.result.suppressed.query("campaign_id == 'CMP_MUSIC_CLUB'").set_index("customer_id")
    assert log.loc[accepted, "reason"] == "already_accepted"
    if considering in music.index:  # the offer follows to another channel, with the prompt
        assert music.loc[considering, "channel_code"] != channel
        assert music.loc[considering, "history_prompt"].startswith(f"{channel} ")


def test_events_fire_offers_under_the_policy(warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    import duckdb

    from orchestration.campaigns.build import CAMPAIGNS_DIR, run_build

    db = _copy(warehouse[0], tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        ids = [r[0] for r in con.execute("select customer_id from marts.dim_customer order by customer_id "
                                         "limit 300").fetchall()]
    run_at = dt.datetime(2026, 11, 23, 12, 0)
    (tmp_path / "landing" / "_events").mkdir(parents=True)
    path = tmp_path / "landing" / "_events" / "e1.csv"
    pd.DataFrame({"event_id": [f"E{i}" for i in range(300)], "customer_id": ids,
                  "event_type": ["lost_card_suspension"] * 300,
                  "event_at": [(run_at - dt.timedelta(minutes=i)).isoformat(sep=" ") for i in range(300)]}
                 ).to_csv(path, index=False)
    result = run_build(db, tmp_path / "landing", CAMPAIGNS_DIR, tmp_path / "lists", event_paths=[path],
                       run_at=run_at)
    lists = result.result.lists
    assert set(lists["campaign_id"]) == {"CMP_EVT_LOST_CARD_HANDSET"}
    assert lists["reason_code"].str.startswith("event:lost_card_suspension@").all()
    # only events within the 120-minute freshness window fire
    assert result.result.funnel.set_index("campaign_id").loc["CMP_EVT_LOST_CARD_HANDSET", "targeted"] == 121


def test_dagster_assets_and_event_sensor(warehouse: tuple[Path, Path], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import build_sensor_context, materialize

    from orchestration.defs.assets.campaigns import campaign_assets, campaign_events_sensor
    from orchestration.defs.resources import WarehouseResource

    db = _copy(warehouse[0], tmp_path)
    landing = tmp_path / "landing"
    (landing / "_events").mkdir(parents=True)
    result = materialize(campaign_assets, resources={"warehouse": WarehouseResource(database=str(db),
                                                                                    landing=str(landing))})
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    meta = {e.asset_key.path[-1]: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert "lift_chart" in meta["campaign_evaluation"] and meta["rpt_campaign_list"]["action_rows"].value > 0
    assert (tmp_path / "lists" / "2026-10-31_batch" / "manifest.json").exists()

    monkeypatch.setenv("TOUCHPOINT_LANDING", str(landing))
    context = build_sensor_context()
    assert not list(campaign_events_sensor(context))[0].__class__.__name__ == "RunRequest"
    (landing / "_events" / "e1.csv").write_text("event_id,customer_id,event_type,event_at\n"
                                                 "E1,CU00000001,roaming_start,2026-11-23 10:00:00\n")
    requests = list(campaign_events_sensor(context))
    assert len(requests) == 1 and requests[0].run_config["ops"]["campaigns__event_offers"]["config"] == {
        "event_files": ["e1.csv"]}
    context = build_sensor_context(cursor=context.cursor)
    assert type(list(campaign_events_sensor(context))[0]).__name__ == "SkipReason"  # nothing new
