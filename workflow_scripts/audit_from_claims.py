"""Check every claim of a cohort without patient data from its printed numbers: audit.csv and
audit.md, as the audit of a cohort with data writes them."""

from pathlib import Path

from _shim import start_logging

from pppflow.audit import audit_log_line, audit_markdown, audit_summary_claims
from pppflow.claims import claims_from_json
from pppflow.draft_claims import not_audited
from pppflow.io import write_csv, write_text

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

claims = claims_from_json(Path(inp.claims).read_text(encoding="utf-8"))
audit = audit_summary_claims(claims, params.alpha)
uncovered = None
if "paper" in inp.keys():
    uncovered = not_audited(Path(inp.paper).read_text(encoding="utf-8"), claims)
write_csv(audit, out.audit)
write_text(audit_markdown(audit, cohort, claims.source, uncovered), out.markdown)
log.info(audit_log_line(audit, cohort))
