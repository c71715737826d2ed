"""The one step that derives patient columns, run where the validated patients are written."""

import polars as pl

from pppflow.derive import DERIVED_PATIENT_COLUMNS, derive_patient_columns


def test_derivation_adds_exactly_the_derived_columns(letter_cohort):
    patients = letter_cohort.patients
    derived = derive_patient_columns(patients)
    assert derived.columns == [*patients.columns, *DERIVED_PATIENT_COLUMNS]
    assert derived.drop(DERIVED_PATIENT_COLUMNS).equals(patients)
    assert derived["prior_biologic"].sum() == 5


def test_without_previous_treatments_nothing_is_derived():
    patients = pl.DataFrame({"patient_id": ["1", "2"], "dose_mg": [15, 30]})
    assert derive_patient_columns(patients).equals(patients)
