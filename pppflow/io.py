"""Reading cohort files and writing results: the only module that touches the file system.

Every job imports it, some only to write a text file (the report's landing page, the chart
library, the method and index pages): polars and numpy, about 0.15 s of a job's start, are
imported by the functions that read or write tables, not here.
"""

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: polars and numpy are imported by the functions that use them
    import polars as pl

# What a file's first bytes say it is, whatever its name says.
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .ods (a zip archive)
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (an OLE2 compound file)
UTF8_BOM = b"\xef\xbb\xbf"
# Separators a CSV is mistaken for when a spreadsheet exports it in another locale.
OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
# An error message quotes at most this much of a value from the file.
EXCERPT_CHARS = 60


@dataclass(frozen=True)
class FileProblem:
    """A reason the file cannot be read as a table at all: one failure line."""

    check: str
    value: str
    row: int | None = None
    column: str | None = None
    patient_id: str | None = None


class UnreadableFile(Exception):
    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.check}: {p.value}" for p in problems))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of a value, marked where cut: an error never floods the log."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def sniffed_kind(head: bytes) -> str:
    """'parquet', 'excel' or 'text', by the file's first bytes."""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return "excel"
    return "text"


def kind_problems(path: Path, head: bytes) -> list[FileProblem]:
    """A file whose contents are not what its extension says, or a workbook."""
    kind = sniffed_kind(head)
    suffix = path.suffix.lower()
    if kind == "excel" or suffix in (".xlsx", ".xls", ".ods"):
        return [FileProblem("file_format", "a spreadsheet workbook: export it as CSV (UTF-8)")]
    if suffix == ".parquet" and kind != "parquet":
        return [FileProblem("file_format", "named .parquet but is not a parquet file (text?)")]
    if suffix != ".parquet" and kind == "parquet":
        return [FileProblem("file_format", "a parquet file not named .parquet: rename it")]
    return []


def _line_of(data: bytes, offset: int) -> int:
    """The 0-based line of a byte offset: 0 is the header, so it is also the data row."""
    return data.count(b"\n", 0, offset)


def csv_problems(data: bytes) -> list[FileProblem]:
    """What stops a CSV's bytes from being read as the table they look like: empty, not UTF-8,
    another delimiter, duplicated header names, rows whose field count is not the header's.
    Every problem is found at once (but the later checks need text, so an encoding problem
    is the only one reported)."""
    if not data.strip():
        return [FileProblem("file_not_empty", "the file is empty")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 4]
        return [
            FileProblem(
                "utf8_encoding",
                f"byte {bad[:1].hex(' ')} at offset {err.start} is not UTF-8: "
                "save the file as UTF-8",
                row=_line_of(data, err.start),
            )
        ]
    text = text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([header_line]), [])
    if len(header) == 1:
        for char, name in OTHER_DELIMITERS.items():
            if char in header_line:
                return [
                    FileProblem(
                        "comma_delimited",
                        f"the header is split by {name}s ({char!r}), not commas: "
                        f"export the file with comma separators",
                        row=0,
                    )
                ]
    problems = [
        FileProblem("unique_header", f"{name!r} is the name of more than one column", column=name)
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    ragged = ragged_rows(data, text, len(header))
    ids = row_patient_ids(text, [row for row, _ in ragged], header)
    problems += [
        FileProblem(
            "fields_match_header",
            f"{found} field(s), the header has {len(header)}",
            row=row,
            patient_id=ids.get(row),
        )
        for row, found in ragged
    ]
    return problems


def row_patient_ids(text: str, rows: list[int], header: list[str]) -> dict[int, str]:
    """The patient_id field of these data rows, where the header has the column and the row
    reaches it: a row with a field too many or too few still names its patient."""
    if not rows or "patient_id" not in header:
        return {}
    index = header.index("patient_id")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    next(reader, None)
    wanted, ids, start = set(rows), {}, 1
    for fields in reader:
        row, start = start, reader.line_num
        if row in wanted and index < len(fields) and fields[index].strip():
            ids[row] = fields[index].strip()
        if row >= max(wanted):
            break
    return ids


def ragged_rows(data: bytes, text: str, expected: int) -> list[tuple[int, int]]:
    """(data row, field count) of every non-blank row whose count differs from `expected`."""
    if '"' in text:
        # Quoted fields may hold commas and line breaks: only a CSV parser counts them right.
        reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
        next(reader, None)
        found, start = [], 1
        for fields in reader:
            row, start = start, reader.line_num
            if fields and len(fields) != expected:
                found.append((row, len(fields)))
        return found
    import numpy as np

    # Unquoted: fields are one more than the commas of each line, counted over the bytes.
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == ord("\n"))
    line_ends = np.append(newlines, raw.size)
    line_starts = np.concatenate(([0], newlines + 1))
    commas = np.flatnonzero(raw == ord(","))
    per_line = np.searchsorted(commas, line_ends) - np.searchsorted(commas, line_starts)
    lengths = line_ends - line_starts
    # A line holding only "\r" (a CRLF file's blank line) is blank too.
    carriage = (lengths == 1) & (raw[np.minimum(line_starts, raw.size - 1)] == ord("\r"))
    blank = (lengths == 0) | carriage
    bad = np.flatnonzero(~blank & (per_line + 1 != expected))
    return [(int(row), int(per_line[row]) + 1) for row in bad if row > 0]


