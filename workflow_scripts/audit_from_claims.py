"""Check every claim of a cohort without patient data from its printed numbers: audit.csv and
audit.md, as the audit of a cohort with data writes them."""

from pathlib import Path

from _audit_files import write_audit
from _shim import start_logging

from pppflow.audit import audit_summary_claims
from pppflow.claims import claims_from_json
from pppflow.io import write_text
from pppflow.summary import audit_view, claims_only_summary

log = start_logging(snakemake)
inp, params = snakemake.input, snakemake.params

claims = claims_from_json(Path(inp.claims).read_text(encoding="utf-8"))
audit = audit_summary_claims(claims, params.alpha)
uncovered = write_audit(audit, claims, snakemake, log)
text = claims_only_summary(
    snakemake.wildcards.cohort,
    audit=audit_view(audit),
    audit_rows=audit,
    not_audited=None if uncovered is None else len(uncovered),
    paths={"Audit page": snakemake.params.audit_page},
)
write_text(text, snakemake.output.text)
