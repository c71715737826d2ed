"""Baseline characteristics ("Table 1") as clinical papers print them, overall and by group.

Continuous columns: mean (SD) and median [Q1, Q3]; boolean columns: n (%) of true; text columns
with few distinct values: n (%) per value. Which kind a column is follows from its type; text
columns with more than TABLE1_MAX_LEVELS values are free text and left out (listed under the
Markdown table). Means and SDs are rounded exactly (decimal, ties up) from exact sums.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from pppflow import constants as c
from pppflow.consistency import Moments, quantile, round_half_up, sqrt_round_half_up
from pppflow.pppasi import points_from_tenths

# Patient-file columns of the data contract: a null there is missing data. In any other text
# column an empty cell means "none" (the transcription's rule for free text).
CONTRACT_TEXT_COLUMNS = ("sex",)
TABLE1_KEYS = ("variable", "level", "statistic", "overall")


def baseline_characteristics(
    patients: pl.DataFrame, scores: pl.DataFrame, baseline_visit: str
) -> pl.DataFrame:
    """Patients (with their derived columns, pppflow.derive) and their baseline PPPASI (points)
    and PGA."""
    baseline = scores.filter(pl.col("visit") == baseline_visit).select(
        pl.col("patient_id").cast(pl.Utf8),
        points_from_tenths(pl.col("pppasi_tenths")).alias(c.BASELINE_PPPASI_COLUMN),
        pl.col("pga").cast(pl.Int64).alias(c.BASELINE_PGA_COLUMN),
    )
    return patients.join(baseline, on="patient_id", how="left")


@dataclass(frozen=True)
class ColumnKinds:
    continuous: tuple[str, ...]
    boolean: tuple[str, ...]
    categorical: tuple[str, ...]
    free_text: tuple[str, ...]
    # Lists, structs, binary and the like (a parquet file may hold any): no one value per
    # patient to count or average, so not tabulated; listed under the table.
    not_scalar: tuple[str, ...] = ()


def is_scalar(dtype: pl.DataType) -> bool:
    return not (dtype.is_nested() or dtype in (pl.Binary, pl.Object, pl.Null))


def classify_columns(
    frame: pl.DataFrame, exclude: Sequence[str], max_levels: int = c.TABLE1_MAX_LEVELS
) -> ColumnKinds:
    continuous, boolean, categorical, free_text, not_scalar = [], [], [], [], []
    for name, dtype in frame.schema.items():
        if name in exclude:
            continue
        if not is_scalar(dtype):
            not_scalar.append(name)
        elif dtype == pl.Boolean:
            boolean.append(name)
        elif dtype.is_numeric():
            continuous.append(name)
        elif frame[name].drop_nulls().n_unique() <= max_levels:
            categorical.append(name)
        else:
            free_text.append(name)
    return ColumnKinds(
        tuple(continuous),
        tuple(boolean),
        tuple(categorical),
        tuple(free_text),
        tuple(not_scalar),
    )


def _label(value) -> str:
    if value is None:
        return "missing"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_labels(
    frame: pl.DataFrame, group_column: str | None, first_group: str | None = None
) -> list[tuple[str, pl.Expr]]:
    """(column header, row filter) per group, in the order of the group values, nulls last;
    the group labelled `first_group` (a trial's reference arm) first."""
    if group_column is None:
        return []
    values = frame[group_column].unique().to_list()
    ordered = sorted(v for v in values if v is not None) + ([None] if None in values else [])
    ordered.sort(key=lambda v: v is None or _label(v) != first_group)
    return [
        (
            f"{group_column}={_label(v)}",
            pl.col(group_column).is_null() if v is None else pl.col(group_column) == v,
        )
        for v in ordered
    ]


def _percent(count: int, total: int, decimals: int) -> str:
    return round_half_up(Fraction(100 * count, total), decimals) if total else "-"


def _n_pct(count: int, total: int, pct_decimals: int) -> str:
    return f"{count} ({_percent(count, total, pct_decimals)})"


# Floats with at most this many decimals are summed as exact decimals (10.7 as 107 tenths, not
# as the binary double nearest 10.7); others as their exact binary values.
MAX_DECIMAL_PLACES = 6
INT64_MAX = 2**63 - 1


def decimal_places(values: pl.Series) -> int | None:
    """The fewest decimals (<= MAX_DECIMAL_PLACES) that write every value exactly as the float
    it is, or None."""
    if values.dtype.is_integer():
        return 0
    import numpy as np  # here: the summary and table pages use this module without numpy

    # numpy divides exactly (IEEE); polars multiplies by the reciprocal (107 * 0.1 != 10.7).
    array = values.to_numpy()
    for places in range(MAX_DECIMAL_PLACES + 1):
        if np.array_equal(np.rint(array * 10**places) / 10**places, array):
            return places
    return None


def exact_moments(values: pl.Series) -> Moments:
    """n, sum and sum of squares of non-null values, exactly: as integer multiples of
    10^-places where the values are short decimals (fast at any size), else as Fractions."""
    import numpy as np

    places = decimal_places(values)
    if places is not None:
        scaled = pl.Series(np.rint(values.to_numpy() * 10**places)).cast(pl.Int64)
        peak = max(abs(int(scaled.min())), abs(int(scaled.max())))
        if peak * peak * len(scaled) < INT64_MAX:
            return Moments.of_integers(
                len(scaled),
                int(scaled.sum()),
                int((scaled * scaled).sum()),
                Fraction(1, 10**places),
            )
    return Moments.of(Fraction(v) for v in values.to_list())


def _mean_sd(values: pl.Series, decimals: int) -> str:
    values = values.drop_nulls()
    if values.is_empty():
        return "-"
    moments = exact_moments(values)
    mean = round_half_up(moments.mean, decimals)
    sd = sqrt_round_half_up(moments.variance("n-1"), decimals) if moments.n > 1 else "-"
    return f"{mean} ({sd})"


def _median_iqr(values: pl.Series, decimals: int) -> str:
    values = values.drop_nulls()
    if values.is_empty():
        return "-"
    import numpy as np

    places = decimal_places(values)
    if places is not None:  # quantiles of the decimals themselves (8.4 and 8.8, not doubles)
        ordered = np.sort(np.rint(values.to_numpy() * 10**places).astype(np.int64))
        unit = Fraction(1, 10**places)
    else:
        ordered, unit = values.sort().to_numpy(), Fraction(1)
    median, q1, q3 = (
        round_half_up(quantile(ordered, Fraction(q, 4), presorted=True) * unit, decimals)
        for q in (2, 1, 3)
    )
    return f"{median} [{q1}, {q3}]"


def table1(
    frame: pl.DataFrame,
    group_column: str | None,
    exclude: Sequence[str] = ("patient_id",),
    max_levels: int = c.TABLE1_MAX_LEVELS,
    decimals: int = c.TABLE1_DECIMALS,
    pct_decimals: int = c.TABLE1_PERCENT_DECIMALS,
    first_group: str | None = None,
) -> pl.DataFrame:
    """One row per variable and statistic (and level): variable, level, statistic, overall,
    then one column per group of `group_column` (which itself is not tabulated), the group
    `first_group` first (group_labels)."""
    if group_column is not None and group_column not in frame.columns:
        raise ValueError(
            f"Table 1 group column {group_column!r} is not a patient column "
            f"(columns: {', '.join(frame.columns)})"
        )
    kinds = classify_columns(
        frame, [*exclude, *([group_column] if group_column else [])], max_levels
    )
    parts = [("overall", frame)] + [
        (header, frame.filter(keep))
        for header, keep in group_labels(frame, group_column, first_group)
    ]
    rows: list[dict[str, str]] = []

    def add(variable: str, level: str, statistic: str, cell) -> None:
        row = {"variable": variable, "level": level, "statistic": statistic}
        row.update({header: cell(part) for header, part in parts})
        rows.append(row)

    def add_empty(name: str, level: str) -> None:
        """The patients with no value in the column, where there are any."""
        if frame[name].null_count():
            add(
                name,
                level,
                "n (%)",
                lambda p, n=name: _n_pct(p[n].null_count(), p.height, pct_decimals),
            )

    add("n", "", "n", lambda part: str(part.height))
    for name in frame.columns:
        if name in kinds.continuous:
            add(name, "", "mean (SD)", lambda part, n=name: _mean_sd(part[n], decimals))
            add(name, "", "median [Q1, Q3]", lambda part, n=name: _median_iqr(part[n], decimals))
            add_empty(name, "missing")
        elif name in kinds.boolean:
            add(
                name,
                "true",
                "n (%)",
                lambda p, n=name: _n_pct(
                    int(p[n].sum()), p.height - p[n].null_count(), pct_decimals
                ),
            )
            add_empty(name, "missing")
        elif name in kinds.categorical:
            levels = sorted(frame[name].drop_nulls().unique().to_list())
            for level in levels:
                add(
                    name,
                    str(level),
                    "n (%)",
                    lambda p, n=name, v=level: _n_pct(
                        int((p[n] == v).sum()), p.height, pct_decimals
                    ),
                )
            add_empty(name, "missing" if name in CONTRACT_TEXT_COLUMNS else "none")
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]})


