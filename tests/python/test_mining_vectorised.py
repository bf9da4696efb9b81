"""The vectorised mining code against straightforward row-by-row versions of the same rules, on
random data: same advice, plans, amounts and sentences (issue 8: no Python row loops)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orchestration.mining import best_fit_tariff as bft
from orchestration.mining.tabular_model import _round, _value_text

PLANS = pd.DataFrame({
    "product_id": ["P_18", "P_38", "P_58A", "P_58B", "PLAN_LEGACY", "P_88"],
    "monthly_fee_yuan": [18.0, 38.0, 58.0, 58.0, 28.0, 88.0],
    "included_voice_minutes": [50.0, 200.0, 500.0, 400.0, 100.0, 1000.0],
    "included_sms_count": [10.0, 50.0, 100.0, 100.0, 20.0, 300.0],
    "included_data_mb": [100.0, 1024.0, 3072.0, 4096.0, 500.0, 10240.0],
    "overage_voice_yuan_per_minute": [0.19, 0.15, 0.1, 0.1, 0.2, 0.1],
    "overage_sms_yuan_per_message": [0.1] * 6,
    "overage_data_yuan_per_mb": [0.29, 0.2, 0.1, 0.1, 0.3, 0.1]})


def best_fit_row_by_row(usage: pd.DataFrame, plans: pd.DataFrame, config: bft.TariffConfig) -> pd.DataFrame:
    """The rules of :func:`bft.best_fit` written customer by customer (the oracle)."""
    p = bft.usable_plans(plans, config)
    ids, fee = p["product_id"].tolist(), p["monthly_fee_yuan"].to_numpy(float)
    rows = []
    for cid, g in usage.sort_values(["customer_id", "month"]).groupby("customer_id", sort=True):
        # month by month, in order (as the original loop summed)
        cost = np.add.reduceat(bft.rate(g, p, config.data_overage_cap_yuan), [0], axis=0)[0]
        over = bft._over_mask(g, p)
        n, current = len(g), g["plan_id"].dropna().iloc[-1]
        best = int(np.lexsort((fee, cost))[0])
        if current not in ids:
            rows.append((cid, current, n, None, ids[best], cost[best], None, "unknown_plan",
                         f"current plan {current} is not in the plan catalogue"))
            continue
        c = ids.index(current)
        saving = cost[c] - cost[best]
        advice, target, text = "keep", c, f"your {current} is the best fit for your usage"
        months = f"{n} month{'s' if n > 1 else ''}"
        if saving >= config.min_saving_yuan_per_month * n and saving >= config.min_saving_share * cost[c]:
            advice, target = "save", best
            text = f"{ids[best]} would have cost {saving:.2f} yuan less than your {current} over {months}"
        elif over[:, c].all():
            fits = [j for j in range(len(ids)) if fee[j] > fee[c] and not over[:, j].any()
                    and cost[j] - cost[c] <= config.fit_tolerance_yuan_per_month * n]
            if fits:
                target = min(fits, key=lambda k: (cost[k], fee[k]))
                extra = cost[target] - cost[c]
                advice = "fits_better"
                text = (f"you paid overage on your {current} every month; {ids[target]} covers your usage for "
                        f"{abs(extra):.2f} yuan {'more' if extra > 0 else 'less'} over {months}")
        rows.append((cid, current, n, round(float(cost[c]), 2), ids[target], round(float(cost[target]), 2),
                     round(float(cost[c] - cost[target]), 2), advice, text))
    out = pd.DataFrame(rows, columns=list(bft.OUTPUT_COLUMNS[:-1]))
    out["saving_yuan_per_month"] = (out["saving_yuan"] / out["months_rated"]).round(2)
    return out


@pytest.mark.parametrize("config", [bft.TariffConfig(), bft.TariffConfig(data_overage_cap_yuan=None,
                                                                         fit_tolerance_yuan_per_month=20.0)])
def test_best_fit_matches_the_row_by_row_rules(config: bft.TariffConfig) -> None:
    rng = np.random.default_rng(7)
    months = rng.integers(1, 5, 3000)
    who = np.repeat(np.arange(len(months)), months)
    usage = pd.DataFrame({
        "customer_id": [f"C{i:05d}" for i in who],
        "month": pd.Timestamp("2026-01-01") + pd.to_timedelta(
            np.concatenate([np.arange(m) * 31 for m in months]), "D"),
        "plan_id": rng.choice(["P_18", "P_38", "P_58A", "P_58B", "PLAN_LEGACY", "P_88", "P_GONE"], len(who)),
        "voice_out_minutes": np.round(rng.gamma(1.5, 150, len(who)), 1),
        "sms_out_count": rng.integers(0, 120, len(who)).astype(float),
        "data_mb": np.round(rng.gamma(1.2, 1500, len(who)), 1)}).sample(frac=1, random_state=1)
    got = bft.best_fit(usage, PLANS, config)
    want = best_fit_row_by_row(usage, PLANS, config)
    assert set(got["advice"]) == {"save", "keep", "fits_better", "unknown_plan"}
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=True)


def test_best_fit_in_blocks_equals_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    usage = pd.DataFrame({"customer_id": np.repeat(["a", "b", "c"], 3), "month": list(pd.date_range(
        "2026-01-01", periods=3, freq="MS")) * 3, "plan_id": "P_38", "voice_out_minutes": np.arange(9) * 60.0,
        "sms_out_count": 5.0, "data_mb": np.arange(9) * 700.0})
    whole = bft.best_fit(usage, PLANS)
    monkeypatch.setattr(bft, "CHUNK_ROWS", 2)  # a block smaller than a customer's rows still takes the customer
    pd.testing.assert_frame_equal(bft.best_fit(usage, PLANS), whole)


def test_driver_values_print_as_python_does() -> None:
    values = np.array([np.nan, 0.0, -0.0, 2.675, 0.0005, 1.0005, 1e-5, 1e16, 123456789012.3456, 69.81, -0.2715])
    assert _value_text(values).tolist() == [None if np.isnan(v) else str(_round(v)) for v in values]
    cats = np.array(["gotone", None, "mzone", np.nan], dtype=object)
    assert _value_text(cats).tolist() == ["gotone", None, "mzone", None]


def test_percentages_print_as_python_does() -> None:
    from orchestration.mining.homecoming import _percent

    rng = np.random.default_rng(3)
    values = np.concatenate([rng.random(20000), np.arange(401) / 400,
                             [0.005, 0.015, 0.125, 0.0, -0.0, -0.004, -0.3, np.nan, np.inf, 1e20]])
    assert _percent(values).tolist() == [f"{v:.0%}" for v in values]


def test_circle_strength_and_reach_match_the_graph() -> None:
    """Within-circle call volume and reach per member, from the edge arrays, against the graph's
    own neighbour lists (a self-loop counts once, as networkx lists it once)."""
    import networkx as nx

    from orchestration.mining import social_circles as sc

    G = nx.karate_club_graph()
    for i, (a, b) in enumerate(G.edges()):
        G[a][b]["weight"] = float(i % 5 + 1)
    G.add_edge(0, 0, weight=3.0)
    G = nx.relabel_nodes(G, {n: f"N{n:02d}" for n in G})
    members = sc.detect_circles(G).set_index("customer_id")
    circle = members["circle_id"]
    for n in G:
        inside = [m for m in G[n] if circle[m] == circle[n]]
        assert members.loc[n, "circle_strength"] == sum(G[n][m]["weight"] for m in inside)
        assert members.loc[n, "circle_reach_share"] == len(inside) / max(members.loc[n, "circle_size"] - 1, 1)
