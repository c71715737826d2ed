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
import atexit
import json
import os
import threading
from functools import cache
from pathlib import Path


@cache
def _module_file(name: str, search: tuple[Path, ...]) -> Path | None:
    """The file that runs when module ``name`` is imported: ``a/b/__init__.py`` or ``a/b.py``
    (a package first, as Python's finder) under the first search folder holding either. Looked
    up once per process: the rules ask for the same modules many times while the workflow is
    read, and no module file appears or goes in the meantime."""
    parts = name.split(".")
    if len(parts) > 1 and not _top_level_exists(parts[0], search):
        return None  # not the project's (polars.DataFrame): one look-up for the whole package
    for folder in search:
        base = folder.joinpath(*parts)
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
    return None


@cache
def _top_level_exists(name: str, search: tuple[Path, ...]) -> bool:
    """A folder or a .py file of that name in a search folder: only then can a module under it
    be the project's."""
    return any((folder / name).is_dir() or (folder / f"{name}.py").is_file() for folder in search)


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


class ImportCache:
    """imported_names of each file, kept between runs in a JSON file (Snakemake's ``.snakemake``
    folder): a no-op run reads every rule's code inputs again, and parsing some eighty modules
    each time is most of what the workflow adds to Snakemake's own start-up. An entry counts
    only for the version of the file it was read from (its mtime and size)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, list] = {}
        self.dirty = False
        if path is not None and path.is_file():
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = {}  # unreadable: read every file again

    def names(self, path: Path, package: tuple[str, ...]) -> tuple[str, ...]:
        stat = path.stat()
        version = [stat.st_mtime_ns, stat.st_size, list(package)]
        entry = self.entries.get(str(path))
        if entry is not None and entry[:3] == version:
            return tuple(entry[3])
        names = imported_names(path.read_text(encoding="utf-8"), list(package))
        self.entries[str(path)] = [*version, names]
        self.dirty = True
        return tuple(names)

    def save(self) -> None:
        """Write the entries if any is new (atomically: a concurrent run reads the old file or
        the new one); a folder that cannot be written only costs the next run its parsing."""
        if self.path is None or not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            partial.write_text(json.dumps(self.entries), encoding="utf-8")
            partial.replace(self.path)
            self.dirty = False
        except OSError:
            pass


_CACHES: dict[Path | None, ImportCache] = {}


def _import_cache(path: Path | None) -> ImportCache:
    if not _CACHES:
        atexit.register(save_import_caches)
    if path not in _CACHES:
        _CACHES[path] = ImportCache(path)
    return _CACHES[path]


def save_import_caches() -> None:
    """Write every import cache this process read or grew; at exit. The rules ask for their
    code inputs some forty times while the workflow is read: writing the growing file after each
    of them took a tenth of a second of a cold run's start."""
    for imports in _CACHES.values():
        imports.save()


def project_imports(script: Path, root: Path, cache_file: Path | None = None) -> list[str]:
    """The project files ``script`` runs through its imports, transitively, as paths relative
    to ``root`` in sorted order (the script itself excluded). Modules resolve against the
    script's own folder (where its helpers are) and then ``root`` (where the package is).
    ``cache_file``: where the files' imports are kept between runs, written at exit
    (save_import_caches; None: parsed each time)."""
    script, root = script.resolve(), root.resolve()
    search = (script.parent, root)
    imports = _import_cache(cache_file.resolve() if cache_file else None)
    seen: set[Path] = set()
    pending = [script]
    while pending:
        path = pending.pop()
        package = tuple(_package_of(path, (root,))) if path != script else ()
        for name in imports.names(path, package):
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
