"""A cohort's finding at a glance: the audit first, then the response rates, the data checks and
the methods, for the summary page (``results/<cohort>/summary.html``), the report's audit page
and the few lines a run prints at its end.

Pure: frames and plain values in, views (plain dataclasses a template reads) and text out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from pppflow import constants as c
from pppflow.formatting import level_text, p_text, rate_ci_text

# The audit's groups in the order a reader needs them: what changes the conclusion first.
AUDIT_GROUPS: tuple[tuple[str, str], ...] = (
    ("decisive", "✖ Decisive mismatch"),
    ("mismatch", "! Mismatch"),
    ("match", "✔ Match"),
    ("not_checkable", "? Not checkable"),
)
AUDIT_RULE = (
    "A printed value matches when the recomputed one rounds to it at the printed precision "
    "(exact decimal arithmetic, half up or half down). A mismatch is decisive when it changes "
    "the conclusion: a P value on the other side of alpha, or a response rate off by at least "
    "one patient."
)


@dataclass(frozen=True)
class AuditRow:
    claim_id: str
    quote: str
    reported: str
    recomputed: str
    note: str


@dataclass(frozen=True)
class AuditGroup:
    key: str
    label: str
    rows: tuple[AuditRow, ...]


@dataclass(frozen=True)
class AuditView:
    claims: int
    match: int
    mismatch: int
    decisive: int
    not_checkable: int
    groups: tuple[AuditGroup, ...]
    rule: str = AUDIT_RULE

    @property
    def checkable(self) -> int:
        return self.match + self.mismatch

    @property
    def headline(self) -> str:
        if self.decisive:
            return (
                f"{self.decisive} decisive mismatch{'es' if self.decisive != 1 else ''}: "
                "on the paper's own data, a reader's conclusion about "
                f"{'these numbers' if self.decisive != 1 else 'this number'} changes."
            )
        if self.mismatch:
            return (
                "No decisive mismatch: some printed numbers differ, but no reader's conclusion "
                "about them changes."
            )
        return "Every checkable claim matches the data."

    @property
    def counts_line(self) -> str:
        return (
            f"{self.claims} claims: {self.match} of {self.checkable} checkable match, "
            f"{self.mismatch} mismatch ({self.decisive} decisive), "
            f"{self.not_checkable} not checkable."
        )


def audit_view(audit: pl.DataFrame) -> AuditView:
    """audit.csv (its columns as AUDIT_SCHEMA types them) grouped for reading: decisive
    mismatches, then mismatches, matches, not checkable; each in the CSV's order. Empty groups
    are left out."""
    group = (
        pl.when((pl.col("verdict") == "mismatch") & pl.col("decisive").fill_null(False))
        .then(pl.lit("decisive"))
        .otherwise(pl.col("verdict"))
    )
    keyed = audit.with_columns(group.alias("_group"))
    groups = []
    for key, label in AUDIT_GROUPS:
        rows = tuple(
            AuditRow(
                r["claim_id"] or "",
                r["quote"] or "",
                r["reported"] or "",
                r["recomputed"] or "",
                r["note"] or "",
            )
            for r in keyed.filter(pl.col("_group") == key).iter_rows(named=True)
        )
        if rows:
            groups.append(AuditGroup(key, label, rows))
    count = {g.key: len(g.rows) for g in groups}
    return AuditView(
        claims=audit.height,
        match=count.get("match", 0),
        mismatch=count.get("mismatch", 0) + count.get("decisive", 0),
        decisive=count.get("decisive", 0),
        not_checkable=count.get("not_checkable", 0),
        groups=tuple(groups),
    )


def read_audit(path: str) -> pl.DataFrame:
    """audit.csv with its text as text (a printed "20" stays "20") and decisive as a boolean."""
    frame = pl.read_csv(path, infer_schema=False)
    return frame.with_columns(pl.col("decisive") == "true")


@dataclass(frozen=True)
class RateLine:
    endpoint: str
    counts: str
    rate: str


def endpoint_rates(rates: pl.DataFrame, visit: str) -> tuple[RateLine, ...]:
    """The response rates at ``visit`` as "PPPASI90  14/20  70 % (46–88)"."""
    return tuple(
        RateLine(
            c.ENDPOINT_LABELS.get(r["endpoint"], r["endpoint"]),
            f"{r['responders']}/{r['evaluable']}",
            rate_ci_text(r["rate"], r["ci_low"], r["ci_high"]),
        )
        for r in rates.filter(pl.col("visit") == visit).iter_rows(named=True)
    )


@dataclass(frozen=True)
class DataChecks:
    patients: int
    visits: int
    # Patient-visits whose recorded PPPASI disagrees with its components or is not attainable.
    contradicted: int

    @property
    def line(self) -> str:
        totals = (
            "no recorded PPPASI total is contradicted by the formula"
            if not self.contradicted
            else f"{self.contradicted} recorded PPPASI total(s) contradicted by the formula"
        )
        return f"{self.patients} patients and {self.visits} visits validated; {totals}."


def data_checks(patients: int, visits: int, pppasi_check: pl.DataFrame) -> DataChecks:
    """pppasi_check.csv: a total is contradicted where it disagrees with its components
    (agrees false) or no scores can give it (attainable false)."""
    # As text: a column the CSV leaves empty throughout (no components) is read as text.
    contradicted = (pl.col("agrees").cast(pl.Utf8) == "false") | (
        pl.col("attainable").cast(pl.Utf8) == "false"
    )
    return DataChecks(patients, visits, pppasi_check.filter(contradicted.fill_null(False)).height)


@dataclass(frozen=True)
class TestLine:
    outcome: str
    test: str
    n: str
    p: str


MAIN_TESTS = ("paired_t", "wilcoxon_signed_rank")


def main_tests(tests: pl.DataFrame, alpha: float) -> tuple[TestLine, ...]:
    return tuple(
        TestLine(
            r["outcome"], r["test"].replace("_", " "), str(r["n"]), p_text(r["p_value"], alpha)
        )
        for r in tests.filter(pl.col("test").is_in(MAIN_TESTS)).iter_rows(named=True)
    )


def methods_paragraphs(
    *,
    baseline_visit: str,
    endpoint_visit: str,
    pga_max: int,
    missing: str,
    confidence_level: float,
    alpha: float,
    table1_group_column: str | None,
    table1_continuous: str,
) -> list[str]:
    """The methods as a paper's methods section would state them, from the run's settings."""
    thresholds = ", ".join(str(t) for t in c.PPPASI_RESPONSE_THRESHOLDS)
    missing_text = {
        "observed": "patients without the endpoint visit were left out of a rate's denominator "
        "(observed cases)",
        "locf": "patients without the endpoint visit were judged on their last observed "
        "follow-up visit (LOCF; left out without one)",
    }.get(missing, "patients without the endpoint visit were counted as non-responders (NRI)")
    continuous = "mean (SD, n − 1)" if table1_continuous == "mean_sd" else "median [Q1, Q3]"
    by = f", overall and by {table1_group_column}" if table1_group_column else ""
    return [
        "PPPASI was recomputed from the region scores where they were given, as the sum over "
        "the four regions of (erythema + pustules + desquamation) × area × 0.2 for each palm "
        "and 0.3 for each sole, in exact tenths of a point; where only totals were recorded, "
        "each was checked for being a value the formula can give.",
        f"PPPASI {thresholds} responses at {endpoint_visit} are improvements from "
        f"{baseline_visit} of at least that percentage (inclusive, decided exactly); PGA 0/1 is "
        f"a grade of at most {c.PGA_CLEAR_MAX_GRADE} on the 0–{pga_max} scale and PGA ≥2 an "
        f"improvement of at least {c.PGA_MIN_IMPROVEMENT_GRADES} grades. A baseline PPPASI of 0 "
        f"is not evaluable. Missing data: {missing_text}. Rates are given with exact "
        f"Clopper–Pearson {level_text(confidence_level)} confidence intervals.",
        "Baseline and endpoint PPPASI and PGA were compared in the patients with both values by "
        "the paired t-test and the Wilcoxon signed-rank test (exact, conditional on mid-ranks "
        f"with ties or zeros), two-sided at alpha = {alpha:g}. Standard deviations are the "
        "sample SD (n − 1); the audit also tries the population SD (n) and reports which "
        "reproduces a printed value.",
        f"Table 1 gives continuous variables as {continuous} and the others as n (%){by}.",
        "Each claim of the paper was recomputed from the same data and judged by whether the "
        "recomputed value rounds to the printed one at the printed precision; means and SDs of "
        "integer data were also checked with GRIM, GRIMMER or DEBIT.",
    ]


def terminal_summary(
    cohort: str,
    *,
    checks: DataChecks,
    endpoint_visit: str,
    rates: Sequence[RateLine],
    audit: AuditView,
    audit_rows: pl.DataFrame,
    paths: Mapping[str, str],
    confidence_level: float,
    outcome_lines: Sequence[str] = (),
    trial_lines: Sequence[str] = (),
) -> str:
    """The few lines a run prints per cohort at its end; ``trial_lines`` (a trial's rates per
    arm and its main comparisons, pppflow.summary_trial.trial_lines) after the rates,
    ``outcome_lines`` (pppflow.summary_outcomes.outcome_lines) after the audit."""
    lines = [f"── {cohort} ──", f"  {checks.line}"]
    if rates:
        lines.append(
            f"  Response at {endpoint_visit} (responders/evaluable, rate, "
            f"{level_text(confidence_level)} CI):"
        )
        width = max(len(r.endpoint) for r in rates)
        lines += [f"    {r.endpoint:<{width}}  {r.counts:>7}  {r.rate}" for r in rates]
    lines += [f"  {line}" for line in trial_lines]
    lines += audit_lines(audit, audit_rows)
    lines += [f"  {line}" for line in outcome_lines]
    lines += [f"  {label}: {path}" for label, path in paths.items()]
    return "\n".join(lines) + "\n"


def audit_lines(audit: AuditView, audit_rows: pl.DataFrame) -> list[str]:
    """The audit's counts and each decisive mismatch, as a run prints them."""
    if not audit.claims:
        return ["  Audit: no claims given."]
    lines = [f"  Audit: {audit.counts_line}"]
    decisive = audit_rows.filter(pl.col("verdict") == "mismatch").filter(pl.col("decisive"))
    for r in decisive.iter_rows(named=True):
        lines.append(
            f"    DECISIVE {r['claim_id']}: reported {r['reported']}, recomputed {r['recomputed']}"
        )
    return lines


