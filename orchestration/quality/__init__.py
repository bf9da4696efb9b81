"""Data-steward quality gates: Great Expectations suites run on marts read from DuckDB."""
