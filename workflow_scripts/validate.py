"""Validate one cohort's files and claims and write the typed tables, or list every failure,
remove the cohort's results of earlier runs (none may pass for current) and stop."""

import sys
from pathlib import Path

from _shim import start_logging

from pppflow.claims import claims_to_json
from pppflow.derive import derive_patient_columns
from pppflow.io import remove_tree, write_parquet, write_text
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
out = snakemake.output
files = CohortFiles(**snakemake.params.files)
try:
    validated = validate_cohort(files, fast_paths=snakemake.params.fast_paths)
except CohortInvalid as err:
    results = Path(out.patients).parents[1]
    removed = remove_tree(results)
    log.error("cohort %s is invalid\n%s", cohort, err)
    if removed:
        log.error("cohort %s: the %d result files of an earlier run were removed", cohort, removed)
    sys.exit(1)
for note in validated.notes:
    log.warning("cohort %s: %s", cohort, note)
write_parquet(derive_patient_columns(validated.patients), out.patients)
write_parquet(validated.visits, out.visits)
write_parquet(validated.components, out.components)
write_text(claims_to_json(validated.claims), out.claims)
write_parquet(validated.outcomes, out.outcomes)
write_parquet(validated.events, out.events)
log.info(
    "cohort %s valid: %d patients, %d visits, %d component rows, %s",
    cohort,
    validated.patients.height,
    validated.visits.height,
    validated.components.height,
    f"{len(validated.claims.claims)} claims" if validated.claims else "no claims file",
)
