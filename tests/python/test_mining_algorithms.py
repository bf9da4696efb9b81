"""The mining functions on small hand-made inputs with known answers: best-fit tariff arithmetic,
competitor drift, SIM-box rule, clustering stability, circles and circle upsell, the offer blend
with a knowledge table, the churn model's input handling, and the mining-table contract."""

from __future__ import annotations

import duckdb
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from orchestration.mining import best_fit_tariff as bft
from orchestration.mining import clustering as cl
from orchestration.mining import fraud as fr
from orchestration.mining import homecoming as hc
from orchestration.mining import recommendations as rc
from orchestration.mining import social_circles as sc
from orchestration.mining import tabular_model as tm

PLANS = pd.DataFrame({
    "product_id": ["PLAN_A", "PLAN_B", "PLAN_C", "PLAN_OLD"],
    "monthly_fee_yuan": [18.0, 38.0, 58.0, 30.0],
    "included_voice_minutes": [30.0, 100.0, 200.0, 1000.0],
    "included_sms_count": [30.0, 100.0, 150.0, 1000.0],
    "included_data_mb": [100.0, 1024.0, 3072.0, 99999.0],
    "overage_voice_yuan_per_minute": [0.19, 0.19, 0.19, 0.1],
    "overage_sms_yuan_per_message": [0.1, 0.1, 0.1, 0.1],
    "overage_data_yuan_per_mb": [0.29, 0.10, 0.05, 0.1],
})


def usage_rows(customer: str, plan: str, minutes: float, sms: float, data: float, months: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": customer, "month": pd.date_range("2026-08-01", periods=months, freq="MS"),
                         "plan_id": plan, "voice_out_minutes": minutes, "sms_out_count": sms, "data_mb": data})


# --- best-fit tariff --------------------------------------------------------------------------

def test_rating_arithmetic_with_and_without_the_data_cap() -> None:
    u = pd.DataFrame({"voice_out_minutes": [50.0, 150.0], "sms_out_count": [20.0, 40.0], "data_mb": [500.0, 5100.0]})
    plans = PLANS.iloc[:3]
    cost = bft.rate(u, plans, cap=None)
    # PLAN_A: 18 + (50-30)*0.19 + 0 + (500-100)*0.29
    assert cost[0, 0] == pytest.approx(18 + 20 * 0.19 + 400 * 0.29)
    # PLAN_A, heavy: 18 + 120*0.19 + 10*0.1 + 5000*0.29
    assert cost[1, 0] == pytest.approx(18 + 120 * 0.19 + 10 * 0.1 + 5000 * 0.29)
    assert cost[0, 2] == pytest.approx(58.0)
    capped = bft.rate(u, plans, cap=150.0)
    assert capped[1, 0] == pytest.approx(18 + 120 * 0.19 + 10 * 0.1 + 150.0)


def test_best_fit_saves_fits_better_and_keeps() -> None:
    usage = pd.concat([
        usage_rows("SAVER", "PLAN_C", 50, 20, 500),  # B costs 114 over 3 months, C 174: save 60
        usage_rows("OVER", "PLAN_A", 60, 10, 150),  # A: 18 + 30*0.19 + 50*0.29 = 38.20 a month; B: 38
        usage_rows("FIT", "PLAN_B", 90, 80, 900),  # B is the cheapest
        usage_rows("GONE", "PLAN_X", 10, 10, 10, months=1),
    ])
    out = bft.best_fit(usage, PLANS, bft.TariffConfig(exclude_plans=("PLAN_OLD",))).set_index("customer_id")
    saver = out.loc["SAVER"]
    assert (saver["advice"], saver["recommended_plan_id"], saver["saving_yuan"]) == ("save", "PLAN_B", 60.0)
    assert saver["current_plan_cost_yuan"] == 174.0 and saver["months_rated"] == 3
    assert saver["recommendation_text"] == "PLAN_B would have cost 60.00 yuan less than your PLAN_C over 3 months"
    over = out.loc["OVER"]  # saving 0.60 over 3 months is too little to say "save", but A overflows every month
    assert (over["advice"], over["recommended_plan_id"]) == ("fits_better", "PLAN_B")
    assert over["saving_yuan"] == pytest.approx(0.6)
    assert "paid overage on your PLAN_A every month" in over["recommendation_text"]
    assert out.loc["FIT", "advice"] == "keep" and out.loc["FIT", "recommended_plan_id"] == "PLAN_B"
    assert out.loc["GONE", "advice"] == "unknown_plan"
    # the withdrawn plan would be cheapest for SAVER at 90, but is never recommended
    assert "PLAN_OLD" not in set(out["recommended_plan_id"])


