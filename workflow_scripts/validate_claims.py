"""Validate the claims of a cohort without patient data and write them as validated/claims.json,
or list every problem, remove the cohort's results of earlier runs and stop."""

import sys
from pathlib import Path

from _shim import start_logging

from pppflow.claims import ClaimsInvalid, claims_to_json, read_summary_claims_file
from pppflow.io import remove_tree, write_text

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
source, out = snakemake.params.claims, snakemake.output
try:
    if not Path(source).is_file():
        raise ClaimsInvalid(source, [f"file_exists: no such file: {source}"])
    claims = read_summary_claims_file(Path(source).read_bytes(), source)
except ClaimsInvalid as err:
    removed = remove_tree(Path(out.claims).parents[1])
    log.error("cohort %s is invalid\n%s", cohort, err)
    if removed:
        log.error("cohort %s: the %d result files of an earlier run were removed", cohort, removed)
    sys.exit(1)
write_text(claims_to_json(claims), out.claims)
log.info("cohort %s valid: %d claims, no patient data", cohort, len(claims.claims))
