# Cohort look-ups, input functions and wildcard constraints. No rule lives here.
import atexit
import gc
from pathlib import Path

from pppflow.arm_settings import design_from_config, design_lines
from pppflow.wiring import cancel_pending_rechecks, project_imports

COHORTS = sorted(config["cohorts"])


wildcard_constraints:
    cohort="[a-z0-9_]+",


def cohort_entry(wildcards):
    return config["cohorts"][wildcards.cohort]


def cohort_setting(key):
    """An input/params function giving one key of the wildcard's cohort entry. Optional keys
    are there too: validate() in the Snakefile fills in config/schema.yaml's defaults.
    """

    def lookup(wildcards):
        return cohort_entry(wildcards)[key]

    return lookup


def cohort_outcomes(wildcards):
    """The cohort's declared outcomes (`outcomes:`), {} when it declares none."""
    return cohort_entry(wildcards).get("outcomes") or {}


def cohort_inputs(wildcards):
    """The cohort's own files. A missing one is reported by the validation step itself,
    so it is not declared as an input here (Snakemake would stop with a bare MissingInput).
    """
    entry = cohort_entry(wildcards)
    return {
        k: entry[k]
        for k in ("patients", "visits", "components", "claims", "events")
        if k in entry and Path(entry[k]).exists()
    }


def comparison_inputs(wildcards):
    """The between-arm results a cohort with arms (an `arms` entry in its config) has, which
    its claims about arms are checked against; nothing for any other cohort, whose claims about
    arms are then not checkable."""
    if not cohort_entry(wildcards).get("arms"):
        return {}
    return {
        "comparisons": rules.comparisons.output.comparisons,
        "continuous_comparisons": rules.comparisons.output.continuous,
        "time_to_response": rules.outcomes.output.time_to_response,
    }


def cohort_arm_lines(wildcards):
    """cohort_arms as "key: value" lines (pppflow.arms.design_lines), for the rules whose
    params the report lists."""
    return design_lines(design_from_config(**cohort_arms(wildcards)))


# The modules' imports, kept between runs (pppflow.wiring.ImportCache), beside Snakemake's own
# records in the working directory.
IMPORT_CACHE = Path(".snakemake") / "pppflow_imports.json"


def script_code(name):
    """The project files workflow_scripts/<name>.py runs through its imports: declared as
    inputs so that a change to one reruns the steps that use it (Snakemake tracks a rule's
    script, not what the script imports). Read from the imports, so the list cannot go stale.
    """
    script = Path(workflow.basedir) / "workflow_scripts" / f"{name}.py"
    return project_imports(script, Path(workflow.basedir), IMPORT_CACHE)


def chart_code(charts):
    """The chart script's imports, and the chart modules it loads by name from the registry
    (an import the script's text does not show) with their own imports."""
    base = Path(workflow.basedir)
    modules = [f"pppflow/charts/{chart.name}.py" for chart in charts]
    return list(
        dict.fromkeys(
            [
                *script_code("charts"),
                *modules,
                *(
                    path
                    for module in modules
                    for path in project_imports(base / module, base, IMPORT_CACHE)
                ),
            ]
        )
    )


LOCK = "requirements.lock"

# The jobs a run waits on from its start to its end: validate, pppasi, response, then stats,
# outcomes (the percent change chart's table; a trial's audit reads its times to response) and,
# for a cohort with arms, comparisons (the longest job of a trial, which the audit reads), then
# audit, charts, summary and report_landing. Where more jobs are ready than there are cores,
# these go first and the others (chart_plan, table1, the other charts, the table pages) fill the
# cores beside them; otherwise a side job taken first delays the end of the run by its whole
# length. A scheduling order only: no output depends on it.
CRITICAL_PATH = 1


def per_cohort_outputs(*rules_):
    """Every output of the given rules, for every cohort with patient data."""
    return expand(
        [pattern for rule_ in rules_ for pattern in rule_.output], cohort=DATA_COHORTS
    )


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
        "outcomes": entry.get("outcomes") or {},
        "events": entry.get("events"),
        "arms": entry.get("arms"),
        "strata": entry.get("strata") or [],
        "switch_visit": entry.get("switch_visit"),
    }


def cohort_arms(wildcards):
    """The cohort's randomised-arm settings for pppflow.arms.design_from_config: {} without
    arms (a single-arm cohort)."""
    entry = cohort_entry(wildcards)
    if not entry.get("arms"):
        return {}
    return {
        "arms": entry["arms"],
        "strata": entry.get("strata") or [],
        "switch_visit": entry.get("switch_visit"),
    }


def trial_inputs(wildcards):
    """A cohort with arms: its between-arm comparisons, for the page's "Between arms" section;
    nothing for any other cohort."""
    if not cohort_entry(wildcards).get("arms"):
        return {}
    return {
        "comparisons": rules.comparisons.output.comparisons,
        "continuous_comparisons": rules.comparisons.output.continuous,
        "subgroup_comparisons": rules.comparisons.output.subgroups,
        "repeated_measures": rules.comparisons.output.repeated,
    }


def table1_group(wildcards):
    """Table 1's grouping: the arm column for a cohort with arms, else stats.table1_group_column."""
    arms = cohort_entry(wildcards).get("arms")
    return arms["column"] if arms else config["stats"]["table1_group_column"]


def table1_first_group(wildcards):
    """Table 1's first group: a trial's reference arm (None: the groups in their order)."""
    arms = cohort_entry(wildcards).get("arms")
    return arms["reference"] if arms else None


def configured_patient_columns():
    """Patient columns the config names, for validation to catch near-miss headers."""
    stats = config["stats"]
    named = [*stats["subgroup_columns"], stats.get("table1_group_column")]
    return tuple(name for name in named if name)


# Python would wait at exit for the last of Snakemake's one-second re-check timers: about 1 s of
# every run (pppflow/wiring.py; tests/test_exit_timer.py fails when Snakemake changes this).
onsuccess:
    cancel_pending_rechecks()


onerror:
    cancel_pending_rechecks()


# At exit Python's garbage collector walks every object Snakemake still holds (the DAG, the
# modules of pandas its SLURM plugin imports...): about 0.3 s at the end of every run. Frozen at
# exit, they are left to the end of the process, as in every job (workflow_scripts/_shim.py).
atexit.register(gc.freeze)


# Summary-only cohorts: an entry with `claims` and no patient files. Only the claims are
# validated and audited (rules/summary_only.smk); every other stage is for cohorts with data.
def summary_only(entry):
    return not any(key in entry for key in ("patients", "visits", "components"))


SUMMARY_COHORTS = sorted(n for n, e in config["cohorts"].items() if summary_only(e))
DATA_COHORTS = [name for name in COHORTS if name not in SUMMARY_COHORTS]
# Randomised cohorts (`arms:`): the between-arm comparisons are made for them alone.
ARM_COHORTS = [name for name in DATA_COHORTS if config["cohorts"][name].get("arms")]
SUMMARY_OUTPUTS = [
    "results/{cohort}/validated/claims.json",
    "results/{cohort}/audit.csv",
    "results/{cohort}/audit.md",
    "results/{cohort}/report/audit.html",
    "results/{cohort}/summary.txt",
]


def one_of(names):
    """A wildcard constraint matching exactly these names (nothing when there are none)."""
    return "|".join(names) if names else "(?!)"


def paper_input(wildcards):
    """The paper's text, where the cohort configures one: the audit lists its numbers that
    no claim covers."""
    entry = cohort_entry(wildcards)
    return {"paper": entry["paper"]} if "paper" in entry else {}
