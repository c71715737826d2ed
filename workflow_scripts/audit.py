"""Recompute every claim of the cohort's claims.yaml from its data: audit.csv and audit.md."""

import sys
from pathlib import Path

import polars as pl
from _audit_files import write_audit
from _shim import start_logging

from pppflow.arms import pooled_rows
from pppflow.audit import AUDIT_SCHEMA, AuditInputs, audit_claims, audit_markdown
from pppflow.claims import claims_from_json
from pppflow.io import write_csv, write_text
from pppflow.outcomes import outcomes_from_config, units_of

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out, params = snakemake.input, snakemake.output, snakemake.params

claims = claims_from_json(Path(inp.claims).read_text(encoding="utf-8"))
if claims is None:
    log.info("cohort %s: no claims file configured; empty audit", cohort)
    write_csv(pl.DataFrame(schema=AUDIT_SCHEMA), out.audit)
    write_text(audit_markdown(pl.DataFrame(schema=AUDIT_SCHEMA), cohort, None), out.markdown)
    sys.exit(0)


def between_arms(name: str) -> pl.DataFrame | None:
    """A between-arm results file, given to cohorts with arms only (rules/audit.smk)."""
    return pl.read_csv(inp[name]) if name in inp.keys() else None


declared = outcomes_from_config(params.outcomes)
inputs = AuditInputs(
    patients=pl.read_parquet(inp.patients),
    scores=pl.read_parquet(inp.pppasi),
    response_rates=pooled_rows(pl.read_csv(inp.rates)),
    # The whole cohort's tests (a trial's arms have their own rows under them).
    tests=pooled_rows(pl.read_csv(inp.tests, schema_overrides={"arm": pl.Utf8})),
    alpha=params.alpha,
    comparisons=between_arms("comparisons"),
    continuous_comparisons=between_arms("continuous_comparisons"),
    time_to_response=between_arms("time_to_response"),
    outcome_values=pl.read_parquet(inp.outcomes),
    outcome_steps=units_of(declared),
)
try:
    audit = audit_claims(claims, inputs)
except ValueError as err:
    log.error("cohort %s: %s (claims of %s)", cohort, err, claims.source)
    sys.exit(1)

write_audit(audit, claims, snakemake, log)
