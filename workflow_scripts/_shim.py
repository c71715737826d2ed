"""Shared plumbing of the workflow scripts: the package on the path, and logging to the rule's
log file and to stderr. Every script imports this first."""

import logging
import sys
from pathlib import Path

# The pppflow package sits beside workflow_scripts/: importable in every environment a job runs
# in (local, --sdm conda, a cluster node) without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


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
