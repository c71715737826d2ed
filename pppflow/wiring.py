"""Plumbing the Snakefile calls: a rule's code inputs, read from its script's imports, and
the clean-up of Snakemake's re-check timers at the end of a run.

Snakemake reruns a job when its script changes, not when a module the script imports does. So
each rule declares the project's modules its script reaches as inputs, and this module finds
them, transitively, with ``ast`` (nothing is imported or executed): pppflow modules and
sub-packages with their ``__init__.py`` files, relative imports, and the ``workflow_scripts/_*``
helpers a script imports by name. Third-party and standard-library imports resolve to no
project file and are left out. Every import statement counts, including those inside functions
or ``if TYPE_CHECKING:``: one input too many costs a rerun, one too few leaves stale outputs.
Standard library only: the Snakefile calls it before any job runs.
"""

import ast
import threading
from functools import cache
from pathlib import Path


def _module_file(name: str, search: tuple[Path, ...]) -> Path | None:
    """The file that runs when module ``name`` is imported: ``a/b/__init__.py`` or ``a/b.py``
    (a package first, as Python's finder) under the first search folder holding either."""
    parts = name.split(".")
    for folder in search:
        base = folder.joinpath(*parts)
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
    return None


def _package_of(path: Path, search: tuple[Path, ...]) -> list[str]:
    """The dotted package a file belongs to (``pppflow/charts/x.py`` -> pppflow.charts)."""
    for folder in search:
        if path.is_relative_to(folder):
            return list(path.relative_to(folder).parts[:-1])
    return []


def _with_parents(name: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _statements(nodes: list[ast.AST]):
    """Every statement of a block, nested ones included, in source order; an import is always
    a statement, so the expressions (most of a module's nodes) need no visit."""
    for node in nodes:
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from _statements(getattr(node, block, None) or [])


def imported_names(source: str, package: list[str]) -> list[str]:
    """Every module name an import statement of ``source`` may run, absolute, with parents;
    ``from a import b`` also names ``a.b`` (b may be a submodule). ``package`` is the dotted
    package the source is in, for relative imports."""
    names: list[str] = []
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names += _with_parents(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 > len(package):
                    continue
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if not module:
                continue
            names += _with_parents(module)
            names += [f"{module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return names


@cache
def _file_imports(path: Path, package: tuple[str, ...], mtime_ns: int) -> tuple[str, ...]:
    """imported_names of one file, parsed once per version of the file: the rules ask for the
    same modules many times while the workflow is read (an edit changes mtime_ns)."""
    return tuple(imported_names(path.read_text(encoding="utf-8"), list(package)))


def project_imports(script: Path, root: Path) -> list[str]:
    """The project files ``script`` runs through its imports, transitively, as paths relative
    to ``root`` in sorted order (the script itself excluded). Modules resolve against the
    script's own folder (where its helpers are) and then ``root`` (where the package is)."""
    script, root = script.resolve(), root.resolve()
    search = (script.parent, root)
    seen: set[Path] = set()
    pending = [script]
    while pending:
        path = pending.pop()
        package = tuple(_package_of(path, (root,))) if path != script else ()
        for name in _file_imports(path, package, path.stat().st_mtime_ns):
            found = _module_file(name, search)
            if found is not None and found != script and found not in seen:
                seen.add(found)
                pending.append(found)
    return sorted(str(path.relative_to(root)) for path in seen)


def cancel_pending_rechecks() -> None:
    """Cancel every pending ``threading.Timer`` of the process; for the end of a run.

    While jobs wait for a free core, Snakemake's scheduler re-checks them from a one-second
    ``threading.Timer`` (its --max-jobs-per-timespan rate limiter, on by default). The last such
    timer outlives the run and Python waits for it at exit: up to a second added to every run
    (about 1 s of an 8 s cold run of the default config, docs/benchmarks.md). Once the run is
    over those re-checks have nothing left to do. This relies on a private detail of Snakemake
    (JobScheduler._schedule_reevalutation); tests/test_exit_timer.py checks it still holds.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
