"""Lint-time stand-in for dbt's ``target`` (macros branch on ``target.type``)."""

type = "duckdb"  # noqa: A001 - mirrors target.type
name = "lint"
