"""Shared plumbing of the workflow scripts: the package on the path, logging to the rule's log
file and to stderr, and a quick exit. Every script imports this first."""

import atexit
import gc
import logging
import sys
from pathlib import Path

# The pppflow package sits beside workflow_scripts/: importable in every environment a job runs
# in (local, --sdm conda, a cluster node) without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# At exit Python's garbage collector walks every object the job still holds, the libraries'
# modules included: 0.05 s for a job on polars alone, 0.1-0.3 s for one that imported pandera,
# scipy.stats, altair or lifelines, in every job. Frozen at exit, they are left to the end of the
# process instead. The exit handlers (logging's flush and close among them) still run, and the
# exit status is the script's.
atexit.register(gc.freeze)


def start_logging(snakemake) -> logging.Logger:
    logger = logging.getLogger(f"pppflow.{snakemake.rule}")
    logger.setLevel(logging.INFO)
    formatter = logging.Formatter("%(levelname)s %(message)s")
    # The terminal gets warnings and errors only (a run ends with its summary instead of every
    # job's notes); the job's log file gets everything.
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    handlers: list[logging.Handler] = [terminal]
    if snakemake.log:
        handlers.append(logging.FileHandler(str(snakemake.log[0]), mode="w"))
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger
