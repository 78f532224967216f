"""Do two versions of the grader give the same results? A behaviour check for refactorings.

    python benchmarks/compare_results.py REV [--new REV2] [--jobs 2] [--students 30] [--show 3]

Grades, with ``--format json --no-timings --seed 0 --isolation bwrap``:

- `solutions/` as one submission;
- a demo class (``gradeformer demo``, made once by the working tree) with ``grade DIR --out
  OUT``: every student's result file, timing fields left out, and the summary line;
- each attack folder of tests/adversarial/submissions as one submission, ``--exercise
  softmax``;

once with the working tree's code (or revision REV2, `--new`: others' uncommitted changes
left out) and once with git revision REV, each revision checked out with ``git worktree
add`` into a temporary folder. Each version is its own tree's `grader`, `reference`
and `exercises/`; the submissions are the working tree's. Every run is
``python -c "from grader.cli import main; main()"`` with ``PYTHONPATH=<tree>``, started in
that tree, with a fresh cache folder of its own (`$GRADEFORMER_CACHE`), and first checks that
the `grader` and `reference` it imports are that tree's (not the editable install's).

Prints one row per item (identical / different) and, for the first `--show` differences, a
unified diff; exits 1 when anything differs, 2 when the comparison could not run. Some
results vary from run to run whichever the version: now and then a sandboxed worker
restarted after an attack fails to start ("the worker did not start: PipeClosed"), and
import_side_effects' thread racing frames onto the pipe meets one of two protocol errors.
So an item that differs is graded again by both versions (`--retries`, default 3) until a
result of one version equals a result of the other; such items are flagged in the table,
with the diff of their first run.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = ROOT / "tests" / "adversarial" / "submissions"
FLAGS = ["--format", "json", "--no-timings", "--seed", "0", "--isolation", "bwrap"]
TIMING_FIELDS = {"duration_s", "started_at"}  # grader.results.TIMING_FIELDS
WRONG_CODE = 3  # the exit code of a run that would not grade with its own tree's code
# Run as the first code of every grading process: refuse to grade with another tree's code.
LAUNCH = f"""
import sys
from pathlib import Path
root = Path(sys.argv.pop(1))
import grader, reference
used = [Path(m.__file__).resolve() for m in (grader, reference)]
wrong = [str(p) for p in used if not p.is_relative_to(root)]
if wrong:
    print(f"compare_results: imported {{wrong}}, not from {{root}}", file=sys.stderr)
    sys.exit({WRONG_CODE})
from grader.cli import main
main()
"""


class CompareError(Exception):
    """The comparison cannot run (no bwrap, a bad revision, code from the wrong tree)."""


@dataclass(frozen=True)
class Version:
    """One version of the code: a tree holding grader/, reference/ and exercises/."""

    label: str
    tree: Path
    cache: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.tree), "GRADEFORMER_CACHE": str(self.cache)}

    def gradeformer(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """`gradeformer ARGS --exercises <tree>/exercises` run with this tree's code."""
        argv = [sys.executable, "-c", LAUNCH, str(self.tree), *map(str, args)]
        argv += ["--exercises", str(self.tree / "exercises")]
        done = subprocess.run(
            argv, cwd=self.tree, env=self.env(), capture_output=True, text=True, check=False
        )
        if done.returncode == WRONG_CODE:
            raise CompareError(done.stderr.strip())
        return done

    def describe(self) -> str:
        head = _git(self.tree, "rev-parse", "--short", "HEAD").strip()
        dirty = _git(self.tree, "status", "--porcelain", "--", "grader", "reference", "exercises")
        return f"{self.label}: {self.tree} at {head}{' + uncommitted changes' if dirty else ''}"


@dataclass(frozen=True)
class Item:
    """Something graded by both versions (`run_item` gives its results as text)."""

    name: str
    kind: str  # "one" (a submission) or "class"
    path: Path
    only: tuple[str, ...] = ()


def _git(tree: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(tree), *args], capture_output=True, text=True, check=True
    ).stdout


def run_item(item: Item, version: Version, work: Path) -> str:
    """The item's results as text: exit code, then stdout (a class: its summary line and
    every result file without timings)."""
    if item.kind == "one":
        extra = [a for name in item.only for a in ("--exercise", name)]
        done = version.gradeformer("grade", item.path, *FLAGS, *extra)
        return f"exit {done.returncode}\n{done.stdout}" + _stderr_if_failed(done)
    out = Path(tempfile.mkdtemp(prefix=f"results-{version.label}-", dir=work)) / "out"
    done = version.gradeformer("grade", item.path, "--out", out, *FLAGS)
    lines = [f"exit {done.returncode}", done.stdout.replace(str(out), "OUT")]
    for result in sorted(out.iterdir()) if out.is_dir() else []:
        lines.append(f"== {result.name}")
        try:
            data = _without_timings(json.loads(result.read_text(encoding="utf-8")))
            lines.append(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))
        except (ValueError, UnicodeDecodeError):
            lines.append(result.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(lines) + "\n" + _stderr_if_failed(done)


def _diff(old: str, new: str, names: tuple[str, str], lines: int) -> str:
    """The first `lines` lines of a unified diff from `old` to `new`."""
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), *names, lineterm="", n=1)
    return "\n".join(list(diff)[:lines])


