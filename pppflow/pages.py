"""Standalone HTML pages, from the Jinja2 templates in ``pppflow/templates``: a result table
(for the Snakemake report), a cohort's chart index and a cohort's summary.

Autoescaping is on: every value from the data (IDs, quotes, notes, column names) reaches a page
as text, never as markup. The only markup put in as it is are the charts' SVGs, which vl-convert
writes (their text is escaped XML). Each page fetches nothing: its style is inline.

A table page shows the table as given: ``pppflow.formatting.readable_frame`` turns a result CSV
into what a reader reads; the CSV itself is embedded as a download link and keeps full
precision. A large table (a synthetic cohort of a million patients) is shown only in part: the
first REPORT_TABLE_MAX_ROWS rows, under a line saying so and how many the CSV has; and a CSV
over REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES is named by its path rather than embedded.
"""

import base64
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from pppflow.constants import REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES, REPORT_TABLE_MAX_ROWS
from pppflow.tables import TEMPLATES

if TYPE_CHECKING:  # types only: the method and chart index pages show no table, need no polars
    import polars as pl

# A cell that reads as a number is right-aligned, so that digits line up.
_NUMBER = re.compile(
    r"^(<|>)?\s*[+\-−]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s?%?( \([\d.]+–[\d.]+\))?$"
)

LONG_TEXT_CHARS = 40


def _number_like(value: object) -> bool:
    return isinstance(value, str) and bool(_NUMBER.match(value.strip()))


def _without_xml_declaration(svg: str) -> Markup:
    """A chart's SVG, as vl-convert wrote it, put into a page as markup."""
    return Markup(svg[svg.index("<svg") :] if "<svg" in svg else svg)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["number_like"] = _number_like
    env.filters["safe_svg"] = _without_xml_declaration
    env.globals["long_text"] = LONG_TEXT_CHARS
    return env


_ENV = environment()


def render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def embeds_csv(csv_size_bytes: int) -> bool:
    """Whether a table page embeds a CSV of this size, rather than naming its path."""
    return csv_size_bytes <= REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES


def _count(n: int) -> str:
    return f"{n:,} row{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class TextTable:
    columns: list[str]
    rows: list[tuple[str | None, ...]]


def text_table(table: "pl.DataFrame") -> TextTable:
    import polars as pl

    text = table.with_columns(pl.all().cast(pl.Utf8))
    return TextTable(text.columns, list(text.iter_rows()))


def table_html(
    table: "pl.DataFrame",
    *,
    title: str,
    description: str,
    csv_name: str,
    csv_bytes: bytes | None,
    total_rows: int | None = None,
    csv_path: str | None = None,
    audit: Any = None,
    t1: Any = None,
) -> str:
    """The page: a title, one line saying what the table is, the audit's summary
    (``pppflow.summary.AuditView``) or Table 1 in publication form
    (``pppflow.table1.Table1View``) where given, a link that downloads the CSV, and the table.

    ``table`` should hold text columns; any other type is shown as polars prints it. It may be
    only the first rows of the CSV: ``total_rows`` is then how many the CSV has (by default,
    the table's height). At most REPORT_TABLE_MAX_ROWS rows are shown; past that, a line above
    the table says so.

    ``csv_bytes`` is the CSV to embed as a download; ``None`` (see ``embeds_csv``) names
    ``csv_path`` instead.
    """
    total = table.height if total_rows is None else total_rows
    if total < table.height:
        raise ValueError(
            f"table page for {csv_name}: total_rows={total} is fewer than the "
            f"{table.height} rows given"
        )
    if csv_bytes is None and csv_path is None:
        raise ValueError(f"table page for {csv_name}: give the CSV's bytes or its path")
    shown = table.head(REPORT_TABLE_MAX_ROWS)
    return render(
        "table_page.html.j2",
        title=title,
        description=description,
        total_text=_count(total),
        csv_name=csv_name,
        csv_bytes_b64=base64.b64encode(csv_bytes).decode("ascii")
        if csv_bytes is not None
        else None,
        csv_path=csv_path,
        limit_mb=f"{REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES / 1_000_000:g}",
        shown_text=(
            f"The CSV has {_count(total)}; only the first {_count(shown.height)} are shown here."
            if shown.height < total
            else None
        ),
        table=text_table(shown),
        audit=audit,
        t1=t1,
    )


@dataclass(frozen=True)
class IndexedChart:
    """A chart as its cohort's index shows it: ``caption`` is paragraphs of plain text."""

    name: str
    title: str
    svg: str
    caption: tuple[str, ...]
    # The summary page's section showing it beside its table (None: the Charts section).
    section: str | None = None


def chart_index_html(cohort: str, charts: list[IndexedChart]) -> str:
    """One page showing every chart of a cohort, inline, in the order given, each under its
    title and caption.

    Each chart links to its PNG and its interactive HTML page, expected beside this page as
    ``<name>.png`` and ``<name>.html``.
    """
    return render("chart_index.html.j2", title=f"Charts of {cohort}", cohort=cohort, charts=charts)


def summary_html(**context: Any) -> str:
    """A cohort's summary page (``templates/summary.html.j2`` names what it reads); ``trial``
    (pppflow.summary_trial.TrialSection) only for a cohort with arms."""
    context.setdefault("trial", None)
    return render("summary.html.j2", title=f"Summary of {context['cohort']}", **context)
