"""Audit then publish, without Dagster: what `touchpoint publish` runs.

In the Dagster graph the audit is the blocking asset checks (dbt tests and Great Expectations)
upstream of `serving_database`; here the Great Expectations suites run first, and any failing
blocking suite refuses the publish — the serving file stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.publish.serving import PublishRefused, PublishResult, publish
from orchestration.quality.expectations import SuiteSpec, ValidationOutcome, existing_suites, run_suite


def audit_and_publish(db: Path, serving_db: Path, docs_root: Path | None = None,
                      suites: list[SuiteSpec] | None = None) -> tuple[list[ValidationOutcome], PublishResult]:
    """Validate every suite whose mart exists, then publish; raises `PublishRefused` on a failure."""
    specs = existing_suites(db, suites)
    outcomes = [run_suite(s, db, serving_db, docs_root) for s in specs]
    blocking = {s.name for s in specs if s.blocking}
    failed = [o for o in outcomes if not o.success and o.suite in blocking]
    if failed:
        raise PublishRefused("refused to publish: Great Expectations suites failed",
                             [f"{o.summary()}: {'; '.join(o.failed)}" for o in failed])
    return outcomes, publish(db, serving_db)
