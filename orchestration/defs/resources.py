"""Resources, configured from the environment (TOUCHPOINT_DB, TOUCHPOINT_LANDING)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from orchestration.defs.project import dbt_cli
from orchestration.settings import db_path, landing_dir


class WarehouseResource(ConfigurableResource):
    """Where the working DuckDB file and the landing folder are."""

    database: str
    landing: str

    @property
    def database_path(self) -> Path:
        return Path(self.database)

    @property
    def landing_path(self) -> Path:
        return Path(self.landing)


def build_resources() -> dict[str, object]:
    return {
        "dbt": dbt_cli(),
        "warehouse": WarehouseResource(database=str(db_path()), landing=str(landing_dir())),
    }