def test_best_fit_rejects_incomplete_inputs() -> None:
    with pytest.raises(ValueError, match="usage table lacks columns"):
        bft.best_fit(pd.DataFrame({"customer_id": ["a"]}), PLANS)
    with pytest.raises(ValueError, match="plan table lacks columns"):
        bft.best_fit(usage_rows("a", "PLAN_A", 1, 1, 1), PLANS.drop(columns="included_data_mb"))


def test_reconcile_with_bills() -> None:
    usage = usage_rows("a", "PLAN_A", 50, 20, 150, months=1)
    bills = pd.DataFrame({"customer_id": ["a"], "month": [pd.Timestamp("2026-08-01")], "fee_yuan": [18.0],
                          "overage_yuan": [20 * 0.19 + 50 * 0.29]})
    recon = bft.reconcile_with_bills(usage, PLANS, bills)
    assert recon["difference_yuan"].abs().max() < 1e-9


# --- competitor homecoming --------------------------------------------------------------------

def calls(customer: str, competitor: list[int], person: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": customer, "month": pd.date_range("2026-08-01", periods=len(person), freq="MS"),
                         "competitor_calls": competitor, "person_calls": person, "competitor_callees": 3})


def test_competitor_drift_flags_a_rising_share_not_noise() -> None:
    monthly = pd.concat([
        calls("DRIFT", [10, 20, 30, 40], [100, 100, 100, 100]),
        calls("FLAT", [15, 14, 16, 15], [100, 100, 100, 100]),
        calls("SMALL", [0, 1, 1, 2], [5, 5, 5, 5]),  # 0 % → 40 % on five calls: not enough evidence
        calls("FRIENDS", [10, 25, 40, 50], [100, 100, 100, 100]),
        calls("SHORT", [10, 40], [100, 100]),
    ])
    departed = pd.DataFrame({"customer_id": ["FRIENDS"], "departed_call_share": [0.35]})
    out = hc.competitor_drift(monthly, departed=departed).set_index("customer_id")
    assert "SHORT" not in out.index  # fewer than three months
    assert out.loc["DRIFT", "is_drifting"] and out.loc["DRIFT", "drift_kind"] == "own"
    assert out.loc["DRIFT", "slope_per_month"] == pytest.approx(0.10)
    assert out.loc["DRIFT", "evidence"].startswith("competitor share of calls 10% → 20% → 30% → 40%")
    assert not out.loc["FLAT", "is_drifting"] and not out.loc["SMALL", "is_drifting"]
    assert out.loc["FRIENDS", "drift_kind"] == "contacts_left"  # 40 points of rise, 35 of them departed friends
    assert pd.isna(out.loc["FLAT", "drift_kind"])


# --- fraud ------------------------------------------------------------------------------------

