"""Bundle vega, vega-lite and vega-embed once for every chart page of the run."""

from _shim import start_logging

from pppflow.io import write_text
from pppflow.render import javascript_library

log = start_logging(snakemake)

library = javascript_library()
write_text(library, snakemake.output[0])
log.info("vega, vega-lite and vega-embed bundled: %d characters", len(library))
