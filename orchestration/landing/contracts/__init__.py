"""The landing contract: every source table the operator's systems deliver.

One place says, for each source table, how it arrives (folder, file format, encoding,
partition grain) and what each column must be (type, nullability, allowed values, ranges).
The generator writes files to this contract, the loaders validate against it, and a test
keeps the dbt `sources:` YAML in step with it.

Landing layout::

    <landing>/<source>/<table>/<table>_<partition>.<csv|parquet>

where ``<partition>`` is ``YYYY-MM-DD`` for daily tables, ``YYYY-MM`` for monthly ones and
``full`` for reference tables delivered whole. Folders whose names start with ``_`` (such as
``_truth``) are not source data and are never loaded.
"""

from __future__ import annotations

from orchestration.landing.contracts.customers import CUSTOMERS_TABLES
from orchestration.landing.contracts.model import Column, Format, Grain, SourceTable
from orchestration.landing.contracts.touchpoints import TOUCHPOINTS_TABLES
from orchestration.landing.contracts.usage import USAGE_TABLES

CONTRACTS: tuple[SourceTable, ...] = (*CUSTOMERS_TABLES, *USAGE_TABLES, *TOUCHPOINTS_TABLES)

BY_NAME: dict[str, SourceTable] = {t.name: t for t in CONTRACTS}


def contract(name: str) -> SourceTable:
    """The contract of raw table ``<source>__<table>``; a clear error if there is none."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no landing contract named {name!r}; known: {', '.join(sorted(BY_NAME))}") from None


__all__ = ["BY_NAME", "CONTRACTS", "Column", "Format", "Grain", "SourceTable", "contract"]
