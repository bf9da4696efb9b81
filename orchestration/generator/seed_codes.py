"""Reference codes the generator takes from the dbt seeds on disk (never copied into code)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import SEEDS_DIR


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class SeedCodes:
    """The seed lists the generator draws codes from."""

    channels: tuple[str, ...]
    bill_items: tuple[str, ...]
    area_types: tuple[str, ...]
    own_prefixes: tuple[str, ...]
    competitor_prefixes: tuple[str, ...]
    competitor_operator: dict[str, str]  # prefix -> operator
    service_numbers: dict[str, tuple[str, ...]]  # service_category -> numbers
    holidays: dict[str, str]  # 'YYYY-MM-DD' -> day_kind (holiday / makeup_workday)

    def seed_values(self, seed: str, column: str) -> tuple[str, ...]:
        """Codes of ``seed``'s ``column`` (what contract ``accepted_from_seed`` points at)."""
        return tuple(row[column] for row in _rows(SEEDS_DIR / f"{seed}.csv"))


def load_seed_codes(seeds_dir: Path = SEEDS_DIR) -> SeedCodes:
    """Read the seed CSVs the generator needs."""
    prefixes = _rows(seeds_dir / "number_prefixes.csv")
    services: dict[str, list[str]] = {}
    for row in _rows(seeds_dir / "service_numbers.csv"):
        services.setdefault(row["service_category"], []).append(row["service_number"])
    return SeedCodes(
        channels=tuple(r["channel_code"] for r in _rows(seeds_dir / "channels.csv")),
        bill_items=tuple(r["bill_item_code"] for r in _rows(seeds_dir / "bill_item_codes.csv")),
        area_types=tuple(r["area_type"] for r in _rows(seeds_dir / "area_types.csv")),
        own_prefixes=tuple(r["number_prefix"] for r in prefixes if r["is_own_operator"] == "true"),
        competitor_prefixes=tuple(r["number_prefix"] for r in prefixes if r["is_own_operator"] != "true"),
        competitor_operator={r["number_prefix"]: r["operator"] for r in prefixes
                             if r["is_own_operator"] != "true"},
        service_numbers={k: tuple(v) for k, v in sorted(services.items())},
        holidays={r["calendar_date"]: r["day_kind"] for r in _rows(seeds_dir / "holidays.csv")},
    )