def free_text_columns(
    frame: pl.DataFrame,
    group_column: str | None,
    exclude: Sequence[str] = ("patient_id",),
    max_levels: int = c.TABLE1_MAX_LEVELS,
) -> tuple[str, ...]:
    return classify_columns(
        frame, [*exclude, *([group_column] if group_column else [])], max_levels
    ).free_text


def not_scalar_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    return tuple(name for name, dtype in frame.schema.items() if not is_scalar(dtype))


def table1_markdown(
    table: pl.DataFrame,
    title: str,
    left_out: Sequence[str],
    not_scalar: Sequence[str] = (),
) -> str:
    """The table as Markdown: one column per group, a variable's label on its first row."""
    groups = [col for col in table.columns if col not in ("variable", "level", "statistic")]
    header = ["Characteristic", *groups]
    lines = [f"# {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.iter_rows(named=True):
        label = row["variable"] if not row["level"] else f"{row['variable']}: {row['level']}"
        if row["variable"] == "n":
            label = "n"
        else:
            label = f"{label}, {row['statistic']}"
        lines.append("| " + " | ".join([label, *(row[g] for g in groups)]) + " |")
    lines += [
        "",
        "Continuous: mean (SD, n - 1) and median [Q1, Q3] (linear interpolation); true/false and "
        "categorical: n (%) of the patients in the column (for true/false, of those recorded).",
    ]
    if left_out:
        lines.append(f"Free-text columns not tabulated: {', '.join(left_out)}.")
    if not_scalar:
        lines.append(f"Columns not tabulated (not one value per patient): {', '.join(not_scalar)}.")
    return "\n".join(lines) + "\n"


# --- Table 1 as papers print it (HTML), from the long CSV ----------------------------------------

_STAT_COLUMNS = ("variable", "level", "statistic")
_ABSENT_LEVELS = {"missing": "Missing", "none": "None"}


def column_label(name: str, labels: Mapping[str, str]) -> str:
    """The config's label, the default one of a documented column, or the name read as words."""
    merged = {**c.TABLE1_DEFAULT_LABELS, **labels}
    return merged.get(name) or name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Table1Row:
    label: str
    cells: tuple[str, ...]
    indent: bool = False


@dataclass(frozen=True)
class Table1View:
    overall_header: str
    group_label: str | None
    group_headers: tuple[str, ...]
    rows: tuple[Table1Row, ...]
    footnote: str


def table1_view(
    table: pl.DataFrame,
    *,
    group_column: str | None,
    labels: Mapping[str, str],
    continuous: str = "mean_sd",
) -> Table1View:
    """table1.csv (read as text) as tableone and gtsummary print it: readable labels, "N = 20"
    in each column's header, one row for a yes/no variable, a categorical variable's levels
    indented under it, continuous variables by the one statistic ``continuous`` names
    (TABLE1_CONTINUOUS_STATISTICS)."""
    statistic = c.TABLE1_CONTINUOUS_STATISTICS[continuous]
    columns = [col for col in table.columns if col not in _STAT_COLUMNS]
    groups = columns[1:]
    n_row = table.filter(pl.col("variable") == "n").row(0, named=True)
    overall = f"Overall, N = {n_row['overall']}"
    prefix = f"{group_column}=" if group_column else ""
    group_headers = tuple(f"{g.removeprefix(prefix)}, N = {n_row[g]}" for g in groups)
    rows: list[Table1Row] = []
    body = table.filter(pl.col("variable") != "n")
    for variable in body.get_column("variable").unique(maintain_order=True).to_list():
        part = body.filter(pl.col("variable") == variable)
        label = column_label(variable, labels)
        levels = [lvl or "" for lvl in part.get_column("level").to_list()]

        def cells(row: dict) -> tuple[str, ...]:
            return tuple(row[col] or "" for col in columns)

        absent = [
            Table1Row(_ABSENT_LEVELS[r["level"]], cells(r), indent=True)
            for r in part.iter_rows(named=True)
            if r["level"] in _ABSENT_LEVELS and r["statistic"] == "n (%)"
        ]
        if "" in levels:  # continuous
            chosen = part.filter((pl.col("statistic") == statistic) & (pl.col("level") == ""))
            if set(chosen.get_column("overall").to_list()) <= {"-"}:
                continue  # never recorded (a cohort without PGA grades): not a characteristic
            for r in chosen.iter_rows(named=True):
                rows.append(Table1Row(f"{label}, {statistic}", cells(r)))
            rows.extend(absent)
        elif "true" in levels and set(levels) <= {"true", *_ABSENT_LEVELS}:  # yes/no
            r = part.filter(pl.col("level") == "true").row(0, named=True)
            rows.append(Table1Row(f"{label}, n (%)", cells(r)))
            rows.extend(absent)
        else:  # categorical: the variable, then its levels
            rows.append(Table1Row(f"{label}, n (%)", ("",) * len(columns)))
            level_labels = c.TABLE1_LEVEL_LABELS.get(variable, {})
            rows.extend(
                Table1Row(level_labels.get(r["level"], r["level"]), cells(r), indent=True)
                for r in part.iter_rows(named=True)
                if r["level"] not in _ABSENT_LEVELS
            )
            rows.extend(absent)
    footnote = (
        f"Continuous variables: {statistic}"
        + (" (SD with n − 1)" if continuous == "mean_sd" else " (linear interpolation)")
        + "; others: n (%) of the column's patients (for yes/no variables, of those recorded). "
        "The CSV (table1.csv) has every statistic."
    )
    return Table1View(
        overall_header=overall,
        group_label=column_label(group_column, labels) if group_column and groups else None,
        group_headers=group_headers,
        rows=tuple(rows),
        footnote=footnote,
    )