def test_sim_box_rule_and_outlier_score() -> None:
    rng = np.random.default_rng(0)
    n = 300
    normal = pd.DataFrame({
        "customer_id": [f"N{i}" for i in range(n)], "calls_per_day": rng.gamma(2, 1.5, n),
        "mean_call_seconds": rng.normal(120, 30, n).clip(20), "distinct_callee_ratio": rng.uniform(0.1, 0.5, n),
        "incoming_ratio": rng.uniform(0.5, 3, n), "data_mb_per_day": rng.gamma(1, 100, n),
        "sms_per_day": rng.gamma(1, 3, n), "distinct_cells": rng.integers(3, 8, n).astype(float)})
    sim = pd.DataFrame({"customer_id": ["SIMBOX"], "calls_per_day": [100.0], "mean_call_seconds": [34.0],
                        "distinct_callee_ratio": [0.97], "incoming_ratio": [0.0], "data_mb_per_day": [0.2],
                        "sms_per_day": [0.0], "distinct_cells": [1.0]})
    # a line that is busy but talks to friends and receives calls: an outlier, not a SIM box
    busy = sim.assign(customer_id="BUSY", distinct_callee_ratio=0.2, incoming_ratio=1.5, data_mb_per_day=300.0,
                      distinct_cells=6.0)
    scores = fr.score_fraud(pd.concat([normal, sim, busy], ignore_index=True)).set_index("customer_id")
    assert scores.loc["SIMBOX", "is_sim_box_pattern"] and scores.loc["SIMBOX", "is_fraud_suspect"]
    assert scores.loc["SIMBOX", "anomaly_rank"] <= 2
    assert scores["is_sim_box_pattern"].sum() == 1
    assert not scores.loc["BUSY", "is_sim_box_pattern"]
    assert "100 outgoing calls a day" in scores.loc["SIMBOX", "reason"]
    assert "seen in 1 cell(s)" in scores.loc["SIMBOX", "reason"]
    pr = fr.precision_recall(scores["is_fraud_suspect"], pd.Series(scores.index == "SIMBOX", index=scores.index))
    assert pr["recall"] == 1.0


def test_outlier_score_on_any_numeric_table() -> None:
    table = pd.DataFrame({"id": list("abcdefghij"), "x": [1, 2, 1, 2, 1, 2, 1, 2, 1, 500.0]})
    scores = fr.score_fraud(table, id_col="id", outlier_share=0.1)
    assert scores.iloc[0]["id"] == "j" and scores.iloc[0]["is_outlier"]
    assert not scores["is_sim_box_pattern"].any()
    with pytest.raises(ValueError, match="id column 'customer_id'"):
        fr.score_fraud(table)


# --- clustering -------------------------------------------------------------------------------

def blobs(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[5, 50, 500], [200, 5, 20], [40, 300, 5]], dtype=float)
    truth = np.repeat([0, 1, 2], [150, 100, 60])
    values = centres[truth] * rng.lognormal(0, 0.15, (len(truth), 3))
    frame = pd.DataFrame(values, columns=["voice_out_minutes", "sms_out_count", "data_mb"])
    frame.insert(0, "customer_id", [f"C{i:04d}" for i in range(len(truth))])
    return frame, truth


def test_clusters_found_labelled_and_stable() -> None:
    from sklearn.metrics import adjusted_rand_score

    frame, truth = blobs(1)
    result = cl.cluster_customers(frame, k_min=2, k_max=6)
    assert result.k == 3
    assert adjusted_rand_score(truth, result.assignments["cluster_id"]) == 1.0
    assert list(result.assignments.groupby("cluster_id").size()) == [150, 100, 60]  # largest first
    labels = result.assignments.drop_duplicates("cluster_id").set_index("cluster_id")["cluster_label"]
    assert labels.is_unique
    assert "high data" in labels[1] and "high outgoing voice" in labels[2]
    # same answer from a shuffled copy of the input
    shuffled = frame.sample(frac=1.0, random_state=3)
    again = cl.cluster_customers(shuffled, k_min=2, k_max=6).assignments.set_index("customer_id")
    first = result.assignments.set_index("customer_id")
    assert (again.loc[first.index, "cluster_id"] == first["cluster_id"]).all()
    profile = result.profiles.set_index(["cluster_id", "feature"])
    assert profile.loc[(1, "data_mb"), "z_score"] > 1.0


def test_behaviour_features_scale_up_a_new_line_without_a_whole_month() -> None:
    months = pd.DataFrame({
        "customer_id": ["OLD", "OLD", "NEW", "NEW"],
        "month": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-09-01", "2026-10-01"]),
        "active_days": [12, 31, 10, 15], "days_in_month": [30, 31, 30, 31],
        "voice_out_minutes": [40.0, 310.0, 100.0, 155.0], "data_mb": [1.0, 62.0, 20.0, 30.0]})
    features = cl.behaviour_features(months).set_index("customer_id")
    # an old customer keeps only their whole month; the new line's two part months count as whole
    assert features.loc["OLD", "voice_out_minutes"] == 310.0
    assert features.loc["NEW", "voice_out_minutes"] == pytest.approx((100 * 30 / 10 + 155 * 31 / 15) / 2)
    assert features.loc["NEW", "data_mb"] == pytest.approx((20 * 30 / 10 + 30 * 31 / 15) / 2)