def _stderr_if_failed(done: subprocess.CompletedProcess[str]) -> str:
    """stderr when the run did not grade (progress and warnings are left out otherwise)."""
    return f"stderr:\n{done.stderr}" if done.returncode not in (0, 1) else ""


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def run_all(
    items: list[Item], versions: list[Version], work: Path, jobs: int
) -> dict[tuple[str, str], str]:
    """Every item graded by every version, `jobs` runs at once: (item, version) -> text."""
    runs = [(item, version) for item in items for version in versions]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        texts = list(pool.map(lambda run: run_item(run[0], run[1], work), runs))
    return {
        (item.name, version.label): text for (item, version), text in zip(runs, texts, strict=True)
    }


def checkout(rev: str, label: str, work: Path, trees: list[Path]) -> Version:
    """Revision `rev` checked out into `work/label` (`git worktree add`, recorded in `trees`
    for removal)."""
    tree = work / label
    git = ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev]
    subprocess.run(git, check=True)
    trees.append(tree)
    return Version(label, tree, work / f"cache-{label}")


def check_imports(version: Version) -> str:
    """The folder `grader` is imported from for this version (a `CompareError` when it or
    `reference` is another tree's: PYTHONPATH did not win over the editable install)."""
    probe = "import grader, reference; print(grader.__file__); print(reference.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=version.tree,
        env=version.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    files = [Path(line).resolve() for line in done.stdout.split()]
    if done.returncode or len(files) != 2 or not all(f.is_relative_to(version.tree) for f in files):
        raise CompareError(
            f"{version.label} does not import its own code: {done.stdout}{done.stderr}"
        )
    return str(files[0].parent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("rev", help="the git revision to compare the working tree with")
    parser.add_argument("--new", help="a git revision to compare instead of the working tree")
    parser.add_argument("--jobs", type=int, default=2, help="items graded at once (default 2)")
    parser.add_argument("--students", type=int, default=30, help="demo class size (default 30)")
    parser.add_argument("--show", type=int, default=3, help="diffs to print (default 3)")
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        help="grade a differing item again by both versions up to this many times (default 3) "
        "until the two gave one result alike: some results vary from run to run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    try:
        return compare(args)
    except (CompareError, subprocess.CalledProcessError) as exc:
        print(f"compare_results: {exc}", file=sys.stderr)
        return 2


def compare(args: argparse.Namespace) -> int:
    """Grade every item with both versions and print the table; 1 when anything differs."""
    if shutil.which("bwrap") is None:
        raise CompareError("bwrap is not installed (the runs use --isolation bwrap)")

    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="gradeformer-compare-"))
    trees: list[Path] = []
    try:
        current = Version("current", ROOT, work / "cache-current")
        versions = [current] if args.new is None else [checkout(args.new, "new", work, trees)]
        versions.append(checkout(args.rev, "rev", work, trees))
        for version in versions:
            print(f"{version.describe()} (imports {check_imports(version)})")

        demo = work / "demo"
        made = current.gradeformer("demo", demo, "--students", str(args.students))
        if made.returncode:
            raise CompareError(f"gradeformer demo failed:\n{made.stderr}")
        items = [Item("demo class", "class", demo), Item("solutions/", "one", ROOT / "solutions")]
        items += [
            Item(f"attack {p.name}", "one", p, ("softmax",))
            for p in sorted(ATTACKS.iterdir())
            if p.is_dir()
        ]
        # every result each version gave an item; two versions agree on an item when they
        # gave one result alike (some attacks race the worker: see --retries)
        seen = {key: [text] for key, text in run_all(items, versions, work, args.jobs).items()}

        def agree(item: Item) -> bool:
            new, old = (set(seen[item.name, v.label]) for v in versions)
            return bool(new & old)

        reruns: dict[str, int] = {}
        for attempt in range(1, args.retries + 1):
            again = [item for item in items if not agree(item)]
            if not again:
                break
            for key, text in run_all(again, versions, work, args.jobs).items():
                seen[key].append(text)
            reruns |= {item.name: attempt for item in again}

        differing = []
        width = max(len(item.name) for item in items)
        print(f"\n{'item':<{width}}  result")
        for item in items:
            same = agree(item)
            rerun = f" (on rerun {reruns[item.name]})" if item.name in reruns else ""
            print(f"{item.name:<{width}}  {'identical' if same else 'DIFFERENT'}{rerun}")
            if not same:
                a, b = (seen[item.name, v.label][0] for v in versions)
                differing.append((item.name, a, b))
        names = (args.rev, args.new or "working tree")
        for name, a, b in differing[: args.show]:
            print(f"\n--- {name}")
            print(_diff(b, a, names, 80))
        seconds = time.perf_counter() - start
        verdict = f"{len(differing)} of {len(items)} differ" if differing else "all identical"
        print(f"\n{verdict} ({len(items)} items, {seconds:.0f} s)")
        flaky = [name for name in reruns if name not in {d[0] for d in differing}]
        if flaky:
            print(
                f"{len(flaky)} item(s) differed at first and agreed when graded again by both "
                f"versions (results that vary from run to run): {', '.join(flaky)}"
            )
            for name in flaky:
                a, b = (seen[name, v.label][0] for v in versions)
                print(f"\n--- {name}, first run\n{_diff(b, a, names, 12)}")
        return 1 if differing else 0
    finally:
        for tree in trees:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
