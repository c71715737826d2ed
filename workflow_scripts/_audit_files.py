"""What both audit scripts write: audit.csv, audit.md (with the paper's numbers no claim
covers, where the cohort names its text) and the counts in the log."""

from pathlib import Path

from pppflow.audit import audit_log_line, audit_markdown
from pppflow.claims import Claims
from pppflow.draft_claims import not_audited
from pppflow.io import write_csv, write_text


def write_audit(audit, claims: Claims, snakemake, log) -> list | None:
    """Writes the audit files; returns the paper's numbers no claim covers (None without the
    paper's text)."""
    inp, out, cohort = snakemake.input, snakemake.output, snakemake.wildcards.cohort
    uncovered = None
    if "paper" in inp.keys():
        uncovered = not_audited(Path(inp.paper).read_text(encoding="utf-8"), claims)
    write_csv(audit, out.audit)
    write_text(audit_markdown(audit, cohort, claims.source, uncovered), out.markdown)
    log.info(audit_log_line(audit, cohort))
    return uncovered
