"""The report's landing page: its short description, then each cohort's verdict (summary.rst
of each cohort), set apart from Snakemake's Jinja so that no data is read as a template."""

from pathlib import Path

from _shim import start_logging

from pppflow.io import write_text

log = start_logging(snakemake)
inp, out = snakemake.input, snakemake.output

parts = [Path(inp.description).read_text(encoding="utf-8"), "{% raw %}\n"]
parts += [Path(path).read_text(encoding="utf-8") for path in inp.cohorts]
parts.append("{% endraw %}\n")
write_text("".join(parts), out[0])
log.info("landing page with %d cohorts", len(inp.cohorts))
