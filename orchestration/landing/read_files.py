"""Read one landing file into DuckDB, with every record numbered by its place in the file.

`stage_file` checks a file as a whole. A CSV file it also reads, leaving two relations on the
connection:

* ``_stage`` (a view): ``_source_row`` plus the contract's columns as text, one row per record
  that could be parsed;
* ``_stage_rejects``: records that could not be parsed at all (``malformed_line``,
  ``bad_encoding``), with their line number and raw text.

A Parquet file's schema and row count are checked from its metadata; its rows are read when
they are validated, with the batch's other files of the same types, by the query
`parquet_files_rows_sql` gives (``_stage``'s columns after each row's file and partition, in the
files' own types).

``_source_row`` is the physical line number for CSV (the header is line 1; a record spanning
several lines gets the line it starts on) and the 1-based row index for Parquet. DuckDB's CSV
reader numbers rejected lines but not good ones, so good rows are matched to lines in SQL: the
k-th parsed row sits on the k-th line that starts a record and was not rejected.

A problem with the file as a whole raises `LandingFileError` with a message naming the file and
what was expected; nothing of that file is loaded.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.landing.contracts import SourceTable
from orchestration.landing.discover import LandingFile, partition_bounds
from orchestration.landing.transcode import Fingerprint, is_utf8, transcode_to_utf8
from orchestration.landing.validate import cast_plan, quote_ident, sql_literal

# A line reader that splits on line endings only: an (improbable) 4-byte delimiter, no quoting.
_LINE_DELIMITER = "\x1f\x1e\x1d\x1c"
_TRUNCATION_ERRORS = ("MISSING COLUMNS", "UNQUOTED VALUE")
# ``_stage_rejects`` of a file with no rejected record.
_NO_REJECTS = ("select null::bigint as _source_row, null::varchar as reason_code, null::varchar as reason, "
               "null::varchar as raw_record where false")


def path_literal(path: Path) -> str:
    """``path`` as a SQL literal DuckDB's file readers take literally.

    ``read_parquet``, ``read_csv`` and ``parquet_file_metadata`` expand ``*``, ``?`` and ``[...]``
    in a path as a glob, so a landing folder named ``drop[1]`` would read ``drop1``'s files. Each
    such character is written as a one-character class (``[[]``, ``[*]``, ``[?]``), which the
    glob matches only to itself.
    """
    return sql_literal(re.sub(r"([\[*?])", r"[\1]", str(path)))


class LandingFileError(Exception):
    """A delivered file that cannot be loaded at all (wrong header, empty, unreadable, …)."""

    def __init__(self, message: str, rows_read: int | None = None):
        super().__init__(message)
        self.message = message
        self.rows_read = rows_read


@dataclass(frozen=True)
class StagedFile:
    rows_read: int  # records in the file: parsed rows + rejected records
    parsed_rows: int  # CSV: rows in `_stage`; Parquet: rows its metadata promises
    source_types: dict[str, str]  # contract column -> DuckDB type of the column as delivered


def stage_file(con: duckdb.DuckDBPyConnection, file: LandingFile, fp: Fingerprint, workdir: Path) -> StagedFile:
    """Check ``file`` and, for CSV, stage it into ``_stage`` / ``_stage_rejects``;
    `LandingFileError` if it cannot be loaded."""
    if fp.size == 0:
        expected = "a header line" if file.table.format == "csv" else "a Parquet file"
        raise LandingFileError(f"{file.relative_path} is empty (0 bytes): expected {expected}", rows_read=0)
    if file.table.format == "csv":
        return _stage_csv(con, file, fp, workdir)
    return _check_parquet(con, file)


# ---------------------------------------------------------------------------------------- CSV
def _utf8_copy(file: LandingFile, fp: Fingerprint, workdir: Path) -> tuple[Path, list[tuple[int, str, str]]]:
    """A UTF-8 path DuckDB can read, and the lines that did not decode."""
    encoding = file.table.encoding
    name = file.relative_path
    if fp.looks_like_utf8_chinese:
        raise LandingFileError(
            f"{name} is UTF-8 encoded but the contract says {encoding}: re-export it in {encoding} "
            "(loading it would store garbled text)", rows_read=max(fp.line_count - 1, 0))
    if is_utf8(encoding) and fp.decodes:
        return file.path, []
    copy = transcode_to_utf8(file.path, encoding, workdir / f"{file.table.name}_{file.partition}.utf8.csv")
    bad = copy.bad_lines
    if bad and bad[0][0] == 1:
        raise LandingFileError(f"{name}: the header line cannot be decoded as {encoding}: {bad[0][2]}",
                               rows_read=max(fp.line_count - 1, 0))
    if bad and not copy.has_good_data_line:
        raise LandingFileError(f"{name} cannot be decoded as {encoding}: none of its {len(bad)} data lines "
                               f"is valid {encoding} (first: {bad[0][2]})", rows_read=len(bad))
    return copy.path, bad


def _check_header(file: LandingFile, path: Path, fp: Fingerprint) -> None:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = handle.readline().rstrip("\r\n")
    name, expected = file.relative_path, list(file.table.column_names)
    if "\x00" in first:
        raise LandingFileError(f"{name} is not {file.table.encoding} text (NUL bytes in the first line; "
                               "UTF-16 or binary?)", rows_read=None)
    found = [h.strip() for h in next(csv.reader([first], delimiter=file.table.delimiter), [])]
    if found == expected:
        return
    missing = [c for c in expected if c not in found]
    extra = [c or "(empty name)" for c in found if c not in expected]
    details = []
    if not any(found):
        details.append("the first line is empty (no header)")
    else:
        if not set(found) & set(expected):
            details.append("no header line? the first line names none of the expected columns")
        if missing:
            details.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            details.append(f"unexpected column(s) {', '.join(extra)}")
        if not missing and not extra:
            details.append("the columns are in the wrong order" if len(found) == len(expected)
                           else "duplicated column(s)")
    raise LandingFileError(
        f"{name}: header does not match the contract of {file.table.name} ({'; '.join(details)}). "
        f"Expected: {','.join(expected)}. Found: {','.join(found)}", rows_read=max(fp.line_count - 1, 0))


def _read_csv_sql(path: Path, table: SourceTable) -> str:
    columns = ", ".join(f"{sql_literal(c)}: 'VARCHAR'" for c in table.column_names)
    return (f"read_csv({path_literal(path)}, columns={{{columns}}}, header=true, auto_detect=false, "
            f"delim={sql_literal(table.delimiter)}, quote='\"', escape='\"', strict_mode=true, "
            "null_padding=false, all_varchar=true, store_rejects=true, rejects_table='_rej_errors', "
            "rejects_scan='_rej_scans')")


def _stage_csv(con: duckdb.DuckDBPyConnection, file: LandingFile, fp: Fingerprint, workdir: Path) -> StagedFile:
    path, bad_lines = _utf8_copy(file, fp, workdir)
    _check_header(file, path, fp)
    name = file.relative_path
    as_text = dict.fromkeys(file.table.column_names, "VARCHAR")  # every column is read as text
    con.execute("drop table if exists _rej_errors; drop table if exists _rej_scans")
    try:
        con.execute(f"create or replace temp table _csv_rows as "
                    f"select ordinality as _ord, * exclude (ordinality) "
                    f"from {_read_csv_sql(path, file.table)} with ordinality")
    except duckdb.Error as error:
        raise LandingFileError(f"{name} cannot be read as CSV: {str(error).splitlines()[0]}") from error
    n_rows, n_errors = con.execute(
        "select (select count(*) from _csv_rows), (select count(*) from _rej_errors)").fetchone()
    if n_errors == 0 and not bad_lines and n_rows + 1 == fp.line_count:
        # The common clean file: every line after the header is one record, so the k-th record is
        # on line k + 1 (what `_build_logical_lines` and the line map below would work out).
        con.execute("create or replace temp view _stage as "
                    "select _ord + 1 as _source_row, * exclude (_ord) from _csv_rows")
        con.execute(f"create or replace temp table _stage_rejects as {_NO_REJECTS}")
        return StagedFile(n_rows, n_rows, as_text)
    # One row per rejected record (DuckDB may report several errors for one line).
    con.execute("""
        create or replace temp table _csv_rejects as
        select line as logical_line,
               arg_min(error_type::varchar, column_idx) as error_type,
               arg_min(error_message, column_idx) as error_message,
               arg_min(csv_line, column_idx) as csv_line
        from _rej_errors group by line""")
    con.execute("create or replace temp table _bad_lines (line bigint, raw_text varchar, reason varchar)")
    if bad_lines:
        con.executemany("insert into _bad_lines values (?, ?, ?)", bad_lines)
    n_rejects = con.execute("select count(*) from _csv_rejects").fetchone()[0]
    _build_logical_lines(con, path, fp, n_rows + n_rejects + 1 + len(bad_lines))
    # The k-th parsed row is on the k-th line that starts a record and was not rejected.
    con.execute("""
        create or replace temp table _line_map as
        select row_number() over (order by l.logical_line) as _ord, l.physical_line as _source_row
        from _logical_lines as l
        where l.is_record and l.logical_line not in (select logical_line from _csv_rejects)""")
    mapped, rejects_mapped = con.execute("""
        select (select count(*) from _line_map),
               (select count(*) from _csv_rejects as r join _logical_lines as l using (logical_line)
                where l.is_record)""").fetchone()
    rows_read = n_rows + n_rejects + len(bad_lines)
    if mapped != n_rows or rejects_mapped != n_rejects:
        raise LandingFileError(
            f"{name}: cannot tell which line each record is on ({n_rows} records parsed, {mapped} record "
            "lines found): a quote character probably opens a field that never closes", rows_read=rows_read)
    _refuse_if_truncated(con, file, fp, bad_lines, rows_read)
    con.execute("""
        create or replace temp view _stage as
        select m._source_row, r.* exclude (_ord)
        from _csv_rows as r join _line_map as m using (_ord)""")
    con.execute("""
        create or replace temp table _stage_rejects as
        select l.physical_line as _source_row, 'malformed_line' as reason_code,
               'line ' || l.physical_line || ' is not a well-formed CSV record: ' || case
                   when r.error_type in ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                   then regexp_extract(r.error_message, 'Found: ([0-9]+)', 1) || ' fields, expected '
                        || regexp_extract(r.error_message, 'Columns: ([0-9]+)', 1)
                   else lower(r.error_type) || ' (' || r.error_message || ')' end as reason,
               ltrim(rtrim(r.csv_line, chr(13) || chr(10)), chr(13) || chr(10)) as raw_record
        from _csv_rejects as r join _logical_lines as l using (logical_line)
        union all
        select line, 'bad_encoding', reason, raw_text from _bad_lines""")
    return StagedFile(rows_read, n_rows, as_text)


def _build_logical_lines(con: duckdb.DuckDBPyConnection, path: Path, fp: Fingerprint, simple_lines: int) -> None:
    """``_logical_lines``: the lines DuckDB counts (logical_line) and where they start (physical_line).

    DuckDB numbers lines as it parses: a record spanning several physical lines (a quoted value
    with a line break) counts once, an empty line counts once and yields no record. When every
    physical line is the header, one record or an undecodable (blanked) line, the two numberings
    agree and no second read is needed. Otherwise the file is read again line by line and a line
    starts a record when the quotes before it are balanced.
    """
    if simple_lines == fp.line_count:
        con.execute(f"""
            create or replace temp table _logical_lines as
            select line as logical_line, line as physical_line,
                   line > 1 and line not in (select line from _bad_lines) as is_record
            from range(1, {fp.line_count + 1}) as t(line)""")
        return
    con.execute(f"""
        create or replace temp table _physical_lines as
        select ordinality as line, text
        from read_csv({path_literal(path)}, columns={{'text': 'VARCHAR'}}, header=false,
                      auto_detect=false, delim={sql_literal(_LINE_DELIMITER)}, quote='', escape='',
                      strict_mode=false, null_padding=true, all_varchar=true) with ordinality""")
    con.execute("""
        create or replace temp table _logical_lines as
        with quotes as (
            select line, text,
                   coalesce(sum(length(text) - length(replace(text, '"', ''))) over (
                       order by line rows between unbounded preceding and 1 preceding), 0) as quotes_before
            from _physical_lines
        )
        select row_number() over (order by line) as logical_line, line as physical_line,
               line > 1 and coalesce(text, '') <> '' as is_record
        from quotes
        where quotes_before % 2 = 0""")


def _refuse_if_truncated(con: duckdb.DuckDBPyConnection, file: LandingFile, fp: Fingerprint,
                         bad_lines: list[tuple[int, str, str]], rows_read: int) -> None:
    """A file whose last record is cut off (no final line ending, too few fields or an open quote)."""
    if fp.ends_with_newline:
        return
    last = con.execute(f"""
        select l.physical_line, r.error_type, r.error_message
        from _logical_lines as l left join _csv_rejects as r using (logical_line)
        where l.is_record or l.physical_line = {fp.line_count}
        order by l.logical_line desc limit 1""").fetchone()
    if last is None:
        return
    line, error_type, error_message = last
    if error_type in _TRUNCATION_ERRORS or (bad_lines and bad_lines[-1][0] == fp.line_count == line):
        counts = re.search(r"Columns: (\d+) Found: (\d+)", error_message or "")
        what = (f"{counts[2]} of {counts[1]} fields" if counts else
                "an unterminated quoted value" if error_type else "its bytes end mid-character")
        raise LandingFileError(
            f"{file.relative_path} looks truncated: its last line ({line}) has no line ending and is "
            f"incomplete ({what}); re-deliver the whole file", rows_read=rows_read)


# ------------------------------------------------------------------------------------ Parquet
def parquet_files_rows_sql(files: list[LandingFile]) -> str:
    """The rows of several Parquet files of one table, read by one ``read_parquet``: per row its
    file's ``_partition``, ``_source_file`` and partition bounds ``_first_day``/``_last_day`` (NULL
    for a table without time partitions), then ``_source_row`` and the contract's columns.

    Columns are matched by name across the files, and a file's values are cast to the first
    file's types, so the files must share their column types (`StagedFile.source_types`).
    """
    table = files[0].table
    columns = ", ".join(f"r.{quote_ident(c)}" for c in table.column_names)
    paths = ", ".join(path_literal(f.path) for f in files)

    def day(value: date | None) -> str:
        return f"DATE '{value}'" if value else "NULL::date"

    values = ", ".join(
        f"({sql_literal(str(f.path))}, {sql_literal(f.partition)}, {sql_literal(f.relative_path)}, "
        f"{day(first)}, {day(last)})"
        for f in files for first, last in [partition_bounds(table.grain, f.partition) or (None, None)])
    return (f"select f._partition, f._source_file, f._first_day, f._last_day, "
            f"r.file_row_number + 1 as _source_row, {columns} "
            f"from read_parquet([{paths}], filename=true, file_row_number=true) as r "
            f"join (values {values}) as f(_path, _partition, _source_file, _first_day, _last_day) "
            f"on r.filename = f._path")


def _check_parquet(con: duckdb.DuckDBPyConnection, file: LandingFile) -> StagedFile:
    name, table, path = file.relative_path, file.table, path_literal(file.path)
    try:
        schema = con.execute(f"describe select * from read_parquet({path})").fetchall()
        rows_in_metadata = con.execute(f"select sum(num_rows) from parquet_file_metadata({path})").fetchone()[0]
    except duckdb.Error as error:
        raise LandingFileError(f"{name} cannot be read as Parquet (truncated or not a Parquet file): "
                               f"{str(error).splitlines()[0]}", rows_read=None) from error
    found = {row[0]: row[1] for row in schema}
    missing = [c for c in table.column_names if c not in found]
    extra = [c for c in found if c not in table.column_names]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s) {', '.join(extra)}")
    wrong = [f"{c.name} is {found[c.name]} (expected {c.type})" for c in table.columns
             if c.name in found and cast_plan(found[c.name], c.type) is None]
    if wrong:
        problems.append("column(s) of a type that cannot hold the contract's: " + "; ".join(wrong))
    if problems:
        raise LandingFileError(
            f"{name}: schema does not match the contract of {table.name} ({'; '.join(problems)}). "
            f"Expected: {', '.join(f'{c.name} {c.type}' for c in table.columns)}",
            rows_read=int(rows_in_metadata or 0))
    # The data is read once, when validated (`parquet_files_rows_sql`); a damaged data page fails there.
    rows = int(rows_in_metadata or 0)
    return StagedFile(rows, rows, {c: found[c] for c in table.column_names})