def test_clustering_input_errors_name_the_column() -> None:
    frame, _ = blobs(2)
    with pytest.raises(ValueError, match="must be numeric"):
        cl.cluster_customers(frame.assign(city="x"), columns=["data_mb", "city"])


# --- social circles ---------------------------------------------------------------------------

def two_circles() -> pd.DataFrame:
    rows = []
    first, second = [f"A{i}" for i in range(6)], [f"B{i}" for i in range(5)]
    for group in (first, second):
        hub = group[0]
        for m in group[1:]:
            rows.append((m, hub, 30))  # everyone calls the hub a lot
        for a, b in zip(group[1:], group[2:]):
            rows.append((a, b, 5))
    rows.append(("A3", "B3", 1))  # a weak tie across
    return pd.DataFrame(rows, columns=["caller_id", "callee_id", "calls"])


def test_circles_key_persons_and_upsell() -> None:
    G = sc.call_graph(two_circles())
    members = sc.detect_circles(G, seed=0).set_index("customer_id")
    assert members.loc["A1", "circle_id"] == members.loc["A5", "circle_id"] != members.loc["B1", "circle_id"]
    assert members.loc["A0", "circle_id"] == "C0001" and members.loc["A0", "circle_size"] == 6  # largest first
    assert members.loc["A0", "is_key_person"] and members.loc["B0", "is_key_person"]
    assert members["is_key_person"].sum() == 2
    holdings = pd.DataFrame({"customer_id": ["A0", "A1", "A2", "A3", "B1"], "product_id": "VAS_RBT"})
    pen = sc.circle_penetration(members.reset_index(), holdings).set_index(["circle_id", "product_id"])
    assert pen.loc[("C0001", "VAS_RBT"), "penetration"] == pytest.approx(4 / 6)
    up = sc.circle_upsell(members.reset_index(), holdings, G, min_penetration=0.5, min_lift=1.1)
    assert set(up["customer_id"]) == {"A4", "A5"}
    assert up.iloc[0]["reason"].startswith("4 of 6 in the circle use VAS_RBT")
    truth = pd.Series({**{f"A{i}": "x" for i in range(6)}, **{f"B{i}": "y" for i in range(5)}})
    assert sc.best_match_jaccard(members["circle_id"], truth).min() == 1.0


def test_pagerank_is_the_weighted_pagerank_and_the_igraph_copy_follows_the_graph() -> None:
    G = sc.call_graph(two_circles())
    members = sc.detect_circles(G, seed=0).set_index("customer_id")
    expected = nx.pagerank(G, weight="weight", tol=1e-12, max_iter=1000)
    assert members["pagerank"].sum() == pytest.approx(1.0)
    for node, value in expected.items():
        assert members.loc[node, "pagerank"] == pytest.approx(value, rel=1e-6)
    assert members["pagerank"].idxmax() == "A0"  # the hub of the larger circle
    # the igraph copy is reused while the graph is unchanged, rebuilt once it changes
    first, _ = sc._igraph(G)
    assert sc._igraph(G)[0] is first
    G.add_edge("A0", "Z9", weight=3.0)
    rebuilt, nodes = sc._igraph(G)
    assert rebuilt is not first and "Z9" in nodes and rebuilt.ecount() == G.number_of_edges()
    assert sc._pagerank(G)["Z9"] == pytest.approx(nx.pagerank(G, weight="weight", tol=1e-12, max_iter=1000)["Z9"],
                                                  rel=1e-6)


# --- recommendations --------------------------------------------------------------------------

