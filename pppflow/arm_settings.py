"""A randomised cohort's arm settings from its config (`arms`, `strata`, `switch_visit`), and
the same as "key: value" lines for a rule's params. Standard library only: the Snakefile reads
them while it builds the jobs, before any job runs."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ArmDesign:
    column: str
    reference: str
    levels: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    switch_visit: str | None = None


def design_from_config(
    arms: Mapping | None = None,
    strata: Sequence[str] | None = None,
    switch_visit: str | None = None,
) -> ArmDesign | None:
    """The cohort's arm settings (already checked by config/schema.yaml); None without arms."""
    if not arms:
        return None
    return ArmDesign(
        column=arms["column"],
        reference=str(arms["reference"]),
        levels=tuple(str(level) for level in arms.get("levels") or ()),
        strata=tuple(strata or ()),
        switch_visit=switch_visit,
    )


def design_lines(design: ArmDesign | None) -> list[str]:
    """The arm settings as "key: value" lines, for a rule whose params the report lists (a
    dict would be printed as Python); [] without arms. design_from_lines reads them back."""
    if design is None:
        return []
    lines = [f"column: {design.column}", f"reference: {design.reference}"]
    lines += [f"level: {level}" for level in design.levels]
    lines += [f"stratum: {column}" for column in design.strata]
    if design.switch_visit is not None:
        lines.append(f"switch_visit: {design.switch_visit}")
    return lines


def design_from_lines(lines: Sequence[str]) -> ArmDesign | None:
    """design_lines' lines back as the design (None for no lines)."""
    if not lines:
        return None
    pairs = [line.split(": ", 1) for line in lines]
    one = {key: value for key, value in pairs}
    return ArmDesign(
        column=one["column"],
        reference=one["reference"],
        levels=tuple(value for key, value in pairs if key == "level"),
        strata=tuple(value for key, value in pairs if key == "stratum"),
        switch_visit=one.get("switch_visit"),
    )