def claims_only_summary(
    cohort: str,
    *,
    audit: AuditView,
    audit_rows: pl.DataFrame,
    not_audited: int | None,
    paths: Mapping[str, str],
) -> str:
    """What a run prints for a cohort without patient data: its claims checked from the
    printed numbers alone."""
    lines = [f"── {cohort} (no patient data: the paper's printed numbers only) ──"]
    lines += audit_lines(audit, audit_rows)
    if not_audited:
        lines.append(
            f"  {not_audited} statement(s) of the paper with numbers no claim covers "
            "(listed in audit.md)."
        )
    lines += [f"  {label}: {path}" for label, path in paths.items()]
    return "\n".join(lines) + "\n"


_RST_SPECIAL = str.maketrans({ch: f"\\{ch}" for ch in "\\`*_|[]<>:{}%"})


def rst_text(text: str) -> str:
    """Text set in reStructuredText as it is: its markup characters escaped."""
    return text.translate(_RST_SPECIAL)


def landing_rst(
    cohort: str, *, audit: AuditView, audit_rows: pl.DataFrame, rates: Sequence[RateLine]
) -> str:
    """A cohort's part of the report's landing page: the audit's verdict, each decisive
    mismatch, and the response rates. Data reach it escaped (rst_text); the report renders it
    with Jinja, so the caller wraps it in a raw block."""
    lines = [f"**{rst_text(cohort)}**", ""]
    if audit.claims:
        lines.append(f"- {rst_text(audit.headline)} {rst_text(audit.counts_line)}")
        decisive = audit_rows.filter((pl.col("verdict") == "mismatch") & pl.col("decisive"))
        for r in decisive.iter_rows(named=True):
            lines.append(
                f"- **Decisive mismatch** {rst_text(r['claim_id'])}: printed "
                f"{rst_text(r['reported'] or '')}, recomputed {rst_text(r['recomputed'] or '')}."
            )
    else:
        lines.append("- No claims given: nothing audited.")
    if rates:
        shown = "; ".join(f"{r.endpoint} {r.counts} = {r.rate}" for r in rates)
        lines.append(f"- Response: {rst_text(shown)}.")
    return "\n".join(lines) + "\n\n"
