"""Scan every column of every table in a database for raw personal data before it is served.

Two kinds of evidence, both checked on every text column:
- *shapes*: an 11-digit mainland mobile number or an 18-character ID-card number anywhere in the
  value (masked forms such as ``138****5678`` do not match);
- *known values*: exact matches with the personal values in the working database's raw tables —
  full names, agent names, phone and ID-card numbers — and with *unkeyed* md5 / sha256 hashes of
  the phone numbers (what an attacker's dictionary of the phone-number space would contain; a
  keyed hash never matches it).

Numeric columns are checked for 11-digit mobile numbers stored as integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Shape:
    """A pattern of personal data, and the characters a value needs before it can hold it."""

    pattern: str
    min_length: int


# Bounded by non-alphanumerics, so digit runs inside hex hashes and surrogate keys do not match.
PHONE = Shape(r"(^|[^0-9A-Za-z])1[3-9][0-9]{9}([^0-9A-Za-z]|$)", 11)
ID_CARD = Shape(r"(^|[^0-9A-Za-z])[0-9]{17}[0-9Xx]([^0-9A-Za-z]|$)", 18)
# Either shape: one pass finds the columns worth telling apart.
ANY_SHAPE = Shape(r"(^|[^0-9A-Za-z])(1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])([^0-9A-Za-z]|$)", 11)
MOBILE_SQL = "regexp_full_match({col}, '1[3-9][0-9]{{9}}')"
# raw columns holding personal values (table, column, kind); absent ones are skipped.
RAW_PII_COLUMNS = (
    ("crm__customers", "full_name", "full name"),
    ("crm__customers", "phone_no", "phone number"),
    ("crm__customers", "id_card_no", "ID-card number"),
    ("callcenter__agents", "agent_name", "agent name"),
    ("usage__call_records", "callee_number", "called number"),
)
_TEXT_TYPES = ("VARCHAR", "TEXT", "STRING")
_INT_TYPES = ("BIGINT", "HUGEINT", "UBIGINT", "DECIMAL")


def shaped_sql(col: str, shape: Shape) -> str:
    """``shape`` found in ``col``, asked only of values long enough to hold it. A CASE, not an
    AND: DuckDB evaluates a CASE's branch for the rows that reach it only, while both sides of an
    AND run on every row. Most values are short codes, so most values skip the pattern (at 100k
    customers `scan_database` over the 49 served tables took 25.1-26.3 s with the pattern on every
    value, 16.4-17.2 s so, alternated)."""
    return f"case when length({col}) >= {shape.min_length} then regexp_matches({col}, '{shape.pattern}') end"


def _raw_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> set[tuple[str, str]]:
    rows = con.execute("select table_name, column_name from information_schema.columns "
                       "where table_catalog = ? and table_schema = 'raw'", [catalog]).fetchall()
    return {(t, c) for t, c in rows}


def build_pii_dictionary(con: duckdb.DuckDBPyConnection, raw_catalog: str) -> int:
    """Create temp table ``pii_dictionary(value, kind)`` from ``<raw_catalog>.raw``; returns its size.

    Each raw column is reduced to its distinct values first (materialised, so the filters and
    hashes run once per value, not once per row: 57M call records hold ~600k called numbers).
    """
    present = _raw_columns(con, raw_catalog)
    ctes, parts = [], []
    for i, (table, column, kind) in enumerate(RAW_PII_COLUMNS):
        if (table, column) not in present:
            continue
        src, values = f'{raw_catalog}.raw."{table}"', f"pii_{i}"
        # Called numbers are personal only when mobile (10086, 95588, 400 numbers are services);
        # one-character values are not identifying.
        keep = MOBILE_SQL.format(col="value") if column == "callee_number" else "length(value) >= 2"
        ctes.append(f'{values} as materialized (select value from (select distinct cast("{column}" as varchar) '
                    f"as value from {src}) where {keep})")
        parts.append(f"select value, '{kind}' as kind from {values}")
        if column in ("phone_no", "callee_number"):
            mobile = MOBILE_SQL.format(col="value")
            parts += [f"select {fn}(value), 'unkeyed {fn} of a {kind}' from {values} where {mobile}"
                      for fn in ("md5", "sha256")]
    if parts:
        body = f"with {', '.join(ctes)} " + " union all ".join(parts)
    else:
        body = "select null::varchar as value, null::varchar as kind where false"
    con.execute(f"create or replace temp table pii_dictionary as {body}")
    return con.execute("select count(*) from pii_dictionary").fetchone()[0]


def scan_database(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> list[str]:
    """Every ``schema.table.column: what was found`` in ``catalog`` (empty when clean).

    Expects ``pii_dictionary`` (see `build_pii_dictionary`) to exist on ``con``. The text columns
    are read together for the common, clean case (`_text_column_hits`); only a column with a hit
    is read again to name what was found.
    """
    columns = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        f"where table_catalog = ? and table_schema in ({', '.join('?' for _ in schemas)}) "
        "order by 1, 2, ordinal_position", [catalog, *schemas]).fetchall()
    con.execute("create or replace temp table pii_values as select distinct value from pii_dictionary")
    columns = [(f'{catalog}."{schema}"."{table}"', f'"{column}"', f"{schema}.{table}.{column}", data_type.upper())
               for schema, table, column, data_type in columns]
    hits = _text_column_hits(con, [(ref, col) for ref, col, _, kind in columns if kind.startswith(_TEXT_TYPES)])
    offenders = []
    for ref, col, where, data_type in columns:
        if data_type.startswith(_TEXT_TYPES):
            shaped, known = hits[(ref, col)]
            if shaped:
                offenders += _shapes(con, ref, col, where)
            if known:
                kinds = con.execute(
                    f"select d.kind, count(*) from {ref} t join pii_dictionary d on t.{col} = d.value "
                    "group by d.kind order by d.kind").fetchall()
                offenders += [f"{where}: {n} value(s) equal to a raw {kind}" for kind, n in kinds]
        elif data_type.startswith(_INT_TYPES):
            n = con.execute(f"select count(*) from {ref} where {col} between 13000000000 and 19999999999 "
                            f"and cast({col} as varchar) in (select value from pii_values)").fetchone()[0]
            if n:
                offenders.append(f"{where}: {n} number(s) equal to a raw phone number")
    con.execute("drop table pii_values")
    return offenders


# Text columns read by one query of `_text_column_hits`.
COLUMNS_PER_QUERY = 100


def _text_column_hits(con: duckdb.DuckDBPyConnection,
                      columns: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(values of either shape, values in the dictionary) per (table ref, quoted column).

    The columns' values are stacked (``union all``, tagged by column) and probe ``pii_values`` in
    one join per `COLUMNS_PER_QUERY` columns: a join per column built the dictionary's hash table
    once per column (386 text columns at 100k customers: the scan took 27.7-34.4 s that way,
    19.1-19.9 s stacked; most of the rest is the shape pattern: `shaped_sql`). Streaming: no
    value is held beyond the join."""
    hits: dict[tuple[str, str], tuple[int, int]] = {}
    for start in range(0, len(columns), COLUMNS_PER_QUERY):
        batch = columns[start:start + COLUMNS_PER_QUERY]
        stacked = " union all ".join(f"select {i} as column_no, cast({col} as varchar) as value from {ref}"
                                     for i, (ref, col) in enumerate(batch))
        counts = dict.fromkeys(range(len(batch)), (0, 0))
        for i, shaped, known in con.execute(
                f"select v.column_no, count(*) filter (where {shaped_sql('v.value', ANY_SHAPE)}), "
                f"count(d.value) from ({stacked}) v left join pii_values d on v.value = d.value "
                "group by v.column_no").fetchall():
            counts[i] = (shaped, known)
        hits.update({batch[i]: found for i, found in counts.items()})
    return hits


def _shapes(con: duckdb.DuckDBPyConnection, ref: str, col: str, where: str) -> list[str]:
    phones, ids = con.execute(
        f"select count(*) filter (where {shaped_sql(col, PHONE)}), "
        f"count(*) filter (where {shaped_sql(col, ID_CARD)}) from {ref}").fetchone()
    return ([f"{where}: {phones} value(s) shaped like a mobile number"] if phones else []) + \
        ([f"{where}: {ids} value(s) shaped like an ID-card number"] if ids else [])
