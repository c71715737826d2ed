"""Fast paths for registry-sized cohorts: the general steps' results, reached by position.

validate states the rules in their general form. At a million patients that form spends most of
its time on text checks of every score and on hashing the (patient_id, visit, region) strings;
the usual export lets this package skip that:

- validation: `proven_valid` proves that the component and cross-file checks would find nothing.

Each answers only when it can prove its result equals the general one's, and otherwise says
not-proven: the general step then runs, and alone words any failure. So a fast path changes how
long a step takes, never what it gives.

The switch is the configuration's `performance: fast_paths` (config/schema.yaml; default true),
which the rules pass to their scripts. Off, only the general steps run: the way to audit a fast
path against its rule, and the way tests run the full checks.
"""
