"""Byte-level work on a landing file before DuckDB reads it: checksum, size, encoding.

DuckDB reads UTF-8 only (other encodings need an extension that cannot be downloaded here), so
a file in another encoding (the call centre's GBK export), or a UTF-8 file with invalid bytes,
is rewritten as a temporary UTF-8 file, streamed in batches of lines. A line that does not decode
is written as an empty line — DuckDB skips empty lines but still counts them, so every other
record keeps its line number — and is returned for quarantine as ``bad_encoding``.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 20  # bytes read at a time
_BATCH = 1 << 20  # size hint (bytes) for a batch of lines decoded together
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Fingerprint:
    """What one streaming pass over the file's bytes tells."""

    sha256: str
    size: int
    line_count: int  # physical lines (a last line without a newline counts)
    ends_with_newline: bool
    decodes: bool  # the whole file decodes in the contract's encoding
    looks_like_utf8_chinese: bool  # non-UTF-8 encodings only: valid UTF-8 holding CJK characters


@dataclass
class Transcoded:
    """A UTF-8 copy of a file and the lines that could not be decoded."""

    path: Path
    bad_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw text, error)
    has_good_data_line: bool = False  # some line after the header has content and decodes


def is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def fingerprint(path: Path, encoding: str | None = None) -> Fingerprint:
    """Checksum the file and (for text) check it decodes, in one streaming pass of C-speed calls.

    For a non-UTF-8 encoding (GBK) it also tells whether the file is in fact UTF-8 Chinese text:
    GBK bytes of real Chinese text are essentially never valid UTF-8, so a valid-UTF-8 file with
    CJK characters was exported in the wrong encoding and would load as garbled text.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)() if encoding else None
    utf8 = codecs.getincrementaldecoder("utf-8")() if encoding and not is_utf8(encoding) else None
    decodes, valid_utf8, has_cjk = True, utf8 is not None, False
    size = newlines = 0
    last = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            if decoder is not None and decodes:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    decodes = False
            if utf8 is not None and valid_utf8:
                try:
                    has_cjk = has_cjk or _CJK.search(utf8.decode(chunk)) is not None
                except UnicodeDecodeError:
                    valid_utf8 = False
    for final, name in ((decoder, "decodes"), (utf8, "utf8")):
        try:
            if final is not None:
                final.decode(b"", final=True)
        except UnicodeDecodeError:
            decodes, valid_utf8 = (False, valid_utf8) if name == "decodes" else (decodes, False)
    ends_with_newline = last == b"\n"
    return Fingerprint(
        sha256=digest.hexdigest(),
        size=size,
        line_count=newlines + (0 if ends_with_newline or size == 0 else 1),
        ends_with_newline=ends_with_newline,
        decodes=decodes,
        looks_like_utf8_chinese=valid_utf8 and has_cjk,
    )


def transcode_to_utf8(source: Path, encoding: str, target: Path) -> Transcoded:
    """Write ``source`` (in ``encoding``) to ``target`` as UTF-8, blanking undecodable lines.

    Lines are decoded a batch at a time; only a batch that fails is decoded line by line to find
    the bad lines, so a clean file costs one decode per megabyte. Line endings are kept, so the
    physical line numbers in ``target`` equal those in ``source``.
    """
    result = Transcoded(path=target)
    line_no = 0
    with open(source, "rb") as src, open(target, "wb") as out:
        while batch := src.readlines(_BATCH):
            try:
                out.write(b"".join(batch).decode(encoding).encode("utf-8"))
                data = batch[1:] if line_no == 0 else batch
                result.has_good_data_line = result.has_good_data_line or any(raw.strip(b"\r\n") for raw in data)
                line_no += len(batch)
                continue
            except UnicodeDecodeError:
                pass
            for raw in batch:  # only for a batch holding an undecodable line
                line_no += 1
                try:
                    out.write(raw.decode(encoding).encode("utf-8"))
                    if line_no > 1 and raw.strip(b"\r\n"):
                        result.has_good_data_line = True
                except UnicodeDecodeError as error:
                    body = raw.rstrip(b"\r\n")
                    position = min(error.start, max(len(body) - 1, 0))
                    reason = (f"line {line_no} is not valid {encoding}: byte 0x{body[position]:02x} "
                              f"at byte {position + 1} of the line cannot be decoded ({error.reason})")
                    result.bad_lines.append(
                        (line_no, body.decode(encoding, errors="backslashreplace"), reason))
                    out.write(raw[len(body):] or b"\n")  # the line stays, empty, with its ending
    return result
