"""Patient columns derived from the patients file, added once, where the validated patients are
written: every step after validation reads them as columns."""

import re
from collections.abc import Sequence
from typing import Final

import polars as pl

from pppflow import constants as c

# Every column derive_patient_columns adds.
DERIVED_PATIENT_COLUMNS: Final[tuple[str, ...]] = (c.PRIOR_BIOLOGIC_COLUMN,)


def biologic_pattern(agents: Sequence[str] = c.BIOLOGIC_AGENTS) -> str:
    """Case-insensitive, whole-word alternation of the agents' names."""
    return r"(?i)\b(?:" + "|".join(re.escape(a) for a in agents) + r")\b"


def with_prior_biologic(
    patients: pl.DataFrame, agents: Sequence[str] = c.BIOLOGIC_AGENTS
) -> pl.DataFrame:
    """Add prior_biologic: true where the previous treatments name a biologic. No
    previous_treatments column: the patients are returned unchanged (exposure unknown)."""
    if c.PREVIOUS_TREATMENTS_COLUMN not in patients.columns:
        return patients
    text = pl.col(c.PREVIOUS_TREATMENTS_COLUMN).cast(pl.Utf8)
    return patients.with_columns(
        text.str.contains(biologic_pattern(agents)).fill_null(False).alias(c.PRIOR_BIOLOGIC_COLUMN)
    )


def derive_patient_columns(patients: pl.DataFrame) -> pl.DataFrame:
    """The validated patients with every derivable column of DERIVED_PATIENT_COLUMNS."""
    return with_prior_biologic(patients)
