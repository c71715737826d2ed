"""The bad inputs pppflow is tested on, each with what the user did and what validation must
say: the exact failure lines, or, for an input that is accepted, the notes it logs.

tests/test_bad_inputs.py runs every case; tools/bad_inputs_doc.py writes docs/bad-inputs.md
from the same list, so the document shows what the tests hold.
"""

import datetime
import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pppflow.claims import KINDS
from pppflow.validate import CohortFiles, CohortInvalid, ValidatedCohort, validate_cohort

PATIENTS = "patient_id,sex,age_years,dose_mg\np1,F,40,15\np2,M,51,30\n"
VISITS = (
    "patient_id,visit,week,pppasi,pga\n"
    "p1,baseline,0,10.8,3\np1,week12,12,2.7,1\n"
    "p2,baseline,0,6.0,2\np2,week12,12,1.2,0\n"
)
COMPONENTS_HEADER = "patient_id,visit,region,erythema,pustules,desquamation,area\n"
CLAIMS = (
    "cohort: demo\nsource: a paper\nclaims:\n"
    '  - {id: size, quote: "two patients", reported: "2", kind: count}\n'
)

DLQI = {"column": "dlqi", "scale": {"min": 0, "max": 30, "step": 1}, "better": "lower"}

Failure = tuple[str, int | None, str | None, str, str, str | None]


@dataclass(frozen=True)
class Case:
    name: str
    what: str  # what the user's input does, in a reader's words
    files: dict[str, str | bytes]  # file name -> content, beside the default patients/visits
    roles: dict[str, str] = field(default_factory=dict)  # role -> file name, if not default
    settings: dict = field(default_factory=dict)  # CohortFiles fields to override
    failures: tuple[Failure, ...] = ()  # () means the cohort is accepted
    notes: tuple[str, ...] = ()  # what an accepted cohort logs (file paths as names)
    check: Callable[[ValidatedCohort], None] | None = None  # more about an accepted one


def write_case(case: Case, folder: Path) -> CohortFiles:
    files = {"patients.csv": PATIENTS, "visits.csv": VISITS, **case.files}
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    roles = {"patients": "patients.csv", "visits": "visits.csv", **case.roles}
    settings = {
        "components": None,
        "baseline_visit": "baseline",
        "endpoint_visit": "week12",
        "pga_max": 4,
        **case.settings,
    }
    return CohortFiles(
        **{role: str(folder / name) for role, name in roles.items()},
        **{
            k: (str(folder / v) if k in ("components", "claims", "events") and v else v)
            for k, v in settings.items()
        },
    )


@dataclass(frozen=True)
class Outcome:
    failures: tuple[Failure, ...]
    notes: tuple[str, ...]
    validated: ValidatedCohort | None
    message: str  # what the user reads: the failure lines, or the notes


def run_case(case: Case, folder: Path) -> Outcome:
    files = write_case(case, folder)
    prefix = f"{folder}/"
    try:
        validated = validate_cohort(files)
    except CohortInvalid as err:
        frame = err.failures.with_columns(
            pl.col("file", "value").str.replace_all(prefix, "", literal=True)
        )
        rows = frame.sort(["file", "row", "column", "check"], nulls_last=False).rows()
        return Outcome(tuple(rows), (), None, str(err).replace(prefix, ""))
    notes = tuple(note.replace(prefix, "") for note in validated.notes)
    return Outcome((), notes, validated, "\n".join(notes) or "(accepted, nothing to say)")


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def _workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


ARMS_SETTINGS = {
    "arms": {"column": "arm", "reference": "placebo"},
    "strata": ("region",),
    "switch_visit": "week16",
}


def _arms_kept(validated: ValidatedCohort) -> None:
    assert validated.patients.select("arm", "region").rows() == [
        ("active", "EU"),
        ("placebo", "Asia"),
    ]


def _only_patient_ids(validated: ValidatedCohort) -> None:
    assert validated.patients.columns == ["patient_id"]


def _nfd_ids_meet(validated: ValidatedCohort) -> None:
    assert sorted(validated.patients["patient_id"]) == ["Jos\u00e9", "p2"]
    assert validated.visits.filter(pl.col("patient_id") == "Jos\u00e9").height == 2


