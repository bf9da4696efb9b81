"""Lint-time stand-in for dbt's ``graph`` context variable: an empty project graph."""

nodes: dict = {}
sources: dict = {}
