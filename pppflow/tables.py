"""The result tables the report shows, and the page templates: read by the rules while
Snakemake parses them, so plain Python only (no polars, no jinja2)."""

from pathlib import Path

# Each table the report shows: name (of the CSV and its page) -> (title, what it is). A module,
# not a rule's params: the report lists a job's params, and a dict of sentences there is noise;
# a change of wording still rewrites the pages, since the rule declares this module as code.
REPORT_TABLES: dict[str, tuple[str, str]] = {
    "audit": (
        "Audit of the paper's claims",
        "Every quantitative claim of the paper, recomputed from its own data (or, for a paper "
        "without patient data, checked against its other printed numbers): decisive "
        "mismatches first, then mismatches, matches and claims that cannot be checked.",
    ),
    "response_rates": (
        "Response rates",
        "One row per endpoint and follow-up visit: responders over evaluable patients, with the "
        "exact Clopper-Pearson confidence interval.",
    ),
    "table1": (
        "Table 1: baseline characteristics",
        "Overall and by group, as papers print it; the CSV's long form (every statistic) below.",
    ),
    "tests": (
        "Statistical tests, baseline versus endpoint",
        "Paired and independent t-tests, Wilcoxon signed-rank, Shapiro-Wilk, mean difference "
        "and Cohen's dz for PPPASI and PGA, on the patients with both values.",
    ),
    "descriptives": (
        "Descriptive statistics per outcome and visit",
        "n, mean, SD (n-1 and n), median and quartiles of PPPASI and PGA at each visit.",
    ),
    "subgroup_rates": (
        "Response rates by subgroup",
        "Descriptive response rates by dose group, joint involvement and prior biologic exposure.",
    ),
    "per_patient": (
        "Per-patient results at the endpoint",
        "One row per patient: PPPASI at baseline and endpoint, improvement, the PPPASI and PGA "
        "responses (empty where not evaluable).",
    ),
    "pppasi_check": (
        "PPPASI check",
        "One row per patient and visit: the recorded PPPASI against the one recomputed from the "
        "region scores, or whether the formula can give the recorded total at all.",
    ),
}

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The templates as the rules name them (from the workflow's folder): a changed template
# rewrites the pages made from it.
TEMPLATE_FILES: list[str] = sorted(
    f"pppflow/templates/{p.name}" for p in TEMPLATES.iterdir() if p.is_file()
)


def labels_param(labels: dict[str, str]) -> list[str]:
    """Table 1's labels as a rule's param: "column: label" lines, which the report lists
    readably (a dict would be printed as Python)."""
    return [f"{column}: {label}" for column, label in sorted(labels.items())]


def labels_from_param(lines: list[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in lines)