def _integral_floats(validated: ValidatedCohort) -> None:
    assert validated.visits.sort("patient_id", "visit")["pga"].to_list() == [3, 1, 2, 0]


def _no_pga(validated: ValidatedCohort) -> None:
    assert validated.visits["pga"].null_count() == validated.visits.height


def _from_components(validated: ValidatedCohort) -> None:
    assert validated.visits["pppasi_tenths"].null_count() == 4
    assert validated.components.height == 16


def _missed_visit_kept(validated: ValidatedCohort) -> None:
    missed = validated.visits.filter(pl.col("visit") == "week4")
    assert missed.rows() == [("p1", "week4", 4.0, None, None)]


def _trailing_lines(validated: ValidatedCohort) -> None:
    assert validated.visits.height == 4


def _extra_types(validated: ValidatedCohort) -> None:
    schema = validated.patients.schema
    assert schema["doses"] == pl.List(pl.Int64) and schema["seen"] == pl.Date


NFD_JOSE = unicodedata.normalize("NFD", "Jos\u00e9")
COMPONENTS = COMPONENTS_HEADER + "".join(
    f"{pid},{visit},{region},1,2,1,{area}\n"
    for pid in ("p1", "p2")
    for visit, area in (("baseline", 3), ("week12", 1))
    for region in ("right_palm", "left_palm", "right_sole", "left_sole")
)