def read_cohort_table(
    path: str | Path, contract_columns: Iterable[str], stored_types: Iterable[str] = ()
) -> "pl.DataFrame":
    """Read a cohort input file, .csv or .parquet, chosen by extension; raise UnreadableFile
    with every problem when it cannot be read as a table.

    The contract's columns are read as text so that validation sees each value exactly as the
    file gives it (``11.0`` stays ``11.0``; ``abc`` in a number column is reported, not lost).
    A parquet column named in `stored_types` keeps the file's own type instead (a caller that
    checks typed values directly; the text is one cast away). A CSV has no types: its contract
    columns are always text. Any further column keeps the type the reader infers. Blank lines
    at the end of a CSV are not rows.
    """
    import polars as pl

    path = Path(path)
    contract = list(contract_columns)
    with path.open("rb") as handle:
        head = handle.read(len(PARQUET_MAGIC))
    problems = kind_problems(path, head)
    if problems:
        raise UnreadableFile(problems)
    if path.suffix.lower() == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as err:  # whatever the reader says, the file is not a readable table
            raise UnreadableFile(
                [FileProblem("file_format", f"not a readable parquet file: {excerpt(str(err))}")]
            ) from err
        keep = set(stored_types)
        as_text = [c for c in contract if c in frame.columns and c not in keep]
        return frame.with_columns(pl.col(as_text).cast(pl.Utf8))
    data = path.read_bytes()
    problems = csv_problems(data)
    if problems:
        raise UnreadableFile(problems)
    header = pl.read_csv(io.BytesIO(data), n_rows=0).columns
    frame = pl.read_csv(
        io.BytesIO(data),
        schema_overrides={c: pl.Utf8 for c in contract if c in header},
        infer_schema_length=None,
    )
    return without_trailing_blank_rows(frame)


def without_trailing_blank_rows(frame: "pl.DataFrame") -> "pl.DataFrame":
    """The frame up to its last row with any value: an editor's trailing newlines are no rows."""
    import polars as pl

    if frame.width == 0 or frame.height == 0:
        return frame
    filled = frame.select(pl.any_horizontal(pl.all().is_not_null()).alias("filled"))["filled"]
    last = filled.arg_true()
    return frame.head(int(last[-1]) + 1 if last.len() else 0)


def remove_tree(folder: str | Path) -> int:
    """Remove a folder of results and everything in it; the number of files it held."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    count = sum(1 for path in folder.rglob("*") if path.is_file())
    shutil.rmtree(folder)
    return count


def write_atomic(write, path: str | Path) -> None:
    """Write through a temporary file in the same folder, then rename: a reader never sees
    half a file, and a failure leaves nothing behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); results are for every reader of the folder.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The parquet files between steps are read back by the next step at once, so they are written
# for reading speed:
# - rows per row group: a reader gets one chunk per row group, and the positional checks of
#   the later steps compare a column with itself shifted by a row, which over many chunks
#   first copies the column into one. One group for any cohort up to this size (a registry of
#   1M patients has ~12M component rows) saves that copy in every step;
# - lz4: decompresses about twice as fast as the default zstd (1M patients: validated files
#   read in ~0.09 s instead of ~0.17 s), for files ~40 % larger;
# - no column statistics: no step reads a file with a filter they would skip row groups for,
#   and computing them (min and max of every text column) is a third of writing the 11M
#   component rows of 1M patients (2.1 s -> 1.5 s).
PARQUET_ROW_GROUP_ROWS = 1 << 24
PARQUET_COMPRESSION = "lz4"
PARQUET_STATISTICS = False


def read_parquet_columns(path: str | Path, columns: Iterable[str]) -> "pl.DataFrame":
    """The file's columns among `columns` (a cohort may lack an optional one), in the file's
    order: a job reads what it uses, not every column of a registry-sized table."""
    import polars as pl

    wanted = set(columns)
    scan = pl.scan_parquet(path)
    return scan.select([c for c in scan.collect_schema().names() if c in wanted]).collect()


def write_parquet(frame: "pl.DataFrame", path: str | Path) -> None:
    write_atomic(
        lambda tmp: frame.write_parquet(
            tmp,
            compression=PARQUET_COMPRESSION,
            row_group_size=PARQUET_ROW_GROUP_ROWS,
            statistics=PARQUET_STATISTICS,
        ),
        path,
    )


def write_csv(frame: "pl.DataFrame", path: str | Path) -> None:
    write_atomic(frame.write_csv, path)


def write_text(text: str, path: str | Path) -> None:
    write_atomic(lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), path)
