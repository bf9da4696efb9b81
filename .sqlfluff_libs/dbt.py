"""Lint-time stand-ins for dbt's cross-database macros (``{{ dbt.hash(...) }}`` etc.).

sqlfluff's jinja templater (fast, no database, no manifest) does not know dbt's ``dbt``
namespace. These functions render plausible DuckDB SQL in its place so the surrounding SQL can
be parsed and linted. They are never used by dbt itself.
"""


def hash(field):  # noqa: A001 - mirrors dbt.hash
    return f"md5(cast({field} as varchar))"


def concat(fields):
    return "concat(" + ", ".join(str(f) for f in fields) + ")"


def safe_cast(field, type_):
    return f"try_cast({field} as {type_})"


def cast(field, type_):
    return f"cast({field} as {type_})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def last_day(date, datepart):
    return f"cast(last_day({date}) as date)"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def length(expression):
    return f"length({expression})"


def replace(field, old_chars, new_chars):
    return f"replace({field}, {old_chars}, {new_chars})"


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    order = f" {order_by_clause}" if order_by_clause else ""
    return f"string_agg({measure}, {delimiter_text}{order})"


def bool_or(expression):
    return f"bool_or({expression})"


def any_value(expression):
    return f"any_value({expression})"


def generate_series(upper_bound):
    return f"select generate_series as generated_number from generate_series(1, {upper_bound})"


def type_string():
    return "varchar"


def type_int():
    return "integer"


def type_bigint():
    return "bigint"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def type_timestamp():
    return "timestamp"
