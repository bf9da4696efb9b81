"""The shape of a landing contract: a delivered column and its rules, a delivered table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Grain = Literal["day", "month", "full"]
Format = Literal["csv", "parquet"]


@dataclass(frozen=True)
class Column:
    """One delivered column and the rules a value must meet to be loaded."""

    name: str
    type: str  # DuckDB type the raw table stores it as
    description: str
    key: bool = False  # part of the table's primary key (never null, unique in a partition)
    nullable: bool = True
    accepted: tuple[str, ...] | None = None  # allowed values (after trimming)
    accepted_from_seed: tuple[str, str] | None = None  # (seed file stem, column) listing codes
    min: float | None = None
    max: float | None = None
    in_partition: bool = False  # date/timestamp must fall inside the file's partition
    not_after_partition: bool = False  # date must not be later than the partition's last day
    pii: bool = False  # personal data: never reaches a mart unmasked


@dataclass(frozen=True)
class SourceTable:
    """A table one source system delivers, and how it delivers it."""

    source: str
    table: str
    description: str
    grain: Grain
    format: Format
    columns: tuple[Column, ...]
    encoding: str = "utf-8"  # CSV only
    delimiter: str = ","  # CSV only

    @property
    def name(self) -> str:
        """The raw table's name: ``<source>__<table>`` in the ``raw`` schema."""
        return f"{self.source}__{self.table}"

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def file_name(self, partition: str) -> str:
        return f"{self.table}_{partition}.{self.format}"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def col(name: str, type_: str, description: str, **rules) -> Column:
    return Column(name=name, type=type_, description=description, **rules)


def key(name: str, type_: str, description: str, **rules) -> Column:
    return Column(name=name, type=type_, description=description, key=True, nullable=False, **rules)
