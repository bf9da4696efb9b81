"""Campaign definition files: the shipped ones are valid; a bad one names its file and field;
targets evaluate over generic columns and memberships with a reason per customer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from orchestration.campaigns.build import CAMPAIGNS_DIR
from orchestration.campaigns.definitions import DefinitionError, load_campaigns, load_policy, parse_campaign
from orchestration.campaigns.targeting import MissingInput, select_targets

GOOD = """
campaign_id: CMP_X
name: x
products: [VAS_RBT]
priority: 10
channels: [{channel: SMS, capacity_per_day: 10}]
window: {start: 2026-10-01, end: 2026-10-31}
control_share: 0.1
"""


def test_shipped_campaigns_are_valid() -> None:
    campaigns = load_campaigns(CAMPAIGNS_DIR)
    assert len(campaigns) >= 6
    assert load_policy(CAMPAIGNS_DIR).monthly_cap == 4
    channels = {ch.channel for c in campaigns for ch in c.channels}
    assert {"OUTBOUND", "SMS", "APP", "HALL"} <= channels


@pytest.mark.parametrize("change, field", [
    ("control_share: 0.1", "control_share"),
    ("capacity_per_day: 10", "channels.0.capacity_per_day"),
    ("channel: SMS", "channels.0.channel"),
    ("end: 2026-10-31", "window"),
])
def test_bad_definition_names_file_and_field(tmp_path: Path, change: str, field: str) -> None:
    bad = {"control_share: 0.1": "control_share: 0.9", "capacity_per_day: 10": "capacity_per_day: 0",
           "channel: SMS": "channel: FAX", "end: 2026-10-31": "end: 2026-09-01"}[change]
    (tmp_path / "x.yml").write_text(GOOD.replace(change, bad), encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_campaigns(tmp_path)
    assert str(tmp_path / "x.yml") in str(err.value) and f"field '{field}" in str(err.value)


def test_duplicate_ids_and_unknown_keys_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(DefinitionError, match="already defined"):
        load_campaigns(tmp_path)
    with pytest.raises(DefinitionError, match="field 'budget'"):
        parse_campaign({**__import__("yaml").safe_load(GOOD), "budget": 3}, "c.yml")


def test_targets_with_reason_codes() -> None:
    campaign = parse_campaign({**__import__("yaml").safe_load(GOOD), "target": {
        "all": [{"column": "age_years", "op": "<", "value": 35}],
        "any": [{"kind": "tag", "member": "car_owner"}, {"column": "churn_probability", "op": ">=", "value": 0.5}]}})
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "age_years": [20, 30, 40, 25],
                              "churn_probability": [0.1, 0.6, 0.9, None]})
    members = pd.DataFrame({"customer_id": ["A", "C"], "kind": "tag", "member": "car_owner"})
    out = select_targets(campaign, customers, members).set_index("customer_id")["reason_code"]
    assert out.to_dict() == {"A": "age_years<35 & any(tag:car_owner)",
                             "B": "age_years<35 & any(churn_probability>=0.5)"}
    with pytest.raises(MissingInput):
        select_targets(campaign, customers, members.iloc[0:0])
