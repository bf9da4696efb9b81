"""Data mining on the warehouse: association rules, clustering, churn warning, fraud screening,
social circles, next best offers, best-fit tariff and competitor homecoming.

Each algorithm is a plain function (DataFrame in, DataFrame out) in its own module;
``from_marts`` runs them on the marts, ``tables`` writes the results to schema ``mining``, and
``cli`` exposes them as `touchpoint mine ...`. The Dagster assets live in
``orchestration/defs/assets/mining.py``.
"""
