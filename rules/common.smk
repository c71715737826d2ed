# Cohort look-ups, input functions and wildcard constraints. No rule lives here.
from pathlib import Path

COHORTS = sorted(config["cohorts"])

# Defaults of optional cohort keys: the same values config/schema.yaml documents.
COHORT_DEFAULTS = {"missing": "observed", "pppasi_disagreement": "warn"}


wildcard_constraints:
    cohort="[a-z0-9_]+",


def cohort_entry(wildcards):
    return config["cohorts"][wildcards.cohort]


def cohort_setting(key):
    """An input/params function giving one key of the wildcard's cohort entry."""

    def lookup(wildcards):
        entry = cohort_entry(wildcards)
        return entry.get(key, COHORT_DEFAULTS.get(key))

    return lookup


def cohort_inputs(wildcards):
    """The cohort's own files. A missing one is reported by the validation step itself,
    so it is not declared as an input here (Snakemake would stop with a bare MissingInput).
    """
    entry = cohort_entry(wildcards)
    return {
        k: entry[k]
        for k in ("patients", "visits", "components", "claims")
        if k in entry and Path(entry[k]).exists()
    }


def package(*modules):
    """Modules of the pppflow package a step runs: declared as inputs so that a change to
    one reruns the steps that use it (Snakemake does not track what a script imports).
    """
    return [f"pppflow/{name}.py" for name in ("__init__", "constants", *modules)]


LOCK = "requirements.lock"


# Each stage's rule file registers the per-cohort outputs a full run must produce, as patterns
# in {cohort}; `rule all` asks for all of them. Cross-cohort outputs go in GLOBAL_OUTPUTS.
STAGE_OUTPUTS = {}
GLOBAL_OUTPUTS = []


def all_outputs():
    per_cohort = [p for patterns in STAGE_OUTPUTS.values() for p in patterns]
    summary = expand(SUMMARY_OUTPUTS, cohort=SUMMARY_COHORTS)
    return expand(per_cohort, cohort=DATA_COHORTS) + summary + GLOBAL_OUTPUTS


def cohort_files(wildcards):
    """The validation step's view of a cohort entry (paths as configured, even missing ones)."""
    entry = cohort_entry(wildcards)
    return {
        "patients": entry["patients"],
        "visits": entry["visits"],
        "components": entry.get("components"),
        "baseline_visit": entry["baseline_visit"],
        "endpoint_visit": entry["endpoint_visit"],
        "pga_max": entry["pga_max"],
        "claims": entry.get("claims"),
        "configured_columns": configured_patient_columns(),
    }


def configured_patient_columns():
    """Patient columns the config names, for validation to catch near-miss headers."""
    stats = config["stats"]
    named = [*stats["subgroup_columns"], stats.get("table1_group_column")]
    return tuple(name for name in named if name)


# While jobs wait for a free core, Snakemake's scheduler re-checks them from a one-second
# threading.Timer (its --max-jobs-per-timespan rate limiter, on by default). The last such
# timer outlives the run and Python waits for it at exit: up to a second added to every run
# (about 1 s of an 8 s cold run of the default config, docs/benchmarks.md). Once the run is
# over, those re-checks have nothing left to do, so the handlers cancel the pending ones.
def cancel_pending_rechecks():
    import threading

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


onsuccess:
    cancel_pending_rechecks()


onerror:
    cancel_pending_rechecks()


# Summary-only cohorts: an entry with `claims` and no patient files. Only the claims are
# validated and audited (rules/summary.smk); every other stage is for cohorts with data.
def summary_only(entry):
    return not any(key in entry for key in ("patients", "visits", "components"))


SUMMARY_COHORTS = sorted(n for n, e in config["cohorts"].items() if summary_only(e))
DATA_COHORTS = [name for name in COHORTS if name not in SUMMARY_COHORTS]
SUMMARY_OUTPUTS = [
    "results/{cohort}/validated/claims.json",
    "results/{cohort}/audit.csv",
    "results/{cohort}/audit.md",
    "results/{cohort}/report/audit.html",
]


def one_of(names):
    """A wildcard constraint matching exactly these names (nothing when there are none)."""
    return "|".join(names) if names else "(?!)"


def paper_input(wildcards):
    """The paper's text, where the cohort configures one: the audit lists its numbers that
    no claim covers."""
    entry = cohort_entry(wildcards)
    return {"paper": entry["paper"]} if "paper" in entry else {}
