"""Compare two results/ trees file by file: the SLURM run's against the local run's.

    python tests/slurm/compare_results.py LOCAL_RESULTS SLURM_RESULTS [--volatile GLOB ...]

Both trees must hold the same files. Parquet files must hold equal frames (schema, row order and
values; the file bytes may differ in metadata). Every other file must be equal byte for byte once
each copy's own absolute working directory (the parent of its results/) is replaced by a
placeholder, since the two runs ran in different folders. A file matching a --volatile glob
(relative path, e.g. '*/report.html') is only required to exist in both trees: use it for
outputs that embed a time stamp, and say why where the glob is given. Exit status 0 when
everything matches, 1 otherwise, with one line per difference.
"""

import argparse
import fnmatch
import sys
from pathlib import Path

import polars as pl

ROOT_PLACEHOLDER = b"<workdir>"


def relative_files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def normalised_bytes(path: Path, workdir: Path) -> bytes:
    return path.read_bytes().replace(str(workdir).encode(), ROOT_PLACEHOLDER)


def first_difference(a: bytes, b: bytes) -> str:
    lines_a, lines_b = a.splitlines(), b.splitlines()
    for number, (line_a, line_b) in enumerate(zip(lines_a, lines_b, strict=False), start=1):
        if line_a != line_b:
            return f"line {number}: local {line_a[:120]!r} vs slurm {line_b[:120]!r}"
    return f"local has {len(lines_a)} lines, slurm {len(lines_b)}"


def parquet_difference(a: Path, b: Path) -> str | None:
    frame_a, frame_b = pl.read_parquet(a), pl.read_parquet(b)
    if frame_a.schema != frame_b.schema:
        return f"schema differs: local {dict(frame_a.schema)} vs slurm {dict(frame_b.schema)}"
    if frame_a.height != frame_b.height:
        return f"local has {frame_a.height} rows, slurm {frame_b.height}"
    if not frame_a.equals(frame_b, null_equal=True):
        differing = [name for name in frame_a.columns if not frame_a[name].equals(frame_b[name])]
        return f"values differ in column(s) {', '.join(differing)}"
    return None


def compare_trees(local: Path, slurm: Path, volatile: list[str]) -> tuple[list[str], list[str]]:
    """Differences (one line each) and the volatile files that were only checked to exist."""
    files_local, files_slurm = relative_files(local), relative_files(slurm)
    differences = [f"only in the local run: {name}" for name in sorted(files_local - files_slurm)]
    differences += [f"only in the SLURM run: {name}" for name in sorted(files_slurm - files_local)]
    skipped = []
    for name in sorted(files_local & files_slurm):
        a, b = local / name, slurm / name
        if any(fnmatch.fnmatch(name, pattern) for pattern in volatile):
            skipped.append(name)
            continue
        if name.endswith(".parquet"):
            problem = parquet_difference(a, b)
        else:
            bytes_a = normalised_bytes(a, local.parent)
            bytes_b = normalised_bytes(b, slurm.parent)
            problem = None if bytes_a == bytes_b else first_difference(bytes_a, bytes_b)
        if problem:
            differences.append(f"{name}: {problem}")
    return differences, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("local", type=Path)
    parser.add_argument("slurm", type=Path)
    parser.add_argument("--volatile", action="append", default=[], metavar="GLOB")
    args = parser.parse_args(argv)
    for tree in (args.local, args.slurm):
        if not tree.is_dir():
            print(f"compare_results: {tree} is not a folder", file=sys.stderr)
            return 1
    differences, skipped = compare_trees(args.local, args.slurm, args.volatile)
    compared = len(relative_files(args.local) & relative_files(args.slurm)) - len(skipped)
    for name in skipped:
        print(f"  exists in both, content not compared (volatile): {name}")
    if differences:
        for line in differences:
            print(f"  DIFFERS {line}", file=sys.stderr)
        print(f"compare_results: {len(differences)} difference(s)", file=sys.stderr)
        return 1
    if compared == 0:
        print("compare_results: no file to compare", file=sys.stderr)
        return 1
    print(f"compare_results: {compared} file(s) identical ({len(skipped)} volatile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
