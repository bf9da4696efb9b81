"""Helpers for the generator tests: where a generated run's files and manifest are."""

from __future__ import annotations

import json
from pathlib import Path


def run_manifest(root: Path) -> dict:
    """The manifest of planted truths and bad rows that the generator wrote beside its files."""
    return json.loads((root / "_truth" / "manifest.json").read_text(encoding="utf-8"))


def parquet_of(root: Path, table: str) -> str:
    """A DuckDB table expression over one generated Parquet table."""
    return f"read_parquet('{root}/{table}/*.parquet')"


def csv_of(root: Path, table: str) -> str:
    """A DuckDB table expression over one generated CSV table, every column as text."""
    return f"read_csv('{root}/{table}/*.csv', all_varchar=true, header=true)"
