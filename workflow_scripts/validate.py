"""Validate one cohort's files and write the typed tables, or list every failure and stop."""

import sys

from _shim import start_logging

from pppflow.io import write_parquet
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

log = start_logging(snakemake)  # noqa: F821
files = CohortFiles(**snakemake.params.files)  # noqa: F821
try:
    cohort = validate_cohort(files, fast_paths=snakemake.params.fast_paths)  # noqa: F821
except CohortInvalid as err:
    log.error("cohort %s is invalid\n%s", snakemake.wildcards.cohort, err)  # noqa: F821
    sys.exit(1)
out = snakemake.output  # noqa: F821
write_parquet(cohort.patients, out.patients)
write_parquet(cohort.visits, out.visits)
write_parquet(cohort.components, out.components)
log.info(
    "cohort %s valid: %d patients, %d visits, %d component rows",
    snakemake.wildcards.cohort,  # noqa: F821
    cohort.patients.height,
    cohort.visits.height,
    cohort.components.height,
)
