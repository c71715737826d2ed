"""Recompute PPPASI from region scores, check every recorded total, write both tables, and
the sign subscores and PPSI from the same components; under `pppasi_disagreement: error` a
contradicted total stops the run and nothing is written."""

import sys

import polars as pl
from _shim import start_logging

from pppflow.fast_paths.pppasi import pppasi_table
from pppflow.fast_paths.subscores import derived_table
from pppflow.io import write_csv, write_parquet
from pppflow.pppasi import PppasiDisagreement, enforce_agreement, pppasi_check

log = start_logging(snakemake)
cohort = snakemake.wildcards.cohort
inp, out = snakemake.input, snakemake.output
action = snakemake.params.disagreement

components = pl.read_parquet(inp.components)
pppasi = pppasi_table(
    pl.read_parquet(inp.visits), components, fast_paths=snakemake.params.fast_paths
)
derived, subscores = derived_table(components, pppasi, (), fast_paths=snakemake.params.fast_paths)
del components
if derived:
    log.info("cohort %s: from the components: %s", cohort, ", ".join(o.name for o in derived))
else:
    subscores = subscores.clear()  # no components: nothing derived, no rows
check = pppasi_check(pppasi.lazy()).collect()
try:
    found = enforce_agreement(check, action)
except PppasiDisagreement as err:
    log.error(
        "cohort %s: %s\n(pppasi_disagreement is 'error'; set it to 'warn' to carry on with the "
        "recomputed totals)",
        cohort,
        err,
    )
    sys.exit(1)
for problem in found:
    log.warning("cohort %s: %s", cohort, problem.message)

write_parquet(pppasi, out.pppasi)
write_csv(check, out.check)
write_parquet(subscores, out.subscores)
recomputed = pppasi.get_column("pppasi_recomputed_tenths").is_not_null().sum()
log.info(
    "cohort %s: %d patient-visits, %d recomputed from components, %d recorded total(s) "
    "contradicting the formula",
    cohort,
    pppasi.height,
    recomputed,
    len(found),
)
