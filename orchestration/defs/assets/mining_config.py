"""Run configuration of the mining assets (Dagster ``Config``, validated by pydantic): thresholds,
seeds and the floors their quality checks hold the results to. Defaults are the values the
assets were measured with on the sample operator."""

from dagster import Config
from pydantic import Field, model_validator


class RulesConfig(Config):
    min_support: float = Field(0.005, gt=0, le=1, description="minimum support (share of baskets)")
    min_confidence: float = Field(0.2, gt=0, le=1, description="minimum confidence")
    max_len: int = Field(3, ge=2, description="largest itemset (antecedent + consequent)")


class ClusteringConfig(Config):
    k_min: int = Field(3, ge=2)
    k_max: int = Field(10, ge=2)
    seed: int = 0
    silhouette_floor: float = 0.25

    @model_validator(mode="after")
    def _k_range(self) -> "ClusteringConfig":
        if self.k_max < self.k_min:
            raise ValueError(f"k_max ({self.k_max}) must not be below k_min ({self.k_min})")
        return self


class ChurnConfig(Config):
    seed: int = 0
    roc_auc_floor: float = Field(0.75, ge=0.5, le=1.0, description="the check fails below this ROC AUC")
    min_test_positives: int = Field(10, ge=1, description="fewer churners in the test month: check only warns")


class FraudConfig(Config):
    outlier_share: float = Field(0.01, gt=0, lt=0.5)
    seed: int = 0
    max_flagged_share: float = 0.02


class CirclesConfig(Config):
    seed: int = 0
    min_penetration: float = Field(0.3, gt=0, le=1)
    min_lift: float = Field(1.5, gt=0)
    modularity_floor: float = 0.3


class RecommendationsConfig(Config):
    top_k: int = Field(3, ge=1)
    collaborative_weight: float = Field(0.3, ge=0)
    profile_weight: float = Field(0.5, ge=0)
    knowledge_weight: float = Field(0.5, ge=0)
    seed: int = 0
    min_evaluation_customers: int = 30


class TariffConfig(Config):
    data_overage_cap_yuan: float | None = 150.0
    min_saving_yuan_per_month: float = Field(5.0, ge=0)
    min_saving_share: float = Field(0.05, ge=0, lt=1)
    fit_tolerance_yuan_per_month: float = Field(5.0, ge=0)
    min_bill_match_share: float = 0.95


class HomecomingConfig(Config):
    min_months: int = Field(3, ge=2)
    min_slope: float = 0.04
    min_rise: float = 0.10
    min_z: float = 2.5
    min_competitor_calls: int = 5
    max_drifting_share: float = 0.25
