"""The contract's column rules as one vectorised DuckDB query over a staged file.

`validation_sql` turns a `SourceTable` into SQL that reads a relation of staged rows (one row
per parsed record, the contract's columns as text for CSV or as the file's types for Parquet)
and yields each row's typed values plus, for a row that breaks a rule, the first broken rule:
``_reason_code``, ``_column_name``, ``_reason`` (a message naming the column, the bad value and
what was expected) and ``_raw_record`` (the values as delivered, as JSON).

Rules are checked column by column in contract order, and for each column in this order:
``type_mismatch``, ``null_not_allowed``, ``not_accepted``, ``below_min``, ``above_max``,
``outside_partition``, ``after_partition``. A row that passes every rule but repeats the key of
an earlier passing row in the same file is ``duplicate_key`` (the first occurrence is kept).

Text is parsed strictly to the landing conventions (``true``/``false``, ``YYYY-MM-DD``,
``YYYY-MM-DD HH:MM:SS`` with optional fractional seconds, plain decimal numbers with no more
decimals than the column's scale, empty = null): DuckDB's own casts are more
lenient (``'12.5'`` → 13, ``'yes'`` → true), so each cast is guarded by a pattern.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.landing.contracts import Column, SourceTable
from orchestration.settings import SEEDS_DIR

REASON_CODES = (
    "type_mismatch", "null_not_allowed", "not_accepted", "below_min", "above_max",
    "outside_partition", "after_partition", "duplicate_key", "malformed_line", "bad_encoding",
)

_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
             "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
_FLOATS = {"FLOAT", "DOUBLE"}
_TIMESTAMPS = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_VALUE_SHOWN = 80  # characters of a bad value quoted in a message


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _family(duckdb_type: str) -> str:
    t = duckdb_type.upper()
    if t in _INTEGERS:
        return "integer"
    if t in _FLOATS:
        return "float"
    if _DECIMAL.fullmatch(t):
        return "decimal"
    if t in _TIMESTAMPS:
        return "timestamp"
    if t.strip('"') == "NULL":  # Parquet's null type: a column with no values at all
        return "null"
    return t.lower()  # varchar, boolean, date, or something no contract column uses


def cast_plan(source_type: str, target_type: str) -> str | None:
    """How a value of ``source_type`` becomes ``target_type``; None when it cannot.

    ``same``: nothing to do; ``text``: parse text strictly; ``widen``: cast, only overflow can
    fail; ``exact``: cast and require the value unchanged (12.0 → 12 but not 12.5, midnight
    timestamp → date); ``rounded``: float to decimal, allowing float noise but not lost digits.
    """
    if source_type.upper() == target_type.upper():
        return "same"
    source, target = _family(source_type), _family(target_type)
    if source == "varchar":
        return "text"
    if source == "null":
        return "widen"
    plans = {
        ("integer", "integer"): "widen", ("float", "integer"): "exact", ("decimal", "integer"): "exact",
        ("integer", "float"): "widen", ("float", "float"): "widen", ("decimal", "float"): "widen",
        ("integer", "decimal"): "widen", ("decimal", "decimal"): "exact", ("float", "decimal"): "rounded",
        ("timestamp", "date"): "exact", ("timestamp", "timestamp"): "widen", ("date", "timestamp"): "widen",
    }
    return plans.get((source, target))


def seed_codes(seed: str, column: str) -> tuple[str, ...]:
    """The codes listed in column ``column`` of ``seeds/<seed>.csv`` (re-read when the file changes)."""
    path = SEEDS_DIR / f"{seed}.csv"
    return _read_seed_codes(path, path.stat().st_mtime_ns, column)


@cache
def _read_seed_codes(path: Path, _mtime_ns: int, column: str) -> tuple[str, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if column not in (reader.fieldnames or []):
            raise KeyError(f"seed {path} has no column {column!r} (columns: {reader.fieldnames})")
        return tuple(row[column].strip() for row in reader if row[column].strip())


# Bump when the loader's parsing or rules change in a way that can change a load's outcome.
RULES_VERSION = "1"


def rules_fingerprint(table: SourceTable) -> str:
    """SHA-256 of everything that decides how a file of ``table`` is validated.

    The contract (types, rules), the seed codes it refers to and the loader's rules version: a
    partition whose file is unchanged is re-validated when this changes (a new channel code in
    the seed, say), instead of keeping its old quarantine.
    """
    parts = [RULES_VERSION, repr(table)]
    parts += [",".join(seed_codes(*c.accepted_from_seed)) for c in table.columns if c.accepted_from_seed]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _expected(target_type: str) -> str:
    family = _family(target_type)
    if family == "decimal":
        precision, scale = (int(g) for g in _DECIMAL.fullmatch(target_type.upper()).groups())
        return f"a number with at most {precision - scale} digits before and {scale} after the point"
    return {
        "integer": "a whole number", "float": "a finite number", "boolean": "true or false",
        "date": "a date YYYY-MM-DD", "timestamp": "a timestamp YYYY-MM-DD HH:MM:SS",
    }.get(family, f"a {target_type} value")


def _text_parse(src: str, target_type: str) -> str:
    """SQL parsing the text ``src`` to ``target_type``; NULL when absent or not well-formed."""
    family, t = _family(target_type), f"trim({src})"
    if family == "varchar":
        return f"nullif({src}, '')"
    if family == "boolean":
        return f"case lower({t}) when 'true' then true when 'false' then false end"
    if family == "decimal":
        scale = int(_DECIMAL.fullmatch(target_type.upper()).group(2))
        pattern = rf"[+-]?([0-9]+(\.[0-9]{{0,{scale}}})?|\.[0-9]{{1,{scale}}})" if scale else r"[+-]?[0-9]+"
    else:
        pattern = {
            "integer": r"[+-]?[0-9]+",
            "float": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
            "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "timestamp": r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?",
        }[family]
    cast = f"try_cast({t} as {target_type})"
    if family == "float":
        cast = f"case when isfinite({cast}) then {cast} end"
    return f"case when regexp_full_match({t}, {sql_literal(pattern)}) then {cast} end"


def _parse(col: Column, src: str, source_type: str) -> tuple[str, str]:
    """SQL for (the typed value, the value as delivered or NULL when absent) of one column.

    A row has a ``type_mismatch`` in this column when a value was delivered but the typed value
    is NULL. Values of columns with accepted values are trimmed (the contract compares them
    after trimming); an empty string counts as absent.
    """
    plan = cast_plan(source_type, col.type)
    family = _family(col.type)
    trims = col.accepted is not None or col.accepted_from_seed is not None
    if plan is None:  # the reader refuses such files before validation
        raise ValueError(f"{col.name}: cannot convert {source_type} to {col.type}")
    if family == "varchar" and plan in ("text", "same"):
        value = f"nullif(trim({src}), '')" if trims else f"nullif({src}, '')"
        return value, value
    if plan == "text":
        return _text_parse(src, col.type), f"nullif(trim({src}), '')"
    if plan == "same":
        if family == "float":
            return f"case when isfinite({src}) then {src} end", src
        return src, src
    cast = f"try_cast({src} as {col.type})"
    if _family(source_type) == "float":
        cast = f"case when isfinite({src}) then {cast} end"
    if plan == "exact":
        cast = f"case when {cast} = {src} then {cast} end"
    elif plan == "rounded":
        cast = f"case when abs({cast}::double - {src}) <= 1e-9 * greatest(1, abs({src})) then {cast} end"
    return cast, src


def _number(value: float) -> str:
    return repr(float(value))


@dataclass(frozen=True)
class Rule:
    """One check of one column: a SQL condition and the message (``{value}`` = the bad value)."""

    condition: str
    code: str
    column: str
    message: str


def _rules(col: Column, src: str, value: str, source_type: str, partitioned: bool, typed_file: bool) -> list[Rule]:
    """The rules of ``col`` in checking order.

    ``src`` names the column as delivered, ``value`` the typed column (NULL when absent or
    unparseable); ``partitioned`` says the table has time partitions, whose rules read the row's
    ``_first_day`` and ``_last_day`` (their messages hold placeholders ``{partition}``, ``{span}``
    and ``{last}`` that `validation_sql` fills in per row); ``typed_file`` says the file has types
    of its own (Parquet) worth naming.
    """
    name = col.name
    parsed, delivered = _parse(col, src, source_type)
    in_file = f" (the file has {source_type})" if typed_file and source_type != col.type else ""
    rules = []

    def rule(condition: str, code: str, message: str) -> None:
        rules.append(Rule(condition, code, name, f"{name}: {message}"))

    if delivered != parsed:  # else every delivered value converts (text to VARCHAR, same type)
        rule(f"({delivered} is not null and {value} is null)", "type_mismatch",
             f"{{value}} is not a valid {col.type}{in_file}, expected {_expected(col.type)}")
    if col.key or not col.nullable:
        rule(f"{value} is null", "null_not_allowed",
             f"value is missing but {'it is part of the key' if col.key else 'the column is required'}")
    if col.accepted:
        rule(f"{value} not in ({', '.join(sql_literal(v) for v in col.accepted)})", "not_accepted",
             f"{{value}} is not an accepted value, expected one of: {', '.join(col.accepted)}")
    if col.accepted_from_seed:
        seed, seed_column = col.accepted_from_seed
        codes = seed_codes(seed, seed_column)
        rule(f"{value} not in ({', '.join(sql_literal(v) for v in codes)})", "not_accepted",
             f"{{value}} is not a code listed in seed {seed}.{seed_column}")
    if col.min is not None:
        rule(f"{value} < {_number(col.min)}", "below_min", f"{{value}} is below the minimum {col.min:g}")
    if col.max is not None:
        rule(f"{value} > {_number(col.max)}", "above_max", f"{{value}} is above the maximum {col.max:g}")
    if partitioned and col.in_partition:
        rule(f"cast({value} as date) not between _first_day and _last_day", "outside_partition",
             "{value} is outside partition {partition}, expected a value {span}")
    if partitioned and col.not_after_partition:
        rule(f"cast({value} as date) > _last_day", "after_partition",
             "{value} is after partition {partition}, expected a value on or before {last}")
    return rules


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def validation_sql(table: SourceTable, source_types: dict[str, str], source: str) -> str:
    """A SELECT over ``source`` giving, per row, the typed columns and the first broken rule.

    ``source`` holds the rows of one or more files of ``table``: per row its file's
    ``_partition`` and ``_source_file``, its partition's ``_first_day`` and ``_last_day`` (NULL
    for a table without time partitions), ``_source_row`` and the contract's columns, of the
    types ``source_types`` gives. A duplicate key is one within the row's file.

    Output columns: ``_partition``, ``_source_file``, ``_source_row``, the contract's columns
    (typed), ``_reason_code``, ``_column_name``, ``_reason``, ``_raw_record`` (the last four
    NULL for a good row).

    The rule conditions form one CASE yielding the number of the first broken rule; code,
    column and message are then looked up in constant lists, which keeps the query small to
    plan (planning, not reading, is most of the time for a small file).
    """
    partitioned = table.grain != "full"  # the partition rules read each row's own partition
    row_label = "line" if table.format == "csv" else "row"
    columns = list(enumerate(table.columns))
    delivered = [f"{quote_ident(c.name)} as _s{i}" for i, c in columns]
    typed = [f"{_parse(c, f'_s{i}', source_types[c.name])[0]} as _v{i}" for i, c in columns]
    rules, shown = [], []
    for i, col in columns:
        for rule in _rules(col, f"_s{i}", f"_v{i}", source_types[col.name], partitioned, table.format == "parquet"):
            rules.append(rule)
            shown.append(f"_s{i}::varchar")
    numbered = " ".join(f"when {r.condition} then {n}" for n, r in enumerate(rules, start=1))
    first_broken = f"case {numbered} end" if rules else "null::integer"
    key_values = [f"_v{i}" for i, col in columns if col.key]
    keys = ["_source_file", *key_values]  # a duplicate is one within its file
    key_shown = " || ', ' || ".join(
        f"'{c.name}=' || coalesce(_v{i}::varchar, '')" for i, c in columns if c.key) or "''"
    # Duplicates among the rows that passed every column rule: the first occurrence is kept.
    # (A GROUP BY + join is several times cheaper here than a window over every row.)
    repeated_keys = (f"select {', '.join(keys)}, min(_source_row) as _first_row from checked "
                     f"where _rule is null group by all having count(*) > 1") if key_values else \
        "select null as _first_row where false"
    key_join = f"using ({', '.join(keys)})" if key_values else "on false"
    raw_record = "{" + ", ".join(f"{sql_literal(c.name)}: _s{i}" for i, c in columns) + "}"
    codes = _list([sql_literal(r.code) for r in rules])
    rule_columns = _list([sql_literal(r.column) for r in rules])
    message = _list([sql_literal(r.message) for r in rules]) + "[_rule]"
    if partitioned:  # this row's partition in the words of the partition rules
        span = ("case when _first_day = _last_day then 'on ' || _first_day::varchar "
                "else 'between ' || _first_day::varchar || ' and ' || _last_day::varchar end")
        message = (f"replace(replace(replace({message}, '{{partition}}', _partition), '{{span}}', {span}), "
                   "'{last}', _last_day::varchar)")
    bad_value = "chr(39) || left(" + _list(shown) + f"[_rule], {_VALUE_SHOWN}) || chr(39)"
    return f"""
        with parsed as (
            select _partition, _source_file, _first_day, _last_day, _source_row,
                {', '.join(delivered)}, {', '.join(typed)}
            from {source}
        ),
        checked as (
            select *, {first_broken} as _rule
            from parsed
        ),
        repeated_keys as (
            {repeated_keys}
        ),
        deduplicated as (
            select c.*, d._first_row,
                   c._rule is null and c._source_row > coalesce(d._first_row, c._source_row) as _is_duplicate
            from checked as c left join repeated_keys as d {key_join}
        )
        select _partition, _source_file, _source_row,
            {', '.join(f'_v{i} as {quote_ident(c.name)}' for i, c in columns)},
            case when _rule is not null then {codes}[_rule] when _is_duplicate then 'duplicate_key' end
                as _reason_code,
            case when _rule is not null then {rule_columns}[_rule]
                when _is_duplicate then {sql_literal(', '.join(table.key_columns))} end as _column_name,
            case when _rule is not null then replace({message}, '{{value}}', coalesce({bad_value}, ''))
                when _is_duplicate then 'duplicate key ' || {key_shown}
                    || ': the first occurrence, at {row_label} ' || _first_row || ', is kept'
            end as _reason,
            case when _rule is not null or _is_duplicate then to_json({raw_record})::varchar end as _raw_record
        from deduplicated
    """
