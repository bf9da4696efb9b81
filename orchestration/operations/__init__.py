"""Operations analytics outside SQL: the KPI dashboard picture (values with their fluctuation
bands and anomaly flags) and the IVR path/funnel chart, drawn from the marts built by dbt.

Plain functions (read the marts read-only, draw, write files under ``<database folder>/reports``)
called by the Dagster assets in :mod:`orchestration.defs.assets.operations` and by
``touchpoint dashboard``.
"""
