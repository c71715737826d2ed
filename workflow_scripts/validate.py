"""Validate one cohort's files and write the typed tables, or list every failure and stop."""

import sys

from _shim import start_logging

from pppflow.derive import derive_patient_columns
from pppflow.io import write_parquet
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

log = start_logging(snakemake)
files = CohortFiles(**snakemake.params.files)
try:
    cohort = validate_cohort(files)
except CohortInvalid as err:
    log.error("cohort %s is invalid\n%s", snakemake.wildcards.cohort, err)
    sys.exit(1)
out = snakemake.output
write_parquet(derive_patient_columns(cohort.patients), out.patients)
write_parquet(cohort.visits, out.visits)
write_parquet(cohort.components, out.components)
log.info(
    "cohort %s valid: %d patients, %d visits, %d component rows",
    snakemake.wildcards.cohort,
    cohort.patients.height,
    cohort.visits.height,
    cohort.components.height,
)
