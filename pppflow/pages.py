"""Standalone HTML pages: a result table (for the Snakemake report) and a cohort's chart index.

Both fetch nothing from the network: style inline, data embedded.

The report shows an HTML result in a frame but offers a CSV only as a download; these pages let a
reader see each table in place. The cells are the CSV's text exactly as written (the frame is
read with every column as text), so the page never rounds or reformats a number. The page fetches
nothing: its style is inline and the CSV itself is embedded as a download link.

A large table (a synthetic cohort of a million patients) is shown only in part: the first
REPORT_TABLE_MAX_ROWS rows, under a line saying so and how many the CSV has; and a CSV over
REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES is named by its path rather than embedded. A table within
both limits is shown whole, with its CSV embedded.
"""

import base64
import html
import re
from dataclasses import dataclass

import polars as pl

from pppflow.constants import REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES, REPORT_TABLE_MAX_ROWS

# A cell that reads as a number is right-aligned, so that digits line up.
_NUMBER = re.compile(r"^[+\-−]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")

LONG_TEXT_CHARS = 40

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; margin: 1.2rem; color: #1a1a1a; }
h1 { font-size: 1.25rem; margin: 0 0 .3rem; }
p.what { margin: 0 0 .8rem; color: #444; max-width: 60rem; }
pre.summary { background: #f6f6f6; padding: .7rem; white-space: pre-wrap; max-width: 70rem;
              font-size: .85rem; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .5rem; vertical-align: top; }
th { background: #eef2f6; position: sticky; top: 0; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { background: #fafafa; }
td.long { min-width: 18rem; max-width: 36rem; }
tr:nth-child(even) td { background-color: #fbfbfb; }
a.download { font-size: .85rem; }
"""


def _cell(value: str | None) -> str:
    if value is None or value == "":
        return '<td class="empty"></td>'
    if _NUMBER.match(value.strip()):
        css = ' class="num"'
    elif len(value) > LONG_TEXT_CHARS:
        # A wide column for long text, so that a note does not make its row a tall strip.
        css = ' class="long"'
    else:
        css = ""
    return f"<td{css}>{html.escape(value)}</td>"


def embeds_csv(csv_size_bytes: int) -> bool:
    """Whether a table page embeds a CSV of this size, rather than naming its path."""
    return csv_size_bytes <= REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES


def _count(n: int) -> str:
    return f"{n:,} row{'s' if n != 1 else ''}"


def _download_block(csv_name: str, csv_bytes: bytes | None, csv_path: str | None) -> str:
    if csv_bytes is not None:
        encoded = base64.b64encode(csv_bytes).decode("ascii")
        return f"""<p><a class="download" download="{html.escape(csv_name)}"
href="data:text/csv;charset=utf-8;base64,{encoded}">Download {html.escape(csv_name)}</a></p>"""
    if csv_path is None:
        raise ValueError(f"table page for {csv_name}: give the CSV's bytes or its path")
    limit_mb = REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES / 1_000_000
    return (
        f"<p>The CSV is over {limit_mb:g} MB, too large to embed in this page: it is "
        f"<code>{html.escape(csv_path)}</code> in the workflow's folder.</p>"
    )


def table_html(
    table: pl.DataFrame,
    *,
    title: str,
    description: str,
    csv_name: str,
    csv_bytes: bytes | None,
    summary: str | None = None,
    total_rows: int | None = None,
    csv_path: str | None = None,
) -> str:
    """The page: a title, one line saying what the table is, an optional preformatted summary
    (such as audit.md), a link that downloads the CSV, and the table itself.

    ``table`` should hold text columns (read the CSV with ``infer_schema=False``); any other
    type is shown as polars prints it. It may be only the first rows of the CSV: ``total_rows``
    is then how many the CSV has (by default, the table's height). At most
    REPORT_TABLE_MAX_ROWS rows are shown; past that, a line above the table says so.

    ``csv_bytes`` is the CSV to embed as a download; ``None`` (see ``embeds_csv``) names
    ``csv_path`` instead.
    """
    total = table.height if total_rows is None else total_rows
    if total < table.height:
        raise ValueError(
            f"table page for {csv_name}: total_rows={total} is fewer than the "
            f"{table.height} rows given"
        )
    text = table.head(REPORT_TABLE_MAX_ROWS).with_columns(pl.all().cast(pl.Utf8))
    head = "".join(f"<th>{html.escape(name)}</th>" for name in text.columns)
    body = "\n".join(
        "<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in text.iter_rows()
    )
    summary_block = f'<pre class="summary">{html.escape(summary)}</pre>\n' if summary else ""
    download_block = _download_block(csv_name, csv_bytes, csv_path)
    shown_block = (
        f"<p><strong>The CSV has {_count(total)}; only the first {_count(text.height)} are "
        f"shown here.</strong></p>\n"
        if text.height < total
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="what">{html.escape(description)} ({_count(total)}.)</p>
{summary_block}{download_block}
{shown_block}<table>
<thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""


_INDEX_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; margin: 1.2rem; color: #1a1a1a; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; margin-top: 2rem; }
nav a, p.links a { margin-right: 1rem; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
div.caption { max-width: 60rem; color: #333; }
"""


def _without_xml_declaration(svg: str) -> str:
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


@dataclass(frozen=True)
class IndexedChart:
    """A chart as its cohort's index shows it: ``caption`` is paragraphs of plain text."""

    name: str
    title: str
    svg: str
    caption: tuple[str, ...]


def chart_index_html(cohort: str, charts: list[IndexedChart]) -> str:
    """One page showing every chart of a cohort, inline, in the order given, each under its
    title and caption.

    Each chart links to its PNG and its interactive HTML page, expected beside this page as
    ``<name>.png`` and ``<name>.html``.
    """
    nav = " ".join(f'<a href="#{html.escape(c.name)}">{html.escape(c.title)}</a>' for c in charts)
    sections = "\n".join(
        f"""<section id="{html.escape(c.name)}">
<h2>{html.escape(c.title)}</h2>
<p class="links"><a href="{html.escape(c.name)}.html">interactive</a>
<a href="{html.escape(c.name)}.png">PNG</a> <a href="{html.escape(c.name)}.svg">SVG</a></p>
<figure>{_without_xml_declaration(c.svg)}</figure>
<div class="caption">{"".join(f"<p>{html.escape(p)}</p>" for p in c.caption)}</div>
</section>"""
        for c in charts
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Charts of {html.escape(cohort)}</title>
<style>{_INDEX_STYLE}</style>
</head>
<body>
<h1>Charts of cohort {html.escape(cohort)}</h1>
<nav>{nav}</nav>
{sections}
</body>
</html>
"""