def offer_inputs() -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    rng = np.random.default_rng(5)
    n = 200
    ids = [f"C{i:03d}" for i in range(n)]
    young = rng.random(n) < 0.5
    profile = pd.DataFrame({"age": np.where(young, 22, 50) + rng.normal(0, 2, n),
                            "data": np.where(young, 6.0, 3.0) + rng.normal(0, 0.3, n)}, index=ids)
    rows = []
    for i, c in enumerate(ids):
        if young[i] and rng.random() < 0.7:
            rows.append((c, "MUSIC"))
            if rng.random() < 0.8:
                rows.append((c, "RBT"))
        if not young[i] and rng.random() < 0.6:
            rows.append((c, "NEWS"))
        if rng.random() < 0.05:
            rows.append((c, "CAR"))
    return pd.DataFrame(rows, columns=["customer_id", "product_id"]), profile, ["CAR", "MUSIC", "NEWS", "RBT"]


def test_profile_scores_reach_the_regularised_optimum() -> None:
    from sklearn.linear_model import LogisticRegression

    holdings, profile, products = offer_inputs()
    H = rc.holdings_matrix(holdings, list(profile.index), products)
    scores, Z, coefs = rc.profile_scores(profile, H)
    for j in range(len(products)):
        exact = LogisticRegression(C=0.5, tol=1e-12, max_iter=100_000).fit(Z, H[:, j])
        assert coefs[j] == pytest.approx(exact.coef_[0], rel=1e-3, abs=1e-3)
        assert scores[:, j] == pytest.approx(exact.predict_proba(Z)[:, 1], abs=1e-3)

def test_blend_without_and_with_a_knowledge_table() -> None:
    holdings, profile, products = offer_inputs()
    target = next(c for c in profile.index if profile.loc[c, "age"] > 40 and
                  not ((holdings["customer_id"] == c) & holdings["product_id"].isin(["CAR", "NEWS"])).any())
    plain = rc.recommend(holdings, profile, products, top_k=2)
    held = set(zip(holdings["customer_id"], holdings["product_id"]))
    assert not any((c, p) in held for c, p in zip(plain["customer_id"], plain["product_id"]))
    first = plain[(plain["customer_id"] == target) & (plain["recommendation_rank"] == 1)].iloc[0]
    assert first["product_id"] == "NEWS"  # older profile: like the newspaper's adopters
    assert (plain["knowledge_score"] == 0).all() and plain["knowledge_rule_id"].isna().all()

    knowledge = pd.DataFrame({"customer_id": [target], "rule_id": ["KR_CAR_OWNER"], "knowledge_tag": ["car_owner"],
                              "product_id": ["CAR"], "suggested_channel": ["ACCOUNT_MANAGER"],
                              "evidence": ["traffic radio 6 calls"]})
    blended = rc.recommend(holdings, profile, products, knowledge=knowledge, top_k=2)
    top = blended[(blended["customer_id"] == target) & (blended["recommendation_rank"] == 1)].iloc[0]
    assert (top["product_id"], top["primary_source"]) == ("CAR", "knowledge")
    assert top["knowledge_rule_id"] == "KR_CAR_OWNER" and top["suggested_channel"] == "ACCOUNT_MANAGER"
    assert "knowledge rule KR_CAR_OWNER (car_owner)" in top["reason"]
    cols = ["customer_id", "recommendation_rank", "product_id", "score", "reason"]
    others = blended.loc[blended["customer_id"] != target, cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, plain.loc[plain["customer_id"] != target, cols].reset_index(drop=True))


def test_knowledge_table_is_read_only_when_it_exists() -> None:
    from orchestration.mining.from_marts import knowledge

    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    assert knowledge(con) is None
    con.execute("""create table marts.fct_customer_knowledge as
                   select 'C1' as customer_id, 'R1' as rule_id, 'golfer' as knowledge_tag, 'VAS_GOLF' as product_id,
                          'ACCOUNT_MANAGER' as suggested_channel, 'golf course 3 weekends' as evidence""")
    rows = knowledge(con)
    assert rows is not None and rows.loc[0, "product_id"] == "VAS_GOLF"


def test_hit_rate_and_popularity() -> None:
    holdings = pd.DataFrame({"customer_id": ["a", "b", "b", "c"], "product_id": ["X", "X", "Y", "X"]})
    pop = rc.popularity(holdings, ["a", "b", "c", "d"], ["X", "Y", "Z"], top_k=1)
    assert dict(zip(pop["customer_id"], pop["product_id"])) == {"a": "Y", "b": "Z", "c": "Y", "d": "X"}
    later = pd.DataFrame({"customer_id": ["a", "c", "d"], "product_id": ["Y", "Z", "Z"]})
    assert rc.hit_rate(pop, later, top_k=1) == {"customers": 3.0, "hits": 1.0, "hit_rate": pytest.approx(1 / 3)}


