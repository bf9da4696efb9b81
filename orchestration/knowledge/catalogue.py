"""What tags and rules may refer to: features, products and channels.

- **Features** are the documented columns of the dbt model ``int_customer_features``: every column
  whose YAML carries ``config.meta.feature_type`` (number, text or boolean) is a feature, with its
  description and, for text features, optionally the list of values it takes
  (``config.meta.values``). The YAML is the catalogue; nothing else defines a feature name.
- **Products** are the product ids of the loaded catalogue (``raw.catalog__products``).
- **Channels** are the channel codes of the ``channels`` seed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from orchestration.settings import PROJECT_DIR, SEEDS_DIR
from orchestration.warehouse import connect as connect_duckdb

FEATURE_MODEL = "int_customer_features"
FEATURE_MODEL_YAML = PROJECT_DIR / "models" / "intermediate" / "identification" / "_int_customer_features__models.yml"
CHANNELS_SEED = SEEDS_DIR / "channels.csv"
PRODUCTS_TABLE = "raw.catalog__products"

FeatureType = Literal["number", "text", "boolean"]


@dataclass(frozen=True)
class Feature:
    """One documented column of the feature model."""

    name: str
    feature_type: FeatureType
    description: str
    values: tuple[str, ...] = ()  # the values a text feature takes, when documented


@dataclass
class Catalogue:
    """Everything tags and rules are validated against."""

    features: dict[str, Feature]
    channels: set[str]
    products: set[str] | None = None  # None: not checked (no loaded catalogue at hand)
    sources: dict[str, str] = field(default_factory=dict)  # what each list was read from


def load_features(path: Path = FEATURE_MODEL_YAML, model: str = FEATURE_MODEL) -> dict[str, Feature]:
    """The feature catalogue: documented columns of ``model`` that carry a feature_type."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for node in document.get("models", []):
        if node.get("name") != model:
            continue
        features: dict[str, Feature] = {}
        for column in node.get("columns", []):
            meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
            kind = meta.get("feature_type")
            if kind is None:
                continue
            if kind not in ("number", "text", "boolean"):
                raise ValueError(f"{path}: column {column['name']}: feature_type must be number, text or "
                                 f"boolean (got {kind!r})")
            features[column["name"]] = Feature(column["name"], kind, column.get("description", "").strip(),
                                               tuple(str(v) for v in meta.get("values", ())))
        return features
    raise ValueError(f"{path}: no model named {model} (the feature catalogue)")


def load_channels(path: Path = CHANNELS_SEED) -> set[str]:
    """Channel codes of the channels seed."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["channel_code"] for row in csv.DictReader(handle)}


def load_products(database: Path) -> set[str]:
    """Product ids of the loaded product catalogue in ``database``."""
    if not database.exists():
        raise FileNotFoundError(f"{database} does not exist: load the landing files first (touchpoint load)")
    with connect_duckdb(database, read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name = 'catalog__products'").fetchone()
        if not found or not found[0]:
            raise FileNotFoundError(f"{PRODUCTS_TABLE} is not in {database}: load the landing files first "
                                    "(touchpoint load), so rules can be checked against the product catalogue")
        return {row[0] for row in con.execute(f"select distinct product_id from {PRODUCTS_TABLE}").fetchall()}


def build_catalogue(database: Path | None) -> Catalogue:
    """Features from the YAML, channels from the seed and, with a database, products from it."""
    products = load_products(database) if database is not None else None
    return Catalogue(
        features=load_features(), channels=load_channels(), products=products,
        sources={"features": str(FEATURE_MODEL_YAML.relative_to(PROJECT_DIR)),
                 "channels": str(CHANNELS_SEED.relative_to(PROJECT_DIR)),
                 "products": f"{PRODUCTS_TABLE} in {database}" if database is not None else "not checked"},
    )
