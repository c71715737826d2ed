"""Fast paths for registry-sized cohorts: the general steps' results, reached by position.

validate, pppasi and response state the rules in their general form. At a million patients that
form spends most of its time hashing and joining the (patient_id, visit) strings; the usual
export, with each visit's rows or each patient's rows together, lets these modules skip that:

- validation: `proven_valid` proves that the component and cross-file checks would find nothing;
- PPPASI recomputation: `recomputed_by_position` sums each visit's block of four region rows;
- response classification: `grid_by_position` gathers the patient x follow-up visit grid by slot;
- the outcomes derived from components (in the pppasi job): `derived_by_position` sums or maximises each
  visit's block of four region rows, as the PPPASI path does (`blocks` holds their proof).

Each answers only when it can prove its result equals the general one's, and otherwise says
not-proven (False or None): the general step then runs, and alone words any failure. So a fast
path changes how long a step takes, never what it gives.

The switch is the configuration's `performance: fast_paths` (config/schema.yaml; default true),
which the validate, pppasi and response rules pass to their scripts. Off, only the general steps
run: the way to audit a fast path against its rule, and the way tests run the full checks.
Submodules import only what their step needs, so that a step's job imports no other's code.
"""
