"""The generator's typed configuration and result, validated at the edge.

``GeneratorConfig`` is what the CLI (and tests) hand to :func:`orchestration.generator.generate`;
a bad value fails at construction with a message that names the field and the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class GeneratorConfig(BaseModel):
    """How much synthetic operator data to make, for which window, and where to put it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customers: int = 20_000
    months: int = 3
    seed: int = 42
    out: Path = Path("data/landing")
    start_month: str = "2026-08"
    bad_row_share: float = 0.0

    @field_validator("customers")
    @classmethod
    def _customers(cls, value: int) -> int:
        if value < 50:
            raise ValueError(f"customers must be at least 50 (got {value})")
        return value

    @field_validator("months")
    @classmethod
    def _months(cls, value: int) -> int:
        if not 1 <= value <= 24:
            raise ValueError(f"months must be between 1 and 24 (got {value})")
        return value

    @field_validator("seed")
    @classmethod
    def _seed(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"seed must be zero or positive (got {value})")
        return value

    @field_validator("bad_row_share")
    @classmethod
    def _bad_row_share(cls, value: float) -> float:
        if not 0.0 <= value <= 0.2:
            raise ValueError(f"bad_row_share must be between 0 and 0.2 (got {value})")
        return value

    @field_validator("start_month")
    @classmethod
    def _start_month(cls, value: str) -> str:
        match = _MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2098:
            raise ValueError(f"start_month must be 'YYYY-MM' with a month 01-12 (got {value!r})")
        return value


@dataclass
class GenerateResult:
    """What a generator run wrote."""

    out: Path
    files_written: int
    rows: dict[str, int]  # clean rows per raw table name (<source>__<table>)
    bad_rows: dict[str, dict[str, int]]  # injected bad rows per raw table name and kind
    elapsed_seconds: float
    files: list[Path] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values()) + sum(sum(k.values()) for k in self.bad_rows.values())
