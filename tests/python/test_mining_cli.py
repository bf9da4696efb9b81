"""`touchpoint mine ...` on plain files: every subcommand runs on input that is not ours, and bad
input ends in a message naming the column, not a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.cli import main


def test_churn_on_a_messy_labelled_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(3)
    n = 500
    complaints = rng.poisson(1.0, n)
    table = pd.DataFrame({
        "customer": [f"K{i}" for i in range(n)], "complaints": complaints.astype(str),
        "spend": [f"{v:,.1f}" for v in rng.uniform(10, 2500, n)], "segment": rng.choice(["a", "b", ""], n),
        "churned": np.where(rng.random(n) < 1 / (1 + np.exp(2.5 - 1.3 * complaints)), "true", "false")})
    table.loc[7, "spend"] = "unknown"
    table.to_csv(tmp_path / "customers.csv", index=False)
    out = tmp_path / "scores.csv"
    assert main(["mine", "churn", "--input", str(tmp_path / "customers.csv"), "--target", "churned",
                 "--id", "customer", "--cv", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "column 'spend': 1 non-numeric values treated as missing" in " ".join(printed.split())
    assert "roc_auc" in printed and "baseline" in printed
    scores = pd.read_csv(out)
    assert len(scores) == n and scores["probability_out_of_fold"].between(0, 1).all()
    assert scores["top_drivers"].notna().mean() > 0.5
    assert main(["mine", "churn", "--input", str(tmp_path / "customers.csv"), "--target", "segment"]) == 2
    assert "target column 'segment'" in " ".join(capsys.readouterr().out.split())


def test_cluster_fraud_and_homecoming_commands(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(120)],
                          "voice": np.r_[rng.normal(300, 20, 60), rng.normal(20, 5, 60)].clip(0),
                          "data": np.r_[rng.normal(50, 10, 60), rng.normal(3000, 200, 60)].clip(0)})
    frame.to_csv(tmp_path / "features.csv", index=False)
    assert main(["mine", "cluster", "--input", str(tmp_path / "features.csv"), "--k-min", "2", "--k-max", "4",
                 "--out", str(tmp_path / "clusters.csv"), "--profiles-out", str(tmp_path / "profiles.csv")]) == 0
    clusters = pd.read_csv(tmp_path / "clusters.csv")
    assert clusters["cluster_id"].nunique() == 2
    assert main(["mine", "fraud", "--input", str(tmp_path / "features.csv"), "--out", str(tmp_path / "f.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "f.csv")) == 120
    frame.assign(voice="lots").to_csv(tmp_path / "bad.csv", index=False)
    assert main(["mine", "cluster", "--input", str(tmp_path / "bad.csv")]) == 2
    calls = pd.DataFrame({"customer_id": ["D"] * 4 + ["S"] * 4,
                          "month": ["2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"] * 2,
                          "competitor_calls": [10, 20, 30, 40, 15, 15, 15, 15], "person_calls": [100] * 8})
    calls.to_csv(tmp_path / "calls.csv", index=False)
    assert main(["mine", "homecoming", "--input", str(tmp_path / "calls.csv"), "--out", str(tmp_path / "h.csv")]) == 0
    drift = pd.read_csv(tmp_path / "h.csv").set_index("customer_id")
    assert drift.loc["D", "is_drifting"] and not drift.loc["S", "is_drifting"]


def test_circles_recommend_and_tariff_commands(tmp_path: Path) -> None:
    edges = pd.DataFrame({"caller_id": ["a", "b", "c", "d", "x", "y", "z"],
                          "callee_id": ["b", "c", "a", "a", "y", "z", "x"], "calls": 10})
    edges.to_csv(tmp_path / "edges.csv", index=False)
    holdings = pd.DataFrame({"customer_id": ["a", "b", "c", "x"], "product_id": ["RBT", "RBT", "RBT", "NEWS"]})
    holdings.to_csv(tmp_path / "holdings.csv", index=False)
    assert main(["mine", "circles", "--edges", str(tmp_path / "edges.csv"), "--holdings",
                 str(tmp_path / "holdings.csv"), "--out", str(tmp_path / "m.csv"),
                 "--upsell-out", str(tmp_path / "u.csv")]) == 0
    members = pd.read_csv(tmp_path / "m.csv").set_index("customer_id")
    assert members.loc["a", "circle_id"] == members.loc["d", "circle_id"] != members.loc["x", "circle_id"]
    assert set(pd.read_csv(tmp_path / "u.csv")["customer_id"]) == {"d"}
    profile = pd.DataFrame({"customer_id": list("abcdxyz"), "age": [20, 22, 21, 23, 60, 62, 61]})
    profile.to_csv(tmp_path / "profile.csv", index=False)
    assert main(["mine", "recommend", "--holdings", str(tmp_path / "holdings.csv"), "--profile",
                 str(tmp_path / "profile.csv"), "--top-k", "1", "--out", str(tmp_path / "r.csv")]) == 0
    recs = pd.read_csv(tmp_path / "r.csv").set_index("customer_id")
    assert recs.loc["d", "product_id"] == "RBT"
    plans = pd.DataFrame({"product_id": ["P18", "P38"], "monthly_fee_yuan": [18, 38],
                          "included_voice_minutes": [30, 100], "included_sms_count": [30, 100],
                          "included_data_mb": [100, 1024],
                          "overage_voice_yuan_per_minute": [0.19, 0.19], "overage_sms_yuan_per_message": [0.1, 0.1],
                          "overage_data_yuan_per_mb": [0.29, 0.1]})
    plans.to_csv(tmp_path / "plans.csv", index=False)
    usage = pd.DataFrame({"customer_id": ["u"] * 3, "month": ["2026-08-01", "2026-09-01", "2026-10-01"],
                          "plan_id": "P38", "voice_out_minutes": 10, "sms_out_count": 5, "data_mb": 50})
    usage.to_csv(tmp_path / "usage.csv", index=False)
    assert main(["mine", "tariff", "--usage", str(tmp_path / "usage.csv"), "--plans", str(tmp_path / "plans.csv"),
                 "--out", str(tmp_path / "t.csv")]) == 0
    advice = pd.read_csv(tmp_path / "t.csv").iloc[0]
    assert advice["recommendation_text"] == "P18 would have cost 60.00 yuan less than your P38 over 3 months"
