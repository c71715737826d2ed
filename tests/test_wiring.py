"""The code inputs read from a script's imports, and the config defaults the schema fills in."""

import copy
import modulefinder
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from pppflow.wiring import imported_names, project_imports, save_import_caches

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "workflow_scripts").glob("[!_]*.py"))


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_sub_packages_relative_imports_and_helpers_are_followed(tmp_path: Path):
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": "import math\n",
            "pkg/unused.py": "",
            "pkg/charts/__init__.py": "from .registry import REGISTRY\n",
            "pkg/charts/registry.py": "from . import style\nfrom ..base import thing\n",
            "pkg/charts/style.py": "import altair\n",
            "pkg/charts/idle.py": "",
            "pkg/lazy.py": "",
            "pkg/typed.py": "",
            "scripts/_helper.py": "import pkg.base\n",
            "scripts/_idle.py": "",
            "scripts/run.py": (
                "from typing import TYPE_CHECKING\n"
                "import polars as pl\n"
                "from _helper import x\n"
                "from pkg import charts\n"
                "if TYPE_CHECKING:\n"
                "    import pkg.typed\n"
                "def later():\n"
                "    from pkg.lazy import y\n"
            ),
        },
    )
    assert project_imports(tmp_path / "scripts/run.py", tmp_path) == [
        "pkg/__init__.py",
        "pkg/base.py",
        "pkg/charts/__init__.py",
        "pkg/charts/registry.py",
        "pkg/charts/style.py",
        "pkg/lazy.py",
        "pkg/typed.py",
        "scripts/_helper.py",
    ]


def test_a_package_wins_over_a_module_of_the_same_name(tmp_path: Path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/charts.py": "", "pkg/charts/__init__.py": ""})
    (tmp_path / "run.py").write_text("import pkg.charts\n")
    assert project_imports(tmp_path / "run.py", tmp_path) == [
        "pkg/__init__.py",
        "pkg/charts/__init__.py",
    ]


def test_relative_import_from_a_package_init_is_relative_to_that_package():
    assert imported_names("from . import a\nfrom .b import c\n", ["pkg", "sub"]) == [
        "pkg",
        "pkg.sub",
        "pkg.sub.a",
        "pkg",
        "pkg.sub",
        "pkg.sub.b",
        "pkg.sub.b.c",
    ]


def test_a_relative_import_beyond_the_top_names_nothing():
    assert imported_names("from ... import a\n", ["pkg"]) == []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_code_inputs_are_what_the_standard_library_module_finder_finds(script: Path):
    """An independent reading of the same imports: the standard library's ModuleFinder, with
    only the project's folders on its path (so only project modules resolve)."""
    finder = modulefinder.ModuleFinder(path=[str(script.parent), str(ROOT)])
    finder.run_script(str(script))
    found = sorted(
        str(Path(module.__file__).relative_to(ROOT))
        for module in finder.modules.values()
        if module.__file__ and Path(module.__file__) != script
    )
    assert project_imports(script, ROOT) == found
    assert "workflow_scripts/_shim.py" in found


def test_the_letters_scripts_reach_the_modules_the_hand_kept_lists_missed():
    def reached(name: str) -> list[str]:
        return project_imports(ROOT / "workflow_scripts" / f"{name}.py", ROOT)

    for name in ("chart_library", "chart_plan", "chart_index"):
        assert "pppflow/io.py" in reached(name)
    assert "pppflow/derive.py" in reached("validate")
    assert "pppflow/charts/registry.py" in reached("charts")
    assert "pppflow/claims.py" in reached("charts")
    assert "pppflow/charts/registry.py" not in reached("stats")


def test_the_schema_fills_the_optional_keys_of_every_cohort_entry():
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    entry = config["cohorts"]["zheng2024"]
    del entry["missing"], entry["pppasi_disagreement"]
    config["cohorts"]["other"] = copy.deepcopy(entry) | {"missing": "nri"}
    del config["stats"], config["charts"]
    validate(config, str(ROOT / "config/schema.yaml"))
    assert config["cohorts"]["zheng2024"]["missing"] == "observed"
    assert config["cohorts"]["zheng2024"]["pppasi_disagreement"] == "warn"
    assert config["cohorts"]["other"]["missing"] == "nri"
    assert config["cohorts"]["other"]["pppasi_disagreement"] == "warn"
    assert config["stats"]["alpha"] == 0.05
    assert config["charts"]["width"] == 520


def test_imports_kept_between_runs_count_only_for_the_file_version_they_were_read_from(tmp_path):
    import json
    import os
    import shutil

    (tmp_path / "pkg").mkdir()
    (tmp_path / "run.py").write_text("import pkg.a\n")
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/a.py").write_text("from pkg import b\n")
    (tmp_path / "pkg/b.py").write_text("")
    (tmp_path / "pkg/c.py").write_text("")
    first = tmp_path / "first/imports.json"
    expected = ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    assert project_imports(tmp_path / "run.py", tmp_path, first) == expected
    save_import_caches()  # as at the end of the process
    kept = json.loads(first.read_text())
    assert kept[str(tmp_path / "pkg/a.py")][3] == ["pkg", "pkg.b"]
    # A later run (a new process reads the file) after an edit of a.py: its new import counts.
    (tmp_path / "pkg/a.py").write_text("from pkg import b, c\n")
    stat = (tmp_path / "pkg/a.py").stat()
    os.utime(tmp_path / "pkg/a.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    later = tmp_path / "later/imports.json"
    later.parent.mkdir()
    shutil.copy(first, later)
    assert project_imports(tmp_path / "run.py", tmp_path, later) == [*expected, "pkg/c.py"]
    # An unreadable file is no cache: every file is read again.
    broken = tmp_path / "broken/imports.json"
    broken.parent.mkdir()
    broken.write_text("{not json")
    assert project_imports(tmp_path / "run.py", tmp_path, broken) == [*expected, "pkg/c.py"]