CASES: tuple[Case, ...] = (
    # --- Files that cannot be read as a table -----------------------------------------------
    Case(
        "semicolon_delimited",
        "patients.csv exported with semicolons (a European spreadsheet's CSV)",
        {"patients.csv": PATIENTS.replace(",", ";")},
        failures=(
            (
                "patients.csv",
                0,
                None,
                None,
                "comma_delimited",
                "the header is split by semicolons (';'), not commas: export the file with "
                "comma separators",
            ),
        ),
    ),
    Case(
        "tab_delimited",
        "visits.csv saved as tab-separated text",
        {"visits.csv": VISITS.replace(",", "\t")},
        failures=(
            (
                "visits.csv",
                0,
                None,
                None,
                "comma_delimited",
                "the header is split by tabs ('\\t'), not commas: export the file with comma "
                "separators",
            ),
        ),
    ),
    Case(
        "latin1",
        "patients.csv saved as Latin-1 (a name with é), not UTF-8",
        {"patients.csv": (PATIENTS + "Jos\u00e9,F,33,15\n").encode("latin-1")},
        failures=(
            (
                "patients.csv",
                3,
                None,
                None,
                "utf8_encoding",
                "byte e9 at offset 58 is not UTF-8: save the file as UTF-8",
            ),
        ),
    ),
    Case(
        "empty_file",
        "an empty visits.csv",
        {"visits.csv": ""},
        failures=(("visits.csv", None, None, None, "file_not_empty", "the file is empty"),),
    ),
    Case(
        "ragged_rows",
        "one visits row with a field too many, one with a field too few",
        {"visits.csv": VISITS + "p1,week4,4,3.0,1,oops\np2,week4,4\n"},
        failures=(
            ("visits.csv", 5, "p1", None, "fields_match_header", "6 field(s), the header has 5"),
            ("visits.csv", 6, "p2", None, "fields_match_header", "3 field(s), the header has 5"),
        ),
    ),
    Case(
        "duplicated_header",
        "two columns named pga in visits.csv",
        {"visits.csv": "patient_id,visit,week,pppasi,pga,pga\np1,baseline,0,10.8,3,2\n"},
        failures=(
            (
                "visits.csv",
                None,
                None,
                "pga",
                "unique_header",
                "'pga' is the name of more than one column",
            ),
        ),
    ),
    Case(
        "csv_named_parquet",
        "a CSV file named visits.parquet",
        {"visits.parquet": VISITS},
        roles={"visits": "visits.parquet"},
        failures=(
            (
                "visits.parquet",
                None,
                None,
                None,
                "file_format",
                "named .parquet but is not a parquet file (text?)",
            ),
        ),
    ),
    Case(
        "parquet_named_csv",
        "a parquet file named patients.csv",
        {"patients.csv": _parquet(pl.read_csv(io.StringIO(PATIENTS)))},
        failures=(
            (
                "patients.csv",
                None,
                None,
                None,
                "file_format",
                "a parquet file not named .parquet: rename it",
            ),
        ),
    ),
    Case(
        "excel_workbook",
        "an Excel workbook given as the patients file",
        {"patients.xlsx": _workbook()},
        roles={"patients": "patients.xlsx"},
        failures=(
            (
                "patients.xlsx",
                None,
                None,
                None,
                "file_format",
                "a spreadsheet workbook: export it as CSV (UTF-8)",
            ),
        ),
    ),
    # --- Inputs that used to be accepted and change a result ---------------------------------
    Case(
        "header_case_and_spaces",
        "headers PGA and 'pppasi ' in visits.csv, Sex and Age_years in patients.csv",
        {
            "patients.csv": PATIENTS.replace("sex,age_years", "Sex,Age_years"),
            "visits.csv": VISITS.replace("pppasi,pga", "pppasi ,PGA"),
        },
        failures=(
            (
                "patients.csv",
                None,
                None,
                "age_years",
                "header_spelling",
                "header 'Age_years' looks like 'age_years': rename it",
            ),
            (
                "patients.csv",
                None,
                None,
                "sex",
                "header_spelling",
                "header 'Sex' looks like 'sex': rename it",
            ),
            (
                "visits.csv",
                None,
                None,
                "pga",
                "header_spelling",
                "header 'PGA' looks like 'pga': rename it",
            ),
            (
                "visits.csv",
                None,
                None,
                "pppasi",
                "header_spelling",
                "header 'pppasi ' looks like 'pppasi': rename it",
            ),
            (
                "visits.csv",
                None,
                None,
                "pppasi",
                "pppasi_or_components",
                "no pppasi column and no components file: no PPPASI at all",
            ),
        ),
    ),
    Case(
        "analysed_column_misspelt",
        "Joint_Pain in patients.csv (the analysis reads joint_pain)",
        {
            "patients.csv": PATIENTS.replace("dose_mg\n", "dose_mg,Joint_Pain\n")
            .replace("15\n", "15,true\n")
            .replace("30\n", "30,false\n")
        },
        failures=(
            (
                "patients.csv",
                None,
                None,
                "joint_pain",
                "header_spelling",
                "header 'Joint_Pain' looks like 'joint_pain': rename it",
            ),
        ),
    ),
    Case(
        "visit_label_spelling",
        "the endpoint written Week12 for one patient and 'week12 ' for another",
        {"visits.csv": VISITS.replace("p1,week12", "p1,Week12").replace("p2,week12", "p2,week12 ")},
        failures=(
            (
                "visits.csv",
                None,
                None,
                "visit",
                "endpoint_visit_present",
                "no row has 'week12'; the file's visits: 'baseline', 'Week12', 'week12 '",
            ),
            (
                "visits.csv",
                2,
                "p1",
                "visit",
                "visit_label_spelling",
                "'Week12' looks like endpoint_visit 'week12': spell it exactly",
            ),
            (
                "visits.csv",
                4,
                "p2",
                "visit",
                "visit_label_spelling",
                "'week12 ' looks like endpoint_visit 'week12': spell it exactly",
            ),
        ),
    ),
    Case(
        "missing_baseline_label",
        "the baseline written Baseline: every patient lacks 'baseline'",
        {"visits.csv": VISITS.replace("baseline", "Baseline")},
        failures=(
            (
                "visits.csv",
                None,
                "p1",
                "visit",
                "has_baseline_visit",
                "no 'baseline'; this patient's visits: 'Baseline', 'week12'",
            ),
            (
                "visits.csv",
                None,
                "p2",
                "visit",
                "has_baseline_visit",
                "no 'baseline'; this patient's visits: 'Baseline', 'week12'",
            ),
            (
                "visits.csv",
                1,
                "p1",
                "visit",
                "visit_label_spelling",
                "'Baseline' looks like baseline_visit 'baseline': spell it exactly",
            ),
            (
                "visits.csv",
                3,
                "p2",
                "visit",
                "visit_label_spelling",
                "'Baseline' looks like baseline_visit 'baseline': spell it exactly",
            ),
        ),
    ),
    Case(
        "nfd_patient_ids",
        "patient José typed with a combining accent (NFD) in visits.csv, precomposed in "
        "patients.csv",
        {
            "patients.csv": PATIENTS.replace("p1", "Jos\u00e9"),
            "visits.csv": VISITS.replace("p1", NFD_JOSE),
        },
        notes=("visits.csv: 2 patient_id value(s) normalised to Unicode NFC",),
        check=_nfd_ids_meet,
    ),
    Case(
        "derived_column_supplied",
        "a prior_biologic column in patients.csv (the pipeline derives it)",
        {
            "patients.csv": PATIENTS.replace("dose_mg\n", "dose_mg,prior_biologic\n")
            .replace("15\n", "15,99\n")
            .replace("30\n", "30,0\n")
        },
        failures=(
            (
                "patients.csv",
                None,
                None,
                "prior_biologic",
                "not_a_derived_column",
                "'prior_biologic' is computed by the pipeline: rename or drop the column",
            ),
        ),
    ),
    Case(
        "endpoint_is_baseline",
        "endpoint_visit set to the baseline_visit in the config",
        {},
        settings={"endpoint_visit": "baseline"},
        failures=(
            (
                "config",
                None,
                None,
                "endpoint_visit",
                "differs_from_baseline_visit",
                "'baseline' is also the baseline_visit",
            ),
        ),
    ),
    # --- Optional means optional -------------------------------------------------------------
    Case(
        "no_pga_column",
        "visits.csv without a pga column",
        {"visits.csv": "\n".join(line.rsplit(",", 1)[0] for line in VISITS.splitlines()) + "\n"},
        notes=("visits.csv: no pga column; the PGA endpoints and tests are left out",),
        check=_no_pga,
    ),
    Case(
        "no_pppasi_column",
        "visits.csv without a pppasi column, every visit scored in components.csv",
        {
            "visits.csv": VISITS.replace(",pppasi", "")
            .replace(",10.8", "")
            .replace(",2.7", "")
            .replace(",6.0", "")
            .replace(",1.2", ""),
            "components.csv": COMPONENTS,
        },
        settings={"components": "components.csv"},
        notes=("visits.csv: no pppasi column; PPPASI comes from the components alone",),
        check=_from_components,
    ),
    Case(
        "no_pppasi_anywhere",
        "visits.csv without a pppasi column and no components file",
        {
            "visits.csv": VISITS.replace(",pppasi", "")
            .replace(",10.8", "")
            .replace(",2.7", "")
            .replace(",6.0", "")
            .replace(",1.2", "")
        },
        failures=(
            (
                "visits.csv",
                None,
                None,
                "pppasi",
                "pppasi_or_components",
                "no pppasi column and no components file: no PPPASI at all",
            ),
        ),
    ),
    Case(
        "only_patient_ids",
        "a patients file with only patient_id",
        {"patients.csv": "patient_id\np1\np2\n"},
        check=_only_patient_ids,
    ),
    Case(
        "extra_parquet_types",
        "a parquet patients file with list, struct, binary and date columns",
        {
            "patients.parquet": _parquet(
                pl.DataFrame(
                    {
                        "patient_id": ["p1", "p2"],
                        "doses": [[15, 30], [30]],
                        "address": [{"city": "a"}, {"city": "b"}],
                        "photo": [b"\x00", b"\x01"],
                        "seen": [datetime.date(2024, 1, 2), datetime.date(2024, 3, 4)],
                    }
                )
            )
        },
        roles={"patients": "patients.parquet"},
        check=_extra_types,
    ),
    Case(
        "missed_visit_row",
        "a week-4 row with every score empty (a missed visit, as many exports keep it)",
        {"visits.csv": VISITS + "p1,week4,4,,\n"},
        notes=(
            "visits.csv: 1 visit row(s) with every score empty (rows 5): kept as visits "
            "without scores, missing for every endpoint",
        ),
        check=_missed_visit_kept,
    ),
    Case(
        "trailing_blank_lines",
        "visits.csv ending in blank lines",
        {"visits.csv": VISITS + "\n\n\n"},
        check=_trailing_lines,
    ),
    Case(
        "integral_floats",
        "pga written 3.0, 1.0, ... (how pandas writes an integer column with gaps)",
        {
            "visits.csv": VISITS.replace(",3\n", ",3.0\n")
            .replace(",1\n", ",1.0\n")
            .replace(",2\n", ",2.0\n")
        },
        check=_integral_floats,
    ),
    Case(
        "non_integral_float",
        "a pga of 2.5",
        {"visits.csv": VISITS.replace(",2.7,1", ",2.7,2.5")},
        failures=(("visits.csv", 2, "p1", "pga", "is_integer", "2.5"),),
    ),
    # --- The claims file ----------------------------------------------------------------------
    Case(
        "claims_wrong_type",
        "a claim whose kind is a list ([count])",
        {"claims.yaml": CLAIMS.replace("kind: count", "kind: [count]")},
        settings={"claims": "claims.yaml"},
        failures=(
            (
                "claims.yaml",
                None,
                None,
                "claim size: field kind",
                "claims_file",
                "['count'] is not of type 'string'",
            ),
        ),
    ),
    Case(
        "claims_unknown_kind",
        "a claim of a kind pppflow does not know",
        {"claims.yaml": CLAIMS.replace("kind: count", "kind: tally")},
        settings={"claims": "claims.yaml"},
        failures=(
            (
                "claims.yaml",
                None,
                None,
                "claim size: field kind",
                "claims_file",
                f"'tally' is not one of {', '.join(KINDS)}",
            ),
        ),
    ),
    Case(
        "claims_latin1",
        "a claims file saved as Latin-1",
        {"claims.yaml": (CLAIMS + "# r\u00e9sum\u00e9\n").encode("latin-1")},
        settings={"claims": "claims.yaml"},
        failures=(
            (
                "claims.yaml",
                None,
                None,
                "claims",
                "claims_file",
                "not UTF-8 at line 5 (byte e9): save the file as UTF-8",
            ),
        ),
    ),
    Case(
        "claims_yaml_syntax",
        "a claims file with a YAML syntax error",
        {"claims.yaml": "cohort: demo\nclaims: [\n"},
        settings={"claims": "claims.yaml"},
        failures=(
            (
                "claims.yaml",
                None,
                None,
                "claims",
                "claims_file",
                "not valid YAML: while parsing a flow node\nexpected the node content, but found "
                "'<stream end>'\n  in \"<unicode string>\", line 3, column 1:\n    \n    ^",
            ),
        ),
    ),
    Case(
        "claims_alias_bomb",
        "a 'billion laughs' claims file: nested YAML aliases that expand to gigabytes",
        {
            "claims.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            )
        },
        settings={"claims": "claims.yaml"},
        failures=(
            (
                "claims.yaml",
                None,
                None,
                "claims",
                "claims_file",
                "not valid YAML: a YAML alias (*name): claims files take none, write the value "
                'out\n  in "<unicode string>", line 2, column 8:\n    b: &b [*a, *a, *a, *a, '
                "*a, *a, *a, *a, *a]\n           ^",
            ),
        ),
    ),
    Case(
        "claims_missing_file",
        "the config names a claims file that does not exist",
        {},
        settings={"claims": "nowhere.yaml"},
        failures=(("nowhere.yaml", None, None, "claims", "file_exists", "nowhere.yaml"),),
    ),
    # --- Declared outcomes and the events file ----------------------------------------------
    Case(
        "outcome_off_its_scale",
        "a declared DLQI (0-30, integers) of 31, of 2.5 and of 'n/a'",
        {
            "visits.csv": VISITS.replace("pga\n", "pga,dlqi\n", 1)
            .replace("10.8,3\n", "10.8,3,31\n")
            .replace("2.7,1\n", "2.7,1,2.5\n")
            .replace("6.0,2\n", "6.0,2,n/a\n")
            .replace("1.2,0\n", "1.2,0,4\n")
        },
        settings={"outcomes": {"dlqi": DLQI}},
        failures=(
            ("visits.csv", 1, "p1", "dlqi", "number_in_range(low=0, high=30)", "31"),
            ("visits.csv", 2, "p1", "dlqi", "on_step(step=1)", "2.5"),
            ("visits.csv", 3, "p2", "dlqi", "is_number", "n/a"),
        ),
    ),
    Case(
        "outcome_header_spelt_otherwise",
        "the config declares DLQI on column dlqi; the file's header is 'DLQI'",
        {
            "visits.csv": "patient_id,visit,week,pppasi,pga,DLQI\n"
            "p1,baseline,0,10.8,3,12\np1,week12,12,2.7,1,3\n"
            "p2,baseline,0,6.0,2,8\np2,week12,12,1.2,0,1\n"
        },
        settings={"outcomes": {"dlqi": DLQI}},
        failures=(
            (
                "visits.csv",
                None,
                None,
                "dlqi",
                "column_in_dataframe",
                "outcome 'dlqi' is declared in the config on this column",
            ),
            (
                "visits.csv",
                None,
                None,
                "dlqi",
                "header_spelling",
                "header 'DLQI' looks like 'dlqi': rename it",
            ),
        ),
    ),
    # --- Treatment stops (time_on_drug.csv) -------------------------------------------------
    Case(
        "stop_without_reason",
        "a stop week without its reason, a reason without a stop week, an unknown reason and a "
        "negative last-seen week",
        {
            "patients.csv": "patient_id,stop_week,last_seen_week,stop_reason\n"
            "p1,8,,\np2,,-2,inefficacy\np3,4,,bored\n",
            "visits.csv": VISITS + "p3,baseline,0,5.0,2\n",
        },
        failures=(
            (
                "patients.csv",
                1,
                "p1",
                "stop_reason",
                "stop_reason_with_stop_week",
                "stop_week 8 needs a reason: inefficacy, adverse_event, other",
            ),
            ("patients.csv", 2, "p2", "last_seen_week", "number_in_range(low=0, high=inf)", "-2"),
            ("patients.csv", 2, "p2", "stop_reason", "stop_reason_without_stop_week", "inefficacy"),
            (
                "patients.csv",
                3,
                "p3",
                "stop_reason",
                "isin(['inefficacy', 'adverse_event', 'other'])",
                "bored",
            ),
        ),
    ),
    Case(
        "stop_reason_header_spelt_otherwise",
        "a patients file whose reason column is headed 'Stop_Reason'",
        {"patients.csv": "patient_id,stop_week,Stop_Reason\np1,8,other\np2,,\n"},
        failures=(
            (
                "patients.csv",
                None,
                None,
                "stop_reason",
                "header_spelling",
                "header 'Stop_Reason' looks like 'stop_reason': rename it",
            ),
        ),
    ),
    Case(
        "events_bad_values",
        "an events file with a negative onset week, 'Y' for serious, and an unknown patient",
        {"events.csv": "patient_id,term,onset_week,serious\np1,Acne,-1,Y\np9,Acne,2,no\n"},
        settings={"events": "events.csv"},
        failures=(
            ("events.csv", 1, "p1", "onset_week", "number_in_range(low=0, high=inf)", "-1"),
            ("events.csv", 1, "p1", "serious", "isin(['yes', 'no'])", "Y"),
            ("events.csv", 2, "p9", "patient_id", "patient_in_patients_file", "p9"),
        ),
    ),
    # --- Randomised arms, strata and the switch visit ------------------------------------------
    Case(
        "arms_accepted",
        "two arms, a stratum and a switch visit, all as the config declares them",
        {
            "patients.csv": "patient_id,arm,region\np1,active,EU\np2,placebo,Asia\n",
            "visits.csv": VISITS + "p1,week16,16,2.0,1\np2,week16,16,5.0,2\n",
        },
        settings=ARMS_SETTINGS,
        check=_arms_kept,
    ),
    Case(
        "arms_column_absent",
        "the config declares arms on column 'arm' and strata on 'region'; the file has neither",
        {},
        settings=ARMS_SETTINGS,
        failures=(
            (
                "patients.csv",
                None,
                None,
                "arm",
                "column_in_dataframe",
                "arms are declared in the config on this column",
            ),
            (
                "patients.csv",
                None,
                None,
                "region",
                "column_in_dataframe",
                "a stratum is declared in the config on this column",
            ),
            (
                "visits.csv",
                None,
                None,
                "visit",
                "switch_visit_present",
                "no row has switch_visit 'week16'; the file's visits: 'baseline', 'week12'",
            ),
        ),
    ),
    Case(
        "arms_one_arm_no_reference",
        "one patient without an arm, the other in 'active', no 'placebo' (the reference) and "
        "no region for either",
        {"patients.csv": "patient_id,arm,region\np1,active,\np2,,\n"},
        settings={"arms": {"column": "arm", "reference": "placebo"}, "strata": ("region",)},
        failures=(
            (
                "config",
                None,
                None,
                "arms.reference",
                "reference_arm_present",
                "'placebo' is no arm of patients.csv; its arms: 'active'",
            ),
            (
                "patients.csv",
                None,
                None,
                "arm",
                "at_least_two_arms",
                "every patient is in arm 'active'",
            ),
            ("patients.csv", 1, "p1", "region", "has_stratum", None),
            ("patients.csv", 2, "p2", "arm", "has_arm", None),
            ("patients.csv", 2, "p2", "region", "has_stratum", None),
        ),
    ),
    Case(
        "arms_outside_levels",
        "the config names the arms placebo and active; one patient's arm is written 'Placebo'",
        {"patients.csv": "patient_id,arm\np1,Placebo\np2,active\n"},
        settings={
            "arms": {"column": "arm", "reference": "placebo", "levels": ["placebo", "active"]}
        },
        failures=(
            (
                "config",
                None,
                None,
                "arms.levels",
                "arm_has_patients",
                "arm 'placebo' has no patient in patients.csv",
            ),
            (
                "config",
                None,
                None,
                "arms.reference",
                "reference_arm_present",
                "'placebo' is no arm of patients.csv; its arms: 'Placebo', 'active'",
            ),
            ("patients.csv", 1, "p1", "arm", "isin(['placebo', 'active'])", "Placebo"),
        ),
    ),
    Case(
        "switch_visit_is_baseline",
        "the switch visit is the baseline visit",
        {"patients.csv": "patient_id,arm\np1,active\np2,placebo\n"},
        settings={"arms": {"column": "arm", "reference": "placebo"}, "switch_visit": "baseline"},
        failures=(
            (
                "config",
                None,
                None,
                "switch_visit",
                "after_baseline_visit",
                "'baseline' is the baseline_visit",
            ),
        ),
    ),
    Case(
        "switch_visit_before_endpoint",
        "the switch visit (week 4) comes before the endpoint (week 12)",
        {
            "patients.csv": "patient_id,arm\np1,active\np2,placebo\n",
            "visits.csv": VISITS + "p1,week4,4,5.0,2\n",
        },
        settings={"arms": {"column": "arm", "reference": "placebo"}, "switch_visit": "week4"},
        failures=(
            (
                "config",
                None,
                None,
                "endpoint_visit",
                "not_after_switch_visit",
                "'week12' (week 12) is after switch_visit 'week4' (week 4): the endpoint must "
                "lie in the randomised period",
            ),
        ),
    ),
    Case(
        "switch_visit_at_baseline_week",
        "the switch visit 'day0' is dated week 0, as the baseline is",
        {
            "patients.csv": "patient_id,arm\np1,active\np2,placebo\n",
            "visits.csv": VISITS + "p1,day0,0,10.0,3\n",
        },
        settings={"arms": {"column": "arm", "reference": "placebo"}, "switch_visit": "day0"},
        failures=(
            (
                "config",
                None,
                None,
                "endpoint_visit",
                "not_after_switch_visit",
                "'week12' (week 12) is after switch_visit 'day0' (week 0): the endpoint must "
                "lie in the randomised period",
            ),
            (
                "config",
                None,
                None,
                "switch_visit",
                "after_baseline_visit",
                "'day0' (week 0) is not after baseline_visit 'baseline' (week 0)",
            ),
        ),
    ),
)
