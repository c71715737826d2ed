"""The report's table pages at any size: a small table gives the page it always gave (every row,
the CSV embedded); a large one shows only its first REPORT_TABLE_MAX_ROWS rows under a line
giving the CSV's row count, and a CSV over the size cap is named by its path, not embedded. The
last tests run the report_tables job's script itself, on CSVs written here."""

import base64
import re
import runpy
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from pppflow.constants import REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES, REPORT_TABLE_MAX_ROWS
from pppflow.pages import embeds_csv, table_html

SCRIPTS = Path(__file__).resolve().parents[1] / "workflow_scripts"
LARGE_ROWS = 5000


def body_rows(page: str) -> list[str]:
    tbody = re.search(r"<tbody>\n(.*)\n</tbody>", page, re.S)
    assert tbody, "no table body"
    return re.findall(r"<tr>.*?</tr>", tbody.group(1), re.S)


def embedded_csv(page: str) -> bytes | None:
    match = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    return base64.b64decode(match.group(1)) if match else None


def patients_frame(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(1, n + 1)],
            "pppasi_baseline": [f"{i % 720 / 10:.1f}" for i in range(1, n + 1)],
        }
    )


def test_small_table_page_is_the_page_it_always_was():
    # Written out by hand from the page before the row cap: the CSV embedded in the link, the
    # rows counted in the description, every row in the table, no other line.
    csv_bytes = b"patient_id,value\nP1,0.50\nP2,\n"
    table = pl.DataFrame({"patient_id": ["P1", "P2"], "value": ["0.50", None]})
    page = table_html(table, title="T", description="What.", csv_name="t.csv", csv_bytes=csv_bytes)
    encoded = base64.b64encode(csv_bytes).decode("ascii")
    assert page.endswith(f"""</head>
<body>
<h1>T</h1>
<p class="what">What. (2 rows.)</p>
<p><a class="download" download="t.csv"
href="data:text/csv;charset=utf-8;base64,{encoded}">Download t.csv</a></p>
<table>
<thead><tr><th>patient_id</th><th>value</th></tr></thead>
<tbody>
<tr><td>P1</td><td class="num">0.50</td></tr>
<tr><td>P2</td><td class="empty"></td></tr>
</tbody>
</table>
</body>
</html>
""")


def test_table_of_exactly_the_cap_shows_every_row_without_a_notice():
    table = patients_frame(REPORT_TABLE_MAX_ROWS)
    page = table_html(table, title="T", description="D.", csv_name="t.csv", csv_bytes=b"x")
    assert len(body_rows(page)) == REPORT_TABLE_MAX_ROWS
    assert "only the first" not in page
    assert embedded_csv(page) == b"x"


def test_large_table_page_shows_the_first_rows_and_the_total():
    table = patients_frame(LARGE_ROWS)
    page = table_html(
        table,
        title="Per patient",
        description="One row per patient.",
        csv_name="per_patient.csv",
        csv_bytes=None,
        csv_path="results/big/per_patient.csv",
    )
    rows = body_rows(page)
    assert len(rows) == REPORT_TABLE_MAX_ROWS
    # The first rows, in the CSV's order: P00001 first, the last shown is P01000 (with the cap
    # at 1000), the next one is not on the page.
    assert rows[0].startswith("<tr><td>P00001</td>")
    assert rows[-1].startswith(f"<tr><td>P{REPORT_TABLE_MAX_ROWS:05d}</td>")
    assert f"P{REPORT_TABLE_MAX_ROWS + 1:05d}" not in page
    assert "(5,000 rows.)" in page
    notice = (
        f"<p><strong>The CSV has 5,000 rows; only the first {REPORT_TABLE_MAX_ROWS:,} rows "
        "are shown here.</strong></p>\n<table>"
    )
    assert notice in page
    assert embedded_csv(page) is None
    assert "<code>results/big/per_patient.csv</code>" in page


def test_total_rows_given_for_a_frame_read_in_part():
    # The job reads only the first rows of the CSV and counts the rest.
    page = table_html(
        patients_frame(3),
        title="T",
        description="D.",
        csv_name="t.csv",
        csv_bytes=b"x",
        total_rows=2_880_693,
    )
    assert len(body_rows(page)) == 3
    assert "(2,880,693 rows.)" in page
    assert "The CSV has 2,880,693 rows; only the first 3 rows are shown here." in page
    assert embedded_csv(page) == b"x"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="total_rows=1 is fewer than the 3 rows"):
        table_html(
            patients_frame(3),
            title="T",
            description="D.",
            csv_name="t.csv",
            csv_bytes=b"x",
            total_rows=1,
        )
    with pytest.raises(ValueError, match="give the CSV's bytes or its path"):
        table_html(patients_frame(3), title="T", description="D.", csv_name="t.csv", csv_bytes=None)


def test_size_cap_of_the_embedded_csv():
    assert embeds_csv(0)
    assert embeds_csv(REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES)
    assert not embeds_csv(REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES + 1)


# --- the job's script -----------------------------------------------------------------------


def run_report_tables(workdir: Path, cohort: str, names: list[str]) -> dict[str, str]:
    """Run workflow_scripts/report_tables.py as Snakemake would, on results/<cohort>/<name>.csv
    under ``workdir``; return each page's text."""
    stand_in = SimpleNamespace(
        input={name: f"results/{cohort}/{name}.csv" for name in names},
        output={f"{name}_page": f"results/{cohort}/report/{name}.html" for name in names},
        params=SimpleNamespace(
            alpha=0.05,
        ),
        wildcards=SimpleNamespace(cohort=cohort),
        rule="report_tables",
        log=[str(workdir / "report_tables.log")],
    )
    runpy.run_path(str(SCRIPTS / "report_tables.py"), init_globals={"snakemake": stand_in})
    return {
        name: (workdir / f"results/{cohort}/report/{name}.html").read_text(encoding="utf-8")
        for name in names
    }


def test_job_caps_rows_and_embedding_of_a_large_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(SCRIPTS))
    folder = tmp_path / "results/big"
    folder.mkdir(parents=True)
    # Rows wide enough that LARGE_ROWS of them pass the size cap; a quoted comma and newline in
    # one note, so that the row count is of records, not of lines.
    note_chars = REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES // LARGE_ROWS + 1
    large = patients_frame(LARGE_ROWS).with_columns(note=pl.lit("n" * note_chars))
    large = large.with_columns(
        note=pl.when(pl.col("patient_id") == "P00002").then(pl.lit("a,\nb")).otherwise("note")
    )
    large.write_csv(folder / "per_patient.csv")
    small_bytes = b"endpoint,rate\nPPPASI50,0.75\nPPPASI75,0.5\n"
    (folder / "response_rates.csv").write_bytes(small_bytes)
    assert (folder / "per_patient.csv").stat().st_size > REPORT_TABLE_MAX_EMBEDDED_CSV_BYTES

    pages = run_report_tables(tmp_path, "big", ["per_patient", "response_rates"])

    big = pages["per_patient"]
    assert len(body_rows(big)) == REPORT_TABLE_MAX_ROWS
    assert "(5,000 rows.)" in big
    assert f"The CSV has 5,000 rows; only the first {REPORT_TABLE_MAX_ROWS:,} rows" in big
    assert "<td>a,\nb</td>" in big  # the quoted note read as one cell
    assert embedded_csv(big) is None
    assert "<code>results/big/per_patient.csv</code>" in big

    small = pages["response_rates"]
    assert len(body_rows(small)) == 2
    assert "(2 rows.)" in small
    assert "only the first" not in small
    assert embedded_csv(small) == small_bytes