# --- churn model input handling ---------------------------------------------------------------

def messy_table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    complaints = rng.poisson(1.0, n)
    plan = rng.choice(["gold", "silver", ""], n)
    risk = 1 / (1 + np.exp(-(-2.5 + 1.2 * complaints + 1.5 * (plan == "silver"))))
    return pd.DataFrame({
        "id": [f"R{i}" for i in range(n)], "complaints": complaints.astype(str),
        "fee": [f"{v:,.2f}" for v in rng.uniform(10, 3000, n)], "plan": plan,
        "joined": pd.date_range("2021-01-01", periods=n, freq="D").astype(str),
        "comment": [f"note {i}" for i in range(n)], "blank": "",
        "left": np.where(rng.random(n) < risk, "yes", "no")})


def test_prepare_table_types_columns_and_says_so() -> None:
    table = messy_table()
    table.loc[3, "complaints"] = "n/a"
    table.loc[4, "complaints"] = "lots"
    table.loc[5, "left"] = ""
    prepared = tm.prepare_table(table, target="left", id_col="id")
    assert set(prepared.numeric) == {"complaints", "fee", "joined"} and prepared.categorical == ["plan"]
    assert len(prepared.y) == len(table) - 1
    notes = " | ".join(prepared.notes)
    assert "'complaints': 1 non-numeric values treated as missing (e.g. 'lots')" in notes
    assert "'comment'" in notes and "'blank'" in notes and "'joined': dates" in notes
    assert prepared.X["fee"].dtype == float and np.isnan(prepared.X["complaints"]).sum() == 2


@pytest.mark.parametrize("change,message", [
    (lambda t: t.assign(left=np.resize(["a", "b", "c"], len(t))), "must have two classes"),
    (lambda t: t.assign(left="yes"), "only one class"),
    (lambda t: t.assign(left=np.resize(["up", "down"], len(t))), "cannot tell which"),
    (lambda t: t.assign(plan=[[1]] * len(t)), "column 'plan' holds nested values"),
    (lambda t: t.drop(columns="left"), "column 'left' not in the table"),
])
def test_prepare_table_errors_name_the_column(change, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        tm.prepare_table(change(messy_table()), target="left", id_col="id")


def test_cross_validation_beats_chance_and_reports_a_baseline() -> None:
    prepared = tm.prepare_table(messy_table(600, seed=1), target="left", id_col="id")
    cv = tm.cross_validate(prepared, folds=3, seed=0)
    assert cv.metrics["roc_auc"] > 0.7
    assert cv.baseline_feature == "complaints"
    assert 0 <= cv.probabilities.min() and cv.probabilities.max() <= 1


# --- the mining table contract ----------------------------------------------------------------

def test_write_table_follows_the_sources_contract() -> None:
    from orchestration.mining.tables import contracts, write_table

    assert {"association_rules", "churn_scores", "recommendations", "homecoming"} <= set(contracts())
    con = duckdb.connect(":memory:")
    scores = pd.DataFrame({"customer_id": ["C1"], "as_of_month": [pd.Timestamp("2026-11-01")],
                           "churn_probability": [0.25], "churn_rank": [1], "top_drivers": ["complaints = 2"]})
    assert write_table(con, "churn_scores", scores) == 1
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_name = 'churn_scores'").fetchall())
    assert types == {"customer_id": "VARCHAR", "as_of_month": "DATE", "churn_probability": "DOUBLE",
                     "churn_rank": "BIGINT", "top_drivers": "VARCHAR", "scored_at": "TIMESTAMP"}
    with pytest.raises(ValueError, match=r"missing \['top_drivers'\], not declared \['extra'\]"):
        write_table(con, "churn_scores", scores.drop(columns="top_drivers").assign(extra=1))
    with pytest.raises(ValueError, match="not declared"):
        write_table(con, "no_such_table", scores)
