"""Write-audit-publish: copy the audited BI-facing marts into the serving DuckDB file atomically."""
